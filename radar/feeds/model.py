"""Plain data that flows from parsing into the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Enclosure:
    url: str
    type: str = ""
    length: int | None = None


@dataclass(frozen=True)
class Item:
    """One normalised feed entry.

    Text fields are plain text (HTML stripped, whitespace collapsed); datetimes are
    timezone-aware UTC or None; ``url`` is the canonical link (tracking parameters
    such as ``utm_*`` removed; the fragment kept only where it tells items apart, see
    radar.feeds.parse.settle_fragments).
    """

    guid: str | None
    url: str | None
    title: str
    author: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    summary: str = ""
    content: str = ""
    tags: tuple[str, ...] = ()
    enclosures: tuple[Enclosure, ...] = ()


@dataclass(frozen=True)
class ParsedFeed:
    """What a feed document held: its own metadata and its items."""

    title: str = ""
    link: str | None = None
    items: tuple[Item, ...] = ()
    problem: str | None = None
    """feedparser's bozo exception as text, when the document was not well formed."""
    skipped: int = 0
    """Entries dropped because they had neither a title, a link nor any readable text;
    ``problem`` says how many, so the user hears of them."""
    ttl_minutes: int | None = None
    """The feed's own <ttl>, when it declares one."""
    version: str = field(default="")
    """The format feedparser recognised, e.g. ``rss20``, ``atom10``, ``rss10``."""
