"""Hostile and broken feed documents over HTTP: a feed that was fine yesterday turns bad
today, next to a healthy feed. The healthy feed is ingested, the bad one is stored with its
text intact or capped, or recorded with a clear error kind, and nothing stored before is lost.

The parser-level versions of these cases are in test_parse.py; these go through the real
server, `radar fetch --all --no-index` and `radar feeds status`.
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

import pytest
from feedserver import rss

from radar.feeds.config import FeedConfig, add_feeds
from radar.feeds.parse import SUMMARY_MAX_CHARS

HEALTHY = rss([{"title": "Healthy item", "link": "https://ok.example/1", "guid": "ok-1"}])
HEALTHY_TODAY = rss(
    [
        {"title": "Healthy item", "link": "https://ok.example/1", "guid": "ok-1"},
        {"title": "Healthy news", "link": "https://ok.example/2", "guid": "ok-2"},
    ]
)
YESTERDAY = rss(
    [
        {
            "title": f"Yesterday {n}",
            "link": f"https://bad.example/old/{n}",
            "guid": f"old-{n}",
            "pubDate": "Mon, 02 Jun 2025 08:00:00 GMT",
            "description": f"What was said on day {n}.",
        }
        for n in (1, 2)
    ]
)
LABELLED_UTF_8 = "application/rss+xml; charset=utf-8"


def document(items: str, prolog: str = '<?xml version="1.0" encoding="utf-8"?>') -> str:
    return (
        f'{prolog}<rss version="2.0"><channel><title>Bad feed</title>'
        f"<link>https://bad.example/</link><description>d</description>{items}</channel></rss>"
    )


def status_of(radar) -> dict[str, dict]:
    return {row["name"]: row for row in json.loads(radar("feeds", "status", "--json").stdout)}


def items_of(radar, feed: str) -> dict[int, dict]:
    listed = json.loads(radar("items", "list", "--feed", feed, "--limit", "1000", "--json").stdout)
    return {item["id"]: item for item in listed}


def turn_hostile(
    radar, workspace, server, hostile: bytes, content_type: str = LABELLED_UTF_8
) -> tuple[dict, list[dict]]:
    """Fetch both feeds while healthy, then serve `hostile` as the bad feed and fetch again.

    Checks what must hold whatever the document: the run finishes, the healthy feed's new
    item is ingested, the bad feed's earlier items are all still there, unchanged. Returns
    the bad feed's status and the items it newly stored.
    """
    workspace.feeds_path.write_text("feeds: []\nsettings:\n  timeout: 5\n  deadline: 20\n")
    add_feeds(
        workspace.feeds_path,
        [
            FeedConfig("Healthy", server.route("/healthy.xml", body=HEALTHY)),
            FeedConfig("Bad", server.route("/bad.xml", body=YESTERDAY)),
        ],
    )
    radar("fetch", "--all", "--no-index")
    stored_before = items_of(radar, "Bad")
    assert sorted(item["title"] for item in stored_before.values()) == [
        "Yesterday 1",
        "Yesterday 2",
    ]

    server.route("/healthy.xml", body=HEALTHY_TODAY)
    server.route("/bad.xml", body=hostile, content_type=content_type)
    result = radar("fetch", "--all", "--no-index")  # one that never ends: pytest-timeout

    assert result.exit_code == 0
    status = status_of(radar)
    assert status["Healthy"]["item_count"] == 2, "the healthy feed is always ingested"
    assert status["Healthy"]["error_count"] == 0
    stored_after = items_of(radar, "Bad")
    assert {key: stored_after.get(key) for key in stored_before} == stored_before, (
        "earlier items survive unchanged"
    )
    new_items = [item for key, item in stored_after.items() if key not in stored_before]
    return status["Bad"], new_items


def test_truncated_xml_keeps_the_items_before_the_cut(radar, workspace, server):
    whole = document(
        "<item><title>Fresh one</title><guid>new-1</guid></item>"
        "<item><title>Cut off</title><guid>new-2</guid><description>and then the connec"
    )

    bad, new_items = turn_hostile(radar, workspace, server, whole.encode())

    assert bad["last_status"] == "200" and bad["error_count"] == 0
    assert "Fresh one" in [item["title"] for item in new_items]
    assert bad["problem"], "the damage is noted in feeds status"


def test_xml_truncated_before_any_item_is_a_parse_error(radar, workspace, server):
    bad, new_items = turn_hostile(radar, workspace, server, b'<?xml version="1.0"?><rss versi')

    assert bad["last_status"] == "parse_error" and bad["error_count"] == 1
    assert bad["last_error"]
    assert new_items == []
    assert bad["item_count"] == 2


def test_billion_laughs_is_not_expanded(radar, workspace, server):
    levels = ['<!ENTITY lol0 "lol">']
    levels += [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    prolog = f'<?xml version="1.0"?><!DOCTYPE rss [{"".join(levels)}]>'
    laughs = document(
        "<item><title>Laughs &lol9;</title><guid>new-1</guid>"
        "<description>&lol9;</description></item>",
        prolog=prolog,
    )

    bad, new_items = turn_hostile(radar, workspace, server, laughs.encode())

    (item,) = new_items
    assert item["title"].startswith("Laughs")
    assert "lollol" not in item["title"] + item["summary"]
    assert "entity declarations" in bad["problem"]


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{secret}">]>',
        '<!DOCTYPE rss [<!ENTITY % remote SYSTEM "{secret}"> %remote;]>',
        '<!DOCTYPE rss SYSTEM "{secret}">',
    ],
    ids=["general-entity", "parameter-entity", "external-dtd"],
)
def test_external_entities_are_never_fetched(radar, workspace, server, prolog):
    secret_url = server.route("/secret", body=b"TOP-SECRET", content_type="text/plain")
    xxe = document(
        "<item><title>Entity a &xxe; b</title><guid>new-1</guid>"
        "<description>&xxe;</description></item>",
        prolog='<?xml version="1.0"?>' + prolog.format(secret=secret_url),
    )

    bad, new_items = turn_hostile(radar, workspace, server, xxe.encode())

    assert server.requests_to("/secret") == [], "radar never asked for the external entity"
    (item,) = new_items
    assert item["title"].startswith("Entity a")
    assert "TOP-SECRET" not in item["title"] + item["summary"]


@pytest.mark.parametrize(
    ("encoding", "declared", "content_type", "title"),
    [
        ("latin-1", "utf-8", LABELLED_UTF_8, "Café crème brûlée"),
        ("gb2312", "gb2312", "application/rss+xml", "机器学习周报"),
        ("gb2312", "gb2312", "text/xml", "机器学习周报"),
        ("utf-16", "utf-16", LABELLED_UTF_8, "Überblick — 概要"),
        ("utf-16", None, LABELLED_UTF_8, "Überblick — 概要"),
    ],
    ids=[
        "latin-1-labelled-utf-8",
        "gb2312-no-charset",
        "gb2312-text-xml",
        "utf-16-bom-labelled-utf-8",
        "utf-16-bom-undeclared",
    ],
)
def test_wrong_or_missing_charsets_still_decode(
    radar, workspace, server, encoding, declared, content_type, title
):
    encoding_attribute = f' encoding="{declared}"' if declared else ""
    xml = document(
        f"<item><title>{title}</title><guid>new-1</guid><description>{title}!</description></item>",
        prolog=f'<?xml version="1.0"{encoding_attribute}?>',
    )
    body = xml.encode(encoding)
    if encoding == "utf-16":
        assert body.startswith((b"\xff\xfe", b"\xfe\xff")), "Python writes a byte-order mark"

    bad, new_items = turn_hostile(radar, workspace, server, body, content_type)

    assert bad["last_status"] == "200"
    (item,) = new_items
    assert item["title"] == title
    assert item["summary"] == f"{title}!"


@pytest.mark.parametrize("wrap", ["escaped", "cdata"])
def test_a_5_mb_description_is_stored_capped(radar, workspace, server, wrap):
    paragraph = "<p>Lorem ipsum <b>dolor</b> sit amet &amp; consectetur.</p>\n"
    html = paragraph * (5_000_000 // len(paragraph))
    description = escape(html) if wrap == "escaped" else f"<![CDATA[{html}]]>"
    big = document(
        f"<item><title>Big</title><guid>new-1</guid><description>{description}</description>"
        "</item><item><title>After the big one</title><guid>new-2</guid></item>"
    )
    assert len(big) > 5_000_000

    bad, new_items = turn_hostile(radar, workspace, server, big.encode())

    assert bad["last_status"] == "200"
    by_title = {item["title"]: item for item in new_items}
    assert set(by_title) == {"Big", "After the big one"}
    summary = by_title["Big"]["summary"]
    assert summary.startswith("Lorem ipsum dolor sit amet & consectetur.")
    assert SUMMARY_MAX_CHARS - 100 < len(summary) <= SUMMARY_MAX_CHARS


def test_far_future_and_unparseable_dates_are_dropped_not_the_items(radar, workspace, server):
    dated = document(
        "<item><title>From the future</title><guid>new-1</guid>"
        "<pubDate>Sat, 01 Jan 2999 00:00:00 GMT</pubDate></item>"
        "<item><title>Nonsense date</title><guid>new-2</guid>"
        "<pubDate>the day after tomorrow</pubDate></item>"
        "<item><title>Impossible date</title><guid>new-3</guid>"
        "<pubDate>Mon, 99 Foo 99999 99:99:99 +9999</pubDate></item>"
        "<item><title>Sane date</title><guid>new-4</guid>"
        "<pubDate>Tue, 03 Jun 2025 08:00:00 GMT</pubDate></item>"
    )

    bad, new_items = turn_hostile(radar, workspace, server, dated.encode())

    assert bad["last_status"] == "200"
    published = {item["title"]: item["published"] for item in new_items}
    assert published == {
        "From the future": None,
        "Nonsense date": None,
        "Impossible date": None,
        "Sane date": "2025-06-03T08:00:00Z",
    }
    assert "future" in bad["problem"]
