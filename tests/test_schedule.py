"""Per-feed schedules: a feed is fetched when its interval has passed.

The interval comes from the feed's <ttl>, its server's Cache-Control max-age or
Expires, clamped to settings min_interval..max_interval, or from the feed's own
`interval:`; errors back off exponentially and a recovered feed resets. Stories run
against a real server on 127.0.0.1 with an injected clock, so nothing sleeps.
"""

from __future__ import annotations

import email.utils
import json
from datetime import UTC, datetime, timedelta

import pytest
from feedserver import rss

from radar.errors import ConfigError
from radar.feeds import schedule
from radar.feeds.config import FeedConfig, Settings, add_feeds, load_config, parse_duration
from radar.ingest import RunSummary, run_fetch
from radar.store import Store, from_iso, utc_now

MINUTE, HOUR, DAY = 60.0, 3600.0, 86400.0
ITEMS = [{"title": "A post", "link": "https://blog.example/a", "guid": "a"}]
SETTINGS = Settings()  # 15 min .. 24 h, 1 h when a feed says nothing


class Clock:
    """'Now' for the fetch pipeline, moved by hand."""

    def __init__(self) -> None:
        self.now = utc_now()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def rss_with_ttl(minutes: int) -> bytes:
    return rss(ITEMS).replace(b"<description>t</description>", f"<ttl>{minutes}</ttl>".encode())


def fetch(workspace, clock: Clock, *, due_only: bool = True, **options) -> RunSummary:
    config = load_config(workspace.feeds_path)
    with Store(workspace.db_path) as store:
        return run_fetch(store, config, due_only=due_only, clock=clock, **options)


def feed_row(workspace, name: str) -> dict:
    with Store(workspace.db_path) as store:
        return dict(store.feed_row(name))


def interval_of(workspace, name: str, clock: Clock) -> float:
    """Seconds from the clock's now to the feed's stored next_due."""
    due = from_iso(feed_row(workspace, name)["next_due"])
    assert due is not None
    return (due - clock.now).total_seconds()


@pytest.fixture
def clock() -> Clock:
    return Clock()


# --- the rules, one at a time ----------------------------------------------------------

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"cache-control": "public, max-age=7200"}, 7200),
        ({"cache-control": "max-age=7200", "age": "600"}, 6600),
        ({"cache-control": "max-age=60", "expires": "Thu, 26 Nov 2026 20:00:00 GMT"}, 60),
        ({"cache-control": "no-cache"}, 0),
        ({"cache-control": "no-store, max-age=600"}, 0),
        ({"expires": "Thu, 26 Nov 2026 15:00:00 GMT"}, 3 * HOUR),
        (
            {"expires": "Thu, 26 Nov 2026 15:00:00 GMT", "date": "Thu, 26 Nov 2026 14:00:00 GMT"},
            HOUR,
        ),
        ({"expires": "0"}, 0),
        ({"content-type": "application/rss+xml"}, None),
    ],
)
def test_freshness_from_cache_control_and_expires(headers, seconds):
    assert schedule.header_freshness(headers, NOW) == seconds


@pytest.mark.parametrize(
    ("ttl", "freshness", "override", "expected"),
    [
        (None, None, None, HOUR),  # nothing announced: default_interval
        (120, None, None, 2 * HOUR),  # <ttl> in minutes
        (None, 3 * HOUR, None, 3 * HOUR),  # max-age / Expires
        (60, 5 * HOUR, None, 5 * HOUR),  # both: the longer (the politer)
        (1, None, None, 15 * MINUTE),  # clamped up to min_interval
        (None, 0.0, None, 15 * MINUTE),  # no-cache: as often as allowed
        (60 * 24 * 10, None, None, DAY),  # clamped down to max_interval
        (120, 3 * HOUR, 5 * MINUTE, 5 * MINUTE),  # per-feed interval wins over all
        (None, None, 3 * DAY, 3 * DAY),  # ... even beyond the range
    ],
)
def test_regular_interval(ttl, freshness, override, expected):
    feed = FeedConfig("F", "http://x/f", interval=override)
    assert (
        schedule.regular_interval(feed, SETTINGS, ttl_minutes=ttl, freshness=freshness) == expected
    )


def test_errors_back_off_exponentially_up_to_max_interval():
    waits = [schedule.backoff_interval(HOUR, errors, SETTINGS) for errors in range(1, 7)]
    assert waits == [2 * HOUR, 4 * HOUR, 8 * HOUR, 16 * HOUR, DAY, DAY]
    assert schedule.backoff_interval(2 * DAY, 3, SETTINGS) == 2 * DAY, "a longer override stays"


def test_retry_after_is_a_floor_for_the_next_fetch():
    later = NOW + timedelta(hours=30)
    assert schedule.due_after(NOW, HOUR, later) == later
    assert schedule.due_after(NOW, HOUR, NOW + timedelta(minutes=5)) == NOW + timedelta(hours=1)


