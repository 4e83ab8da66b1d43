"""Many feeds on one host: HTTP/2 carries them on one connection, HTTP/1.1 stays polite.

The HTTP/2 server is real (hypercorn over TLS on 127.0.0.1, with a certificate made for
the test and trusted through SSL_CERT_FILE); the HTTP/1.1 one is tests/feedserver.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from feedserver import rss

from radar.feeds.config import FeedConfig, add_feeds

pytest.importorskip("hypercorn")
pytest.importorskip("trustme")
from h2server import H2Server  # noqa: E402


def feed(n: int) -> bytes:
    return rss(
        [
            {"title": f"Release {n}.{k}", "link": f"https://pkg{n}.example/{k}", "guid": f"{n}-{k}"}
            for k in range(3)
        ],
        title=f"Package {n}",
    )


@pytest.fixture
def h2server(monkeypatch: pytest.MonkeyPatch) -> Iterator[H2Server]:
    server = H2Server().start()
    monkeypatch.setenv("SSL_CERT_FILE", str(server.ca_file))
    try:
        yield server
    finally:
        server.stop()


def subscribe(workspace, urls: list[str], settings: str = "") -> None:
    if settings:
        workspace.feeds_path.write_text("feeds: []\nsettings:\n" + settings)
    add_feeds(workspace.feeds_path, [FeedConfig(f"pkg {n}", url) for n, url in enumerate(urls)])


def item_counts(radar) -> list[int]:
    rows = json.loads(radar("feeds", "status", "--json").stdout)
    return [row["item_count"] for row in rows]


def test_release_feeds_on_one_https_host_share_one_http2_connection(radar, workspace, h2server):
    urls = [h2server.route(f"/pkg{n}/releases.atom", feed(n), delay=0.05) for n in range(30)]
    subscribe(workspace, urls)

    first = radar("fetch", "--all", "--no-index")
    assert "30 ok" in first.stderr and "90 new items" in first.stderr
    assert item_counts(radar) == [3] * 30
    assert {seen.http_version for seen in h2server.requests} == {"2"}
    assert h2server.connections() == 1

    h2server.reset()
    second = radar("fetch", "--all", "--no-index")
    assert "30 not modified" in second.stderr and "0 new items" in second.stderr
    assert all(seen.headers.get("if-none-match") for seen in h2server.requests)
    assert h2server.statuses[304] == 30 and h2server.connections() == 1


def test_with_http2_off_the_same_host_gets_at_most_per_host_connections(radar, workspace, h2server):
    urls = [h2server.route(f"/pkg{n}/releases.atom", feed(n), delay=0.05) for n in range(12)]
    subscribe(workspace, urls, settings="  http2: false\n  per_host: 3\n")

    result = radar("fetch", "--all", "--no-index")
    assert "12 ok" in result.stderr
    assert {seen.http_version for seen in h2server.requests} == {"1.1"}
    assert 1 <= h2server.connections() <= 3


def test_an_https_host_without_http2_gets_http11_and_at_most_per_host_connections(
    radar, workspace, monkeypatch
):
    server = H2Server(http2=False).start()
    monkeypatch.setenv("SSL_CERT_FILE", str(server.ca_file))
    try:
        urls = [server.route(f"/pkg{n}/releases.atom", feed(n), delay=0.05) for n in range(12)]
        subscribe(workspace, urls, settings="  per_host: 3\n")
        result = radar("fetch", "--all", "--no-index")
    finally:
        server.stop()
    assert "12 ok" in result.stderr and "36 new items" in result.stderr
    assert {seen.http_version for seen in server.requests} == {"1.1"}
    assert 1 <= server.connections() <= 3


def test_a_plain_http_host_gets_at_most_six_connections_by_default(radar, workspace, server):
    urls = [server.route(f"/f{n}.xml", body=feed(n), delay=0.05) for n in range(24)]
    subscribe(workspace, urls)

    result = radar("fetch", "--all", "--no-index")
    assert "24 ok" in result.stderr
    assert 1 <= len({seen.client for seen in server.requests}) <= 6


def test_http2_setting_must_be_true_or_false(radar, workspace):
    workspace.feeds_path.write_text("feeds: []\nsettings:\n  http2: sometimes\n")
    result = radar("feeds", "list", ok=False)
    assert result.exit_code != 0
    assert "settings.http2" in result.stderr and "bool" in result.stderr
