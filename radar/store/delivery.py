"""SQL of delivery: the outbox of digests and alerts, and the releases alerted.

Every message radar means to send is a row in ``deliveries`` before it is sent, so a
destination that is down loses nothing: the row stays ``pending`` and a later run
retries it. ``sent`` rows are the record of what reached whom (a digest range is not
sent twice to a destination); ``failed`` rows are messages a server refused for good.
``release_alerts`` holds each release alerted, once ever. Payloads never hold a
secret: the webhook URL and the SMTP password are read from the configuration when
sending.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

PENDING, SENT, FAILED = "pending", "sent", "failed"


def m009_delivery(conn: sqlite3.Connection) -> None:
    """The outbox (``deliveries``) and the releases alerted (``release_alerts``)."""
    conn.execute(
        """CREATE TABLE IF NOT EXISTS deliveries (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            destination TEXT NOT NULL,
            range_key TEXT NOT NULL,
            subject TEXT NOT NULL,
            payload TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            last_attempt_at TEXT,
            next_attempt_at TEXT,
            sent_at TEXT,
            last_error TEXT
        )"""
    )
    conn.execute(
        "CREATE INDEX IF NOT EXISTS deliveries_range ON deliveries(kind, destination, range_key)"
    )
    conn.execute("CREATE INDEX IF NOT EXISTS deliveries_status ON deliveries(status)")
    conn.execute(
        """CREATE TABLE IF NOT EXISTS release_alerts (
            id INTEGER PRIMARY KEY,
            tech_slug TEXT NOT NULL,
            tech_name TEXT NOT NULL,
            ring TEXT NOT NULL,
            version TEXT NOT NULL,
            prerelease INTEGER NOT NULL DEFAULT 0,
            item_id INTEGER,
            title TEXT NOT NULL DEFAULT '',
            link TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (tech_slug, version)
        )"""
    )


@dataclass(frozen=True)
class Delivery:
    """One message in the outbox."""

    id: int
    kind: str
    """digest or alert."""
    destination: str
    """email or webhook."""
    range_key: str
    """What was sent: the digest's range label, or TECH@VERSION for an alert."""
    subject: str
    payload: str
    status: str
    attempts: int
    created_at: str
    last_attempt_at: str | None
    next_attempt_at: str | None
    sent_at: str | None
    last_error: str | None


@dataclass(frozen=True)
class ReleaseRow:
    """A release stored by linking, with what an alert needs to say about it."""

    item_id: int
    tech_slug: str
    version: str
    prerelease: bool
    title: str
    link: str | None


@dataclass(frozen=True)
class AlertRecord:
    id: int
    tech_slug: str
    tech_name: str
    ring: str
    version: str
    prerelease: bool
    title: str
    link: str | None
    created_at: str


def _delivery(row: sqlite3.Row) -> Delivery:
    return Delivery(*row)


_DELIVERY_COLUMNS = (
    "id, kind, destination, range_key, subject, payload, status, attempts, created_at, "
    "last_attempt_at, next_attempt_at, sent_at, last_error"
)


