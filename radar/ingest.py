"""The ingest pipeline: fetch → parse → store, one feed's failure never stopping the run.

Returns a per-feed outcome for every feed as a value; callers (CLI, TUI, demo)
decide how to show it. Each outcome is also logged as one event on the
``radar.fetch`` logger (silent unless a caller attaches a handler, see radar.ops.logs),
and sets when the feed is next due (radar.feeds.schedule).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import httpx

from radar.errors import FeedError
from radar.feeds import schedule
from radar.feeds.config import Config, FeedConfig, set_feed_url
from radar.feeds.fetch import FetchRequest, FetchResult, fetch_all
from radar.feeds.model import ParsedFeed
from radar.store import IngestStats, Store, from_iso, to_iso, utc_now

if TYPE_CHECKING:
    from radar.feeds.parse_pool import ParsePool

log = logging.getLogger("radar.fetch")
log.addHandler(logging.NullHandler())  # no lastResort output when nobody configured logging

Clock = Callable[[], datetime]

POOL_MIN_FEEDS = 16
"""Runs fetching fewer feeds parse in-process: worker start-up would cost more than it saves."""
POOL_MIN_BYTES = 4096
"""Smaller documents are parsed in-process: shipping them costs about what parsing them does."""
MAX_PARSE_WORKERS = 8
MAX_BATCH_FEEDS = 32
MAX_BATCH_ITEMS = 5000
"""A batch stops growing at this many feeds or items, so the write lock is held briefly."""


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
Stored = tuple[FeedOutcome, IngestStats | None]
"""What storing one fetched feed gave: its outcome and, when it had items, what changed."""


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
        self._feeds = {feed.name: feed for feed in config.feeds}

    def _feed(self, name: str) -> FeedConfig | None:
        return self._feeds.get(name)

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
    store: Store, result: FetchResult, parsed: ParsedFeed, scheduler: _Scheduler
) -> tuple[FeedOutcome, IngestStats]:
    next_due = scheduler.after_success(result, parsed.ttl_minutes)
    # The items and the validators (ETag, Last-Modified) that say they are stored share a
    # transaction (the batch's, in a run): a crash keeps both or neither.
    with store.transaction():
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
    outcome = FeedOutcome(
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
    return outcome, stats


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


class _Batches:
    """Feeds waiting for the writer thread, stored a batch per transaction.

    Whatever has arrived when the writer gets to it is stored together (up to
    MAX_BATCH_FEEDS feeds or about MAX_BATCH_ITEMS items) and committed once. A feed's
    items and its validators (ETag, Last-Modified) always share a transaction, so a
    crash keeps both or neither: the feeds of a lost batch are simply fetched again,
    nothing in them stored twice. Each feed's outcome is reported after its commit.
    """

    def __init__(
        self,
        store: Store,
        handle: Callable[[FetchResult, ParsedFeed | FeedError | None], Stored],
        summary: RunSummary,
    ) -> None:
        self.store = store
        self.handle = handle
        self.summary = summary
        self.waiting: queue.SimpleQueue[_Waiting] = queue.SimpleQueue()

    def add(
        self, result: FetchResult, parsed: ParsedFeed | FeedError | None
    ) -> Future[FeedOutcome]:
        """Queue a fetched feed (``parsed`` None: parse it on the writer); its outcome to come."""
        waiting = _Waiting(result, parsed, Future())
        self.waiting.put(waiting)
        return waiting.stored

    def write_waiting(self) -> None:
        """Store what is waiting, on the writer thread; the caller queues one call per `add`."""
        batch: list[_Waiting] = []
        items = 0
        while len(batch) < MAX_BATCH_FEEDS and items < MAX_BATCH_ITEMS:
            try:
                waiting = self.waiting.get_nowait()
            except queue.Empty:
                break
            if not waiting.stored.set_running_or_notify_cancel():
                continue
            if waiting.parsed is None:
                try:
                    waiting.parsed = (
                        _parse(waiting.result) if waiting.result.status == "ok" else None
                    )
                except BaseException as exc:  # raised by the run, as parse_feed raised it
                    waiting.stored.set_exception(exc)
                    continue
                finally:
                    waiting.result.content = b""
            batch.append(waiting)
            if isinstance(waiting.parsed, ParsedFeed):
                items += len(waiting.parsed.items)
        if batch:
            self._write(batch)

    def _write(self, batch: list[_Waiting]) -> None:
        try:
            with self.store.transaction():
                stored = [self.handle(waiting.result, waiting.parsed) for waiting in batch]
        except BaseException as exc:
            for waiting in batch:
                waiting.stored.set_exception(exc)
            return
        for waiting, (outcome, stats) in zip(batch, stored, strict=True):
            if stats is not None:
                self.summary.new_item_ids.extend(stats.new_item_ids)
                self.summary.changed_item_ids.extend(stats.changed_item_ids)
            waiting.stored.set_result(outcome)


@dataclass
class _Waiting:
    result: FetchResult
    parsed: ParsedFeed | FeedError | None
    stored: Future[FeedOutcome]


def _parse(result: FetchResult) -> ParsedFeed | FeedError:
    """The feed a fetched document holds, or the FeedError saying why it holds none."""
    # Imported here: a run of 304s parses nothing and need not load feedparser at all.
    from radar.feeds.parse import parse_feed

    try:
        return parse_feed(
            result.content, url=result.final_url or result.url, headers=result.headers
        )
    except FeedError as exc:
        return exc


async def _parse_in_pool(pool: ParsePool, result: FetchResult) -> ParsedFeed | FeedError:
    """`_parse` in a worker process; other errors are raised as `parse_feed` raises them."""
    future = pool.submit(result.content, url=result.final_url or result.url, headers=result.headers)
    result.content = b""
    try:
        return await asyncio.wrap_future(future)
    except FeedError as exc:
        return exc


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

    def handle(result: FetchResult, parsed: ParsedFeed | FeedError | None) -> Stored:
        if isinstance(parsed, FeedError):
            result.status, result.error_kind, result.error = "error", parsed.kind, parsed.message
            return _store_unparsed(store, result, scheduler), None
        if result.status != "ok" or parsed is None:
            return _store_unparsed(store, result, scheduler), None
        return _store_parsed(store, result, parsed, scheduler)

    # SQLite sees one writer, a single thread that stores what the event loop hands it
    # (many short SQLite calls on the loop thread would fight it for the GIL). Runs of
    # many feeds parse in worker processes meanwhile; small ones parse on the writer.
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="radar-ingest")
    batches = _Batches(store, handle, summary)
    pool: ParsePool | None = None
    pool_wanted = len(requests) >= POOL_MIN_FEEDS

    def parse_pool() -> ParsePool | None:
        """The run's worker pool, made at the first document that needs it."""
        nonlocal pool, pool_wanted
        if pool is None and pool_wanted:
            from radar.feeds.parse_pool import ParsePool, default_workers

            workers = min(default_workers(), MAX_PARSE_WORKERS)
            pool_wanted = workers > 1
            pool = ParsePool(workers) if pool_wanted else None
        return pool

    async def on_result(result: FetchResult) -> None:
        parsed: ParsedFeed | FeedError | None = None
        if (
            result.status == "ok"
            and len(result.content) >= POOL_MIN_BYTES
            and (workers := parse_pool()) is not None
        ):
            parsed = await _parse_in_pool(workers, result)
        stored = batches.add(result, parsed)
        writer.submit(batches.write_waiting)
        outcome = await asyncio.wrap_future(stored)
        summary.outcomes.append(outcome)
        _log_outcome(outcome)
        if progress:
            progress(outcome, len(summary.outcomes), total)

    try:
        asyncio.run(fetch_all(requests, config.settings, on_result, transport=transport))
    finally:
        writer.shutdown(wait=True)
        if pool is not None:
            pool.close()
    for outcome in summary.outcomes:
        if outcome.moved_to:
            set_feed_url(config.path, outcome.name, outcome.moved_to)
    summary.finished = clock()
    summary.seconds = time.monotonic() - started
    return summary
