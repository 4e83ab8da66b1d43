"""One fetch cycle (fetch due feeds → index → record the run) and the watch loop.

`radar fetch` runs one cycle, `radar watch` runs them in a loop, sleeping until the
next feed is due. Every cycle leaves a row in ``fetch_runs`` and a ``run`` log event,
also when it breaks half-way.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import httpx

from radar.errors import IndexMismatch, LockBusy, RadarError
from radar.feeds.config import Config, load_config
from radar.ingest import Clock, FeedOutcome, Progress, RunSummary, run_fetch
from radar.lock import WorkspaceLock
from radar.ops.health import common_cause, describe_kinds, kind_counts
from radar.ops.history import RunRecord, record_run
from radar.store import StorageError, Store, to_iso, utc_now
from radar.workspace import Workspace

if TYPE_CHECKING:
    from radar.delivery.cycle import DeliveryReport

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
Stage = Callable[[str], None]
"""Told, in words, about a step that takes a while and shows no count (preparing the model)."""

PREPARE_SECONDS = 15
"""About how long preparing the default model takes (export + int8), said while it runs."""


@dataclass
class CycleResult:
    summary: RunSummary
    embedded: int = 0
    indexed_total: int | None = None
    index_error: str | None = None
    exit_status: int = EXIT_OK
    run_id: int = 0
    seconds: float = 0.0
    """The whole cycle: fetch, model preparation, embedding, linking."""
    next_due: datetime | None = None
    """When the earliest feed that was not due will be due."""
    delivery: DeliveryReport | None = None
    """Release alerts, the weekly digest and retries done after fetching."""
    prepared_model: str | None = None
    """The model prepared (exported) during this cycle, if one was."""

    @property
    def status(self) -> str:
        """ok, partial, failed or nothing due (see :mod:`radar.ops.history`)."""
        from radar.ops.history import run_status

        return run_status(
            {
                "feeds_ok": self.summary.count("ok"),
                "feeds_not_modified": self.summary.count("not_modified"),
                "feeds_failed": self.summary.count("error"),
                "exit_status": self.exit_status,
            }
        )

    @property
    def failures(self) -> list[FeedOutcome]:
        return [outcome for outcome in self.summary.outcomes if outcome.status == "error"]


def preparing_message(model: str) -> str:
    return (
        f"preparing the search model {model} (once per model cache, ~{PREPARE_SECONDS} s; "
        "`radar init` does it ahead)"
    )


def _index(
    store: Store,
    workspace: Workspace,
    config: Config,
    progress: CountProgress | None,
    stage: Stage | None,
    result: CycleResult,
) -> tuple[int, int | None, str | None]:
    """Embed and index what the fetch brought; a mismatched index or a model that cannot
    be loaded is reported, not fatal."""
    from radar.embed import ModelError
    from radar.index import update_index

    def on_prepare(model: str) -> None:
        result.prepared_model = model
        index_log.info(
            "%s",
            preparing_message(model),
            extra={"radar_event": "model", "radar_fields": {"model": model}},
        )
        if stage is not None:
            stage(preparing_message(model))

    try:
        stats = update_index(
            store,
            workspace,
            config.settings.model,
            progress=progress,
            on_prepare=on_prepare,
            embed_backend=config.settings.embed_backend,
        )
    except (IndexMismatch, ModelError) as exc:  # the items are stored; search catches up later
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
    stage: Stage | None = None,
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
        from radar.delivery.cycle import check_before_run

        check_before_run(workspace, config)
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
                store, workspace, config, embed_progress, stage, result
            )
        # After indexing, so ambiguous names can use the new items' vectors.
        from radar.techradar.link_store import link_after_fetch

        link_after_fetch(store, workspace, [*summary.new_item_ids, *summary.changed_item_ids])
        from radar.delivery.cycle import after_fetch

        result.delivery = after_fetch(store, workspace, config, summary.new_item_ids, clock())
        failed = summary.count("error")
        exit_status = EXIT_FEEDS_FAILED if strict and failed else EXIT_OK
        notes = f"index not updated: {result.index_error}" if result.index_error else None
        result.exit_status = exit_status
        if summary.not_due:
            result.next_due = next_due_time(store, clock(), summary.not_due)
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
    result.seconds = time.monotonic() - clock_started
    return result


def _finish(store: Store, record: RunRecord, summary: RunSummary | None) -> int:
    """Record the run and log its event; a broken database must not hide the run's error."""
    try:
        run_id = record_run(store, record)
    except StorageError as exc:
        log.error("could not record the run: %s", exc, extra={"radar_event": "run"})
        run_id = 0
    fields = {"run_id": run_id, "status": record.status, **_record_fields(record)}
    if summary is None:
        text = f"run broke off: {record.notes}"
    else:
        text = run_line(summary, record.duration_s, record.items_embedded)
        fields["error_kinds"] = dict(_failure_kinds(summary))
    if record.notes and summary is not None:
        text += f" ({record.notes})"
    level = logging.INFO if record.status in ("ok", "nothing due") else logging.WARNING
    if summary is None:
        level = logging.ERROR
    log.log(level, "%s", text, extra={"radar_event": "run", "radar_fields": fields})
    return run_id


