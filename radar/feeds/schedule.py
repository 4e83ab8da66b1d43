"""When each feed is next due: intervals from what the feed and its server announce.

A feed's regular interval is its own ``<ttl>``, or the freshness its server gives
(``Cache-Control: max-age``, else ``Expires``), whichever is longer, clamped to the
configured range; a per-feed ``interval:`` in feeds.yaml overrides all of that. After
errors the interval doubles per consecutive failure up to ``max_interval``; a success
resets it. ``Retry-After`` is a floor the next fetch never comes before. Pure
functions of their inputs (the clock is passed in), so they test without waiting.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from radar.feeds.config import FeedConfig, Settings
from radar.feeds.fetch import parse_retry_after


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo is not None else None


def _cache_directives(value: str) -> dict[str, str]:
    directives = {}
    for part in value.split(","):
        name, _, argument = part.strip().partition("=")
        if name:
            directives[name.strip().lower()] = argument.strip().strip('"')
    return directives


def header_freshness(headers: Mapping[str, str], now: datetime) -> float | None:
    """Seconds the response stays fresh per ``Cache-Control``/``Expires``; None if unsaid.

    ``headers`` are lower-cased names, as FetchResult keeps them. ``no-cache`` and
    ``no-store`` mean zero (the range's minimum then applies); ``max-age`` wins over
    ``Expires``, as in HTTP caching; ``Age`` is subtracted.
    """
    control = _cache_directives(headers.get("cache-control", ""))
    if "no-store" in control or "no-cache" in control:
        return 0.0
    if "max-age" in control:
        try:
            max_age = float(control["max-age"])
        except ValueError:
            max_age = None
        if max_age is not None:
            try:
                age = float(headers.get("age", "0"))
            except ValueError:
                age = 0.0
            return max(0.0, max_age - max(age, 0.0))
    expires = headers.get("expires")
    if expires is not None:
        moment = _http_date(expires)
        if moment is None:
            return 0.0  # an invalid Expires means "already expired"
        # Measured against the server's own Date when given, so clock skew cancels out.
        served = _http_date(headers.get("date")) or now
        return max(0.0, (moment - served).total_seconds())
    return None


def clamp(seconds: float, settings: Settings) -> float:
    return min(max(seconds, settings.min_interval), settings.max_interval)


def regular_interval(
    feed: FeedConfig | None,
    settings: Settings,
    *,
    ttl_minutes: int | None = None,
    freshness: float | None = None,
) -> float:
    """Seconds between fetches of a healthy feed."""
    if feed is not None and feed.interval is not None:
        return feed.interval
    ttl = None if ttl_minutes is None else ttl_minutes * 60.0
    hints = [seconds for seconds in (ttl, freshness) if seconds is not None]
    return clamp(max(hints) if hints else settings.default_interval, settings)


def backoff_interval(regular: float, errors: int, settings: Settings) -> float:
    """Seconds until the next try after ``errors`` consecutive failures (regular × 2^errors)."""
    cap = max(settings.max_interval, regular)
    return min(regular * 2.0 ** min(errors, 32), cap)


def due_after(now: datetime, interval: float, retry_after: datetime | None) -> datetime:
    """The next due time: ``now + interval``, but never before the server's Retry-After."""
    due = now + timedelta(seconds=interval)
    if retry_after is not None and retry_after > due:
        due = retry_after
    return due.replace(microsecond=0)


def after_success(
    feed: FeedConfig | None,
    settings: Settings,
    headers: Mapping[str, str],
    *,
    ttl_minutes: int | None,
    now: datetime,
) -> datetime:
    interval = regular_interval(
        feed, settings, ttl_minutes=ttl_minutes, freshness=header_freshness(headers, now)
    )
    return due_after(now, interval, parse_retry_after(headers.get("retry-after"), now))


def after_failure(
    feed: FeedConfig | None,
    settings: Settings,
    *,
    ttl_minutes: int | None,
    errors: int,
    retry_after: datetime | None,
    now: datetime,
) -> datetime:
    """``errors`` counts this failure too (1 after the first)."""
    regular = regular_interval(feed, settings, ttl_minutes=ttl_minutes)
    return due_after(now, backoff_interval(regular, errors, settings), retry_after)


def is_due(next_due: datetime | None, now: datetime) -> bool:
    """A feed never fetched (no next_due) is due at once."""
    return next_due is None or next_due <= now
