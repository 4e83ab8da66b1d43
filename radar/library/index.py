"""Keeping the library's search index (in the database) in step with data/library.yaml.

The `library` commands refresh it after each write. After a `git pull` or a hand edit,
:func:`ensure_fresh` notices the changed file by its hash and refreshes the index in
one step (one transaction; the library is small), the way links follow radar edits.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from radar.library.model import Library
from radar.library.record import parse_library
from radar.store.library import EntryRow, IndexedEntry
from radar.workspace import Workspace

if TYPE_CHECKING:
    from radar.embed import Embedder
    from radar.store import Store

EMBED_BATCH = 256
"""Entries embedded per refresh step, at most (a bound, not a tuning knob)."""


def file_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _rows(library: Library) -> list[EntryRow]:
    rows = []
    for entry in library:
        text = entry.search_text
        indexed = IndexedEntry(
            id=entry.id,
            url=entry.url,
            title=entry.title,
            type=entry.type,
            tags=entry.tags,
            technologies=entry.technologies,
            note="\n".join(note.text for note in entry.notes),
            added=entry.added.isoformat() if entry.added else None,
        )
        rows.append(EntryRow(indexed, text, file_hash(text)))
    return rows


def sync_index(store: Store, library: Library, text: str) -> int:
    """Make the index hold this library (read from file `text`); returns rows changed."""
    return store.library.sync(_rows(library), file_hash(text))


def ensure_fresh(workspace: Workspace, store: Store) -> bool:
    """Refresh the index when library.yaml differs from what it was built from (by hash).

    Returns whether a refresh happened. A missing file is an empty library."""
    path = workspace.library_path
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    if store.library.file_hash() == file_hash(text):
        return False
    library = parse_library(text, path) if text else Library()
    sync_index(store, library, text)
    return True


def embed_missing(store: Store, embedder: Embedder, model: str) -> int:
    """Embed (title + notes) of entries without a vector from `model`; at most one batch."""
    pending = store.library.texts_to_embed(model, EMBED_BATCH)
    if not pending:
        return 0
    vectors = embedder.embed([text for _, text in pending])
    store.library.store_vectors(
        model, {entry_id: vectors[i] for i, (entry_id, _) in enumerate(pending)}
    )
    return len(pending)