def test_never_fetched_feeds_are_due():
    assert schedule.is_due(None, NOW)
    assert schedule.is_due(NOW, NOW)
    assert not schedule.is_due(NOW + timedelta(seconds=1), NOW)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30), ("15m", 900), ("2h", 7200), ("1d", 86400), ("1w", 604800), ("1h30m", 5400)],
)
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["15", "soon", "0m", "-5m", "1 fortnight"])
def test_bad_durations(text):
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize(
    ("yaml_text", "line", "field"),
    [
        ("settings:\n  min_interval: 15\n", 2, "settings.min_interval"),
        ("settings:\n  max_interval: 1h\n  min_interval: 2h\n", 2, "settings.max_interval"),
        ("settings:\n  log_format: xml\n", 2, "settings.log_format"),
        ("settings:\n  doctor:\n    stale_after: 30\n", 3, "settings.doctor.stale_after"),
        ("settings:\n  doctor:\n    volume_drop: 2\n", 3, "settings.doctor.volume_drop"),
        ("settings:\n  doctor:\n    max_errors: 2\n", 3, "settings.doctor.max_errors"),
        ("feeds:\n  - name: a\n    url: http://x/f\n    interval: often\n", 4, "feeds[0].interval"),
    ],
)
def test_schedule_settings_are_validated_with_line_and_field(tmp_path, yaml_text, line, field):
    path = tmp_path / "feeds.yaml"
    path.write_text(yaml_text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert (caught.value.line, caught.value.field) == (line, field)


def test_schedule_settings_are_read(tmp_path):
    path = tmp_path / "feeds.yaml"
    path.write_text(
        "feeds:\n  - name: a\n    url: http://x/f\n    interval: 2h\n"
        "settings:\n  min_interval: 5m\n  max_interval: 2d\n  default_interval: 30m\n"
        "  log_format: json\n  log_file: true\n"
        "  doctor:\n    max_feed_errors: 5\n    stale_after: 60d\n    min_free_disk: 2GiB\n"
    )
    config = load_config(path)
    settings = config.settings
    assert config.feed("a").interval == 2 * HOUR
    assert (settings.min_interval, settings.max_interval, settings.default_interval) == (
        5 * MINUTE,
        2 * DAY,
        30 * MINUTE,
    )
    assert (settings.log_format, settings.log_file) == ("json", "data/logs/radar.log")
    assert settings.doctor.max_feed_errors == 5
    assert settings.doctor.stale_after == 60 * DAY
    assert settings.doctor.min_free_disk == 2 * 1024**3


# --- stories against a real server ------------------------------------------------------


def test_a_feed_with_a_ttl_is_fetched_again_only_when_it_has_passed(workspace, server, clock):
    add_feeds(
        workspace.feeds_path, [FeedConfig("Ttl", server.route("/t.xml", body=rss_with_ttl(120)))]
    )
    assert fetch(workspace, clock).count("ok") == 1, "a new feed is due at once"
    assert interval_of(workspace, "Ttl", clock) == 2 * HOUR
    clock.advance(minutes=119)
    skipped = fetch(workspace, clock)
    assert skipped.not_due == ["Ttl"] and not skipped.outcomes
    assert len(server.requests_to("/t.xml")) == 1
    clock.advance(minutes=1)
    assert fetch(workspace, clock).count("not_modified") == 1
    assert len(server.requests_to("/t.xml")) == 2
    assert interval_of(workspace, "Ttl", clock) == 2 * HOUR, "a 304 keeps the stored ttl"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Cache-Control": "max-age=10800"}, 3 * HOUR),
        ({"Cache-Control": "max-age=30"}, 15 * MINUTE),
        ({"Cache-Control": "max-age=604800"}, DAY),
        ({"Expires": "in-a-while"}, 15 * MINUTE),
        ({}, HOUR),
    ],
)
def test_server_cache_headers_set_the_interval_within_the_range(
    workspace, server, clock, headers, expected
):
    add_feeds(
        workspace.feeds_path,
        [FeedConfig("F", server.route("/f.xml", body=rss(ITEMS), headers=headers))],
    )
    fetch(workspace, clock)
    assert interval_of(workspace, "F", clock) == expected


def test_expires_header_sets_the_interval(workspace, server, clock):
    expires = email.utils.format_datetime(datetime.now(UTC) + timedelta(hours=5), usegmt=True)
    add_feeds(
        workspace.feeds_path,
        [FeedConfig("F", server.route("/f.xml", body=rss(ITEMS), headers={"Expires": expires}))],
    )
    fetch(workspace, clock)
    assert abs(interval_of(workspace, "F", clock) - 5 * HOUR) <= 2


