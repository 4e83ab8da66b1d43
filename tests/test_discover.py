"""Discovery: from a blog's web page to its feed."""

from __future__ import annotations

import json

from feedserver import rss

from radar.feeds.config import load_config

FEED = rss([{"title": "Post", "link": "https://b.example/1"}], title="The blog")


def test_discovers_advertised_feeds_and_adds_the_first(radar, workspace, server):
    page = (
        b'<html><head><link rel="alternate" type="application/rss+xml" title="Posts" href="/feed.xml">'
        b'<link rel="alternate" type="application/atom+xml" href="/missing.atom"></head></html>'
    )
    page_url = server.route("/blog/", body=page, content_type="text/html")
    server.route("/feed.xml", body=FEED)
    found = json.loads(radar("feeds", "discover", page_url, "--json").stdout)
    assert found == [{"url": server.url("/feed.xml"), "title": "The blog", "items": 1}]
    radar("feeds", "discover", page_url, "--add")
    assert [f.url for f in load_config(workspace.feeds_path).feeds] == [server.url("/feed.xml")]


def test_falls_back_to_common_paths(radar, server):
    page_url = server.route(
        "/", body=b"<html><body>no links</body></html>", content_type="text/html"
    )
    server.route("/index.xml", body=FEED)
    found = json.loads(radar("feeds", "discover", page_url, "--json").stdout)
    assert [f["url"] for f in found] == [server.url("/index.xml")]


def test_a_feed_url_is_its_own_discovery(radar, server):
    url = server.route("/f.xml", body=FEED)
    assert json.loads(radar("feeds", "discover", url, "--json").stdout)[0]["url"] == url


def test_nothing_found_exits_1_and_dead_host_is_a_clear_error(radar, server):
    page_url = server.route("/empty", body=b"<html></html>", content_type="text/html")
    assert radar("feeds", "discover", page_url, ok=False).exit_code == 1
    dead = radar("feeds", "discover", "http://radar-test-host.invalid/", ok=False)
    assert dead.exit_code == 2 and "dns_error" in dead.stderr
