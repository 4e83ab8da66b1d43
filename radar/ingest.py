"""The ingest pipeline: fetch → parse → store, one feed's failure never stopping the run.

Returns a per-feed outcome for every feed as a value; callers (CLI, TUI, demo)
decide how to show it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

import httpx

from radar.errors import FeedError
from radar.feeds.config import Config, set_feed_url
from radar.feeds.fetch import FetchRequest, FetchResult, fetch_all
from radar.feeds.model import ParsedFeed
from radar.feeds.parse import parse_feed
from radar.store import Store, from_iso, utc_now


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


@dataclass
class RunSummary:
    started: datetime
    finished: datetime | None = None
    seconds: float = 0.0
    outcomes: list[FeedOutcome] = field(default_factory=list)
    new_item_ids: list[int] = field(default_factory=list)
    changed_item_ids: list[int] = field(default_factory=list)

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
        return (
            f"{len(self.outcomes)} feeds: {', '.join(parts)}; "
            f"{self.new_items} new items in {self.seconds:.1f} s"
        )


Progress = Callable[[FeedOutcome, int, int], None]


def _requests(
    store: Store, config: Config, only: Sequence[str] | None, force: bool, summary: RunSummary
) -> list[FetchRequest]:
    wanted = [config.feed(name) for name in only] if only else list(config.feeds)
    now = utc_now()
    requests = []
    for feed in wanted:
        row = store.feed_row(feed.name)
        retry_after = from_iso(row["retry_after"])
        if not force and retry_after is not None and retry_after > now:
            summary.outcomes.append(
                FeedOutcome(
                    feed.name,
                    "deferred",
                    error_kind=row["last_status"],
                    error=f"server asked to wait until {row['retry_after']}",
                )
            )
            continue
        requests.append(FetchRequest(feed.name, feed.url, row["etag"], row["last_modified"]))
    return requests


def _store_unparsed(store: Store, result: FetchResult) -> FeedOutcome:
    """Record a failure or a 304; neither carries items."""
    outcome = FeedOutcome(
        result.name,
        result.status,
        http_status=result.http_status,
        elapsed=result.elapsed,
        moved_to=result.permanent_url,
    )
    if result.status == "error":
        outcome.error_kind, outcome.error = result.error_kind, result.error
        store.record_failure(
            result.name,
            error_kind=result.error_kind or "error",
            message=result.error or "",
            http_status=result.http_status,
            retry_after=result.retry_after,
            gone=result.error_kind == "gone",
        )
        return outcome
    if result.status == "not_modified":
        store.record_success(
            result.name,
            status="not_modified",
            http_status=304,
            etag=result.etag,
            last_modified=result.last_modified,
            new_url=result.permanent_url,
        )
    return outcome


def _store_parsed(
    store: Store, result: FetchResult, parsed: ParsedFeed, summary: RunSummary
) -> FeedOutcome:
    stats = store.ingest(result.name, parsed.items)
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
    )


def run_fetch(
    store: Store,
    config: Config,
    *,
    only: Sequence[str] | None = None,
    force: bool = False,
    progress: Progress | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> RunSummary:
    """Fetch the configured feeds (or `only` those named), store what is new."""
    clock = time.monotonic()
    summary = RunSummary(started=utc_now())
    store.sync_feeds(config.feeds)
    requests = _requests(store, config, only, force, summary)
    total = len(requests) + len(summary.outcomes)
    for outcome in list(summary.outcomes):
        if progress:
            progress(outcome, summary.outcomes.index(outcome) + 1, total)

    def handle(result: FetchResult) -> FeedOutcome:
        if result.status != "ok":
            return _store_unparsed(store, result)
        try:
            parsed = parse_feed(
                result.content, url=result.final_url or result.url, headers=result.headers
            )
        except FeedError as exc:
            result.status, result.error_kind, result.error = "error", exc.kind, exc.message
            return _store_unparsed(store, result)
        finally:
            result.content = b""
        return _store_parsed(store, result, parsed, summary)

    # Parsing and storing run one feed at a time on a single worker thread: the event
    # loop keeps only the network, and SQLite sees one writer. (Many short SQLite calls
    # on the loop thread while a parser thread holds the GIL cost seconds.)
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="radar-ingest")

    async def on_result(result: FetchResult) -> None:
        outcome = await asyncio.get_running_loop().run_in_executor(writer, handle, result)
        summary.outcomes.append(outcome)
        if progress:
            progress(outcome, len(summary.outcomes), total)

    try:
        asyncio.run(fetch_all(requests, config.settings, on_result, transport=transport))
    finally:
        writer.shutdown(wait=True)
    for outcome in summary.outcomes:
        if outcome.moved_to:
            set_feed_url(config.path, outcome.name, outcome.moved_to)
    summary.finished = utc_now()
    summary.seconds = time.monotonic() - clock
    return summary
