"""What the CLI, TUI, digest and doctor share: scan into the workspace's database, and
the report on the current snapshots."""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from radar.errors import RadarError
from radar.store.usage import UsageTables
from radar.techradar.model import TechRadar
from radar.usage.model import RepoScan
from radar.usage.report import (
    NO_PACKAGES,
    OK,
    TechUsage,
    UsageReport,
    behind_pins,
    build_report,
    new_verdicts,
)
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


def current_report(workspace: Workspace, radar: TechRadar) -> UsageReport | None:
    """The report on each repository's current snapshot; None when nothing was scanned."""
    if not workspace.db_path.exists():
        return None
    from radar.store import Store

    with Store(workspace.db_path) as store:
        return report_from(store.usage, radar)


def report_from(
    tables: UsageTables, radar: TechRadar, *, previous: bool = False
) -> UsageReport | None:
    """The report on the current snapshots (``previous``: on each repository's snapshot
    before its current one, to tell what changed); None when there are none."""
    snapshots = tables.previous_snapshots() if previous else tables.snapshots()
    if not snapshots:
        return None
    dependencies = tables.dependencies([s.id for s in snapshots])
    return build_report(radar, dependencies, tables.releases(), repos=[s.repo for s in snapshots])


def digest_section(
    tables: UsageTables, radar: TechRadar, *, candidates: int = 5
) -> dict[str, Any] | None:
    """The digest's "Radar vs. reality": verdicts that are new since the previous scans
    first, then the other ones that need a look, and the top candidates; None before
    any scan."""
    current = report_from(tables, radar)
    if current is None:
        return None
    new = new_verdicts(current, report_from(tables, radar, previous=True))
    new_names = {tech.name for tech in new}
    attention = [t for t in current.technologies if t.verdict not in (OK, NO_PACKAGES)]
    newest = tables.newest_scan()
    return {
        "repos": len(current.repos),
        "scanned": newest.date().isoformat() if newest else None,
        "verdicts": [
            {**_brief(tech), "new": tech.name in new_names}
            for tech in sorted(attention, key=lambda t: t.name not in new_names)
        ],
        "candidates": [c.to_dict() for c in current.candidates[:candidates]],
    }


def _brief(tech: TechUsage) -> dict[str, Any]:
    return {
        "name": tech.name,
        "ring": tech.ring,
        "verdict": tech.verdict,
        "repos": list(tech.repos),
        "behind": [b.describe() for b in tech.behind],
    }


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


def pinned_older(tables: UsageTables, radar: TechRadar) -> Callable[[str, str], list[str]]:
    """For release alerts: given a technology's slug and a new version, the repositories
    whose current snapshot pins one of its packages below that version ("acme/serving
    0.11.2"). Only versioned ecosystems (PyPI, conda, npm) compare; none before a scan."""
    report = report_from(tables, radar)
    slugs = {tech.name: tech.slug for tech in radar.technologies}
    usages = {slugs.get(t.name, ""): t.usages for t in report.technologies} if report else {}

    def older(slug: str, version: str) -> list[str]:
        return [f"{b.repo} {b.pinned}" for b in behind_pins(usages.get(slug, ()), version)]

    return older
