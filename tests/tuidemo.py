"""The demo workspace the TUI tests run on, built once and copied per test.

It goes through the real path (demo feeds served on 127.0.0.1, `run_fetch`,
`update_index` with the real model) with the clock pinned, and feeds fetched one at a
time in feeds.yaml order, so item ids, dates and the index are the same every run and
snapshots are deterministic.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

import radar.index
import radar.ingest
import radar.store.base
from radar.demo import DemoDates, demo_data_dir, prepare_workspace, serve_directory
from radar.feeds.config import load_config
from radar.index import update_index
from radar.ingest import run_fetch
from radar.store import Store
from radar.workspace import Workspace

FETCHED_AT = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
"""When the demo was fetched: first-seen time of undated items, feeds' last fetch."""
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
"""The TUI's clock in tests: ages and the radar's 'as of' are relative to it."""


def build_demo(root: Path) -> Workspace:
    shift = DemoDates(FETCHED_AT.date()).shift  # none: the bundled dates as they are
    with (
        serve_directory(demo_data_dir(), shift=shift) as port,
        pytest.MonkeyPatch.context() as patch,
    ):
        for module in (radar.store.base, radar.index, radar.ingest):
            patch.setattr(module, "utc_now", lambda: FETCHED_AT)
        workspace = prepare_workspace(root, port, shift)
        config = load_config(workspace.feeds_path)
        with Store(workspace.db_path) as store:
            for feed in config.feeds:
                run_fetch(store, config, only=[feed.name], clock=lambda: FETCHED_AT)
            update_index(store, workspace, config.settings.model)
    return workspace


def session_demo(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The demo built once per test session (both TUI test modules share it)."""
    root = tmp_path_factory.getbasetemp() / "tui-demo" / "radar-demo"
    done = root.parent / "built"
    if not done.exists():
        shutil.rmtree(root.parent, ignore_errors=True)
        build_demo(root)
        done.touch()
    return Workspace(root)


def copy_demo(pristine: Workspace, target: Path) -> Workspace:
    """A private copy of the demo (database, index, radar) a test may change."""
    shutil.copytree(pristine.root, target, ignore=shutil.ignore_patterns("radar.lock"))
    return Workspace(target)


def fixed_clock() -> datetime:
    return NOW
