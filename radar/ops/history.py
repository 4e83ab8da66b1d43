"""The history of fetch runs: table ``fetch_runs`` (migration m004 in radar.store).

One row per `radar fetch`, `radar watch` iteration, demo run or TUI refresh, written
when the run ends, also when it failed. Its status (:func:`run_status`) is one of

* ``ok``: every feed it tried was fetched (new items, or not modified);
* ``partial``: some feeds failed, at least one was fetched;
* ``failed``: every feed it tried failed, or the run itself broke off;
* ``nothing due``: it tried no feed (none was due): it proves nothing about health.

A run is *successful* (``ok`` column) when it fetched at least one feed: `radar doctor`
measures the pipeline's age from the latest successful run.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from radar.store import Store, StoredRun, from_iso

if TYPE_CHECKING:
    from radar.ingest import RunSummary

KEEP_RUNS_FOR = timedelta(days=400)
"""Older rows are pruned when a run is recorded (a year of history stays)."""


@dataclass
class RunRecord:
    trigger: str
    """fetch, watch, demo or tui (a refresh in the terminal UI)."""
    started: datetime
    finished: datetime
    feeds_ok: int = 0
    feeds_not_modified: int = 0
    feeds_failed: int = 0
    feeds_deferred: int = 0
    feeds_not_due: int = 0
    items_new: int = 0
    items_embedded: int = 0
    duration_s: float = 0.0
    exit_status: int = 0
    ok: bool = False
    notes: str | None = None

    @classmethod
    def from_summary(
        cls,
        summary: RunSummary | None,
        *,
        trigger: str,
        started: datetime,
        finished: datetime,
        duration_s: float,
        items_embedded: int = 0,
        exit_status: int = 0,
        notes: str | None = None,
    ) -> RunRecord:
        """A record of a run; ``summary`` is None when the run broke before fetching ended."""
        record = cls(
            trigger=trigger,
            started=started,
            finished=finished,
            duration_s=round(duration_s, 3),
            items_embedded=items_embedded,
            exit_status=exit_status,
            notes=notes,
        )
        if summary is not None:
            record.feeds_ok = summary.count("ok")
            record.feeds_not_modified = summary.count("not_modified")
            record.feeds_failed = summary.count("error")
            record.feeds_deferred = summary.count("deferred")
            record.feeds_not_due = len(summary.not_due)
            record.items_new = summary.new_items
            record.ok = exit_status in (0, 1) and record.feeds_fetched > 0
        return record

    @property
    def feeds_fetched(self) -> int:
        """Feeds fetched successfully (new items or not modified)."""
        return self.feeds_ok + self.feeds_not_modified

    @property
    def status(self) -> str:
        return run_status(vars(self))


RUN_STATUSES = ("ok", "partial", "failed", "nothing due")


def run_status(run: dict[str, Any]) -> str:
    """``ok``, ``partial``, ``failed`` or ``nothing due`` for a run row or record."""
    fetched = int(run["feeds_ok"]) + int(run["feeds_not_modified"])
    failed = int(run["feeds_failed"])
    if run["exit_status"] not in (0, 1) or (failed and not fetched):
        return "failed"
    if not fetched:
        return "nothing due"
    return "partial" if failed else "ok"


def record_run(store: Store, record: RunRecord) -> int:
    """Insert the run's row (pruning rows older than KEEP_RUNS_FOR); return its id."""
    return store.record_fetch_run(asdict(record), prune_before=record.started - KEEP_RUNS_FOR)


def _row(row: StoredRun) -> dict[str, Any]:
    data: dict[str, Any] = dict(row)
    data["status"] = run_status(data)
    return data


def list_runs(store: Store, limit: int | None = 20) -> list[dict[str, Any]]:
    """Most recent first."""
    return [_row(row) for row in store.fetch_runs(limit)]


def last_run(
    store: Store, *, successful: bool = False, tried: bool = False
) -> dict[str, Any] | None:
    """The latest run; ``successful``: that fetched a feed; ``tried``: that tried one."""
    found = store.last_fetch_run("successful" if successful else "tried" if tried else "any")
    return _row(found) if found else None


def finished_at(run: dict[str, Any] | None) -> datetime | None:
    return from_iso(run["finished"]) if run else None
