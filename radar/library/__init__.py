"""The team library: data/library.yaml (what the team learned from, and why), its search
index in the database, exports and imports. Domain code: never imports click, textual or rich."""

from __future__ import annotations

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
