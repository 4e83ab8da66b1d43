"""How fast parse_feed turns feed bytes into items, and what feedparser's HTML passes cost.

Run: .venv/bin/python bench/parse_speed.py
Prints items/s of parse_feed on the largest file of feedparser's test corpus (when
../shared/corpora/feedparser exists) and on synthetic 1,000-item RSS feeds, next to bare
feedparser with its sanitiser and relative-URI resolution on (its defaults) and off (ours),
and parse_feed with the fast path (radar.feeds.fastparse) on and off; then how many corpus
files the fast path takes; then the time parse_feed takes on hostile documents (entity
bombs, a 5 MB description).
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path

import feedparser

from radar.feeds.fastparse import parse_fast
from radar.feeds.parse import parse_feed

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "feedparser"
FEED_URL = "https://example.com/feed.xml"

_HTML_BODY = (
    '<p>Researchers at <a href="/labs/ml">the lab</a> released a <b>new</b> model &amp; '
    'dataset.</p><p><img src="img/fig1.png" alt="Figure 1" style="width:100%"/> It beats the '
    "baseline by 3&nbsp;points on <em>every</em> benchmark.</p><ul><li>Code: "
    '<a href="https://github.com/example/repo?utm_source=rss">repo</a></li><li>Paper: '
    '<a href="../papers/123.pdf">PDF</a></li></ul><script>track()</script>'
    '<blockquote style="color:red" onclick="x()">Quoted text with a '
    '<a href="#note">note</a>.</blockquote>'
) * 4


def synthetic_rss(item_count: int, *, html: bool) -> bytes:
    """An RSS 2.0 feed of ``item_count`` items; with ``html``, each carries ~2.5 KB of markup."""
    items = []
    for n in range(item_count):
        description = _HTML_BODY if html else f"Plain summary number {n} about a model."
        escaped = description.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        items.append(
            f"<item><title>Item {n}: a new model</title>"
            f"<link>/posts/{n}?utm_source=rss&amp;id={n}</link>"
            f'<guid isPermaLink="false">item-{n}</guid>'
            f"<pubDate>Tue, 03 Jun 2025 09:{n % 60:02d}:00 +0200</pubDate>"
            f"<category>ml</category><description>{escaped}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Bench</title><link>https://example.com/</link>{''.join(items)}"
        "</channel></rss>"
    ).encode()


def best_seconds(run: Callable[[], object], repeats: int = 3) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return min(timings)


def bare_feedparser(content: bytes, *, html_passes: bool) -> Callable[[], object]:
    return lambda: feedparser.parse(
        io.BytesIO(content),
        response_headers={"content-type": "application/xml", "content-location": FEED_URL},
        sanitize_html=html_passes,
        resolve_relative_uris=html_passes,
    )


def report(name: str, content: bytes) -> None:
    item_count = len(parse_feed(content, url=FEED_URL).items)
    if not item_count:
        print(f"{name}: no items")
        return
    ours = best_seconds(lambda: parse_feed(content, url=FEED_URL))
    reference = best_seconds(lambda: parse_feed(content, url=FEED_URL, fast=False))
    taken = "taken" if parse_fast(content, "application/xml") is not None else "not taken"
    passes_on = best_seconds(bare_feedparser(content, html_passes=True))
    passes_off = best_seconds(bare_feedparser(content, html_passes=False))
    print(
        f"{name}: {item_count} items, {len(content) / 1e6:.2f} MB\n"
        f"  {'parse_feed (fast path ' + taken + '):':<44} {item_count / ours:9,.0f} items/s"
        f"  ({ours * 1000:.0f} ms)\n"
        f"  {'parse_feed through feedparser (fast=False):':<44} "
        f"{item_count / reference:9,.0f} items/s"
        f"  ({reference * 1000:.0f} ms)\n"
        f"  feedparser alone, sanitise+resolve on:       {item_count / passes_on:9,.0f} items/s"
        f"  ({passes_on * 1000:.0f} ms)\n"
        f"  feedparser alone, sanitise+resolve off:      {item_count / passes_off:9,.0f} items/s"
        f"  ({passes_off * 1000:.0f} ms)"
    )


def hostile_documents() -> dict[str, bytes]:
    """Documents that must cost about a second at most (they were wall-clock asserts in
    tests/test_parse.py): entity bombs that are never expanded, a 5 MB description cut to
    the summary cap."""
    item = "<item><title>{title}</title><description>{description}</description></item>"
    levels = ['<!ENTITY lol0 "lol">']
    levels += [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    laughs = f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n{chr(10).join(levels)}\n]>'
    big_entity = f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "{"x" * 100_000}">\n]>'
    paragraph = "<p>Lorem ipsum <b>dolor</b> sit amet &amp; consectetur.</p>\n"
    html = paragraph * (5_000_000 // len(paragraph))
    escaped = html.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def document(prolog: str, title: str, description: str) -> bytes:
        channel = item.format(title=title, description=description)
        return (
            f'{prolog}<rss version="2.0"><channel><title>Bench</title>{channel}</channel></rss>'
        ).encode()

    return {
        "billion laughs (never expanded)": document(laughs, "&lol9;", "&lol9;"),
        "100 kB entity referenced 2,000 times": document(big_entity, "t", "&a;" * 2_000),
        "5 MB escaped description (capped)": document("", "Big", escaped),
        "5 MB CDATA description (capped)": document("", "Big", f"<![CDATA[{html}]]>"),
    }


def report_hostile() -> None:
    for name, content in hostile_documents().items():
        seconds = best_seconds(lambda content=content: parse_feed(content, url=FEED_URL))
        print(f"{name}: {len(content) / 1e6:.2f} MB in {seconds * 1000:,.0f} ms")


def main() -> None:
    if CORPUS.is_dir():
        largest = max(CORPUS.rglob("*.xml"), key=lambda path: path.stat().st_size)
        report(f"corpus {largest.relative_to(CORPUS)}", largest.read_bytes())
    else:
        print(f"(no corpus at {CORPUS})")
    report("synthetic RSS, plain descriptions", synthetic_rss(1_000, html=False))
    report("synthetic RSS, HTML descriptions", synthetic_rss(1_000, html=True))
    if CORPUS.is_dir():
        files = sorted(CORPUS.rglob("*.xml"))
        taken = sum(parse_fast(path.read_bytes(), "application/xml") is not None for path in files)
        print(f"fast path takes {taken} of {len(files)} corpus files (the rest: feedparser)")
    report_hostile()


if __name__ == "__main__":
    main()