def _failure_kinds(summary: RunSummary) -> Counter[str]:
    return kind_counts(o.error_kind for o in summary.outcomes if o.status == "error")


def run_line(
    summary: RunSummary, seconds: float, embedded: int = 0, *, with_cause: bool = True
) -> str:
    """The run in one line: counts by outcome and error kind, and the common cause.

    ``40 feeds: 3 ok, 5 not modified, 1 failed (1 not_found), 31 not due; 2 new items,
    2 embedded, in 2.4 s``.
    """
    kinds = _failure_kinds(summary)
    failed = f"{summary.count('error')} failed"
    if kinds:
        failed += f" ({describe_kinds(kinds)})"
    parts = [f"{summary.count('ok')} ok", f"{summary.count('not_modified')} not modified", failed]
    if summary.count("deferred"):
        parts.append(f"{summary.count('deferred')} deferred")
    if summary.not_due:
        parts.append(f"{len(summary.not_due)} not due")
    text = f"{len(summary.outcomes) + len(summary.not_due)} feeds: {', '.join(parts)}; "
    text += f"{summary.new_items} new items"
    if embedded:
        text += f", {embedded} embedded"
    text += f", in {seconds:.1f} s"
    hint = failure_hint(summary) if with_cause else None
    return text + (f"; {hint}" if hint else "")


