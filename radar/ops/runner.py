"""One fetch cycle (fetch due feeds → index → record the run) and the watch loop.

`radar fetch` runs one cycle, `radar watch` runs them in a loop, sleeping until the
next feed is due. Every cycle leaves a row in ``fetch_runs`` and a ``run`` log event,
also when it breaks half-way.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import httpx

from radar.errors import IndexMismatch, LockBusy, RadarError
from radar.feeds.config import Config, load_config
from radar.ingest import Clock, Progress, RunSummary, run_fetch
from radar.lock import WorkspaceLock
from radar.ops.history import RunRecord, record_run
from radar.store import Store, from_iso, to_iso, utc_now
from radar.workspace import Workspace

log = logging.getLogger("radar.run")
log.addHandler(logging.NullHandler())
index_log = logging.getLogger("radar.index")
index_log.addHandler(logging.NullHandler())

EXIT_OK = 0
EXIT_FEEDS_FAILED = 1
"""With --strict, some feed failed."""
EXIT_ERROR = 2
"""Configuration, workspace or data problem."""
EXIT_INTERRUPTED = 130

CountProgress = Callable[[int, int], None]


@dataclass
class CycleResult:
    summary: RunSummary
    embedded: int = 0
    indexed_total: int | None = None
    index_error: str | None = None
    exit_status: int = EXIT_OK
    run_id: int = 0


def _index(
    store: Store, workspace: Workspace, config: Config, progress: CountProgress | None
) -> tuple[int, int | None, str | None]:
    """Embed and index what the fetch brought; a mismatched index is reported, not fatal."""
    from radar.index import update_index

    try:
        stats = update_index(
            store,
            workspace,
            config.settings.model,
            progress=progress,
            embed_backend=config.settings.embed_backend,
        )
    except IndexMismatch as exc:
        index_log.warning(
            "search index not updated: %s",
            exc,
            extra={"radar_event": "index", "radar_fields": {"error": str(exc)}},
        )
        return 0, None, str(exc)
    if stats.embedded or stats.removed:
        index_log.info(
            "indexed %d new or changed items (%d in the index)",
            stats.embedded,
            stats.total,
            extra={
                "radar_event": "index",
                "radar_fields": {
                    "embedded": stats.embedded,
                    "removed": stats.removed,
                    "total": stats.total,
                    "backend": stats.backend,
                },
            },
        )
    return stats.embedded, stats.total, None


def run_cycle(
    store: Store,
    workspace: Workspace,
    config: Config,
    *,
    trigger: str = "fetch",
    only: Sequence[str] | None = None,
    all_feeds: bool = False,
    force: bool = False,
    index: bool = True,
    strict: bool = False,
    progress: Progress | None = None,
    embed_progress: CountProgress | None = None,
    clock: Clock = utc_now,
    transport: httpx.AsyncBaseTransport | None = None,
) -> CycleResult:
    """Fetch (only due feeds unless ``all_feeds``, ``force`` or ``only``), index, record.

    ``force`` also ignores servers' Retry-After; feeds named in ``only`` are always
    fetched. The run's row is written even when a step raises (then re-raised).
    """
    started, clock_started = clock(), time.monotonic()
    summary: RunSummary | None = None
    result: CycleResult | None = None
    exit_status, notes = EXIT_ERROR, None
    try:
        summary = run_fetch(
            store,
            config,
            only=only or None,
            force=force,
            due_only=not (all_feeds or force or only),
            progress=progress,
            transport=transport,
            clock=clock,
        )
        result = CycleResult(summary)
        if index:
            result.embedded, result.indexed_total, result.index_error = _index(
                store, workspace, config, embed_progress
            )
        # After indexing, so ambiguous names can use the new items' vectors.
        from radar.techradar.links import link_after_fetch

        link_after_fetch(store, workspace, [*summary.new_item_ids, *summary.changed_item_ids])
        failed = summary.count("error")
        exit_status = EXIT_FEEDS_FAILED if strict and failed else EXIT_OK
        notes = f"index not updated: {result.index_error}" if result.index_error else None
        result.exit_status = exit_status
    except KeyboardInterrupt:
        exit_status, notes = EXIT_INTERRUPTED, "interrupted"
        raise
    except RadarError as exc:
        exit_status, notes = EXIT_ERROR, str(exc)
        raise
    except Exception as exc:
        exit_status, notes = EXIT_FEEDS_FAILED, f"crashed: {type(exc).__name__}: {exc}"
        raise
    finally:
        run_id = _finish(
            store,
            RunRecord.from_summary(
                summary,
                trigger=trigger,
                started=started,
                finished=clock(),
                duration_s=time.monotonic() - clock_started,
                items_embedded=result.embedded if result else 0,
                exit_status=exit_status,
                notes=notes,
            ),
            summary,
        )
    assert result is not None
    result.run_id = run_id
    return result


def _finish(store: Store, record: RunRecord, summary: RunSummary | None) -> int:
    """Record the run and log its event; a broken database must not hide the run's error."""
    try:
        run_id = record_run(store, record)
    except sqlite3.Error as exc:
        log.error("could not record the run: %s", exc, extra={"radar_event": "run"})
        run_id = 0
    fields = {"run_id": run_id, **_record_fields(record)}
    text = summary.line() if summary is not None else f"run broke off: {record.notes}"
    if record.items_embedded:
        text += f"; {record.items_embedded} embedded"
    if record.notes and summary is not None:
        text += f" ({record.notes})"
    level = logging.INFO if record.ok and record.exit_status == EXIT_OK else logging.WARNING
    if summary is None:
        level = logging.ERROR
    log.log(level, "%s", text, extra={"radar_event": "run", "radar_fields": fields})
    return run_id


