"""The history of fetch runs (fetch_runs), written by every cycle and read by status and doctor."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal, TypedDict, cast

from radar.store.base import StoreBase, to_iso

RUN_COLUMNS = (
    "trigger",
    "started",
    "finished",
    "feeds_ok",
    "feeds_not_modified",
    "feeds_failed",
    "feeds_deferred",
    "feeds_not_due",
    "items_new",
    "items_embedded",
    "duration_s",
    "exit_status",
    "ok",
    "notes",
)


class StoredRun(TypedDict):
    """One fetch run as stored; dates are ISO strings."""

    id: int
    trigger: str
    started: str
    finished: str
    feeds_ok: int
    feeds_not_modified: int
    feeds_failed: int
    feeds_deferred: int
    feeds_not_due: int
    items_new: int
    items_embedded: int
    duration_s: float
    exit_status: int
    ok: bool
    notes: str | None


RunKind = Literal["any", "successful", "tried"]


class RunsMixin(StoreBase):
    """Reads and writes of fetch_runs."""

    def record_fetch_run(self, run: Mapping[str, Any], *, prune_before: datetime) -> int:
        """Insert one run (keys: RUN_COLUMNS, dates as datetimes) and drop runs started
        before ``prune_before``, in one transaction; return the new run's id."""
        row = {name: run[name] for name in RUN_COLUMNS}
        row["started"] = to_iso(run["started"])
        row["finished"] = to_iso(run["finished"])
        row["ok"] = 1 if run["ok"] else 0
        columns = ", ".join(row)
        marks = ", ".join(f":{name}" for name in row)
        with self.transaction() as conn:
            cursor = conn.execute(f"INSERT INTO fetch_runs ({columns}) VALUES ({marks})", row)
            conn.execute("DELETE FROM fetch_runs WHERE started < ?", [to_iso(prune_before)])
        return int(cursor.lastrowid or 0)

    def fetch_runs(self, limit: int | None = 20) -> list[StoredRun]:
        """Fetch runs, most recently started first."""
        sql = "SELECT * FROM fetch_runs ORDER BY started DESC, id DESC"
        params: list[Any] = []
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_stored_run(row) for row in self.query(sql, params)]

    def last_fetch_run(self, kind: RunKind = "any") -> StoredRun | None:
        """The run that finished last; ``successful``: that fetched a feed; ``tried``: that
        tried one (or failed before it could)."""
        sql = "SELECT * FROM fetch_runs"
        if kind == "successful":
            sql += " WHERE ok = 1 AND feeds_ok + feeds_not_modified > 0"
        elif kind == "tried":
            sql += " WHERE feeds_ok + feeds_not_modified + feeds_failed > 0 OR exit_status > 1"
        rows = self.query(sql + " ORDER BY finished DESC, id DESC LIMIT 1")
        return _stored_run(rows[0]) if rows else None


def _stored_run(row: sqlite3.Row) -> StoredRun:
    """A fetch_runs row: its columns are StoredRun's keys; ``ok`` is stored as 0 or 1."""
    data = dict(row)
    data["ok"] = bool(data["ok"])
    return cast(StoredRun, data)
