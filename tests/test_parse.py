"""Turning feed bytes into clean items: `radar.feeds.parse`, `radar.safetext` and `radar.feeds.urls`.

Each test is a small story: given the bytes a server sent, what does radar keep?
"""

from __future__ import annotations

import codecs
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from radar.errors import FeedError
from radar.feeds.model import Enclosure, ParsedFeed
from radar.feeds.parse import (
    CONTENT_MAX_CHARS,
    SUMMARY_MAX_CHARS,
    TITLE_MAX_CHARS,
    canonical_url,
    parse_datetime,
    parse_feed,
)
from radar.safetext import html_to_text, strip_controls

FEED_URL = "https://blog.example.com/feeds/all.xml"
NOW = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "feedparser"

UNSAFE_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def parse(xml: str | bytes, **kwargs: object) -> ParsedFeed:
    content = xml.encode() if isinstance(xml, str) else xml
    kwargs.setdefault("url", FEED_URL)
    kwargs.setdefault("now", NOW)
    return parse_feed(content, **kwargs)  # type: ignore[arg-type]


def rss(items: str, *, channel: str = "", prolog: str = '<?xml version="1.0"?>') -> str:
    return (
        f'{prolog}\n<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>Example blog</title><link>https://blog.example.com/</link>{channel}"
        f"{items}</channel></rss>"
    )


def assert_safe(feed: ParsedFeed) -> None:
    """What every parse must guarantee, whatever the input: safe text, http(s) links, UTC."""
    assert not UNSAFE_CHARS.search(feed.title)
    assert feed.link is None or feed.link.startswith(("http://", "https://"))
    for item in feed.items:
        for text in (item.title, item.author, item.summary, item.content, *item.tags):
            assert not UNSAFE_CHARS.search(text), text
        assert len(item.title) <= TITLE_MAX_CHARS
        assert len(item.summary) <= SUMMARY_MAX_CHARS
        assert len(item.content) <= CONTENT_MAX_CHARS
        assert item.title or item.url
        for url in (item.url, *(enclosure.url for enclosure in item.enclosures)):
            assert url is None or url.startswith(("http://", "https://"))
        for moment in (item.published, item.updated):
            assert moment is None or moment.utcoffset() == timedelta(0)


# --- the three formats ---------------------------------------------------------------------


def test_an_rss_2_feed_becomes_clean_items() -> None:
    feed = parse(
        rss(
            """
            <item>
              <title>Faster &lt;b&gt;attention&lt;/b&gt; kernels</title>
              <link>https://blog.example.com/posts/attention?utm_source=rss&amp;id=7</link>
              <guid isPermaLink="false"> post-7 </guid>
              <author>ada@example.com (Ada)</author>
              <pubDate>Tue, 03 Jun 2025 09:30:00 +0200</pubDate>
              <category>kernels</category><category>gpu</category><category>kernels</category>
              <description>&lt;p&gt;Short &amp;amp; sweet.&lt;/p&gt;</description>
              <content:encoded><![CDATA[<p>Short &amp; sweet.</p><p>And the long part.</p>]]>
              </content:encoded>
              <enclosure url="/media/talk.mp3" type="audio/mpeg" length="1234"/>
            </item>
            """,
            channel="<ttl>90</ttl>",
        )
    )

    assert feed.version == "rss20"
    assert feed.title == "Example blog"
    assert feed.link == "https://blog.example.com/"
    assert feed.ttl_minutes == 90
    assert feed.problem is None
    (item,) = feed.items
    assert item.title == "Faster attention kernels"
    assert item.url == "https://blog.example.com/posts/attention?id=7"
    assert item.guid == "post-7"
    assert item.author == "ada@example.com (Ada)"
    assert item.published == datetime(2025, 6, 3, 7, 30, tzinfo=UTC)
    assert item.tags == ("kernels", "gpu")
    assert item.summary == "Short & sweet."
    assert item.content == "Short & sweet.\nAnd the long part."
    assert item.enclosures == (
        Enclosure("https://blog.example.com/media/talk.mp3", "audio/mpeg", 1234),
    )
    assert_safe(feed)


