"""Hostile and broken servers: each ends with the healthy feed ingested and the bad one
recorded in `radar feeds status` with a clear error kind that names the limit it hit."""

from __future__ import annotations

import gzip
import json
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from feedserver import rss, streamed_rss

from radar.feeds.config import FeedConfig, add_feeds

HEALTHY = rss([{"title": "Healthy item", "link": "https://ok.example/1", "guid": "ok-1"}])
MiB = 1024 * 1024


def setup_feeds(
    workspace,
    server,
    bad_url: str,
    settings: str = "",
    *,
    deadline: float = 3,
    max_bytes: int | None = MiB,
) -> None:
    limits = f"  timeout: 1\n  deadline: {deadline:g}\n"
    if max_bytes is not None:
        limits += f"  max_bytes: {max_bytes}\n"
    workspace.feeds_path.write_text("feeds: []\nsettings:\n" + limits + settings)
    add_feeds(
        workspace.feeds_path,
        [
            FeedConfig("Healthy", server.route("/healthy.xml", body=HEALTHY)),
            FeedConfig("Bad", bad_url),
        ],
    )


def status_of(radar) -> dict[str, dict]:
    return {row["name"]: row for row in json.loads(radar("feeds", "status", "--json").stdout)}


def run_and_check(radar, expected_kind: str) -> dict:
    """Fetch both feeds; the healthy one is stored, the bad one fails as `expected_kind`.

    No clock is read: which limit cut a hanging server off shows in the error text, and
    pytest-timeout fails a fetch that never ends."""
    result = radar("fetch", "--all", "--no-index")
    assert result.exit_code == 0
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


@contextmanager
def listener_with_a_full_backlog() -> Iterator[str]:
    """A URL whose port listens but never accepts: once its accept queue is full, the
    kernel drops every new SYN, so a connect hangs until the client gives up."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    queued: list[socket.socket] = []
    try:
        for _ in range(64):
            probe = socket.socket()
            probe.settimeout(0.5)
            try:
                probe.connect(listener.getsockname())
            except TimeoutError:
                probe.close()
                break
            queued.append(probe)
        else:
            pytest.skip("this kernel accepts connections past the listen backlog")
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/feed.xml"
    finally:
        for sock in queued:
            sock.close()
        listener.close()


def test_connection_refused(radar, workspace, server):
    setup_feeds(workspace, server, f"http://127.0.0.1:{free_port()}/feed.xml")
    run_and_check(radar, "connection_refused")


def test_dns_failure(radar, workspace, server):
    setup_feeds(workspace, server, "http://radar-test-host.invalid/feed.xml")
    run_and_check(radar, "dns_error")


def test_connect_timeout(radar, workspace, server):
    with listener_with_a_full_backlog() as unreachable_url:
        setup_feeds(workspace, server, unreachable_url, deadline=30)
        bad = run_and_check(radar, "timeout")
    assert "connect timed out" in bad["last_error"], "the 1 s connect timeout, not the deadline"


def test_server_that_never_answers(radar, workspace, server):
    setup_feeds(workspace, server, server.route("/hang", hang=True))
    bad = run_and_check(radar, "timeout")
    assert "did not answer in time" in bad["last_error"], "the 1 s read timeout, not the deadline"


def test_server_that_trickles_hits_the_total_deadline(radar, workspace, server):
    deadline = 3.0
    # A byte every 0.3 s never trips the 1 s read timeout: unbounded, this would take
    # 10 minutes. Cut at the deadline it takes 3 s; ten times that passes a slow machine
    # and still fails a deadline that was ignored or never configured (60 s by default).
    slow_body = rss([{"title": "Slow", "guid": "slow-1", "description": "trickle " * 250}])
    assert len(slow_body) * 0.3 > 200 * deadline
    setup_feeds(
        workspace, server, server.route("/trickle", body=slow_body, trickle=0.3), deadline=deadline
    )
    started = time.monotonic()
    bad = run_and_check(radar, "timeout")
    elapsed = time.monotonic() - started
    assert "deadline" in bad["last_error"]
    assert elapsed < 10 * deadline, f"cut off after {elapsed:.0f} s, not at the deadline"


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (404, "not_found"),
        (410, "gone"),
        (500, "server_error"),
        (502, "server_error"),
        (403, "http_error"),
    ],
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
    setup_feeds(
        workspace,
        server,
        server.route("/r", status=302, headers={"Location": "file:///etc/passwd"}),
    )
    run_and_check(radar, "bad_redirect")


def test_response_over_the_size_cap_is_cut(radar, workspace, server):
    setup_feeds(workspace, server, server.route("/big", body=b"<rss>" + b"x" * 3_000_000))
    run_and_check(radar, "too_large")


def loopback_buffer_maxima() -> int:
    """The most bytes the kernel may buffer on one TCP connection: receive plus send maxima."""
    total = 0
    for name in ("tcp_rmem", "tcp_wmem"):
        try:
            total += int(Path(f"/proc/sys/net/ipv4/{name}").read_text().split()[2])
        except (OSError, IndexError, ValueError):
            total += 8 * MiB
    return total


def test_a_100_mb_response_is_cut_at_the_default_cap_while_streaming(radar, workspace, server):
    size = 100 * MiB
    # No Content-Length (the body ends when the connection closes): only counting the
    # bytes as they arrive can stop it.
    huge_url = server.route("/huge", stream=streamed_rss(size))
    setup_feeds(workspace, server, huge_url, deadline=30, max_bytes=None)
    bad = run_and_check(radar, "too_large")
    assert "16 MiB" in bad["last_error"]
    # Radar hung up at the cap: the server got out 16 MiB plus what the two sockets' buffers
    # held (about 21 MiB in all here), never the whole 100 MB.
    assert 16 * MiB <= server.streamed["/huge"] < 17 * MiB + loopback_buffer_maxima() < size


def test_a_body_announced_over_the_cap_is_refused_before_downloading(radar, workspace, server):
    size = 100 * MiB
    huge_url = server.route(
        "/huge", stream=streamed_rss(size), headers={"Content-Length": str(size)}
    )
    setup_feeds(workspace, server, huge_url, deadline=30, max_bytes=None)
    bad = run_and_check(radar, "too_large")
    assert "16 MiB" in bad["last_error"]
    # Nothing was read: the server got out only what the socket buffers took unread.
    assert server.streamed["/huge"] < 16 * MiB


def test_gzip_bomb_is_capped_on_decompressed_bytes(radar, workspace, server):
    bomb = gzip.compress(b"<rss>" + b"\0" * 200_000_000, compresslevel=9)
    assert len(bomb) < 1_000_000
    setup_feeds(
        workspace, server, server.route("/bomb", body=bomb, headers={"Content-Encoding": "gzip"})
    )
    run_and_check(radar, "too_large")


def test_broken_gzip(radar, workspace, server):
    broken = gzip.compress(HEALTHY)[:-30] + b"garbage!"
    setup_feeds(
        workspace, server, server.route("/gz", body=broken, headers={"Content-Encoding": "gzip"})
    )
    run_and_check(radar, "decode_error")


def test_gzip_encoded_feed_is_decoded(radar, workspace, server):
    good = gzip.compress(rss([{"title": "Zipped", "link": "https://z.example/1"}]))
    setup_feeds(
        workspace, server, server.route("/gz", body=good, headers={"Content-Encoding": "gzip"})
    )
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
