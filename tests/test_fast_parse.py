"""The fast RSS path gives exactly what feedparser gives, or steps aside.

Every file of the feedparser corpus (../shared/corpora/feedparser) is parsed both ways;
wherever the fast path takes a document, the feed radar stores (title, link, ttl, every
item's fields, problems) must be the same as through feedparser.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import shared_corpus
from feedserver import rss

from radar.errors import FeedError
from radar.feeds.fastparse import parse_rss
from radar.feeds.parse import parse_feed

NOW = datetime(2026, 12, 1, tzinfo=UTC)
URL = "https://feeds.example/feed.xml"
HEADER_SETS = ({}, {"Content-Type": "application/rss+xml; charset=utf-8"})


def both_ways(content: bytes, headers: dict[str, str]) -> tuple[object, object]:
    outcomes = []
    for fast in (True, False):
        try:
            outcomes.append(parse_feed(content, url=URL, headers=headers, now=NOW, fast=fast))
        except FeedError as exc:
            outcomes.append((exc.kind, exc.message))
    return outcomes[0], outcomes[1]


def test_every_corpus_file_parses_the_same_on_the_fast_path():
    corpus = shared_corpus("feedparser")
    taken, differ = 0, []
    for path in sorted(corpus.rglob("*.xml")):
        content = path.read_bytes()
        for headers in HEADER_SETS:
            if parse_rss(content, headers.get("Content-Type", "application/xml")) is None:
                continue
            taken += 1
            fast, reference = both_ways(content, headers)
            if fast != reference:
                differ.append(f"{path.relative_to(corpus)} {headers}")
    assert not differ, f"{len(differ)} differ, e.g. {differ[:5]}"
    assert taken >= 100, f"the fast path took only {taken} documents"


def test_a_typical_generated_feed_takes_the_fast_path_with_the_same_items():
    items = [
        {
            "title": f"Release {n}: faster kernels &amp; &lt;b&gt;notes&lt;/b&gt;",
            "link": f"https://pkg.example/releases/{n}?a=1&amp;b=2",
            "guid": f"release-{n}",
            "pubDate": "Mon, 07 Sep 2026 10:00:00 GMT",
            "description": "&lt;p&gt;Fixes &lt;a href='/x'&gt;a leak&lt;/a&gt; in it.&lt;/p&gt;",
        }
        for n in range(5)
    ]
    content = rss(items, title="Package releases")
    assert parse_rss(content, "application/xml") is not None
    fast, reference = both_ways(content, {})
    assert fast == reference
    assert len(fast.items) == 5 and fast.items[0].url.startswith("https://pkg.example/")


@pytest.mark.parametrize(
    "document",
    [
        b'<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel>'
        b"<title>caf\xe9</title></channel></rss>",
        b'<rss version="2.0"><channel><item><title>x</title><media:thumbnail '
        b'xmlns:media="http://search.yahoo.com/mrss/" url="u"/></item></channel></rss>',
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>',
        b'<rss version="2.0"><channel><item><title>broken</item></channel></rss>',
    ],
    ids=["latin-1", "unknown element", "atom", "malformed"],
)
def test_anything_unusual_is_left_to_feedparser(document: bytes):
    assert parse_rss(document, "application/xml") is None
