"""Which items a listing, a count or a search covers: `ItemFilter` and the SQL it becomes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from radar.store.base import to_iso


@dataclass(frozen=True)
class ItemFilter:
    feed: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    unread: bool = False
    starred: bool = False
    tag: str | None = None
    kind: str | None = None
    item_ids: Sequence[int] | None = None
    tech: str | None = None
    """Only items linked to the technology with this slug (see radar.techradar.link_store)."""


NO_FILTER = ItemFilter()


def filter_sql(filters: ItemFilter, alias: str = "i") -> tuple[str, list[Any]]:
    """SQL condition (on items aliased `alias`) and its parameters for a filter."""
    clauses = ["1 = 1"]
    params: list[Any] = []
    feed_clauses = []
    if filters.feed:
        feed_clauses.append("f.name = ?")
        params.append(filters.feed)
    if filters.kind:
        feed_clauses.append("f.kind = ?")
        params.append(filters.kind)
    if filters.tag:
        feed_clauses.append("EXISTS (SELECT 1 FROM json_each(f.tags) WHERE value = ?)")
        params.append(filters.tag)
    if feed_clauses:
        clauses.insert(
            0,
            f"""EXISTS (SELECT 1 FROM item_sources s JOIN feeds f ON f.id = s.feed_id
                WHERE s.item_id = {alias}.id AND {" AND ".join(feed_clauses)})""",
        )
    if filters.since:
        clauses.append(f"{alias}.sort_date >= ?")
        params.append(to_iso(filters.since))
    if filters.until:
        clauses.append(f"{alias}.sort_date < ?")
        params.append(to_iso(filters.until))
    if filters.unread:
        clauses.append(f"{alias}.read = 0")
    if filters.starred:
        clauses.append(f"{alias}.starred = 1")
    if filters.item_ids is not None:
        ids = ",".join(str(int(i)) for i in filters.item_ids) or "NULL"
        clauses.append(f"{alias}.id IN ({ids})")
    if filters.tech is not None:
        clauses.append(
            f"EXISTS (SELECT 1 FROM item_tech t WHERE t.item_id = {alias}.id AND t.tech_slug = ?)"
        )
        params.append(filters.tech)
    return " AND ".join(clauses), params