def _record_fields(record: RunRecord) -> dict[str, object]:
    return {
        "trigger": record.trigger,
        "started": to_iso(record.started),
        "finished": to_iso(record.finished),
        "feeds_ok": record.feeds_ok,
        "feeds_not_modified": record.feeds_not_modified,
        "feeds_failed": record.feeds_failed,
        "feeds_deferred": record.feeds_deferred,
        "feeds_not_due": record.feeds_not_due,
        "items_new": record.items_new,
        "items_embedded": record.items_embedded,
        "duration_s": record.duration_s,
        "exit_status": record.exit_status,
        "ok": record.ok,
        "notes": record.notes,
    }


# --- the watch loop -------------------------------------------------------------------

MIN_SLEEP = 1.0
"""Never spin: at least this long between cycles (unless --every is shorter)."""
RETRY_SKIPPED = 60.0
"""After a skipped cycle (lock busy, error), try again this soon (or --every if shorter)."""


def next_due_time(store: Store, now: datetime) -> datetime:
    """When the earliest configured feed is next due (never before its Retry-After)."""
    earliest: datetime | None = None
    for row in store.query("SELECT next_due, retry_after FROM feeds WHERE in_config = 1"):
        due = from_iso(row["next_due"]) or now
        retry_after = from_iso(row["retry_after"])
        if retry_after is not None and retry_after > due:
            due = retry_after
        earliest = due if earliest is None or due < earliest else earliest
    return earliest or now


def seconds_to_sleep(now: datetime, next_due: datetime, every: float) -> float:
    """Until the next due feed, but at most ``every`` and at least MIN_SLEEP (or ``every``)."""
    until_due = (next_due - now).total_seconds()
    return min(every, max(until_due, MIN_SLEEP))


@dataclass
class WatchOptions:
    every: float | None = None
    """Longest sleep between cycles; default: the configured min_interval."""
    iterations: int | None = None
    """Stop after this many cycles (None: until interrupted)."""
    index: bool = True
    lock_wait: float = 0.0


def watch(
    workspace: Workspace,
    options: WatchOptions,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Clock = utc_now,
    transport: httpx.AsyncBaseTransport | None = None,
) -> int:
    """Run cycles until interrupted (KeyboardInterrupt propagates) or ``iterations``.

    A broken feeds.yaml fails the first cycle (raised); later on it is logged and the
    last good configuration is used, so an edit in progress never stops the loop.
    Returns the number of cycles run.
    """
    cycles = 0
    config: Config | None = None
    while True:
        try:
            config = load_config(workspace.feeds_path)
        except RadarError as exc:
            if config is None:
                raise
            log.error("feeds.yaml not reloaded: %s", exc, extra={"radar_event": "watch"})
        assert config is not None
        next_due = _watch_cycle(workspace, config, options, clock, transport)
        cycles += 1
        if options.iterations is not None and cycles >= options.iterations:
            return cycles
        every = options.every or config.settings.min_interval
        now = clock()
        if next_due is None:
            delay = min(every, RETRY_SKIPPED)
        else:
            delay = seconds_to_sleep(now, next_due, every)
        log.info(
            "next cycle in %.0f s",
            delay,
            extra={
                "radar_event": "watch",
                "radar_fields": {"sleep_s": round(delay, 3), "next_due": to_iso(next_due)},
            },
        )
        sleep(delay)


def _watch_cycle(
    workspace: Workspace,
    config: Config,
    options: WatchOptions,
    clock: Clock,
    transport: httpx.AsyncBaseTransport | None,
) -> datetime | None:
    """One cycle under the lock; returns when the next feed is due (None if skipped)."""
    try:
        with (
            WorkspaceLock(workspace.lock_path, wait=options.lock_wait),
            Store(workspace.db_path) as store,
        ):
            run_cycle(
                store,
                workspace,
                config,
                trigger="watch",
                index=options.index,
                clock=clock,
                transport=transport,
            )
            return next_due_time(store, clock())
    except LockBusy as exc:
        log.warning("skipped this cycle: %s", exc, extra={"radar_event": "watch"})
    except RadarError as exc:
        # Recorded in fetch_runs already; the loop goes on and tries again later.
        log.error("cycle failed: %s", exc, extra={"radar_event": "watch"})
    except Exception:  # a long-running loop outlives one broken cycle; the log has why
        log.exception("cycle crashed", extra={"radar_event": "watch"})
    return None
