"""The weekly digest: what happened in a range, organised around the team's radar,
as Markdown, HTML or JSON.

:func:`build_digest` (:mod:`radar.digest.select`) gathers the structured digest from
an open store; :func:`workspace_digest` does the same for a workspace. Then
:func:`render_digest` (:mod:`radar.digest.render`) turns it into one format. The range
is a :class:`Period` (:mod:`radar.digest.period`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from radar.digest.period import (
    DigestError,
    Period,
    day_range,
    iso_week,
    last_complete_week,
)
from radar.digest.render import FORMATS, render_digest
from radar.digest.select import TOP_STORIES, build_digest
from radar.workspace import Workspace

__all__ = [
    "FORMATS",
    "TOP_STORIES",
    "DigestError",
    "Period",
    "build_digest",
    "day_range",
    "iso_week",
    "last_complete_week",
    "render_digest",
    "workspace_digest",
]


def workspace_digest(
    workspace: Workspace, period: Period, *, top: int = TOP_STORIES
) -> dict[str, Any]:
    """The structured digest of a workspace (its database, radar and feeds.yaml's
    stale-feed threshold) for `period`."""
    from radar.feeds.config import load_config
    from radar.store import Store
    from radar.techradar import load_workspace_radar

    radar = load_workspace_radar(workspace)
    settings = load_config(workspace.feeds_path).settings
    stale_after = timedelta(seconds=settings.doctor.stale_after)
    with Store(workspace.db_path) as store:
        return build_digest(
            store,
            workspace,
            radar,
            period,
            top=top,
            stale_after=stale_after,
            max_feed_errors=settings.doctor.max_feed_errors,
        )
