"""`radar doctor`: the pipeline's health in one report, each check OK, WARN or FAIL.

Checks read the database, the index files and the disk; none loads the embedding
model (the index's own metadata names its vector space). The figures behind the
checks are kept on the report so the Prometheus rendering shows the same numbers.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from radar.errors import IndexMismatch
from radar.feeds.config import Config, DoctorSettings, format_duration
from radar.ops.health import (
    FAILING,
    NEW,
    RETRYING,
    STALE,
    FeedState,
    common_cause,
    describe_kinds,
    feed_states,
    kind_counts,
)
from radar.ops.history import finished_at, last_run
from radar.store import DatabaseError, Store, to_iso, utc_now
from radar.workspace import Workspace

OK, WARN, FAIL = "ok", "warn", "fail"
DAMAGED_HINT = (
    "the database is damaged: move data/radar.db aside and run `radar fetch --all` "
    "to rebuild it from the feeds"
)
SEVERITY = {OK: 0, WARN: 1, FAIL: 2}
WEEK = timedelta(days=7)
BASELINE_WEEKS = 4


@dataclass
class Check:
    name: str
    status: str
    summary: str
    hint: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def severity(self) -> int:
        return SEVERITY[self.status]


@dataclass
class IndexFigures:
    present: bool
    items: int = 0
    indexed: int = 0
    missing: int = 0
    extra: int = 0
    stale: int = 0


@dataclass
class Report:
    checked_at: datetime
    thresholds: DoctorSettings
    checks: list[Check] = field(default_factory=list)
    feeds: list[FeedState] = field(default_factory=list)
    last_run: dict[str, Any] | None = None
    last_success: datetime | None = None
    items_total: int = 0
    items_this_week: int = 0
    items_weekly_average: float | None = None
    index: IndexFigures | None = None
    model: str = ""
    fingerprint: str | None = None
    database_bytes: int = 0
    disk_free_bytes: int | None = None

    @property
    def status(self) -> str:
        worst = max((check.severity for check in self.checks), default=0)
        return {0: OK, 1: WARN, 2: FAIL}[worst]

    @property
    def exit_status(self) -> int:
        return SEVERITY[self.status]

    @property
    def headline(self) -> str:
        """The first line: the verdict and what to do first."""
        return headline(self)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "exit_status": self.exit_status,
            "headline": self.headline,
            "checked_at": to_iso(self.checked_at),
            "checks": [
                {
                    "name": c.name,
                    "status": c.status,
                    "summary": c.summary,
                    "hint": c.hint,
                    "details": c.details,
                }
                for c in self.checks
            ],
        }


# --- helpers ------------------------------------------------------------------------


def _ago(moment: datetime, now: datetime) -> str:
    seconds = max(0.0, (now - moment).total_seconds())
    if seconds < 90:
        return f"{seconds:.0f} s ago"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min ago"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.0f} h ago"
    return f"{seconds / 86400:.0f} days ago"


def human_bytes(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TiB"


def _names(feeds: list[FeedState], limit: int = 5) -> str:
    shown = ", ".join(feed.name for feed in feeds[:limit])
    return shown + (f" and {len(feeds) - limit} more" if len(feeds) > limit else "")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# --- reading the figures ----------------------------------------------------------------


def _count_first_seen(store: Store, since: datetime, until: datetime) -> int:
    return store.count_first_seen(since, until)


# --- the checks ---------------------------------------------------------------------------


def check_failing_feeds(report: Report) -> Check:
    limit = report.thresholds.max_feed_errors
    failing = [feed for feed in report.feeds if feed.state == FAILING]
    retrying = [feed for feed in report.feeds if feed.state == RETRYING]
    new = [feed for feed in report.feeds if feed.state == NEW]
    details = {
        "feeds": len(report.feeds),
        "max_feed_errors": limit,
        "failing": {feed.name: feed.errors for feed in failing},
        "retrying": {feed.name: feed.errors for feed in retrying},
        "not_fetched_yet": [feed.name for feed in new],
    }
    waiting = f"; {len(new)} not fetched yet" if new else ""
    if failing:
        listed = ", ".join(f"{feed.name} ({feed.reason})" for feed in failing[:5])
        more = f" and {len(failing) - 5} more" if len(failing) > 5 else ""
        gone = any(feed.gone for feed in failing)
        kinds = kind_counts(feed.last_status for feed in failing)
        cause = common_cause(kinds)
        hint = (
            cause
            if cause
            else "see `radar feeds status`; fix the URL (`radar feeds discover`) or remove the feed"
        )
        return Check(
            "feeds",
            WARN,
            f"{len(failing)} of {_plural(len(report.feeds), 'feed')} failing: "
            f"{listed}{more}{waiting}",
            hint + ("; a gone feed (HTTP 410) will not come back" if gone else ""),
            {**details, "error_kinds": dict(kinds)},
        )
    summary = f"{_plural(len(report.feeds), 'feed')}, none failing{waiting}"
    if retrying:
        summary += f" ({len(retrying)} retrying after an error: {_names(retrying)})"
    return Check("feeds", OK, summary, details=details)


def check_stale_feeds(report: Report) -> Check:
    stale = [feed for feed in report.feeds if feed.state == STALE]
    window = format_duration(report.thresholds.stale_after)
    details = {
        "stale": {feed.name: to_iso(feed.newest_item) for feed in stale},
        "stale_after": window,
    }
    if not stale:
        return Check(
            "stale", OK, f"every fetched feed has a new item within {window}", None, details
        )
    return Check(
        "stale",
        WARN,
        f"{_plural(len(stale), 'feed')} with no new item in {window}: {_names(stale)}",
        "the feed may have moved or died: check its site, `radar feeds discover URL`",
        details,
    )


def _latest_run_trouble(run: dict[str, Any] | None) -> str | None:
    """What went wrong in the latest run that tried feeds, if anything."""
    if run is None:
        return None
    tried = run["feeds_ok"] + run["feeds_not_modified"] + run["feeds_failed"]
    if run["status"] == "failed":
        if run["feeds_failed"] and run["feeds_failed"] == tried:
            return f"the latest run (#{run['id']}) failed: all {tried} feeds it tried failed"
        return f"the latest run (#{run['id']}) failed: {run['notes'] or 'see `radar runs`'}"
    if run["status"] == "partial":
        return f"the latest run (#{run['id']}) had failures: {run['feeds_failed']} of {tried} feeds"
    return None


def check_last_run(report: Report) -> Check:
    """The age of the latest run that fetched any feed, and whether the latest run failed."""
    thresholds = report.thresholds
    trouble = _latest_run_trouble(report.last_run)
    details: dict[str, Any] = {"last_run": report.last_run, "latest_trouble": trouble}
    schedule_hint = "is the cron job or timer still running? see `radar runs` and the logs"
    if report.last_success is None:
        summary = "no feed has ever been fetched successfully"
        if report.last_run is None:
            return Check(
                "last_run",
                FAIL,
                summary + " (no fetch run recorded)",
                "run `radar fetch`, and schedule it (cron or systemd timer; see the README)",
                details,
            )
        return Check(
            "last_run",
            FAIL,
            summary + (f"; {trouble}" if trouble else ""),
            "see `radar feeds status` for each feed's error, then run `radar fetch --all`",
            details,
        )
    age = (report.checked_at - report.last_success).total_seconds()
    summary = f"last successful run {_ago(report.last_success, report.checked_at)}"
    summary += f" ({to_iso(report.last_success)})"
    if trouble:
        summary += f"; {trouble}"
    details.update(last_success=to_iso(report.last_success), age_s=round(age))
    if age > thresholds.run_fail_after:
        return Check(
            "last_run",
            FAIL,
            summary.replace("last successful run", "no feed fetched successfully since", 1),
            schedule_hint,
            details,
        )
    if age > thresholds.run_warn_after:
        return Check("last_run", WARN, summary, schedule_hint, details)
    if trouble:
        return Check(
            "last_run", WARN, summary, "see `radar runs` and `radar feeds status`", details
        )
    return Check("last_run", OK, summary, None, details)


def check_volume(report: Report, store: Store) -> Check:
    now = report.checked_at
    report.items_this_week = _count_first_seen(store, now - WEEK, now + timedelta(seconds=1))
    baseline_start = now - WEEK * (1 + BASELINE_WEEKS)
    first = store.first_item_seen()
    details: dict[str, Any] = {"this_week": report.items_this_week}
    # By arrival (first seen), as a pipeline check must; the digest dates by publication.
    this_week = (
        f"{_plural(report.items_this_week, 'item')} first seen in the last 7 days "
        "(by arrival; the digest counts by publication date)"
    )
    if first is None or first > baseline_start:
        return Check(
            "volume",
            OK,
            f"{this_week}; under 5 weeks of history, no 4-week average yet",
            None,
            details,
        )
    baseline = _count_first_seen(store, baseline_start, now - WEEK) / BASELINE_WEEKS
    report.items_weekly_average = baseline
    details["weekly_average"] = round(baseline, 2)
    summary = f"{this_week}, 4-week average {baseline:.1f} a week"
    drop = report.thresholds.volume_drop
    if baseline > 0 and report.items_this_week < drop * baseline:
        return Check(
            "volume",
            WARN,
            summary + f" (below {drop:.0%} of it)",
            "fewer items than usual: look for failing or stale feeds and at `radar runs`",
            details,
        )
    return Check("volume", OK, summary, None, details)


def check_index(report: Report, store: Store, workspace: Workspace, config: Config) -> Check:
    from radar.embed import ModelInfo
    from radar.index import read_meta, verify

    items = store.item_count()
    report.model = config.settings.model
    rebuild = "run `radar index rebuild`"
    try:
        meta = read_meta(workspace)
    except IndexMismatch as exc:
        report.index = IndexFigures(present=False, items=items)
        return Check("index", FAIL, str(exc), rebuild)
    if meta is None:
        report.index = IndexFigures(present=False, items=items, missing=items)
        if items == 0:
            return Check("index", OK, "no items yet, no index yet")
        return Check("index", WARN, f"no search index yet ({items} items not searchable)", rebuild)
    report.fingerprint = meta.fingerprint
    if not workspace.index_path.exists():
        report.index = IndexFigures(present=False, items=items, missing=items)
        return Check("index", FAIL, f"{workspace.index_path.name} is missing", rebuild)
    if meta.model != config.settings.model:
        report.index = IndexFigures(present=True, items=items)
        return Check(
            "index",
            FAIL,
            f"the index was built with model {meta.model!r}, feeds.yaml asks for "
            f"{config.settings.model!r}",
            rebuild,
        )
    try:
        found = verify(store, workspace, ModelInfo(meta.model, meta.dim, meta.fingerprint))
    except IndexMismatch as exc:
        report.index = IndexFigures(present=False, items=items)
        return Check("index", FAIL, str(exc), rebuild)
    report.index = IndexFigures(
        present=True,
        items=found.items,
        indexed=found.indexed,
        missing=len(found.missing),
        extra=len(found.extra),
        stale=len(found.stale),
    )
    details = {
        "items": found.items,
        "indexed": found.indexed,
        "missing": found.missing[:20],
        "extra": found.extra[:20],
        "stale": found.stale[:20],
    }
    summary = f"{found.items} items, {found.indexed} indexed"
    if found.missing or found.extra or found.stale:
        summary += (
            f"; out of step: {len(found.missing)} missing, {len(found.extra)} extra, "
            f"{len(found.stale)} stale"
        )
        return Check("index", FAIL, summary, "run `radar index verify --repair`", details)
    return Check("index", OK, summary + ", in step with the database", None, details)


def check_model(report: Report, workspace: Workspace, config: Config) -> Check:
    """The configured model can be loaded (looked up on disk, not loaded: well under a
    second), and matches the index's fingerprint (which includes the text recipe)."""
    from radar.embed import ModelError, ModelInfo, check_model_available
    from radar.index import read_meta

    configured = config.settings.model
    try:
        source = check_model_available(configured, workspace.models_dir)
    except ModelError as exc:
        return Check(
            "model",
            FAIL,
            f"{configured} cannot be loaded: {exc.message}",
            "fix settings.model in feeds.yaml; fetching and searching fail until then",
            {"model": configured, "error": exc.message},
        )
    try:
        meta = read_meta(workspace)
    except IndexMismatch:
        meta = None
    if meta is None:
        prepared = (
            "prepared"
            if source == "export"
            else "not prepared yet: the first fetch with items prepares it, once, ~15 s"
        )
        return Check(
            "model",
            OK,
            f"{configured} (no index built yet; {prepared})",
            details={"model": configured, "source": source},
        )
    expected = ModelInfo.for_model(configured, meta.dim).fingerprint
    details = {
        "model": configured,
        "index_model": meta.model,
        "fingerprint": meta.fingerprint,
        "expected_fingerprint": expected,
        "dim": meta.dim,
    }
    if meta.model != configured or meta.fingerprint != expected:
        return Check(
            "model",
            FAIL,
            f"feeds.yaml asks for {configured} (fingerprint {expected}) but the index holds "
            f"{meta.model} vectors (fingerprint {meta.fingerprint})",
            "run `radar index rebuild`",
            details,
        )
    return Check(
        "model", OK, f"{configured}, {meta.dim}-d, fingerprint {meta.fingerprint}", None, details
    )


