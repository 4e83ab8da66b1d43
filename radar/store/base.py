"""What every table group shares: the clock, ISO dates, the connection and its transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

BUSY_TIMEOUT_MS = 10_000


DatabaseError = sqlite3.DatabaseError
"""What a damaged or unreadable database raises: callers outside the package catch this
name, so another backend can map its own errors here."""

StorageError = sqlite3.Error
"""Any error of the storage layer (a busy lock, a damaged file, a failed statement)."""


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def to_iso(moment: datetime | None) -> str | None:
    """Datetimes are stored as sortable ISO 8601 UTC strings: 2026-11-20T10:00:00Z."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def chunks(values: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    """``values`` in slices small enough for one statement's parameters."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


@contextmanager
def immediate_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT around the block (ROLLBACK on any error), or join the
    transaction already open on ``conn``: the outermost one decides."""
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


class StoreBase:
    """The connection a table group's methods use; `Store` mixes the groups together."""

    conn: sqlite3.Connection

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE so a writer waits for the lock up front, not mid-way.

        Inside an open transaction this joins it: the outermost one commits or rolls
        back everything, so several writes (a feed's items and its fetch state) can be
        made atomic together.
        """
        with immediate_transaction(self.conn) as conn:
            yield conn

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        """Rows of one statement: for this package and for tests that inspect the file."""
        return self.conn.execute(sql, params).fetchall()