def test_range_and_per_feed_interval_come_from_feeds_yaml(workspace, server, clock):
    workspace.feeds_path.write_text(
        "feeds:\n"
        f"  - name: Pinned\n    url: {server.route('/p.xml', body=rss_with_ttl(600))}\n"
        "    interval: 5m\n"
        f"  - name: Chatty\n    url: {server.route('/c.xml', body=rss_with_ttl(1))}\n"
        f"  - name: Slow\n    url: {server.route('/s.xml', body=rss_with_ttl(6000))}\n"
        "settings:\n  min_interval: 30m\n  max_interval: 12h\n"
    )
    fetch(workspace, clock)
    assert interval_of(workspace, "Pinned", clock) == 5 * MINUTE
    assert interval_of(workspace, "Chatty", clock) == 30 * MINUTE
    assert interval_of(workspace, "Slow", clock) == 12 * HOUR
    clock.advance(minutes=6)
    assert [o.name for o in fetch(workspace, clock).outcomes] == ["Pinned"]


def test_retry_after_sets_next_due_even_beyond_max_interval(workspace, server):
    clock = Clock()
    add_feeds(
        workspace.feeds_path,
        [FeedConfig("Busy", server.route("/b.xml", status=429, headers={"Retry-After": "172800"}))],
    )
    fetch(workspace, clock)
    assert interval_of(workspace, "Busy", clock) >= 2 * DAY - 5


def test_errors_back_off_and_a_recovered_feed_resets(workspace, server, clock):
    add_feeds(
        workspace.feeds_path, [FeedConfig("Flaky", server.route("/f.xml", status=500, body=b"no"))]
    )
    waits = []
    for _ in range(6):
        outcome = fetch(workspace, clock).outcomes[0]
        assert outcome.status == "error"
        waits.append(interval_of(workspace, "Flaky", clock))
        clock.advance(seconds=waits[-1] - 1)
        assert fetch(workspace, clock).not_due == ["Flaky"], "not retried before its time"
        clock.advance(seconds=1)
    assert waits == [2 * HOUR, 4 * HOUR, 8 * HOUR, 16 * HOUR, DAY, DAY]
    assert feed_row(workspace, "Flaky")["error_count"] == 6
    server.route("/f.xml", body=rss(ITEMS))
    assert fetch(workspace, clock).count("ok") == 1
    row = feed_row(workspace, "Flaky")
    assert row["error_count"] == 0
    assert interval_of(workspace, "Flaky", clock) == HOUR, "back to the regular interval"


def test_a_new_or_moved_feed_is_due_at_once(workspace, server, clock):
    add_feeds(workspace.feeds_path, [FeedConfig("Old", server.route("/o.xml", body=rss(ITEMS)))])
    fetch(workspace, clock)
    add_feeds(workspace.feeds_path, [FeedConfig("New", server.route("/n.xml", body=rss(ITEMS)))])
    assert [o.name for o in fetch(workspace, clock).outcomes] == ["New"]
    text = workspace.feeds_path.read_text().replace("/o.xml", "/o2.xml")
    workspace.feeds_path.write_text(text)
    server.route("/o2.xml", body=rss(ITEMS))
    assert [o.name for o in fetch(workspace, clock).outcomes] == ["Old"], "a new URL is due"


def test_fetch_takes_due_feeds_all_takes_every_feed_and_feed_takes_that_one(
    radar, workspace, server
):
    add_feeds(
        workspace.feeds_path,
        [
            FeedConfig("A", server.route("/a.xml", body=rss(ITEMS))),
            FeedConfig("B", server.route("/b.xml", body=rss(ITEMS))),
        ],
    )
    radar("fetch", "--no-index")
    second = radar("fetch", "--no-index")
    assert "2 feeds: 0 ok, 0 not modified, 0 failed, 2 not due" in second.stderr
    assert len(server.requests) == 2
    radar("fetch", "--no-index", "--feed", "B")
    assert [seen.path for seen in server.requests[2:]] == ["/b.xml"]
    radar("fetch", "--no-index", "--all")
    assert len(server.requests) == 5
    status = json.loads(radar("feeds", "status", "--json").stdout)
    assert all(from_iso(row["next_due"]) > datetime.now(UTC) for row in status)


def test_all_still_honours_retry_after_and_force_does_not(radar, workspace, server):
    add_feeds(
        workspace.feeds_path,
        [FeedConfig("Busy", server.route("/b.xml", status=503, headers={"Retry-After": "3600"}))],
    )
    radar("fetch", "--no-index")
    deferred = radar("fetch", "--no-index", "--all")
    assert "1 deferred" in deferred.stderr
    assert len(server.requests_to("/b.xml")) == 1
    radar("fetch", "--no-index", "--force")
    assert len(server.requests_to("/b.xml")) == 2