def check_database(report: Report, store: Store, workspace: Workspace) -> Check:
    db = workspace.db_path
    report.database_bytes = sum(
        path.stat().st_size for path in (db, db.with_name(db.name + "-wal")) if path.exists()
    )
    report.items_total = store.item_count()
    try:
        verdict = store.quick_check()
    except DatabaseError as exc:
        verdict = str(exc)
    summary = (
        f"{human_bytes(report.database_bytes)}, {report.items_total} items, "
        f"{_plural(len(report.feeds), 'feed')}"
    )
    details = {"bytes": report.database_bytes, "items": report.items_total, "quick_check": verdict}
    if verdict != "ok":
        return Check(
            "database",
            FAIL,
            summary + f"; integrity check: {verdict[:200]}",
            DAMAGED_HINT,
            details,
        )
    return Check("database", OK, summary + ", integrity ok", None, details)


def check_disk(report: Report, workspace: Workspace) -> Check:
    where = workspace.data_dir if workspace.data_dir.exists() else workspace.root
    free = shutil.disk_usage(where).free
    report.disk_free_bytes = free
    minimum = report.thresholds.min_free_disk
    summary = f"{human_bytes(free)} free in {where.name}/"
    details = {"free_bytes": free, "min_free_bytes": minimum}
    if free < minimum:
        return Check(
            "disk",
            WARN,
            summary + f" (below {human_bytes(minimum)})",
            "free some space: the database and index grow with every fetch",
            details,
        )
    return Check("disk", OK, summary, None, details)


