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
from radar.feeds.fastparse import parse_fast
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
            if parse_fast(content, headers.get("Content-Type", "application/xml")) is None:
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
    assert parse_fast(content, "application/xml") is not None
    fast, reference = both_ways(content, {})
    assert fast == reference
    assert len(fast.items) == 5 and fast.items[0].url.startswith("https://pkg.example/")


RELEASES = b"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/"
      xml:lang="en-US">
  <id>tag:github.com,2008:https://github.com/vllm-project/vllm/releases</id>
  <link type="text/html" rel="alternate" href="https://github.com/vllm-project/vllm/releases"/>
  <link type="application/atom+xml" rel="self"
        href="https://github.com/vllm-project/vllm/releases.atom"/>
  <title>Release notes from vllm</title>
  <updated>2026-11-20T18:02:11Z</updated>
  <entry>
    <id>tag:github.com,2008:Repository/599547518/v0.13.0</id>
    <updated>2026-11-20T18:02:11Z</updated>
    <link rel="alternate" type="text/html"
          href="https://github.com/vllm-project/vllm/releases/tag/v0.13.0"/>
    <title>v0.13.0</title>
    <content type="html">&lt;h2&gt;Highlights&lt;/h2&gt;&lt;ul&gt;&lt;li&gt;Faster prefix
      caching &amp;amp; a new scheduler&lt;/li&gt;&lt;/ul&gt;</content>
    <author><name>release-bot</name></author>
    <media:thumbnail height="30" width="30" url="https://avatars.example/u/1?s=60"/>
  </entry>
</feed>
"""


def test_a_github_release_feed_takes_the_fast_path_with_the_same_items():
    assert parse_fast(RELEASES, "application/xml") is not None
    fast, reference = both_ways(RELEASES, {})
    assert fast == reference
    (item,) = fast.items
    assert item.url == "https://github.com/vllm-project/vllm/releases/tag/v0.13.0"
    assert item.author == "release-bot" and "prefix caching & a new scheduler" in item.summary


PODCAST = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>Talks</title>
<entry><id>t1</id><title>a</title><link href="https://talks.example/1"/>
  <author><name>Jo</name><email>jo@talks.example</email><uri>https://jo.example</uri></author>
</entry>
<entry><id>t2</id><title>c</title><link href="https://talks.example/2"/>
  <author><email>jo@talks.example</email><name>Jo</name></author>
  <category term="mlops"/><category term="mlops"/><category scheme="s"/>
  <category term="llm" label="LLMs"/>
</entry>
<entry><id>t3</id><title type="html">Quantised &amp;amp; &lt;b&gt;fast&lt;/b&gt;</title>
  <link rel="enclosure" type="audio/mpeg" length="1234" href="https://talks.example/3.mp3"/>
  <link href="https://talks.example/3"/><summary>short</summary>
  <content type="html">&lt;p&gt;The long version.&lt;/p&gt;</content>
</entry></feed>"""


def test_atom_authors_categories_and_enclosures_match_feedparser():
    assert parse_fast(PODCAST, "application/xml") is not None
    fast, reference = both_ways(PODCAST, {})
    assert fast == reference
    assert [item.author for item in fast.items] == ["Jo (jo@talks.example)"] * 2 + [""]
    assert fast.items[2].enclosures[0].url == "https://talks.example/3.mp3"


NEWSLETTER = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>T &amp;amp; U</title><link>https://news.example/?a=1&amp;b=2</link><ttl>30</ttl>
<item><title>One</title><link>https://news.example/1</link>
  <guid isPermaLink="false">g1</guid><dc:creator>Jo Smith</dc:creator>
  <category domain="d">x</category><category>x</category><category>y</category>
  <enclosure url="https://news.example/a.mp3?x=1&amp;amp;y=2" length="12" type="Audio/MPEG"/>
  <content:encoded>&lt;p&gt;full&lt;/p&gt;</content:encoded><description>short</description>
  <pubDate>Tue, 10 Jun 2003 04:00:00 EST</pubDate></item>
<item><guid>https://news.example/2</guid><title>Two &lt;b&gt;bold&lt;/b&gt;</title>
  <author>Jo</author><content:encoded>only content</content:encoded>
  <pubDate>Tue, 10 Jun 2003 04:00:00 +0200</pubDate></item>
<item><guid>3</guid><link>https://news.example/3#c</link><title>plain</title></item>
</channel></rss>"""


def test_rss_content_creators_categories_and_enclosures_match_feedparser():
    assert parse_fast(NEWSLETTER, "application/xml") is not None
    fast, reference = both_ways(NEWSLETTER, {})
    assert fast == reference
    assert [item.author for item in fast.items] == ["Jo Smith", "Jo", ""]
    assert fast.items[0].content == "full" and fast.items[1].summary == "only content"


@pytest.mark.parametrize(
    "document",
    [
        b'<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel>'
        b"<title>caf\xe9</title></channel></rss>",
        b'<rss version="2.0"><channel><item><title>x</title><media:thumbnail '
        b'xmlns:media="http://search.yahoo.com/mrss/" url="u"/></item></channel></rss>',
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title type="xhtml">'
        b'<div xmlns="http://www.w3.org/1999/xhtml">t</div></title></entry></feed>',
        b'<rss version="2.0"><channel><item><title>broken</item></channel></rss>',
    ],
    ids=["latin-1", "unknown element", "atom xhtml", "malformed"],
)
def test_anything_unusual_is_left_to_feedparser(document: bytes):
    assert parse_fast(document, "application/xml") is None
