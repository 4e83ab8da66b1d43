"""Find the feeds a web page offers: <link rel="alternate"> tags, then common paths."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin

from radar.errors import FeedError
from radar.feeds.config import Settings, validate_remote_url
from radar.feeds.fetch import Fetcher, FetchRequest
from radar.feeds.parse import parse_feed

FEED_TYPES = {
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
    "application/xml",
    "text/xml",
}
COMMON_PATHS = (
    "/feed",
    "/feed.xml",
    "/rss",
    "/rss.xml",
    "/atom.xml",
    "/index.xml",
    "/feeds/posts/default",
)


@dataclass(frozen=True)
class FoundFeed:
    url: str
    title: str
    items: int


class _AlternateLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("link", "a"):
            return
        values = {key.lower(): (value or "") for key, value in attrs}
        rel = values.get("rel", "").lower().split()
        kind = values.get("type", "").lower().split(";")[0].strip()
        href = values.get("href", "").strip()
        if href and "alternate" in rel and kind in FEED_TYPES:
            self.links.append((href, values.get("title", "")))


def alternate_links(html: str, base: str) -> list[tuple[str, str]]:
    """(absolute url, title) of every feed a page advertises, in page order."""
    parser = _AlternateLinks()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 - broken HTML still yields what was read
        pass
    seen: dict[str, str] = {}
    for href, title in parser.links:
        absolute = urljoin(base, href)
        if validate_remote_url(absolute) is None:
            seen.setdefault(absolute, title)
    return list(seen.items())


async def _discover(url: str, settings: Settings) -> list[FoundFeed]:
    async with Fetcher(settings) as fetcher:
        page = await fetcher.fetch(FetchRequest("page", url))
        if page.status != "ok":
            raise FeedError(page.error_kind or "error", f"{url}: {page.error}")
        base = page.final_url or url
        try:
            parsed = parse_feed(page.content, url=base, headers=page.headers)
            return [FoundFeed(base, parsed.title, len(parsed.items))]
        except FeedError:
            pass
        html = page.content.decode("utf-8", errors="replace")
        candidates = alternate_links(html, base) or [
            (urljoin(base, path), "") for path in COMMON_PATHS
        ]
        results = await asyncio.gather(
            *(fetcher.fetch(FetchRequest(str(n), link)) for n, (link, _) in enumerate(candidates))
        )
    found = []
    for (link, title), result in zip(candidates, results, strict=True):
        if result.status != "ok":
            continue
        try:
            parsed = parse_feed(
                result.content, url=result.final_url or link, headers=result.headers
            )
        except FeedError:
            continue
        found.append(FoundFeed(result.final_url or link, parsed.title or title, len(parsed.items)))
    return found


def discover(url: str, settings: Settings | None = None) -> list[FoundFeed]:
    """Feeds offered by `url` (itself, if it is a feed). Raises FeedError if unreachable."""
    problem = validate_remote_url(url)
    if problem:
        raise FeedError("bad_url", f"{url!r} {problem}")
    return asyncio.run(_discover(url, settings or Settings()))
