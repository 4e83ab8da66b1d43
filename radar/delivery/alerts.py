"""Release alerts: which newly stored releases of watched technologies the team hears of.

A release alerts when it came in with this run, belongs to a technology in a ring named
in ``settings.alerts.releases``, is newer than every release radar already had for that
technology, and was never alerted before. When radar had no release of the technology
yet (a new release feed, its whole backlog arriving at once), only the newest alerts.
Turning alerts on, or moving a technology into a watched ring, alerts nothing by
itself: only releases arriving afterwards count. Pre-releases alert only with
``prereleases: true``; without it they are ignored altogether, so a patch release
(0.12.4) still alerts after a release candidate of the next version (0.13.0rc1).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from packaging.version import InvalidVersion, Version

from radar.delivery.messages import Alert
from radar.errors import ConfigError, ConfigErrors
from radar.feeds.delivery_settings import AlertSettings
from radar.store import Store
from radar.store.delivery import ReleaseRow, stamp
from radar.techradar.model import TechRadar

PinnedOlder = Callable[[str, str], list[str]]
"""Hook for the usage scan: (technology slug, version) -> repositories pinning an
older version. Until the usage scan exists nothing is passed and alerts list none."""


def version_key(version: str) -> tuple[Any, ...]:
    """Order versions as PEP 440 does; versions it cannot read by their numbers."""
    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, tuple(int(part) for part in re.findall(r"\d+", version)))


def check_rings(settings: AlertSettings, radar: TechRadar, radar_path: Any) -> None:
    """Every ring in ``settings.alerts.releases`` must be a ring of the radar; the error
    names feeds.yaml (line and field) and the radar file."""
    problems = []
    for index, ring in enumerate(settings.releases):
        if ring not in radar.rings:
            problems.append(
                ConfigError(
                    settings.path or "feeds.yaml",
                    f"{ring!r} is not a ring of {radar_path} (its rings: {', '.join(radar.rings)})",
                    line=settings.ring_lines.get(ring),
                    field=f"settings.alerts.releases[{index}]",
                )
            )
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise ConfigErrors(problems)


def _worth_alerting(
    rows: list[ReleaseRow], new_ids: set[int], prereleases: bool
) -> list[ReleaseRow]:
    watched = [row for row in rows if prereleases or not row.prerelease]
    candidates = [row for row in watched if row.item_id in new_ids]
    known = [row for row in watched if row.item_id not in new_ids]
    if not candidates:
        return []
    newest_known = max((version_key(row.version) for row in known), default=None)
    if newest_known is None:
        return [max(candidates, key=lambda row: version_key(row.version))]
    fresh: dict[str, ReleaseRow] = {}
    for row in sorted(candidates, key=lambda row: version_key(row.version)):
        if version_key(row.version) > newest_known:
            fresh.setdefault(row.version, row)  # one alert per version, whichever feed had it
    return list(fresh.values())


def new_release_alerts(
    store: Store,
    radar: TechRadar,
    settings: AlertSettings,
    new_item_ids: Iterable[int],
    now: datetime,
    pinned_older: PinnedOlder | None = None,
) -> list[Alert]:
    """Record (once, ever) and return the alerts for releases this run brought in."""
    new_ids = set(new_item_ids)
    watched = {
        tech.slug: tech
        for tech in radar.technologies
        if not tech.retired and tech.ring in settings.releases
    }
    if not new_ids or not watched:
        return []
    by_tech: dict[str, list[ReleaseRow]] = defaultdict(list)
    for row in store.delivery.releases_of(sorted(watched)):
        by_tech[row.tech_slug].append(row)
    alerts = []
    for slug, rows in sorted(by_tech.items()):
        tech = watched[slug]
        for row in _worth_alerting(rows, new_ids, settings.prereleases):
            if store.delivery.record_alert(row, tech.name, tech.ring, stamp(now)) is None:
                continue
            pinned = tuple(pinned_older(slug, row.version)) if pinned_older else ()
            alerts.append(
                Alert(
                    technology=tech.name,
                    slug=slug,
                    ring=tech.ring,
                    version=row.version,
                    prerelease=row.prerelease,
                    title=row.title,
                    link=row.link,
                    pinned_older=pinned,
                )
            )
    return alerts
