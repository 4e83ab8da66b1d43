"""Fetching feeds from a real server on 127.0.0.1 into a real SQLite file."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from feedserver import rss

from radar.feeds.config import FeedConfig, add_feeds, load_config
from radar.feeds.model import Item
from radar.store import Store

ITEMS = [
    {
        "title": "vLLM 0.11 adds chunked prefill by default",
        "link": "https://blog.example.org/vllm-011?utm_source=rss&utm_medium=feed",
        "guid": "post-1",
        "pubDate": "Mon, 16 Nov 2026 09:30:00 +0200",
        "description": "&lt;p&gt;Throughput up &lt;b&gt;30%&lt;/b&gt; on long prompts.&lt;/p&gt;",
    },
    {
        "title": "Quantising Llama to int4 with AWQ",
        "link": "https://blog.example.org/awq",
        "guid": "post-2",
        "pubDate": "Tue, 17 Nov 2026 10:00:00 GMT",
        "description": "Weights in 4 bits, activations in 16.",
    },
]


def subscribe(workspace, *feeds: tuple[str, str]) -> None:
    add_feeds(workspace.feeds_path, [FeedConfig(name, url) for name, url in feeds])


def stored(workspace) -> list[dict]:
    with Store(workspace.db_path) as store:
        return store.list_items(limit=None)


def test_items_are_normalised_and_stored(radar, workspace, server):
    subscribe(workspace, ("Blog", server.route("/blog.xml", body=rss(ITEMS))))
    result = radar("fetch", "--no-index")
    assert "1 ok" in result.stderr and "2 new items" in result.stderr
    listed = json.loads(radar("items", "list", "--json").stdout)
    assert [item["title"] for item in listed] == [
        "Quantising Llama to int4 with AWQ",
        "vLLM 0.11 adds chunked prefill by default",
    ]
    vllm = listed[1]
    assert vllm["url"] == "https://blog.example.org/vllm-011", "utm_* parameters dropped"
    assert vllm["published"] == "2026-11-16T07:30:00Z", "dates stored as UTC"
    assert vllm["summary"] == "Throughput up 30% on long prompts.", "HTML stripped"
    assert vllm["feed"] == "Blog"
    assert set(vllm) >= {"id", "feed", "title", "url", "published", "summary"}


def test_second_fetch_is_conditional_and_stores_nothing_new(radar, workspace, server):
    subscribe(workspace, ("Blog", server.route("/blog.xml", body=rss(ITEMS))))
    radar("fetch", "--no-index")
    second = radar("fetch", "--all", "--no-index")
    assert "1 not modified" in second.stderr and "0 new items" in second.stderr
    first_request, second_request = server.requests_to("/blog.xml")
    assert "if-none-match" not in first_request.headers
    assert second_request.headers["if-none-match"].startswith('"')
    assert "if-modified-since" in second_request.headers
    assert "radar/" in second_request.headers["user-agent"]
    assert len(stored(workspace)) == 2


def test_not_modified_replies_keep_the_connection_for_the_next_feed(radar, workspace, server):
    # Four feeds on one host, fetched one at a time (per-host limit 1): each 304 must
    # leave the connection reusable, or every feed pays a new TCP (and TLS) handshake.
    text = workspace.feeds_path.read_text() + "settings:\n  per_host: 1\n"
    workspace.feeds_path.write_text(text)
    paths = [f"/f{n}.xml" for n in range(4)]
    subscribe(workspace, *((p, server.route(p, body=rss(ITEMS))) for p in paths))
    radar("fetch", "--no-index")
    before = len(server.requests)
    second = radar("fetch", "--all", "--no-index")
    assert "4 not modified" in second.stderr
    connections = {seen.client for seen in server.requests[before:]}
    assert len(server.requests) - before == 4 and len(connections) == 1


def test_refetching_changed_feed_does_not_duplicate_and_keeps_marks(radar, workspace, server):
    server.route("/blog.xml", body=rss(ITEMS))
    subscribe(workspace, ("Blog", server.url("/blog.xml")))
    radar("fetch", "--no-index")
    first_id = next(i["id"] for i in stored(workspace) if i["title"].startswith("vLLM"))
    radar("items", "mark", str(first_id), "--read", "--star")
    edited = [dict(ITEMS[0], description="Throughput up 35% after a fix."), ITEMS[1]]
    extra = {"title": "New post", "link": "https://blog.example.org/new", "guid": "post-3"}
    server.route("/blog.xml", body=rss([*edited, extra]))
    result = radar("fetch", "--all", "--no-index")
    assert "1 new items" in result.stderr
    items = {i["id"]: i for i in stored(workspace)}
    assert len(items) == 3
    assert items[first_id]["summary"] == "Throughput up 35% after a fix."
    assert items[first_id]["read"] and items[first_id]["starred"], "marks survive re-fetch"


def test_same_article_from_two_feeds_is_stored_once_and_credited_to_both(radar, workspace, server):
    story = {
        "title": "PyTorch 2.13 released",
        "link": "https://pytorch.example/2-13?utm_campaign=x",
    }
    syndicated = {
        "title": "PyTorch 2.13 is out",
        "link": "https://pytorch.example/2-13",
        "guid": "abc",
    }
    subscribe(
        workspace,
        ("Official", server.route("/a.xml", body=rss([story]))),
        ("Aggregator", server.route("/b.xml", body=rss([syndicated]))),
    )
    radar("fetch", "--no-index")
    items = stored(workspace)
    assert len(items) == 1
    shown = json.loads(radar("items", "show", str(items[0]["id"]), "--json").stdout)
    assert sorted(shown["feeds"]) == ["Aggregator", "Official"]
    status = {row["name"]: row for row in json.loads(radar("feeds", "status", "--json").stdout)}
    assert status["Official"]["item_count"] == 1 and status["Aggregator"]["item_count"] == 1


def test_items_without_guid_or_link_dedupe_by_title_and_date(radar, workspace, server):
    bare = [
        {"title": "Weekly notes", "pubDate": "Mon, 16 Nov 2026 09:30:00 GMT", "description": "a"}
    ]
    subscribe(workspace, ("Notes", server.route("/n.xml", body=rss(bare), conditional=False)))
    radar("fetch", "--no-index")
    radar("fetch", "--all", "--no-index")
    assert len(stored(workspace)) == 1


def test_same_title_same_day_with_different_links_are_two_stories(radar, workspace, server):
    # Release feeds and digests reuse titles ("Weekly update"): without GUIDs, the link
    # tells them apart; title+day is only the last resort.
    twins = [
        {"title": "Weekly update", "link": f"https://team{n}.example/weekly"} for n in range(3)
    ]
    subscribe(workspace, ("Twins", server.route("/t.xml", body=rss(twins), conditional=False)))
    radar("fetch", "--no-index")
    radar("fetch", "--all", "--no-index")
    urls = sorted(item["url"] for item in stored(workspace))
    assert urls == [f"https://team{n}.example/weekly" for n in range(3)]


def test_colliding_guids_do_not_swallow_distinct_articles(radar, workspace, server):
    colliding = [
        {"title": f"Post {n}", "link": f"https://x.example/{n}", "guid": "same"} for n in range(5)
    ]
    subscribe(workspace, ("Collide", server.route("/c.xml", body=rss(colliding))))
    radar("fetch", "--no-index")
    assert len(stored(workspace)) == 5


def test_guids_that_change_every_fetch_fall_back_to_the_link(radar, workspace, server):
    fetches = {"n": 0}

    def body() -> bytes:
        fetches["n"] += 1
        return rss(
            [
                {
                    "title": f"Post {n}",
                    "link": f"https://x.example/{n}",
                    "guid": f"{fetches['n']}-{n}",
                }
                for n in range(3)
            ]
        )

    subscribe(workspace, ("Shifty", server.route("/s.xml", body=body, conditional=False)))
    for _ in range(3):
        radar("fetch", "--all", "--no-index")
    assert len(stored(workspace)) == 3


def test_broken_feeds_are_reported_while_good_ones_ingest(radar, workspace, server):
    subscribe(
        workspace,
        ("Good", server.route("/good.xml", body=rss(ITEMS))),
        ("Missing", server.url("/missing.xml")),
        ("Broken", server.route("/oops.xml", status=500, body=b"boom")),
        (
            "Html",
            server.route("/page", body=b"<html><body>hi</body></html>", content_type="text/html"),
        ),
    )
    result = radar("fetch", "--no-index")
    assert result.exit_code == 0
    assert "1 ok" in result.stderr and "3 failed" in result.stderr
    status = {row["name"]: row for row in json.loads(radar("feeds", "status", "--json").stdout)}
    assert status["Good"]["last_status"] == "200" and status["Good"]["item_count"] == 2
    assert status["Missing"]["last_status"] == "not_found" and status["Missing"]["error_count"] == 1
    assert status["Broken"]["last_status"] == "server_error"
    assert status["Html"]["last_status"] == "not_a_feed"
    assert "discover" in status["Html"]["last_error"]
    strict = radar("fetch", "--all", "--no-index", "--strict", ok=False)
    assert strict.exit_code == 1
    status = {row["name"]: row for row in json.loads(radar("feeds", "status", "--json").stdout)}
    assert status["Missing"]["error_count"] == 2, "consecutive failures are counted"


def test_a_recovered_feed_resets_its_error_count(radar, workspace, server):
    subscribe(workspace, ("Flaky", server.route("/f.xml", status=503, body=b"")))
    radar("fetch", "--no-index")
    server.route("/f.xml", body=rss(ITEMS))
    radar("fetch", "--all", "--no-index")
    row = json.loads(radar("feeds", "status", "--json").stdout)[0]
    assert row["error_count"] == 0 and row["last_error"] is None and row["item_count"] == 2


def test_a_permanent_redirect_updates_feeds_yaml(radar, workspace, server):
    new_url = server.route("/new.xml", body=rss(ITEMS))
    old_url = server.route("/old.xml", status=301, headers={"Location": "/new.xml"}, body=b"")
    subscribe(workspace, ("Moved", old_url))
    result = radar("fetch", "--no-index")
    assert "moved" in result.stderr
    assert load_config(workspace.feeds_path).feed("Moved").url == new_url
    assert len(stored(workspace)) == 2


def test_a_temporary_redirect_keeps_the_configured_url(radar, workspace, server):
    server.route("/real.xml", body=rss(ITEMS))
    old_url = server.route("/tmp.xml", status=302, headers={"Location": "/real.xml"}, body=b"")
    subscribe(workspace, ("Temp", old_url))
    radar("fetch", "--no-index")
    assert load_config(workspace.feeds_path).feed("Temp").url == old_url
    assert len(stored(workspace)) == 2


def test_fetch_only_named_feeds_and_unknown_name_is_an_error(radar, workspace, server):
    subscribe(
        workspace,
        ("A", server.route("/a.xml", body=rss(ITEMS[:1]))),
        ("B", server.route("/b.xml", body=rss(ITEMS[1:]))),
    )
    radar("fetch", "--no-index", "--feed", "B")
    assert [i["title"] for i in stored(workspace)] == ["Quantising Llama to int4 with AWQ"]
    unknown = radar("fetch", "--no-index", "--feed", "C", ok=False)
    assert unknown.exit_code == 2 and "'C'" in unknown.stderr


def test_items_list_filters_by_feed_since_and_unread(radar, workspace, server):
    subscribe(
        workspace,
        ("A", server.route("/a.xml", body=rss(ITEMS[:1]))),
        ("B", server.route("/b.xml", body=rss(ITEMS[1:]))),
    )
    radar("fetch", "--no-index")
    by_feed = json.loads(radar("items", "list", "--feed", "A", "--json").stdout)
    assert [i["feed"] for i in by_feed] == ["A"]
    since = json.loads(radar("items", "list", "--since", "2026-11-17", "--json").stdout)
    assert [i["title"] for i in since] == ["Quantising Llama to int4 with AWQ"]
    radar("items", "mark", str(since[0]["id"]), "--read")
    unread = json.loads(radar("items", "list", "--unread", "--json").stdout)
    assert [i["feed"] for i in unread] == ["A"]
    bad = radar("items", "list", "--since", "last tuesday", ok=False)
    assert bad.exit_code == 2 and "not a date" in bad.stderr


def test_item_text_from_feeds_cannot_drive_the_terminal(radar, workspace, server):
    hostile = [
        {
            "title": "Evil \x1b[2J\x1b]0;pwned\x07 title [bold red]x[/]",
            "link": "https://e.example/1",
        }
    ]
    body = rss(hostile).replace(b"\x1b", b"&#27;").replace(b"\x07", b"&#7;")
    subscribe(workspace, ("Evil", server.route("/e.xml", body=body)))
    radar("fetch", "--no-index")
    shown = radar("items", "list").stdout
    assert "\x1b" not in shown and "\x07" not in shown
    assert "[bold red]x[/]" in shown, "markup is printed literally"


def test_text_that_reached_the_database_unparsed_still_cannot_reorder_the_terminal(
    radar, workspace
):
    """A title stored without going through the feed parser (an older radar, a direct
    import) is cleaned again when printed: no escape sequence and no bidi override, which
    would show "invoice\u202efdp.exe" as "invoiceexe.pdf"."""
    with Store(workspace.db_path) as store:
        store.sync_feeds([FeedConfig("Old", "https://old.example/feed.xml")])
        title = "invoice\u202efdp.exe \u2066isolated\u2069 \x1b]0;pwned\x07\x1b[2Jdone"
        store.ingest("Old", [Item(guid="o1", url="https://old.example/1", title=title)])

    shown = radar("items", "list").stdout

    assert "invoicefdp.exe isolated done" in shown
    assert not set("\u202e\u2066\u2069\x1b\x07") & set(shown) and "pwned" not in shown


def test_a_feed_whose_fetch_state_fails_to_save_keeps_none_of_its_items(workspace):
    """Items and the validators that say they are stored share one transaction: a failure
    in between keeps neither, so the next fetch downloads and stores them again."""
    items = [Item(guid=f"g{n}", url=f"https://tx.example/{n}", title=f"Post {n}") for n in range(3)]
    with Store(workspace.db_path) as store:
        store.sync_feeds([FeedConfig("Blog", "https://tx.example/feed.xml")])
        with pytest.raises(RuntimeError), store.transaction():
            assert store.ingest("Blog", items).new == 3
            store.record_success(
                "Blog", status="ok", http_status=200, etag='"v1"', last_modified=None
            )
            raise RuntimeError("disk full")
        assert store.item_count() == 0
        assert store.feed_row("Blog")["etag"] is None

        stats = store.ingest("Blog", items, now=datetime(2026, 11, 20, tzinfo=UTC))
        assert stats.new == 3 and store.item_count() == 3


def test_new_items_are_numbered_after_the_last_and_found_by_text_search(workspace):
    with Store(workspace.db_path) as store:
        store.sync_feeds([FeedConfig("A", "https://a.example/feed.xml")])
        paged = Item(guid="1", url="https://a.example/1", title="Paged attention")
        first = store.ingest("A", [paged])
        store.conn.execute("DELETE FROM items WHERE id = ?", [first.new_item_ids[0]])
        batch = [
            Item(guid=f"n{n}", url=f"https://a.example/n{n}", title=f"Speculative decoding {n}")
            for n in range(4)
        ]
        # A repeated item inside one batch is stored once, as before.
        stats = store.ingest("A", [*batch, batch[0]])
        found = store.query(
            "SELECT rowid FROM items_fts WHERE items_fts MATCH 'speculative' ORDER BY rowid"
        )
    assert stats.new == 4 and stats.unchanged == 1
    assert stats.new_item_ids == [first.new_item_ids[0] + n for n in range(4)], (
        "numbered as SQLite numbers them: after the largest id in the table"
    )
    assert [row["rowid"] for row in found] == stats.new_item_ids
