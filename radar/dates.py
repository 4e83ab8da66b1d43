"""How an item's date is shown, one rule for every command, the TUI and the digest.

An item dated by its feed shows that day. An undated item shows the day radar first
saw it, marked as such ("seen 2026-12-04"), so it never passes for a publication date.
In JSON, ``published`` stays null and ``first_seen`` is given beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

SEEN_PREFIX = "seen "


def _day(value: str | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    return str(value)[:10]


def item_day(published: str | datetime | None, first_seen: str | datetime | None) -> str:
    """'2026-11-20' for a dated item, 'seen 2026-12-04' for an undated one, '' if neither."""
    if published:
        return _day(published)
    if first_seen:
        return SEEN_PREFIX + _day(first_seen)
    return ""


def item_moment(
    published: datetime | None, first_seen: datetime | None, fmt: str = "%Y-%m-%d %H:%M"
) -> str:
    """Like `item_day` with the time of day, for a detail view."""
    if published:
        return published.strftime(fmt)
    if first_seen:
        return SEEN_PREFIX + first_seen.strftime(fmt)
    return ""


def date_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON date fields of an item: ``published`` (null when the feed gave none) and
    ``first_seen`` beside it."""
    return {"published": row.get("published"), "first_seen": row.get("first_seen")}
