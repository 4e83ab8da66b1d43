"""The team's tech radar: technologies, rings, quadrants, history with rationale,
import/export in the formats teams use, and the radar picture.

The record lives in ``data/techradar.yaml`` (see :mod:`radar.techradar.record`);
changes go through :class:`TechRadar` methods, then :func:`save_radar`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from radar.techradar.formats import (
    FORMATS,
    FormatError,
    ImportReport,
    detect_format,
    export_radar,
    import_radar,
)
from radar.techradar.layout import Blip, layout
from radar.techradar.model import (
    DEFAULT_QUADRANTS,
    DEFAULT_RINGS,
    DEFAULT_WINDOW_DAYS,
    RETIRED,
    AmbiguousName,
    HistoryEntry,
    Link,
    Status,
    Technology,
    TechRadar,
    TechRadarError,
    display_name,
    parse_link,
    slugify,
    today_utc,
)
from radar.techradar.record import dump_radar, load_radar, parse_radar, save_radar
from radar.techradar.render import render_svg, render_text
from radar.workspace import Workspace

__all__ = [
    "DEFAULT_QUADRANTS",
    "DEFAULT_RINGS",
    "DEFAULT_WINDOW_DAYS",
    "FORMATS",
    "RETIRED",
    "AmbiguousName",
    "Blip",
    "FormatError",
    "HistoryEntry",
    "ImportReport",
    "Link",
    "Status",
    "TechRadar",
    "TechRadarError",
    "Technology",
    "detect_format",
    "display_name",
    "dump_radar",
    "evidence",
    "export_radar",
    "import_radar",
    "layout",
    "load_radar",
    "load_workspace_radar",
    "mention_counts",
    "parse_link",
    "parse_radar",
    "radar_changed",
    "render_svg",
    "render_text",
    "save_radar",
    "slugify",
    "today_utc",
]


def load_workspace_radar(workspace: Workspace) -> TechRadar:
    """The workspace's radar (empty, with default rings and quadrants, if there is none)."""
    return load_radar(workspace.techradar_path)


def mention_counts(workspace: Workspace, *, now: datetime | None = None) -> dict[str, int]:
    """Items mentioning each technology in the 30 days before `now` (default: the
    current time), keyed by technology name."""
    if not workspace.db_path.exists():
        return {}
    from radar.store import Store
    from radar.techradar import link_store

    radar = load_workspace_radar(workspace)
    with Store(workspace.db_path) as store:
        return link_store.mention_counts(store, radar, now=now)


def refresh_links(workspace: Workspace) -> None:
    """The explicit catch-up before showing links: re-link only if the radar file changed
    since links were last made (see
    :func:`radar.techradar.link_store.refresh_links_if_radar_changed`). Never loads the
    model; a workspace without a database has nothing to catch up."""
    if not workspace.db_path.exists():
        return
    from radar.store import Store
    from radar.techradar import link_store

    radar = load_workspace_radar(workspace)
    with Store(workspace.db_path) as store:
        link_store.refresh_links_if_radar_changed(store, workspace, radar)


def evidence(
    workspace: Workspace, tech: Technology, *, now: datetime | None = None
) -> dict[str, Any]:
    """News evidence for a technology: `recent` and `relevant` items (each a dict with
    id, title, url, published), `weekly_mentions` for the last 12 weeks, oldest first
    (each {"week_start": "YYYY-MM-DD", "count": n}), its `latest_release` (or None),
    `relevant_by` and `mentions_total`. See :func:`radar.techradar.link_store.evidence`."""
    from radar.techradar import link_store

    if not workspace.db_path.exists():
        return link_store.no_evidence()
    from radar.store import Store

    radar = load_workspace_radar(workspace)
    with Store(workspace.db_path) as store:
        return link_store.evidence(store, workspace, radar, tech, now=now)


def radar_changed(workspace: Workspace, radar: TechRadar, names: list[str]) -> None:
    """Called by the CLI after it saved the radar; `names` are the technologies added or
    changed (empty when only radar-wide data changed).

    Mirrors the radar into the database and re-links stored items for technologies
    whose names, aliases or description changed (the mirror's signatures say which, so
    hand edits of the file are caught up too)."""
    if not workspace.db_path.exists():
        return
    from radar.store import Store
    from radar.techradar import link_store

    with Store(workspace.db_path) as store:
        link_store.update_links(store, workspace, radar)