def test_an_atom_feed_resolves_relative_links_against_the_feed_url() -> None:
    feed = parse(
        """<?xml version="1.0" encoding="utf-8"?>
        <feed xmlns="http://www.w3.org/2005/Atom">
          <title type="html">ML &amp;amp; Systems</title>
          <link rel="alternate" href="/"/>
          <entry>
            <title type="text">Vec&lt;T&gt; in practice</title>
            <link rel="alternate" href="../posts/vec-t#comments"/>
            <id>tag:blog.example.com,2025:vec</id>
            <updated>2025-06-01T10:00:00Z</updated>
            <published>2025-05-31T23:15:00-04:00</published>
            <author><name>Grace</name></author>
            <category term="rust" label="Rust"/>
            <summary type="text">Plain text, with a literal &lt;tag&gt;.</summary>
            <content type="html">&lt;h2&gt;Intro&lt;/h2&gt;&lt;p&gt;Body text.&lt;/p&gt;</content>
          </entry>
        </feed>"""
    )

    assert feed.version == "atom10"
    assert feed.title == "ML & Systems"
    assert feed.link == "https://blog.example.com/"
    (item,) = feed.items
    assert item.title == "Vec<T> in practice"
    assert item.url == "https://blog.example.com/posts/vec-t"
    assert item.guid == "tag:blog.example.com,2025:vec"
    assert item.author == "Grace"
    assert item.tags == ("rust",)
    assert item.updated == datetime(2025, 6, 1, 10, 0, tzinfo=UTC)
    assert item.published == datetime(2025, 6, 1, 3, 15, tzinfo=UTC)
    assert item.summary == "Plain text, with a literal <tag>."
    assert item.content == "Intro\nBody text."


def test_an_rdf_feed_is_read_too() -> None:
    feed = parse(
        """<?xml version="1.0"?>
        <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
                 xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
          <channel rdf:about="https://arxiv.example.org/rss">
            <title>arXiv cs.LG</title><link>https://arxiv.example.org/</link>
          </channel>
          <item rdf:about="https://arxiv.example.org/abs/2501.00001">
            <title>Sparse mixtures, revisited</title>
            <link>https://arxiv.example.org/abs/2501.00001</link>
            <description>We revisit &lt;i&gt;sparse&lt;/i&gt; mixtures.</description>
            <dc:creator>A. Author</dc:creator>
            <dc:date>2025-06-02T08:00:00+01:00</dc:date>
          </item>
        </rdf:RDF>"""
    )

    assert feed.version == "rss10"
    assert feed.title == "arXiv cs.LG"
    (item,) = feed.items
    assert item.url == "https://arxiv.example.org/abs/2501.00001"
    assert item.summary == "We revisit sparse mixtures."
    assert item.author == "A. Author"
    assert item.published == datetime(2025, 6, 2, 7, 0, tzinfo=UTC)


# --- links -------------------------------------------------------------------------------


def test_relative_item_links_resolve_against_the_feed_url() -> None:
    feed = parse(
        rss(
            "<item><title>root-relative</title><link>/posts/1</link></item>"
            "<item><title>dot-relative</title><link>../archive/2.html</link></item>"
            "<item><title>scheme-relative</title><link>//cdn.example.net/3</link></item>"
        )
    )

    assert [item.url for item in feed.items] == [
        "https://blog.example.com/posts/1",
        "https://blog.example.com/archive/2.html",
        "https://cdn.example.net/3",
    ]


def test_tracking_parameters_are_dropped_and_the_rest_kept_in_order() -> None:
    url = "HTTPS://News.Example.COM:443/a/b?z=1&utm_source=rss&utm_Medium=x&fbclid=1&a=2&gclid=3"

    assert canonical_url(url) == "https://news.example.com/a/b?z=1&a=2"
    assert canonical_url("http://e.com/p?mc_cid=1&mc_eid=2&_hsenc=3&spm=4") == "http://e.com/p"
    assert canonical_url("http://e.com/p?q=a%20b&utm_term=x#section") == "http://e.com/p?q=a%20b"
    assert canonical_url("http://e.com") == "http://e.com/"
    assert canonical_url("http://e.com:8080/x") == "http://e.com:8080/x"