def _guarded(name: str, check: Callable[[], Check]) -> Check:
    """A check that cannot read the database fails (it must not crash the report)."""
    try:
        return check()
    except DatabaseError as exc:
        return Check(name, FAIL, f"cannot read the database: {exc}", DAMAGED_HINT)


def diagnose(
    workspace: Workspace,
    config: Config,
    store: Store,
    *,
    thresholds: DoctorSettings | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Report:
    """Run every check against a workspace and return the report (nothing is repaired)."""
    report = Report(checked_at=clock(), thresholds=thresholds or config.settings.doctor)

    try:
        store.sync_feeds(config.feeds)
        report.feeds = feed_states(
            store,
            max_feed_errors=report.thresholds.max_feed_errors,
            stale_after=timedelta(seconds=report.thresholds.stale_after),
            as_of=report.checked_at + timedelta(seconds=1),
        )
        report.last_run = last_run(store, tried=True)
        report.last_success = finished_at(last_run(store, successful=True))
    except DatabaseError as exc:
        broken = Check("feeds", FAIL, f"cannot read the database: {exc}", DAMAGED_HINT)
        first = [broken, replace(broken, name="stale"), replace(broken, name="last_run")]
    else:
        first = [check_failing_feeds(report), check_stale_feeds(report), check_last_run(report)]
    report.checks = [
        *first,
        _guarded("volume", lambda: check_volume(report, store)),
        _guarded("index", lambda: check_index(report, store, workspace, config)),
        _guarded("model", lambda: check_model(report, workspace, config)),
        _guarded("database", lambda: check_database(report, store, workspace)),
        check_disk(report, workspace),
    ]
    usage = _guarded("usage", lambda: check_usage(report, store))
    if usage.details.get("scanned"):
        report.checks.append(usage)
    delivery = _guarded("delivery", lambda: check_delivery(report, store, config))
    if delivery.details.get("configured") or delivery.status != OK:
        report.checks.append(delivery)
    return report


def check_usage(report: Report, store: Store) -> Check:
    """Radar vs. reality is only as fresh as the newest `radar usage scan`; silent until
    a first scan exists (details["scanned"] says whether one does)."""
    newest = store.usage.newest_scan()
    window = format_duration(report.thresholds.usage_stale_after)
    details: dict[str, Any] = {
        "scanned": newest is not None,
        "newest_scan": to_iso(newest),
        "usage_stale_after": window,
    }
    if newest is None:
        return Check("usage", OK, "no usage scan yet", None, details)
    age = _ago(newest, report.checked_at)
    if report.checked_at - newest > timedelta(seconds=report.thresholds.usage_stale_after):
        return Check(
            "usage",
            WARN,
            f"the newest usage scan was {age} (older than {window})",
            "re-scan the team's repositories: `radar usage scan PATH...`",
            details,
        )
    return Check("usage", OK, f"usage last scanned {age}", None, details)


UNDELIVERED_AFTER = timedelta(days=1)
"""Warn about a digest or alert still not delivered this long after it was queued."""


def check_delivery(report: Report, store: Store, config: Config) -> Check:
    """Digests and alerts queued more than a day ago that never reached their destination."""
    from radar.store.delivery import stamp

    cutoff = stamp(report.checked_at - UNDELIVERED_AFTER)
    stuck = store.delivery.undelivered_before(cutoff)
    configured = config.settings.delivery.destinations
    details: dict[str, Any] = {"configured": configured, "undelivered": len(stuck)}
    if not stuck:
        return Check("delivery", OK, "every digest and alert delivered", None, details)
    oldest = stuck[0]
    details["messages"] = [
        {
            "id": d.id,
            "kind": d.kind,
            "destination": d.destination,
            "range": d.range_key,
            "status": d.status,
            "attempts": d.attempts,
            "last_error": d.last_error,
        }
        for d in stuck
    ]
    summary = (
        f"{_plural(len(stuck), 'message')} undelivered for over a day "
        f"(oldest: {oldest.kind} {oldest.range_key} to {oldest.destination}: "
        f"{oldest.last_error or 'not tried yet'})"
    )
    hint = "fix the destination in settings.delivery; queued messages are retried by each fetch"
    return Check("delivery", WARN, summary, hint, details)


# --- the first line --------------------------------------------------------------------

VERDICT = {OK: "HEALTHY", WARN: "WARNING", FAIL: "FAILING"}


def _no_feed_reachable(report: Report) -> str | None:
    """When nothing has succeeded lately: why, from the feeds' last errors."""
    last_run_check = next((c for c in report.checks if c.name == "last_run"), None)
    if last_run_check is None or last_run_check.status != FAIL:
        return None
    fetched = [feed for feed in report.feeds if feed.last_fetched is not None]
    if not fetched:
        if not report.feeds:
            return "no feeds configured: add one with `radar feeds add URL`"
        return "nothing fetched yet: run `radar fetch`"
    failing = [feed for feed in fetched if feed.errors > 0]
    if not failing:
        return None
    kinds = kind_counts(feed.last_status for feed in failing)
    cause = common_cause(kinds)
    if len(failing) == len(report.feeds):
        where = "no feed reachable"
    else:
        where = f"{len(failing)} of {_plural(len(report.feeds), 'feed')} failing"
    if cause:
        return f"{where}: {cause} Then run `radar fetch --all`."
    return f"{where} ({describe_kinds(kinds)}): see `radar feeds status` for each error"


def headline(report: Report) -> str:
    """``FAILING: no feed reachable: every error is dns_error. Offline, or a proxy? ...``."""
    verdict = VERDICT[report.status]
    if report.status == OK:
        fetched = sum(1 for feed in report.feeds if feed.last_ok is not None)
        return f"{verdict}: {fetched} of {_plural(len(report.feeds), 'feed')} fetching fine"
    reachable = _no_feed_reachable(report)
    if reachable:
        return f"{verdict}: {reachable}"
    worst = max(report.checks, key=lambda check: check.severity)
    text = f"{verdict}: {worst.name}: {worst.summary}"
    if len(text) > 160:
        text = text[:159] + "…"
    return text + (f" → {worst.hint}" if worst.hint else "")
