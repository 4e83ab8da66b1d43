"""The ingest pipeline: fetch → parse → store, one feed's failure never stopping the run.

Returns a per-feed outcome for every feed as a value; callers (CLI, TUI, demo)
decide how to show it. Each outcome is also logged as one event on the
``radar.fetch`` logger (silent unless a caller attaches a handler, see radar.ops.logs),
and sets when the feed is next due (radar.feeds.schedule).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

import httpx

from radar.errors import FeedError
from radar.feeds import schedule
from radar.feeds.config import Config, FeedConfig, set_feed_url
from radar.feeds.fetch import FetchRequest, FetchResult, fetch_all
from radar.feeds.model import ParsedFeed
from radar.feeds.parse import parse_feed
from radar.store import Store, from_iso, to_iso, utc_now

log = logging.getLogger("radar.fetch")
log.addHandler(logging.NullHandler())  # no lastResort output when nobody configured logging

Clock = Callable[[], datetime]


@dataclass
class FeedOutcome:
    name: str
    status: str
    """ok, not_modified, error or deferred (waiting for a server's Retry-After)."""
    new: int = 0
    updated: int = 0
    http_status: int | None = None
    error_kind: str | None = None
    error: str | None = None
    problem: str | None = None
    elapsed: float = 0.0
    moved_to: str | None = None
    bytes: int = 0
    errors: int = 0
    """Consecutive failed fetches of this feed, this one included (0 after a success)."""
    next_due: datetime | None = None


@dataclass
class RunSummary:
    started: datetime
    finished: datetime | None = None
    seconds: float = 0.0
    outcomes: list[FeedOutcome] = field(default_factory=list)
    new_item_ids: list[int] = field(default_factory=list)
    changed_item_ids: list[int] = field(default_factory=list)
    not_due: list[str] = field(default_factory=list)
    """Feeds left alone because their next fetch is not due yet."""

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def new_items(self) -> int:
        return sum(outcome.new for outcome in self.outcomes)

    def line(self) -> str:
        parts = [
            f"{self.count('ok')} ok",
            f"{self.count('not_modified')} not modified",
            f"{self.count('error')} failed",
        ]
        if self.count("deferred"):
            parts.append(f"{self.count('deferred')} deferred")
        if self.not_due:
            parts.append(f"{len(self.not_due)} not due")
        return (
            f"{len(self.outcomes) + len(self.not_due)} feeds: {', '.join(parts)}; "
            f"{self.new_items} new items in {self.seconds:.1f} s"
        )


Progress = Callable[[FeedOutcome, int, int], None]


def _requests(
    store: Store,
    config: Config,
    only: Sequence[str] | None,
    force: bool,
    due_only: bool,
    now: datetime,
    summary: RunSummary,
) -> list[FetchRequest]:
    wanted = [config.feed(name) for name in only] if only else list(config.feeds)
    requests = []
    for feed in wanted:
        row = store.feed_row(feed.name)
        if due_only and not schedule.is_due(from_iso(row["next_due"]), now):
            summary.not_due.append(feed.name)
            continue
        retry_after = from_iso(row["retry_after"])
        if not force and retry_after is not None and retry_after > now:
            summary.outcomes.append(
                FeedOutcome(
                    feed.name,
                    "deferred",
                    error_kind=row["last_status"],
                    error=f"server asked to wait until {row['retry_after']}",
                    errors=int(row["error_count"]),
                    next_due=from_iso(row["next_due"]),
                )
            )
            continue
        requests.append(FetchRequest(feed.name, feed.url, row["etag"], row["last_modified"]))
    return requests


class _Scheduler:
    """Works out each fetched feed's next due time from its config, row and response."""

    def __init__(self, store: Store, config: Config, clock: Clock) -> None:
        self.store = store
        self.config = config
        self.clock = clock

    def _feed(self, name: str) -> FeedConfig | None:
        return next((feed for feed in self.config.feeds if feed.name == name), None)

    def after_success(self, result: FetchResult, ttl_minutes: int | None) -> datetime:
        if ttl_minutes is None:
            ttl_minutes = self.store.feed_row(result.name)["ttl_minutes"]
        return schedule.after_success(
            self._feed(result.name),
            self.config.settings,
            result.headers,
            ttl_minutes=ttl_minutes,
            now=self.clock(),
        )

    def after_failure(self, result: FetchResult) -> tuple[int, datetime]:
        row = self.store.feed_row(result.name)
        errors = int(row["error_count"]) + 1
        due = schedule.after_failure(
            self._feed(result.name),
            self.config.settings,
            ttl_minutes=row["ttl_minutes"],
            errors=errors,
            retry_after=result.retry_after,
            now=self.clock(),
        )
        return errors, due


def _store_unparsed(store: Store, result: FetchResult, scheduler: _Scheduler) -> FeedOutcome:
    """Record a failure or a 304; neither carries items."""
    outcome = FeedOutcome(
        result.name,
        result.status,
        http_status=result.http_status,
        elapsed=result.elapsed,
        moved_to=result.permanent_url,
        bytes=result.bytes,
    )
    if result.status == "error":
        outcome.error_kind, outcome.error = result.error_kind, result.error
        outcome.errors, outcome.next_due = scheduler.after_failure(result)
        store.record_failure(
            result.name,
            error_kind=result.error_kind or "error",
            message=result.error or "",
            http_status=result.http_status,
            retry_after=result.retry_after,
            gone=result.error_kind == "gone",
            when=scheduler.clock(),
            next_due=outcome.next_due,
        )
        return outcome
    if result.status == "not_modified":
        outcome.next_due = scheduler.after_success(result, None)
        store.record_success(
            result.name,
            status="not_modified",
            http_status=304,
            etag=result.etag,
            last_modified=result.last_modified,
            new_url=result.permanent_url,
            when=scheduler.clock(),
            next_due=outcome.next_due,
        )
    return outcome


def _store_parsed(
    store: Store,
    result: FetchResult,
    parsed: ParsedFeed,
    summary: RunSummary,
    scheduler: _Scheduler,
) -> FeedOutcome:
    next_due = scheduler.after_success(result, parsed.ttl_minutes)
    stats = store.ingest(result.name, parsed.items, now=scheduler.clock())
    store.record_success(
        result.name,
        status="ok",
        http_status=result.http_status,
        etag=result.etag,
        last_modified=result.last_modified,
        title=parsed.title or None,
        site_url=parsed.link,
        problem=parsed.problem,
        ttl_minutes=parsed.ttl_minutes,
        new_url=result.permanent_url,
        got_new_items=stats.new > 0,
        when=scheduler.clock(),
        next_due=next_due,
    )
    summary.new_item_ids.extend(stats.new_item_ids)
    summary.changed_item_ids.extend(stats.changed_item_ids)
    return FeedOutcome(
        result.name,
        "ok",
        new=stats.new,
        updated=stats.updated,
        http_status=result.http_status,
        problem=parsed.problem,
        elapsed=result.elapsed,
        moved_to=result.permanent_url,
        bytes=result.bytes,
        next_due=next_due,
    )


def _log_outcome(outcome: FeedOutcome) -> None:
    """One log event per feed: what happened, how long, how many bytes and new items."""
    fields = {
        "feed": outcome.name,
        "status": outcome.status,
        "http_status": outcome.http_status,
        "duration_s": round(outcome.elapsed, 3),
        "bytes": outcome.bytes,
        "new": outcome.new,
        "updated": outcome.updated,
        "error_kind": outcome.error_kind,
        "error": outcome.error,
        "errors": outcome.errors,
        "next_due": to_iso(outcome.next_due),
        "problem": outcome.problem,
        "moved_to": outcome.moved_to,
    }
    if outcome.status == "ok":
        text = (
            f"HTTP {outcome.http_status}, {outcome.bytes} bytes in {outcome.elapsed:.2f} s, "
            f"{outcome.new} new, {outcome.updated} updated"
        )
    elif outcome.status == "not_modified":
        text = f"not modified (HTTP 304) in {outcome.elapsed:.2f} s"
    elif outcome.status == "deferred":
        text = f"deferred: {outcome.error}"
    else:
        text = (
            f"failed: {outcome.error_kind}: {outcome.error} "
            f"({outcome.errors} in a row, after {outcome.elapsed:.2f} s)"
        )
    if outcome.problem:
        text += f"; feed is malformed ({outcome.problem[:120]})"
    if outcome.moved_to:
        text += f"; moved permanently to {outcome.moved_to} (feeds.yaml updated)"
    if outcome.next_due:
        text += f"; next fetch {to_iso(outcome.next_due)}"
    level = logging.WARNING if outcome.status == "error" or outcome.problem else logging.INFO
    log.log(
        level,
        "%s: %s",
        outcome.name,
        text,
        extra={"radar_event": "feed", "radar_fields": fields},
    )


def run_fetch(
    store: Store,
    config: Config,
    *,
    only: Sequence[str] | None = None,
    force: bool = False,
    due_only: bool = False,
    progress: Progress | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Clock = utc_now,
) -> RunSummary:
    """Fetch the configured feeds (or `only` those named), store what is new.

    With ``due_only``, feeds whose next fetch is not due yet are skipped (listed in
    ``summary.not_due``). Unless ``force``, a feed whose server asked to wait
    (Retry-After) is deferred. ``clock`` gives "now" for scheduling and timestamps.
    """
    started = time.monotonic()
    summary = RunSummary(started=clock())
    store.sync_feeds(config.feeds)
    requests = _requests(store, config, only, force, due_only, clock(), summary)
    scheduler = _Scheduler(store, config, clock)
    total = len(requests) + len(summary.outcomes)
    for outcome in list(summary.outcomes):
        _log_outcome(outcome)
        if progress:
            progress(outcome, summary.outcomes.index(outcome) + 1, total)

    def handle(result: FetchResult) -> FeedOutcome:
        if result.status != "ok":
            return _store_unparsed(store, result, scheduler)
        try:
            parsed = parse_feed(
                result.content, url=result.final_url or result.url, headers=result.headers
            )
        except FeedError as exc:
            result.status, result.error_kind, result.error = "error", exc.kind, exc.message
            return _store_unparsed(store, result, scheduler)
        finally:
            result.content = b""
        return _store_parsed(store, result, parsed, summary, scheduler)

    # Parsing and storing run one feed at a time on a single worker thread: the event
    # loop keeps only the network, and SQLite sees one writer. (Many short SQLite calls
    # on the loop thread while a parser thread holds the GIL cost seconds.)
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="radar-ingest")

    async def on_result(result: FetchResult) -> None:
        outcome = await asyncio.get_running_loop().run_in_executor(writer, handle, result)
        summary.outcomes.append(outcome)
        _log_outcome(outcome)
        if progress:
            progress(outcome, len(summary.outcomes), total)

    try:
        asyncio.run(fetch_all(requests, config.settings, on_result, transport=transport))
    finally:
        writer.shutdown(wait=True)
    for outcome in summary.outcomes:
        if outcome.moved_to:
            set_feed_url(config.path, outcome.name, outcome.moved_to)
    summary.finished = clock()
    summary.seconds = time.monotonic() - started
    return summary
