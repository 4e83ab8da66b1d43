"""The team library: data/library.yaml (what the team learned from, and why), its search
index in the database, exports and imports. Domain code: never imports click, textual or rich."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from radar.library.model import Entry, Library, LibraryError, Note
from radar.library.record import dump_library, load_library, parse_library, save_library
from radar.workspace import Workspace

__all__ = [
    "Entry",
    "Library",
    "LibraryError",
    "Note",
    "dump_library",
    "load_library",
    "parse_library",
    "save_library",
    "load_workspace_library",
    "save_workspace_library",
]


def load_workspace_library(workspace: Workspace) -> Library:
    return load_library(workspace.library_path)


def save_workspace_library(workspace: Workspace, library: Library) -> None:
    """Write data/library.yaml, then bring the library's search index in step."""
    from radar.library.index import sync_index
    from radar.store import Store

    workspace.ensure_data_dir()
    text = save_library(library, workspace.library_path)
    with Store(workspace.db_path) as store:
        sync_index(store, library, text)


def resources_for(library: Library, names: list[str]) -> list[Entry]:
    """Entries tagged with a technology called any of `names` (its name and aliases):
    its learning resources, current ones first, then by title."""
    wanted = {name.casefold() for name in names}
    found = [e for e in library if wanted & {t.casefold() for t in e.technologies}]
    return sorted(found, key=lambda e: (e.status != "current", e.title.casefold()))


def additions(workspace: Workspace, first_day: date, last_day: date) -> list[dict[str, Any]]:
    """Entries added to the team library from `first_day` to `last_day` (both included),
    with their notes: the digest's "Added to the team library". A file git left in
    conflict is reported, not skipped silently: the error names the line."""
    library = load_workspace_library(workspace)
    entries = library.added_between(first_day, last_day + timedelta(days=1))
    return [entry.to_dict() for entry in entries]


def add_from_item(
    workspace: Workspace,
    item_id: int,
    note: str,
    *,
    by: str,
    today: date,
    tags: tuple[str, ...] = (),
) -> tuple[Entry, bool]:
    """Add a stored item (its title and link) to the library with a note, save the
    file and its index. An empty `note` promotes the private note on the item, if any."""
    from radar.store import Store

    with Store(workspace.db_path) as store:
        item = store.get_item(item_id)
        private = store.library.item_note(item_id)
    if not item["url"]:
        raise LibraryError(f"item {item_id} has no link to add")
    if not note.strip() and private is not None:
        note = private.text
    library = load_workspace_library(workspace)
    entry, new = library.add(
        url=item["url"], title=item["title"] or "", note=note, by=by, today=today, tags=tags
    )
    save_workspace_library(workspace, library)
    return entry, new
