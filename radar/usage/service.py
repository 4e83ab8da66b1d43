"""What the CLI, TUI, digest and doctor share: scan into the workspace's database, and
the report on the current snapshots."""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from radar.errors import RadarError
from radar.techradar.model import TechRadar
from radar.usage.model import RepoScan
from radar.usage.report import UsageReport, build_report
from radar.usage.scan import scan_repository
from radar.workspace import Workspace


class ScanPathError(RadarError):
    """A path given to `radar usage scan` is not a folder."""


def scan_paths(paths: Sequence[Path], *, workers: int | None = None) -> list[RepoScan]:
    """Scan each folder as one repository, several at once in worker processes (parsing
    is CPU-bound Python); every path is checked before any is scanned."""
    for path in paths:
        if not path.is_dir():
            raise ScanPathError(f"{path}: not a folder (give a repository checkout)")
    count = min(workers or os.cpu_count() or 1, len(paths))
    if count <= 1:
        return [scan_repository(path) for path in paths]
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        return list(pool.map(scan_repository, paths, chunksize=max(1, len(paths) // (count * 8))))


def record_scans(
    workspace: Workspace, scans: Sequence[RepoScan], *, now: datetime | None = None
) -> None:
    from radar.store import Store

    moment = now or datetime.now(UTC)
    workspace.ensure_data_dir()
    with Store(workspace.db_path) as store:
        for scan in scans:
            store.usage.record(scan, moment)


def current_report(
    workspace: Workspace, radar: TechRadar, *, previous: bool = False
) -> UsageReport | None:
    """The report on each repository's current snapshot (``previous``: on the snapshot
    before it, for what changed); None when nothing was ever scanned."""
    if not workspace.db_path.exists():
        return None
    from radar.store import Store

    with Store(workspace.db_path) as store:
        snapshots = store.usage.snapshots()
        if not snapshots:
            return None
        if previous:
            older = store.usage.previous_snapshots()
            if not older:
                return None
            snapshots = older
        dependencies = store.usage.dependencies([s.id for s in snapshots])
        releases = store.usage.releases()
    return build_report(radar, dependencies, releases, repos=[s.repo for s in snapshots])


def newest_scan(workspace: Workspace) -> datetime | None:
    if not workspace.db_path.exists():
        return None
    from radar.store import Store

    with Store(workspace.db_path) as store:
        return store.usage.newest_scan()


def seen_packages(workspace: Workspace) -> set[str]:
    """``ecosystem:name`` of every dependency in the current snapshots (empty: no scan)."""
    if not workspace.db_path.exists():
        return set()
    from radar.store import Store

    with Store(workspace.db_path) as store:
        snapshots = store.usage.snapshots()
        return {d.dependency.key for d in store.usage.dependencies([s.id for s in snapshots])}
