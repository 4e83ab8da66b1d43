"""A new user on a machine without internet: health must not lie, runs must be readable.

The workspace is offline the easy way: three feeds on a closed port of 127.0.0.1
(connection refused) and four on hosts under `.invalid`, which never resolve (DNS
error). Terminal-only output is tested by forcing a terminal (RADAR_FORCE_TERMINAL=1
makes rich draw as on a real one); what must also hold off a terminal is tested there.
"""

from __future__ import annotations

import io
import json
import logging
import socket
from pathlib import Path

import pytest
from feedserver import rss

from radar.feeds.config import FeedConfig, add_feeds

DEAD = 3
NOWHERE = 4
FEEDS = DEAD + NOWHERE
POSTS = [
    {"title": "Paged attention explained", "link": "https://blog.example/paged", "guid": "p"},
    {"title": "Speculative decoding in practice", "link": "https://blog.example/spec", "guid": "s"},
]


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def fresh_model_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A model cache with nothing prepared in it (as on a new machine)."""
    cache = tmp_path / "model-cache"
    monkeypatch.setenv("RADAR_MODEL_CACHE", str(cache))
    return cache


@pytest.fixture
def offline(workspace, fresh_model_cache):
    port = closed_port()
    add_feeds(
        workspace.feeds_path,
        [FeedConfig(f"Dead port {n}", f"http://127.0.0.1:{port}/feed{n}.xml") for n in range(DEAD)]
        + [
            FeedConfig(f"Nowhere {n}", f"https://news{n}.example.invalid/rss")
            for n in range(NOWHERE)
        ],
    )
    return workspace


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RADAR_FORCE_TERMINAL", "1")


def runs(radar) -> list[dict]:
    return json.loads(radar("runs", "--json").stdout)


def doctor_report(radar) -> tuple[int, dict]:
    result = radar("doctor", "--json", ok=False)
    return result.exit_code, json.loads(result.stdout)


# --- health must not lie ------------------------------------------------------------------


def test_a_first_fetch_where_nothing_is_reachable_is_a_failed_run(
    radar, offline, fresh_model_cache
):
    result = radar("fetch")
    assert result.exit_code == 0, "failed feeds are recorded, not fatal"
    lines = result.stderr.strip().splitlines()
    assert len([line for line in lines if " WARNING feed: " in line]) == FEEDS, "one line per feed"
    run_line = lines[-1]
    assert f"{FEEDS} failed ({NOWHERE} dns_error, {DEAD} connection_refused)" in run_line
    assert "no feed reachable" in run_line and "Offline, or a proxy?" in run_line
    assert runs(radar)[0]["status"] == "failed"
    assert not fresh_model_cache.exists() or not any(fresh_model_cache.iterdir()), (
        "nothing to embed: the model is not prepared"
    )


def test_a_second_fetch_says_nothing_is_due_and_proves_nothing(radar, offline, terminal):
    radar("fetch")
    second = radar("fetch")
    assert f"{FEEDS} feeds not due (next in " in second.stderr
    assert "`radar fetch --all` fetches them now" in second.stderr
    assert [run["status"] for run in runs(radar)] == ["nothing due", "failed"]
    table = radar("runs").stdout
    assert "nothing due" in table and "FAILED" in table

    exit_code, report = doctor_report(radar)
    assert exit_code == 2, "no feed has ever succeeded"
    assert report["headline"].startswith("FAILING: no feed reachable: every error is")
    checks = {check["name"]: check for check in report["checks"]}
    feeds = checks["feeds"]
    assert feeds["status"] == "warn" and len(feeds["details"]["failing"]) == FEEDS
    assert "never succeeded" in feeds["summary"] and not feeds["details"]["retrying"]
    assert checks["last_run"]["status"] == "fail"
    assert "no feed has ever been fetched successfully" in checks["last_run"]["summary"]


def test_doctor_first_line_names_the_cause_and_the_exit_code_is_2(radar, offline):
    radar("fetch")
    result = radar("doctor", ok=False)
    assert result.exit_code == 2
    first = result.stdout.splitlines()[0]
    assert first.startswith("FAILING: no feed reachable")
    assert "Offline, or a proxy?" in first and "radar fetch --all" in first
    assert "failing (exit 2)" in result.stderr


def test_a_new_workspace_that_never_fetched_fails_and_says_to_fetch(radar, offline):
    result = radar("doctor", ok=False)
    assert result.exit_code == 2
    assert result.stdout.startswith("FAILING: nothing fetched yet: run `radar fetch`")


def test_one_working_feed_among_failing_ones_warns_with_exit_1(radar, offline, server):
    add_feeds(offline.feeds_path, [FeedConfig("Good", server.route("/good.xml", body=rss(POSTS)))])
    radar("fetch", "--no-index")
    exit_code, report = doctor_report(radar)
    assert exit_code == 1, "a feed works; the failing ones and the partial run warn"
    checks = {check["name"]: check for check in report["checks"]}
    assert checks["feeds"]["status"] == "warn"
    assert "Good" not in checks["feeds"]["details"]["failing"]
    assert (
        checks["last_run"]["status"] == "warn" and "had failures" in checks["last_run"]["summary"]
    )
    assert report["headline"].startswith("WARNING: ")
    assert runs(radar)[0]["status"] == "partial"


def test_doctor_and_the_digest_name_the_same_failing_feeds(radar, offline, server):
    add_feeds(offline.feeds_path, [FeedConfig("Good", server.route("/good.xml", body=rss(POSTS)))])
    radar("fetch", "--no-index")
    _, report = doctor_report(radar)
    doctor_failing = set(
        next(c for c in report["checks"] if c["name"] == "feeds")["details"]["failing"]
    )
    digest = json.loads(radar("digest", "--format", "json").stdout)
    digest_failing = {feed["name"] for feed in digest["feed_health"] if feed["state"] == "failing"}
    assert digest_failing == doctor_failing and len(doctor_failing) == FEEDS
    assert digest["summary"]["feeds_failing"] == FEEDS


# --- runs a person can read ---------------------------------------------------------------


def test_on_a_terminal_failures_are_grouped_in_one_summary(radar, offline, terminal):
    result = radar("fetch")
    err = result.stderr
    assert " feed: " not in err, "no per-feed log line on a terminal"
    assert "fetching feeds" in err and f"{FEEDS}/{FEEDS}" in err, "the live display was drawn"
    assert f"{NOWHERE} failed with dns_error: Nowhere 0, Nowhere 1, Nowhere 2 and 1 more" in err
    assert f"{DEAD} failed with connection_refused" in err
    assert f"{FEEDS} feeds: 0 ok, 0 not modified, {FEEDS} failed" in err
    assert err.count("no feed reachable") == 1, "the hint once, on its own line"


def test_verbose_and_the_log_file_keep_one_line_per_feed(radar, offline, terminal, tmp_path):
    verbose = radar("fetch", "--verbose").stderr
    assert verbose.count(" WARNING feed: ") == FEEDS
    assert "failed with dns_error" in verbose, "and the summary still ends the run"
    log = tmp_path / "radar.log"
    radar("fetch", "--all", "--log-file", str(log))
    assert log.read_text().count(" WARNING feed: ") == FEEDS


def test_feeds_failing_for_an_unusual_reason_are_listed_by_name(radar, offline, server, terminal):
    add_feeds(
        offline.feeds_path,
        [
            FeedConfig("Good", server.route("/good.xml", body=rss(POSTS))),
            FeedConfig("Moved away", server.url("/missing.xml")),
        ],
    )
    err = radar("fetch", "--no-index").stderr
    assert f"{NOWHERE} failed with dns_error" in err
    assert "failed: Moved away: " in err, "a lone failure is listed with its reason"
    assert "no feed reachable" not in err, "a feed worked: the network is not the cause"


def test_off_a_terminal_nothing_is_drawn(radar, offline):
    err = radar("fetch").stderr
    assert "\x1b[" not in err and "fetching feeds" not in err


def test_every_log_line_appears_once_even_after_a_library_configures_logging(radar, offline):
    root_output = io.StringIO()
    # What an import that calls logging.basicConfig() leaves behind: a root handler.
    stray = logging.StreamHandler(root_output)
    logging.getLogger().addHandler(stray)
    try:
        result = radar("fetch")
    finally:
        logging.getLogger().removeHandler(stray)
    assert "radar" not in root_output.getvalue()
    assert "WARNING:radar" not in result.stderr
    assert result.stderr.count("feed: Nowhere 0: failed") == 1


def test_watch_on_a_terminal_shows_the_same_summary(radar, offline, terminal):
    err = radar("watch", "--once").stderr
    assert " feed: " not in err
    assert f"{NOWHERE} failed with dns_error" in err and "no feed reachable" in err


# --- no silent waits ----------------------------------------------------------------------


def test_the_model_is_prepared_once_when_needed_and_says_so(
    radar, workspace, server, fresh_model_cache, tmp_path
):
    add_feeds(
        workspace.feeds_path, [FeedConfig("Good", server.route("/good.xml", body=rss(POSTS)))]
    )
    first = radar("fetch")
    assert "preparing the search model all-MiniLM-L6-v2" in first.stderr
    assert "indexed 2 new or changed items" in first.stderr
    assert "WARNING:radar" not in first.stderr, "the export leaves no second log format"
    assert first.stderr.count("feed: Good: HTTP 200") == 1
    assert any(fresh_model_cache.iterdir()), "kept in the shared model cache"

    other = tmp_path / "second-workspace"
    init = radar("init", str(other))
    assert "search model all-MiniLM-L6-v2 ready (prepared earlier" in init.stdout
    add_feeds(other / "feeds.yaml", [FeedConfig("Good", server.url("/good.xml"))])
    again = radar("-w", str(other), "fetch")
    assert "preparing the search model" not in again.stderr
    assert "indexed 2 new or changed items" in again.stderr


async def test_a_tui_refresh_with_nothing_reachable_says_why(offline) -> None:  # type: ignore[no-untyped-def]
    from test_tui import SIZE, make_app, settle

    app = make_app(offline)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        status = str(app.status)
        assert f"{FEEDS} failed ({NOWHERE} dns_error, {DEAD} connection_refused)" in status
        assert "no feed reachable" in status and "Offline, or a proxy?" in status