def test_only_http_links_survive() -> None:
    for hostile in (
        "javascript:alert(1)",
        "data:text/html,<b>x</b>",
        "mailto:a@b.c",
        "ftp://e.com/",
    ):
        assert canonical_url(hostile, FEED_URL) is None
    assert canonical_url("  ", FEED_URL) is None
    assert canonical_url(None) is None
    assert canonical_url("http://[::1") is None
    assert canonical_url("http://exa mple.com/") is None

    feed = parse(rss("<item><title>Click me</title><link>javascript:alert(1)</link></item>"))
    (item,) = feed.items
    assert item.title == "Click me"
    assert item.url is None


def test_guids_stay_as_written_whatever_url_the_feed_was_fetched_from() -> None:
    # RSS guids default to isPermaLink="true"; feedparser would resolve "1234" against the
    # feed URL, so moving the feed to https would have made every item look new.
    xml = rss(
        "<item><title>with link</title><link>/a</link><guid>1234</guid></item>"
        "<item><title>no link</title><guid>0f8e-uuid</guid></item>"
        "<item><title>permalink</title><guid>https://blog.example.com/p/3</guid></item>"
    )

    before = parse(xml, url="http://blog.example.com/rss")
    after = parse(xml, url="https://blog.example.com/feeds/all.xml")

    assert [item.guid for item in before.items] == [
        "1234",
        "0f8e-uuid",
        "https://blog.example.com/p/3",
    ]
    assert [item.guid for item in after.items] == [item.guid for item in before.items]
    assert [item.url for item in after.items] == [
        "https://blog.example.com/a",
        None,  # "0f8e-uuid" names the item; it is not a link
        "https://blog.example.com/p/3",
    ]


def test_a_hashbang_route_is_part_of_the_page_and_kept() -> None:
    assert canonical_url("https://e.com/#!/post/42") == "https://e.com/#!/post/42"


# --- dates -------------------------------------------------------------------------------


def test_dates_with_offsets_become_utc() -> None:
    feed = parse(
        rss(
            "<item><title>a</title><pubDate>Mon, 09 Jun 2025 23:30:00 +0200</pubDate></item>"
            "<item><title>b</title><pubDate>2025-06-09T23:30:00-07:00</pubDate></item>"
            "<item><title>c</title><pubDate>not a date at all</pubDate></item>"
        )
    )

    assert [item.published for item in feed.items] == [
        datetime(2025, 6, 9, 21, 30, tzinfo=UTC),
        datetime(2025, 6, 10, 6, 30, tzinfo=UTC),
        None,
    ]


def test_a_date_in_the_future_is_dropped_and_noted() -> None:
    feed = parse(
        rss(
            "<item><title>soon</title><pubDate>Tue, 10 Jun 2025 20:00:00 +0000</pubDate></item>"
            "<item><title>2099</title><pubDate>Thu, 01 Jan 2099 00:00:00 +0000</pubDate></item>"
        )
    )

    soon, far = feed.items
    assert soon.published == datetime(2025, 6, 10, 20, 0, tzinfo=UTC)
    assert far.published is None
    assert feed.problem is not None and "future" in feed.problem


def test_raw_dates_fall_back_to_rfc_822_and_iso_parsing() -> None:
    assert parse_datetime("Tue, 03 Jun 2025 09:30:00 +0200") == datetime(
        2025, 6, 3, 7, 30, tzinfo=UTC
    )
    assert parse_datetime("2025-06-03T09:30:00+02:00") == datetime(2025, 6, 3, 7, 30, tzinfo=UTC)
    assert parse_datetime("2025-06-03 09:30:00") == datetime(2025, 6, 3, 9, 30, tzinfo=UTC)
    assert parse_datetime("2025-06-03T09:30:00Z") == datetime(2025, 6, 3, 9, 30, tzinfo=UTC)
    assert parse_datetime("yesterday") is None
    assert parse_datetime("") is None


# --- text --------------------------------------------------------------------------------


def test_html_is_stripped_to_text_with_entities_unescaped() -> None:
    html = (
        "<html><head><title>ignored</title><style>p{color:red}</style></head><body>"
        "<h1>Caf&eacute; &amp; b&auml;r</h1><p>It&#8217;s&nbsp;here.\n\n\n  Really.</p>"
        "<script>document.write('nope')</script><ul><li>one</li><li>two</li></ul>"
        "<p></p><p></p><table><tr><td>a</td><td>b</td></tr></table></body></html>"
    )

    assert html_to_text(html) == "Café & bär\nIt’s here. Really.\none\ntwo\na b"


