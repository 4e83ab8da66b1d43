"""The range a digest covers: an ISO week or a run of whole days, in UTC.

Items belong to the range by their date (published, else first seen: the
``sort_date`` column), compared against ``[start, end)`` with ``end`` exclusive, so
an item dated Sunday 23:59:59 UTC is in the week and Monday 00:00:00 UTC is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from radar.errors import RadarError

_WEEK = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)


class DigestError(RadarError):
    """A digest was asked for in a way that cannot be served (bad week, empty range)."""


@dataclass(frozen=True)
class Period:
    """Whole UTC days from `first_day` to `last_day`, both included."""

    first_day: date
    last_day: date

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise DigestError(
                f"the range ends ({self.last_day}) before it starts ({self.first_day})"
            )

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time.min, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first moment after the range (exclusive bound)."""
        return datetime.combine(self.last_day + timedelta(days=1), time.min, tzinfo=UTC)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def week(self) -> str | None:
        """'2026-W47' when the range is exactly one ISO week, else None."""
        year, week, weekday = self.first_day.isocalendar()
        if weekday == 1 and self.days == 7:
            return f"{year}-W{week:02d}"
        return None

    @property
    def label(self) -> str:
        if self.week:
            return self.week
        if self.days == 1:
            return self.first_day.isoformat()
        return f"{self.first_day.isoformat()} to {self.last_day.isoformat()}"

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def before(self, count: int) -> Period:
        """The range of the same length `count` lengths earlier (count=1: just before)."""
        shift = timedelta(days=self.days * count)
        return Period(self.first_day - shift, self.last_day - shift)

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "week": self.week,
            "since": self.first_day.isoformat(),
            "until": self.last_day.isoformat(),
            "start": _iso(self.start),
            "end": _iso(self.end),
            "days": self.days,
            "timezone": "UTC",
            "dated_by": "published, else first seen",
        }


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_week(text: str) -> Period:
    """The ISO week named like '2026-W47' (Monday to Sunday, UTC)."""
    match = _WEEK.match(text)
    if not match:
        raise DigestError(f"week {text!r} is not an ISO week like 2026-W47")
    year, week = int(match.group(1)), int(match.group(2))
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        raise DigestError(
            f"week {text!r} does not exist (year {year} has no week {week})"
        ) from None
    return Period(monday, monday + timedelta(days=6))


def last_complete_week(today: date) -> Period:
    """The latest ISO week that ended before `today` (the default digest)."""
    this_monday = today - timedelta(days=today.weekday())
    return Period(this_monday - timedelta(days=7), this_monday - timedelta(days=1))


def day_range(since: date | None, until: date | None, today: date) -> Period:
    """Inclusive whole days. Only `since`: up to yesterday (the last complete day);
    only `until`: the seven days ending then."""
    if since is None and until is None:
        return last_complete_week(today)
    if since is None:
        assert until is not None
        return Period(until - timedelta(days=6), until)
    return Period(since, until if until is not None else max(since, today - timedelta(days=1)))