class DeliveryTables:
    """Typed access to ``deliveries`` and ``release_alerts`` on an open connection
    (autocommit; each method is one statement or its own transaction)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # --- the outbox -------------------------------------------------------------------

    def enqueue(
        self, kind: str, destination: str, range_key: str, subject: str, payload: str, now: str
    ) -> int:
        cursor = self.conn.execute(
            """INSERT INTO deliveries (kind, destination, range_key, subject, payload,
                   status, created_at, next_attempt_at)
               VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)""",
            [kind, destination, range_key, subject, payload, now, now],
        )
        return int(cursor.lastrowid or 0)

    def get(self, delivery_id: int) -> Delivery:
        row = self.conn.execute(
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries WHERE id = ?", [delivery_id]
        ).fetchone()
        return _delivery(row)

    def for_range(self, kind: str, destination: str, range_key: str) -> list[Delivery]:
        """Every message of this kind and range to this destination, newest first."""
        rows = self.conn.execute(
            f"""SELECT {_DELIVERY_COLUMNS} FROM deliveries
                WHERE kind = ? AND destination = ? AND range_key = ? ORDER BY id DESC""",
            [kind, destination, range_key],
        ).fetchall()
        return [_delivery(row) for row in rows]

    def due(self, now: str, destinations: Sequence[str]) -> list[Delivery]:
        """Pending messages whose next attempt is due, oldest first."""
        rows = self.conn.execute(
            f"""SELECT {_DELIVERY_COLUMNS} FROM deliveries
                WHERE status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
                  AND destination IN (SELECT value FROM json_each(?))
                ORDER BY id""",
            [now, _json(destinations)],
        ).fetchall()
        return [_delivery(row) for row in rows]

    def mark_sent(self, delivery_id: int, now: str) -> None:
        self.conn.execute(
            """UPDATE deliveries SET status = 'sent', attempts = attempts + 1,
                   last_attempt_at = ?, sent_at = ?, next_attempt_at = NULL, last_error = NULL
               WHERE id = ?""",
            [now, now, delivery_id],
        )

    def mark_retry(self, delivery_id: int, now: str, next_attempt: str, error: str) -> None:
        self.conn.execute(
            """UPDATE deliveries SET attempts = attempts + 1, last_attempt_at = ?,
                   next_attempt_at = ?, last_error = ? WHERE id = ?""",
            [now, next_attempt, error, delivery_id],
        )

    def mark_failed(self, delivery_id: int, now: str, error: str) -> None:
        self.conn.execute(
            """UPDATE deliveries SET status = 'failed', attempts = attempts + 1,
                   last_attempt_at = ?, next_attempt_at = NULL, last_error = ? WHERE id = ?""",
            [now, error, delivery_id],
        )

    def undelivered_before(self, cutoff: str) -> list[Delivery]:
        """Messages created before `cutoff` that never reached their destination."""
        rows = self.conn.execute(
            f"""SELECT {_DELIVERY_COLUMNS} FROM deliveries
                WHERE status != 'sent' AND created_at < ? ORDER BY id""",
            [cutoff],
        ).fetchall()
        return [_delivery(row) for row in rows]

    def recent(self, kind: str | None = None, limit: int = 50) -> list[Delivery]:
        rows = self.conn.execute(
            f"""SELECT {_DELIVERY_COLUMNS} FROM deliveries
                WHERE ? IS NULL OR kind = ? ORDER BY id DESC LIMIT ?""",
            [kind, kind, limit],
        ).fetchall()
        return [_delivery(row) for row in rows]

    # --- release alerts ---------------------------------------------------------------

    def releases_of(self, slugs: Sequence[str]) -> list[ReleaseRow]:
        """Every stored release of these technologies, with its item's title and link."""
        rows = self.conn.execute(
            """SELECT r.item_id, r.tech_slug, r.version, r.prerelease, i.title, i.url
               FROM releases r JOIN items i ON i.id = r.item_id
               WHERE r.tech_slug IN (SELECT value FROM json_each(?))""",
            [_json(slugs)],
        ).fetchall()
        return [
            ReleaseRow(row[0], row[1], row[2], bool(row[3]), row[4] or "", row[5]) for row in rows
        ]

    def alerted_versions(self, slug: str) -> set[str]:
        rows = self.conn.execute(
            "SELECT version FROM release_alerts WHERE tech_slug = ?", [slug]
        ).fetchall()
        return {row[0] for row in rows}

    def record_alert(
        self,
        release: ReleaseRow,
        tech_name: str,
        ring: str,
        now: str,
    ) -> int | None:
        """Record an alert; None when this release was alerted before (once, ever)."""
        cursor = self.conn.execute(
            """INSERT INTO release_alerts (tech_slug, tech_name, ring, version, prerelease,
                   item_id, title, link, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (tech_slug, version) DO NOTHING""",
            [
                release.tech_slug,
                tech_name,
                ring,
                release.version,
                int(release.prerelease),
                release.item_id,
                release.title,
                release.link,
                now,
            ],
        )
        return int(cursor.lastrowid or 0) if cursor.rowcount else None

    def alerts(self, limit: int = 100) -> list[AlertRecord]:
        rows = self.conn.execute(
            """SELECT id, tech_slug, tech_name, ring, version, prerelease, title, link, created_at
               FROM release_alerts ORDER BY id DESC LIMIT ?""",
            [limit],
        ).fetchall()
        return [
            AlertRecord(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6], r[7], r[8]) for r in rows
        ]


def _json(values: Sequence[str]) -> str:
    import json

    return json.dumps(list(values))


def stamp(moment: datetime) -> str:
    """A time as stored: sortable ISO 8601 UTC, 2026-11-20T10:00:00Z (as radar.store)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