def approx_duration(seconds: float) -> str:
    """``1h58m``, ``12m``, ``40s``, ``2d3h``: a wait, to the minute."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes = seconds // 60
    days, hours, minutes = minutes // 1440, minutes // 60 % 24, minutes % 60
    if days:
        return f"{days}d{hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h{minutes:02d}m" if minutes else f"{hours}h"
    return f"{minutes}m"


GROUP_AT = 3
"""Failures of one kind shared by at least this many feeds are shown as one line."""
LIST_UNUSUAL = 8
"""Feeds failing for a less common reason are listed one by one, up to this many."""


def _names(names: list[str], limit: int = 3) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def summary_lines(result: CycleResult, seconds: float, now: datetime) -> list[str]:
    """What a person reads at the end of a run, grouped: the run line (counts by outcome
    and error kind, the whole command's ``seconds``), failures grouped by kind with the
    unusual ones listed, what is not due and how to override, the index, a hint when
    every failure has one cause. The log keeps one line per feed."""
    summary = result.summary
    tried = len(summary.outcomes)
    lines: list[str] = []
    if tried or not summary.not_due:
        lines.append(run_line(summary, seconds, result.embedded, with_cause=False))
    by_kind: dict[str, list[FeedOutcome]] = {}
    for outcome in result.failures:
        by_kind.setdefault(outcome.error_kind or "error", []).append(outcome)
    unusual: list[FeedOutcome] = []
    for kind, outcomes in sorted(by_kind.items(), key=lambda pair: (-len(pair[1]), pair[0])):
        if len(outcomes) >= GROUP_AT:
            example = outcomes[0].error or kind
            names = _names(sorted((outcome.name for outcome in outcomes), key=str.casefold))
            lines.append(f"  {len(outcomes)} failed with {kind}: {names} (e.g. {example})")
        else:
            unusual.extend(outcomes)
    for outcome in unusual[:LIST_UNUSUAL]:
        lines.append(f"  failed: {outcome.name}: {outcome.error_kind}: {outcome.error}")
    if len(unusual) > LIST_UNUSUAL:
        lines.append(f"  and {len(unusual) - LIST_UNUSUAL} more: see `radar feeds status`")
    for outcome in summary.outcomes:
        if outcome.problem:
            lines.append(f"  warning: {outcome.name}: feed is malformed ({outcome.problem[:120]})")
        if outcome.moved_to:
            lines.append(f"  moved: {outcome.name} → {outcome.moved_to} (feeds.yaml updated)")
    if summary.not_due:
        wait = (
            f" (next in {approx_duration((result.next_due - now).total_seconds())})"
            if result.next_due is not None
            else ""
        )
        feeds = "feed" if len(summary.not_due) == 1 else "feeds"
        text = f"{len(summary.not_due)} {feeds} not due{wait}; `radar fetch --all` fetches them now"
        if not tried:
            text += f" ({seconds:.1f} s)"
        lines.append(text)
    if result.prepared_model:
        lines.append(f"prepared the search model {result.prepared_model} (kept for next time)")
    if result.index_error:
        lines.append(f"search index not updated: {result.index_error}")
    elif result.embedded:
        lines.append(
            f"indexed {result.embedded} new or changed items ({result.indexed_total} in the index)"
        )
    if result.delivery is not None:
        from radar.delivery.cycle import report_lines

        lines += report_lines(result.delivery)
    hint = failure_hint(summary)
    if hint:
        lines.append(hint)
    return lines


def failure_hint(summary: RunSummary) -> str | None:
    """When nothing was fetched and every failure has one network cause: what to check."""
    if summary.count("ok") or summary.count("not_modified"):
        return None  # some feeds work: the network does, so the cause is elsewhere
    cause = common_cause(_failure_kinds(summary))
    return f"no feed reachable: {cause} Then run `radar fetch --all`." if cause else None


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


def next_due_time(store: Store, now: datetime, names: Sequence[str] | None = None) -> datetime:
    """When the earliest configured feed (of ``names``, if given) is next due (never
    before its Retry-After)."""
    earliest: datetime | None = None
    wanted = set(names) if names is not None else None
    for feed in store.feed_schedules():
        if wanted is not None and feed.name not in wanted:
            continue
        due = feed.next_due or now
        retry_after = feed.retry_after
        if retry_after is not None and retry_after > due:
            due = retry_after
        earliest = due if earliest is None or due < earliest else earliest
    return earliest or now


def seconds_to_sleep(now: datetime, next_due: datetime, every: float) -> float:
    """Until the next due feed, but at most ``every`` and at least MIN_SLEEP (or ``every``)."""
    until_due = (next_due - now).total_seconds()
    return min(every, max(until_due, MIN_SLEEP))


@dataclass
class CycleHooks:
    """How a cycle shows itself while it runs and when it is done (the CLI's display)."""

    progress: Progress | None = None
    embed_progress: CountProgress | None = None
    stage: Stage | None = None
    finished: Callable[[CycleResult], None] | None = None


@dataclass
class WatchOptions:
    every: float | None = None
    """Longest sleep between cycles; default: the configured min_interval."""
    iterations: int | None = None
    """Stop after this many cycles (None: until interrupted)."""
    index: bool = True
    lock_wait: float = 0.0
    display: Callable[[], AbstractContextManager[CycleHooks]] | None = None
    """Per cycle, a context giving the hooks that show it (None: logs only)."""


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
            with options.display() if options.display else nullcontext(CycleHooks()) as hooks:
                result = run_cycle(
                    store,
                    workspace,
                    config,
                    trigger="watch",
                    index=options.index,
                    progress=hooks.progress,
                    embed_progress=hooks.embed_progress,
                    stage=hooks.stage,
                    clock=clock,
                    transport=transport,
                )
                if hooks.finished is not None:
                    hooks.finished(result)
            return next_due_time(store, clock())
    except LockBusy as exc:
        log.warning("skipped this cycle: %s", exc, extra={"radar_event": "watch"})
    except RadarError as exc:
        # Recorded in fetch_runs already; the loop goes on and tries again later.
        log.error("cycle failed: %s", exc, extra={"radar_event": "watch"})
    except Exception:  # a long-running loop outlives one broken cycle; the log has why
        log.exception("cycle crashed", extra={"radar_event": "watch"})
    return None