def test_malformed_html_never_raises_and_keeps_the_text() -> None:
    assert html_to_text("<p>unclosed <b>bold <i>and <a href='x'>link") == "unclosed bold and link"
    assert html_to_text("<head><title>t</title><p>no </head> here") == "no here"
    assert html_to_text("text then <a title='never closed") == "text then"
    assert html_to_text("safe<!-- unclosed comment") == "safe"
    assert html_to_text("</p></div>&bogus; & 1 < 2 <<>>") == "&bogus; & 1 < 2 <<>>"
    assert html_to_text("<![CDATA[x]]><!DOCTYPE html><?php echo 1 ?>ok") == "ok"


def test_preformatted_text_keeps_its_lines() -> None:
    assert html_to_text("<pre>def f():\n    return 1\n</pre>after") == "def f():\nreturn 1\nafter"


def test_terminal_control_characters_and_escape_sequences_are_removed() -> None:
    hostile = "Red \x1b[31mALERT\x1b[0m \x1b]0;pwned\x07title \x9b2Jclear \x07bell \u202eevil\x00"

    assert strip_controls(hostile) == "Red ALERT title clear bell evil"
    assert strip_controls("tab\tand\nnewline\r\n") == "tab\tand\nnewline\n"

    # Raw ESC is not even legal XML 1.0, so this also takes feedparser's lenient path.
    feed = parse(
        rss(
            "<item><title>Title \x1b[31mred\x1b[0m\u202e</title>"
            "<description><![CDATA[<p>Body &#27;[2J\x1b]8;;http://evil\x1b\\text</p>]]>"
            "</description></item>"
        )
    )
    (item,) = feed.items
    assert item.title == "Title red"
    assert item.summary == "Body [2Jtext"
    assert_safe(feed)


def test_long_text_is_cut_at_a_word_boundary() -> None:
    text = html_to_text("<p>" + "word " * 100 + "</p>", max_chars=42)

    assert len(text) <= 42
    assert text.endswith("word…")


def test_a_missing_title_falls_back_to_the_start_of_the_summary() -> None:
    summary = "A surprisingly long description " * 10
    feed = parse(rss(f"<item><link>/p/1</link><description>{summary}</description></item>"))

    (item,) = feed.items
    assert item.title.startswith("A surprisingly long description")
    assert len(item.title) <= 80
    assert item.title.endswith("…")


def test_content_equal_to_the_summary_is_not_stored_twice() -> None:
    feed = parse(
        rss(
            "<item><title>t</title><description>&lt;p&gt;Same text&lt;/p&gt;</description>"
            "<content:encoded>&lt;div&gt;Same text&lt;/div&gt;</content:encoded></item>"
        )
    )

    (item,) = feed.items
    assert item.summary == "Same text"
    assert item.content == ""


def test_entries_with_nothing_in_them_are_skipped_and_counted() -> None:
    feed = parse(
        rss(
            "<item><guid>only-a-guid</guid></item>"
            "<item><description>   </description></item>"
            "<item><title>kept</title></item>"
        )
    )

    assert [item.title for item in feed.items] == ["kept"]
    assert feed.skipped == 2


# --- broken documents --------------------------------------------------------------------


def test_a_malformed_feed_keeps_its_entries_and_records_the_problem() -> None:
    feed = parse(
        rss(
            "<item><title>Tom & Jerry</title><link>https://e.com/1</link></item>"
            "<item><title>Second<br></title><link>https://e.com/2</link></item>"
        )
    )

    assert [item.url for item in feed.items] == ["https://e.com/1", "https://e.com/2"]
    assert feed.items[0].title == "Tom & Jerry"
    assert feed.problem


@pytest.mark.parametrize("headers", [{"Content-Type": "text/html; charset=utf-8"}, {}])
def test_an_html_page_is_not_a_feed_and_the_error_suggests_discovery(
    headers: dict[str, str],
) -> None:
    page = b"<!DOCTYPE html><html><head><title>Blog</title></head><body><p>Hi</p></body></html>"

    with pytest.raises(FeedError) as raised:
        parse_feed(page, url="https://blog.example.com/", headers=headers)

    assert raised.value.kind == "not_a_feed"
    assert "radar feeds discover https://blog.example.com/" in raised.value.message


