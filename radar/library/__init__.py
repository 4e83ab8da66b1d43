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
