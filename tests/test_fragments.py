"""Posts that differ only by a link's #fragment are different posts, and a fragment that only
points into an article does not split it: fetched through the real CLI from 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

from feedserver import rss

from radar.feeds.config import FeedConfig, add_feeds

DAILY_PAGE = Path(__file__).parent / "data" / "daily-page.xml"


def subscribe(workspace, *feeds: tuple[str, str]) -> None:
    add_feeds(workspace.feeds_path, [FeedConfig(name, url) for name, url in feeds])


def listed(radar) -> list[dict]:
    return json.loads(radar("items", "list", "--json", "--limit", "500").stdout)


def test_every_post_of_a_daily_page_is_an_item_of_its_own(radar, workspace, server):
    subscribe(workspace, ("Notes", server.route("/notes.xml", body=DAILY_PAGE.read_bytes())))

    result = radar("fetch", "--no-index")

    assert "12 new items" in result.stderr
    items = listed(radar)
    assert len(items) == 12, "no post merged into the first post of its day page"
    assert {item["url"] for item in items} == {
        f"http://notes.example.com/2017/06/{anchor}"
        for anchor in (
            "26.html#a080605",
            "26.html#a091233",
            "26.html#a113050",
            "26.html#a140210",
            "26.html#a171744",
            "27.html#a073001",
            "27.html#a101500",
            "27.html#a133333",
            "27.html#a160000",
            "28.html#a082000",
            "28.html#a120500",
            "28.html#a190915",
        )
    }, "each item opens its own post"
    assert sum(item["title"] == "Link of the day" for item in items) == 2

    again = radar("fetch", "--no-index", "--all")
    assert " 0 new items" in again.stderr
    assert len(listed(radar)) == 12, "a second fetch duplicates nothing"


def test_a_day_page_that_grows_keeps_its_first_post_once(radar, workspace, server):
    # In the morning the page holds one post, linked with its anchor but without a GUID:
    # nothing yet says the anchor matters. In the evening a second anchor appears.
    first = {
        "title": "Morning: batching on CPUs",
        "link": "http://notes.example.com/2017/06/29.html#a0800",
        "pubDate": "Thu, 29 Jun 2017 08:00:00 GMT",
        "description": "Throughput doubles with the right batch size.",
    }
    second = {
        "title": "Evening: batching on GPUs",
        "link": "http://notes.example.com/2017/06/29.html#a1900",
        "pubDate": "Thu, 29 Jun 2017 19:00:00 GMT",
        "description": "Latency is a different story.",
    }
    page = {"body": rss([first])}
    subscribe(workspace, ("Notes", server.route("/notes.xml", body=lambda: page["body"])))
    radar("fetch", "--no-index")
    morning = listed(radar)
    read_id = morning[0]["id"]
    radar("items", "mark", str(read_id), "--read")

    page["body"] = rss([second, first])
    radar("fetch", "--no-index", "--all")

    items = {item["title"]: item for item in listed(radar)}
    assert set(items) == {"Morning: batching on CPUs", "Evening: batching on GPUs"}
    assert items["Morning: batching on CPUs"]["id"] == read_id, "the morning post kept its id"
    assert items["Morning: batching on CPUs"]["read"], "and its read mark"
    assert items["Morning: batching on CPUs"]["url"].endswith("29.html#a0800")
    assert items["Evening: batching on GPUs"]["url"].endswith("29.html#a1900")


def test_anchors_into_one_article_do_not_split_it(radar, workspace, server):
    # A blog links its post's comments anchor; an aggregator links the plain page with a
    # tracking fragment. Both are the same article, stored once and credited to both.
    blog = rss(
        [
            {
                "title": "Serving LLMs on a budget",
                "link": "https://blog.example.org/budget-serving#comments",
                "guid": "https://blog.example.org/budget-serving#comments",
                "pubDate": "Mon, 16 Nov 2026 09:30:00 GMT",
            }
        ]
    )
    aggregator = rss(
        [
            {
                "title": "Serving LLMs on a budget (blog.example.org)",
                "link": "https://blog.example.org/budget-serving#utm_source=agg&utm_medium=rss",
                "guid": "agg-991",
                "pubDate": "Mon, 16 Nov 2026 11:00:00 GMT",
            }
        ]
    )
    subscribe(
        workspace,
        ("Blog", server.route("/blog.xml", body=blog)),
        ("Aggregator", server.route("/agg.xml", body=aggregator)),
    )

    radar("fetch", "--no-index")

    items = listed(radar)
    assert len(items) == 1
    shown = json.loads(radar("items", "show", str(items[0]["id"]), "--json").stdout)
    assert shown["url"] == "https://blog.example.org/budget-serving"
    assert sorted(shown["feeds"]) == ["Aggregator", "Blog"]


def links_of(items: list[dict[str, str]]) -> list[str | None]:
    from radar.feeds.parse import parse_feed

    parsed = parse_feed(rss(items), url="https://feed.example/rss")
    return [item.url for item in parsed.items]


def test_which_fragments_a_link_keeps():
    # A GUID that is the anchor itself carries it; a lone anchor with no GUID does not.
    assert links_of(
        [
            {"title": "A", "link": "https://x.example/day.html#p1", "guid": "p1"},
            {"title": "B", "link": "https://y.example/post.html#section-2"},
        ]
    ) == ["https://x.example/day.html#p1", "https://y.example/post.html"]
    # A hash route names a page of its own; tracking-only fragments never count.
    assert links_of(
        [
            {"title": "C", "link": "https://app.example/#!/posts/7", "guid": "c"},
            {
                "title": "D",
                "link": "https://z.example/a#utm_source=rss",
                "guid": "z#utm_source=rss",
            },
        ]
    ) == ["https://app.example/#!/posts/7", "https://z.example/a"]
    # Two entries on one page with different anchors (one of them none) are two posts.
    assert links_of(
        [
            {"title": "E", "link": "https://w.example/log"},
            {"title": "F", "link": "https://w.example/log#more"},
        ]
    ) == ["https://w.example/log", "https://w.example/log#more"]
