"""Hostile and broken servers: each ends with the healthy feed ingested and the bad one
recorded in `radar feeds status` with a clear error kind, within its timeouts."""

from __future__ import annotations

import gzip
import json
import socket
import time

import pytest
from feedserver import rss

from radar.feeds.config import FeedConfig, add_feeds

HEALTHY = rss([{"title": "Healthy item", "link": "https://ok.example/1", "guid": "ok-1"}])


def setup_feeds(workspace, server, bad_url: str, settings: str = "") -> None:
    workspace.feeds_path.write_text(
        "feeds: []\nsettings:\n  timeout: 1\n  deadline: 3\n  max_bytes: 1048576\n" + settings
    )
    add_feeds(
        workspace.feeds_path,
        [FeedConfig("Healthy", server.route("/healthy.xml", body=HEALTHY)), FeedConfig("Bad", bad_url)],
    )


def status_of(radar) -> dict[str, dict]:
    return {row["name"]: row for row in json.loads(radar("feeds", "status", "--json").stdout)}


def run_and_check(radar, expected_kind: str, *, within: float = 8.0) -> dict:
    started = time.monotonic()
    result = radar("fetch", "--no-index")
    elapsed = time.monotonic() - started
    assert result.exit_code == 0
    assert elapsed < within, f"fetch took {elapsed:.1f} s"
    status = status_of(radar)
    assert status["Healthy"]["item_count"] == 1, "the healthy feed is always ingested"
    bad = status["Bad"]
    assert bad["last_status"] == expected_kind, bad
    assert bad["error_count"] == 1 and bad["last_error"]
    return bad


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_connection_refused(radar, workspace, server):
    setup_feeds(workspace, server, f"http://127.0.0.1:{free_port()}/feed.xml")
    run_and_check(radar, "connection_refused")


def test_dns_failure(radar, workspace, server):
    setup_feeds(workspace, server, "http://radar-test-host.invalid/feed.xml")
    run_and_check(radar, "dns_error")


def test_server_that_never_answers(radar, workspace, server):
    setup_feeds(workspace, server, server.route("/hang", hang=True))
    run_and_check(radar, "timeout")


def test_server_that_trickles_hits_the_total_deadline(radar, workspace, server):
    setup_feeds(workspace, server, server.route("/trickle", body=HEALTHY, trickle=0.3))
    bad = run_and_check(radar, "timeout")
    assert "deadline" in bad["last_error"]


@pytest.mark.parametrize(
    ("status", "kind"),
    [(404, "not_found"), (410, "gone"), (500, "server_error"), (502, "server_error"), (403, "http_error")],
)
def test_http_errors(radar, workspace, server, status, kind):
    setup_feeds(workspace, server, server.route("/err", status=status, body=b"no"))
    run_and_check(radar, kind)


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_honoured(radar, workspace, server, status):
    bad_url = server.route("/busy", status=status, body=b"", headers={"Retry-After": "3600"})
    setup_feeds(workspace, server, bad_url)
    bad = run_and_check(radar, "rate_limited" if status == 429 else "server_error")
    assert bad["retry_after"] > bad["last_fetched"]
    radar("fetch", "--no-index")
    assert len(server.requests_to("/busy")) == 1, "not fetched again before Retry-After"
    radar("fetch", "--no-index", "--force")
    assert len(server.requests_to("/busy")) == 2


def test_redirect_loop(radar, workspace, server):
    server.route("/a", status=302, headers={"Location": "/b"})
    server.route("/b", status=302, headers={"Location": "/a"})
    setup_feeds(workspace, server, server.url("/a"))
    run_and_check(radar, "redirect_loop")


def test_redirect_chain_longer_than_the_limit(radar, workspace, server):
    for hop in range(8):
        server.route(f"/hop{hop}", status=301, headers={"Location": f"/hop{hop + 1}"})
    server.route("/hop8", body=HEALTHY)
    setup_feeds(workspace, server, server.url("/hop0"))
    run_and_check(radar, "too_many_redirects")


def test_redirect_to_a_non_http_scheme(radar, workspace, server):
    setup_feeds(workspace, server, server.route("/r", status=302, headers={"Location": "file:///etc/passwd"}))
    run_and_check(radar, "bad_redirect")


def test_response_over_the_size_cap_is_cut(radar, workspace, server):
    setup_feeds(workspace, server, server.route("/big", body=b"<rss>" + b"x" * 3_000_000))
    run_and_check(radar, "too_large")


def test_gzip_bomb_is_capped_on_decompressed_bytes(radar, workspace, server):
    bomb = gzip.compress(b"<rss>" + b"\0" * 200_000_000, compresslevel=9)
    assert len(bomb) < 1_000_000
    setup_feeds(workspace, server, server.route("/bomb", body=bomb, headers={"Content-Encoding": "gzip"}))
    run_and_check(radar, "too_large")


def test_broken_gzip(radar, workspace, server):
    broken = gzip.compress(HEALTHY)[:-30] + b"garbage!"
    setup_feeds(workspace, server, server.route("/gz", body=broken, headers={"Content-Encoding": "gzip"}))
    run_and_check(radar, "decode_error")


def test_gzip_encoded_feed_is_decoded(radar, workspace, server):
    good = gzip.compress(rss([{"title": "Zipped", "link": "https://z.example/1"}]))
    setup_feeds(workspace, server, server.route("/gz", body=good, headers={"Content-Encoding": "gzip"}))
    radar("fetch", "--no-index")
    assert status_of(radar)["Bad"]["item_count"] == 1


def test_empty_body(radar, workspace, server):
    setup_feeds(workspace, server, server.route("/empty", body=b""))
    run_and_check(radar, "empty")


def test_html_page_suggests_discovery(radar, workspace, server):
    page = b"<!doctype html><html><head><title>Blog</title></head><body>Hi</body></html>"
    setup_feeds(workspace, server, server.route("/page", body=page, content_type="text/html"))
    bad = run_and_check(radar, "not_a_feed")
    assert "discover" in bad["last_error"]