@pytest.mark.parametrize("body", [b"", b"   \n\t", codecs.BOM_UTF8 + b"\n", codecs.BOM_UTF16_LE])
def test_an_empty_body_is_reported_as_empty(body: bytes) -> None:
    with pytest.raises(FeedError) as raised:
        parse_feed(body, url=FEED_URL)

    assert raised.value.kind == "empty"


@pytest.mark.parametrize(
    ("body", "hint"),
    [
        (b'{"version": "https://jsonfeed.org/version/1", "items": []}', "JSON"),
        (b"just some words", "not an RSS, Atom or RDF feed"),
        (b"<?xml version='1.0'?><unrelated><x>1</x></unrelated>", "not an RSS, Atom or RDF"),
    ],
)
def test_something_else_is_a_parse_error(body: bytes, hint: str) -> None:
    with pytest.raises(FeedError) as raised:
        parse_feed(body, url=FEED_URL)

    assert raised.value.kind == "parse_error"
    assert hint in raised.value.message


def test_a_feed_with_no_entries_yet_is_fine() -> None:
    feed = parse('<feed xmlns="http://www.w3.org/2005/Atom"><title>New blog</title></feed>')

    assert feed.items == ()
    assert feed.title == "New blog"
    assert feed.problem is None


def test_a_body_that_names_a_local_file_is_not_opened() -> None:
    # feedparser treats a bytes argument that is a valid path as a file to read.
    with pytest.raises(FeedError):
        parse_feed(b"/etc/passwd", url=FEED_URL)


# --- hostile documents -------------------------------------------------------------------


def _first_line_of_passwd() -> str:
    try:
        return Path("/etc/passwd").read_text().splitlines()[0]
    except (OSError, IndexError):
        return "root:x:0:0"


@pytest.mark.parametrize(
    "prolog",
    [
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>',
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>',
        '<?xml version="1.0"?><!DOCTYPE rss SYSTEM "file:///etc/passwd">',
    ],
)
def test_external_entities_are_never_fetched(prolog: str) -> None:
    xml = rss(
        "<item><title>a &xxe; b</title><description>&xxe;</description></item>", prolog=prolog
    )

    feed = parse(xml)

    secret = _first_line_of_passwd()
    (item,) = feed.items
    assert secret not in item.title + item.summary
    assert "root:" not in item.title + item.summary


