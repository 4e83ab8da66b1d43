"""What a fetch run does for delivery once it has fetched and linked: release alerts,
the weekly digest when it is due, and retries of queued messages.

:func:`check_before_run` runs when a run starts (a ring in ``settings.alerts`` the
radar does not have stops the run with an error naming both files);
:func:`after_fetch` runs at its end and never raises: a destination that is down, or
any other delivery trouble, is logged and left queued, and the fetch stays a success.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from radar.feeds.config import Config
from radar.feeds.delivery_settings import WeeklySettings
from radar.store import Store
from radar.workspace import Workspace

if TYPE_CHECKING:  # sending (smtplib, email, ssl) loads only when there is something to send
    from radar.delivery.outbox import Outcome

log = logging.getLogger("radar.delivery")
log.addHandler(logging.NullHandler())


@dataclass
class DeliveryReport:
    """What delivery did during one run."""

    alerts: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    weekly: str | None = None
    """The range of the weekly digest queued in this run, if one was."""


def check_before_run(workspace: Workspace, config: Config) -> None:
    """Raise ConfigError when ``settings.alerts.releases`` names a ring the radar lacks."""
    alerts = config.settings.alerts
    if not alerts.releases:
        return
    from radar.delivery.alerts import check_rings
    from radar.techradar import load_workspace_radar

    check_rings(alerts, load_workspace_radar(workspace), workspace.techradar_path)


def weekly_due(weekly: WeeklySettings, now: datetime) -> bool:
    """Whether this week's send time (UTC) has passed."""
    minutes_into_week = now.weekday() * 24 * 60 + now.hour * 60 + now.minute
    return minutes_into_week >= weekly.weekday * 24 * 60 + weekly.minutes


def _weekly_digest(
    store: Store, workspace: Workspace, config: Config, now: datetime
) -> tuple[str | None, list[Outcome]]:
    """Queue and send last week's digest to each destination that never had it."""
    delivery = config.settings.delivery
    if delivery.weekly is None or not delivery.destinations or not weekly_due(delivery.weekly, now):
        return None, []
    from radar.delivery.outbox import send_digest
    from radar.digest import build_digest, last_complete_week, render_digest
    from radar.techradar import load_workspace_radar

    period = last_complete_week(now.date())
    missing = [
        d for d in delivery.destinations if not store.delivery.for_range("digest", d, period.label)
    ]
    if not missing:
        return None, []
    settings = config.settings
    digest = build_digest(
        store,
        workspace,
        load_workspace_radar(workspace),
        period,
        stale_after=timedelta(seconds=settings.doctor.stale_after),
        max_feed_errors=settings.doctor.max_feed_errors,
    )
    outcomes = []
    for destination in missing:
        outcomes += send_digest(
            store,
            delivery,
            digest,
            render_digest(digest, "md"),
            render_digest(digest, "html"),
            now=now,
            only=destination,
        )
    return period.label, outcomes


def after_fetch(
    store: Store,
    workspace: Workspace,
    config: Config,
    new_item_ids: Sequence[int],
    now: datetime,
    environ: Mapping[str, str] | None = None,
) -> DeliveryReport:
    """Alerts for new releases, the weekly digest, then retries; never raises."""
    report = DeliveryReport()
    settings = config.settings
    if not settings.alerts.releases and not settings.delivery.destinations:
        return report
    from radar.delivery.outbox import deliver_due, queue_alert

    try:
        if settings.alerts.releases and new_item_ids:
            from radar.delivery.alerts import new_release_alerts
            from radar.techradar import load_workspace_radar

            radar = load_workspace_radar(workspace)
            from radar.usage.service import pinned_older

            older = pinned_older(store.usage, radar)
            alerts = new_release_alerts(store, radar, settings.alerts, new_item_ids, now, older)
            for alert in alerts:
                report.alerts += 1
                queue_alert(store, settings.delivery, alert, now)
                log.info("release alert: %s", alert.headline, extra={"radar_event": "alert"})
        report.weekly, report.outcomes = _weekly_digest(store, workspace, config, now)
        if settings.delivery.destinations:
            report.outcomes += deliver_due(store, settings.delivery, now, environ)
    except Exception as exc:  # delivery must never fail the fetch
        log.error(
            "delivery step failed: %s: %s",
            type(exc).__name__,
            exc,
            extra={"radar_event": "delivery"},
        )
    return report


def report_lines(report: DeliveryReport) -> list[str]:
    """What a run's summary says about delivery: alerts, the weekly digest, each send
    that did not go through (with why), nothing when nothing happened."""
    lines = []
    if report.alerts:
        lines.append(f"{report.alerts} release alert{'s' if report.alerts != 1 else ''} queued")
    if report.weekly:
        lines.append(f"weekly digest {report.weekly} queued for sending")
    sent = [o for o in report.outcomes if o.status == "sent"]
    if sent:
        lines.append(f"delivered {len(sent)} message{'s' if len(sent) != 1 else ''}")
    for outcome in report.outcomes:
        if outcome.status in ("queued", "failed"):
            what = "will retry" if outcome.status == "queued" else "refused"
            lines.append(
                f"  delivery {what}: {outcome.range_key} to {outcome.destination}: {outcome.detail}"
            )
    return lines
