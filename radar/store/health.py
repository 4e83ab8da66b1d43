"""What `doctor`, `status` and the digest's health section read about each configured feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from radar.store.base import StoreBase, from_iso, to_iso


@dataclass(frozen=True)
class FeedHealthRow:
    """One configured feed's fetch state and item counts, as stored."""

    name: str
    kind: str
    error_count: int
    last_status: str | None
    http_status: int | None
    last_error: str | None
    gone: bool
    last_ok: datetime | None
    last_fetched: datetime | None
    next_due: datetime | None
    items: int
    newest_item: datetime | None
    """The newest item (by the earlier of its date and when it was first seen) before ``as_of``."""


class HealthMixin(StoreBase):
    """Reads behind feed health."""

    def feed_health(self, as_of: datetime) -> list[FeedHealthRow]:
        """Every configured feed's state, counting only items dated before ``as_of``."""
        rows = self.query(
            """
            SELECT f.name, f.kind, f.error_count, f.last_status, f.http_status, f.last_error,
                   f.gone, f.last_ok, f.last_fetched, f.next_due,
                   (SELECT COUNT(*) FROM item_sources s WHERE s.feed_id = f.id) AS items,
                   (SELECT MAX(MIN(i.sort_date, s.first_seen))
                      FROM item_sources s JOIN items i ON i.id = s.item_id
                     WHERE s.feed_id = f.id AND MIN(i.sort_date, s.first_seen) < ?) AS newest_item
            FROM feeds f
            WHERE f.in_config = 1
            ORDER BY f.name COLLATE NOCASE, f.name
            """,
            [to_iso(as_of)],
        )
        return [
            FeedHealthRow(
                name=row["name"],
                kind=row["kind"],
                error_count=int(row["error_count"] or 0),
                last_status=row["last_status"],
                http_status=row["http_status"],
                last_error=row["last_error"],
                gone=bool(row["gone"]),
                last_ok=from_iso(row["last_ok"]),
                last_fetched=from_iso(row["last_fetched"]),
                next_due=from_iso(row["next_due"]),
                items=int(row["items"]),
                newest_item=from_iso(row["newest_item"]),
            )
            for row in rows
        ]