def _billion_laughs(separator: str) -> str:
    levels = ['<!ENTITY lol0 "lol">']
    levels += [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    return f'<?xml version="1.0"?>{separator}<!DOCTYPE rss [{separator}{separator.join(levels)}]>'


@pytest.mark.parametrize("separator", ["\n", ""], ids=["one-per-line", "all-on-one-line"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_billion_laughs_does_not_expand(separator: str, encoding: str) -> None:
    xml = rss(
        "<item><title>&lol9;</title><description>&lol9;</description></item>",
        prolog=_billion_laughs(separator),
    )

    feed = parse(xml.encode(encoding))

    (item,) = feed.items
    assert "lollollol" not in item.title + item.summary
    assert feed.problem is not None and "entity declarations" in feed.problem


def test_one_big_entity_referenced_many_times_does_not_balloon() -> None:
    # feedparser's loose parser expands "safe" entities with no limit: 200 kB in, 200 MB out.
    prolog = f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "{"x" * 100_000}">\n]>'
    xml = rss(
        f"<item><title>t</title><description>{'&a;' * 2_000}</description></item>", prolog=prolog
    )

    feed = parse(xml)

    (item,) = feed.items
    assert "x" * 1000 not in item.summary


def test_the_word_entity_in_an_article_is_left_alone() -> None:
    xml = rss(
        '<item><title>XML tips</title><description><![CDATA[Write <!ENTITY x "y"> '
        "in the DTD]]></description></item>"
    )

    feed = parse(xml)

    assert feed.problem is None
    assert feed.items[0].title == "XML tips"


@pytest.mark.parametrize("wrap", ["escaped", "cdata"])
def test_a_5_mb_description_is_capped_quickly(wrap: str) -> None:
    paragraph = "<p>Lorem ipsum <b>dolor</b> sit amet &amp; consectetur.</p>\n"
    html = paragraph * (5_000_000 // len(paragraph))
    description = escape(html) if wrap == "escaped" else f"<![CDATA[{html}]]>"
    xml = rss(
        f"<item><title>Big</title><link>/big</link><description>{description}"
        "</description></item><item><title>Next</title></item>"
    )

    feed = parse(xml)  # how quickly: bench/parse_speed.py

    big, after = feed.items
    assert SUMMARY_MAX_CHARS - 100 < len(big.summary) <= SUMMARY_MAX_CHARS
    assert big.summary.startswith("Lorem ipsum dolor sit amet & consectetur.")
    assert after.title == "Next"


# --- encodings ---------------------------------------------------------------------------


def test_latin_1_bytes_labelled_utf_8_still_read() -> None:
    xml = rss(
        "<item><title>Café crème</title></item>", prolog='<?xml version="1.0" encoding="utf-8"?>'
    )

    feed = parse(
        xml.encode("latin-1"), headers={"Content-Type": "application/rss+xml; charset=utf-8"}
    )

    assert feed.items[0].title == "Café crème"
    assert feed.problem is not None  # the mislabelling is worth a note


def test_a_gb2312_feed_decodes() -> None:
    xml = rss(
        "<item><title>机器学习周报</title></item>", prolog='<?xml version="1.0" encoding="gb2312"?>'
    )

    feed = parse(xml.encode("gb2312"))

    assert feed.items[0].title == "机器学习周报"
    assert feed.problem is None


@pytest.mark.parametrize("declared", ["", ' encoding="utf-16"'])
def test_utf_16_with_a_byte_order_mark_decodes(declared: str) -> None:
    xml = rss(
        "<item><title>Überblick — 概要</title></item>", prolog=f'<?xml version="1.0"{declared}?>'
    )

    feed = parse(xml.encode("utf-16"))

    assert feed.items[0].title == "Überblick — 概要"


def test_a_feed_served_as_text_xml_without_charset_is_read_as_utf_8() -> None:
    # RFC 3023 would say US-ASCII and flag the feed; servers rarely mean that.
    xml = rss("<item><title>naïve Bayes</title></item>")

    feed = parse(xml.encode(), headers={"content-type": "text/xml"})

    assert feed.items[0].title == "naïve Bayes"
    assert feed.problem is None


def test_a_feed_served_as_text_html_is_still_a_feed() -> None:
    feed = parse(rss("<item><title>ok</title></item>"), headers={"Content-Type": "text/html"})

    assert feed.items[0].title == "ok"
    assert feed.problem is None


# --- feedparser's own test corpus ----------------------------------------------------------


def _corpus_files() -> list[Path]:
    return sorted(CORPUS.rglob("*.xml")) if CORPUS.is_dir() else []


def _comment_text(content: bytes) -> str:
    """The document as text, decoded the way feedparser's harness reads its test comment."""
    for bom, encoding in (
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF8, "utf-8"),
    ):
        if content.startswith(bom):
            return content[len(bom) :].decode(encoding, "ignore")
    for start, encoding in (
        (b"\x00\x00\x00<", "utf-32-be"),
        (b"<\x00\x00\x00", "utf-32-le"),
        (b"\x00<", "utf-16-be"),
        (b"<\x00", "utf-16-le"),
    ):
        if content.startswith(start):
            return content.decode(encoding, "ignore")
    return content.decode("utf-8", "ignore")


def _corpus_headers(relative_path: str, content: bytes) -> dict[str, str]:
    if "http" not in relative_path:
        return {}
    found = re.finditer(r"^Header:\s+([^:]+):(.*)$", _comment_text(content), re.M)
    return {match.group(1).strip(): match.group(2).strip() for match in found}


CORPUS_FILES = _corpus_files()


@pytest.mark.skipif(not CORPUS_FILES, reason=f"feedparser's corpus is not at {CORPUS}")
@pytest.mark.parametrize(
    "path", CORPUS_FILES, ids=[path.relative_to(CORPUS).as_posix() for path in CORPUS_FILES]
)
def test_every_corpus_document_parses_or_fails_cleanly(path: Path) -> None:
    relative_path = path.relative_to(CORPUS).as_posix()
    content = path.read_bytes()
    try:
        feed = parse_feed(
            content,
            url=f"http://127.0.0.1:8097/{relative_path}",
            headers=_corpus_headers(relative_path, content),
        )
    except FeedError:
        return
    assert_safe(feed)
