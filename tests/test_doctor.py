"""`radar doctor` on a real workspace: healthy first, then each check made to fail.

The workspace is fetched from a server on 127.0.0.1 and indexed once per module;
each test works on its own copy and breaks one thing: a feed server that starts
failing, a feed that stopped publishing, an old or missing run, a drop in volume, a
tampered index, another model, a full disk. `--prometheus` output is read back with
prometheus_client's parser.
"""

from __future__ import annotations

import email.utils
import json
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from feedserver import rss, running_server

from radar.feeds.config import FeedConfig, add_feeds
from radar.store import to_iso

NOW = datetime.now(UTC)


def day(days_ago: float) -> str:
    return email.utils.format_datetime(NOW - timedelta(days=days_ago), usegmt=True)


def posts(prefix: str, count: int, days_ago: float = 1.0) -> list[dict[str, str]]:
    return [
        {
            "title": f"{prefix} post {n}: serving models with less memory",
            "link": f"https://{prefix.lower()}.example/{n}",
            "guid": f"{prefix}-{n}",
            "pubDate": day(days_ago + n / 10),
            "description": f"Notes number {n} on inference and quantisation.",
        }
        for n in range(count)
    ]


@pytest.fixture(scope="module")
def healthy_template(tmp_path_factory, model_cache):
    """A workspace with two feeds, fetched and indexed; the server lives for the module."""
    from click.testing import CliRunner

    from radar.cli import cli

    root = tmp_path_factory.mktemp("doctor-template")
    (root / "feeds.yaml").write_text("feeds: []\n")
    with running_server() as server:
        add_feeds(
            root / "feeds.yaml",
            [
                FeedConfig("News", server.route("/news.xml", body=rss(posts("News", 3)))),
                FeedConfig(
                    "Papers", server.route("/papers.xml", body=rss(posts("Papers", 2))), "papers"
                ),
            ],
        )
        result = CliRunner().invoke(cli, ["-w", str(root), "fetch"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        yield root


@pytest.fixture
def ws(healthy_template, workspace):
    """This test's copy of the healthy workspace."""
    shutil.copy(healthy_template / "feeds.yaml", workspace.feeds_path)
    shutil.copytree(healthy_template / "data", workspace.data_dir)
    return workspace


def doctor(radar, *args: str):
    return radar("doctor", *args, ok=False)


def checks(radar, *args: str) -> dict[str, dict]:
    result = doctor(radar, "--json", *args)
    report = json.loads(result.stdout)
    assert result.exit_code == report["exit_status"]
    return {check["name"]: check for check in report["checks"]}


def statuses(radar, *args: str) -> dict[str, str]:
    return {name: check["status"] for name, check in checks(radar, *args).items()}


def sql(workspace, statement: str, params=()) -> None:
    with sqlite3.connect(workspace.db_path) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(statement, params)


def add_settings(workspace, text: str) -> None:
    workspace.feeds_path.write_text(workspace.feeds_path.read_text() + "settings:\n" + text)


ALL_OK = {
    "feeds": "ok",
    "stale": "ok",
    "last_run": "ok",
    "volume": "ok",
    "index": "ok",
    "model": "ok",
    "database": "ok",
    "disk": "ok",
}


def test_a_healthy_workspace_is_all_ok(radar, ws):
    result = doctor(radar)
    assert result.exit_code == 0, result.stdout
    first, *lines = result.stdout.strip().splitlines()
    assert first.startswith("HEALTHY: 2 of 2 feeds")
    assert len(lines) == len(ALL_OK)
    assert all(line.startswith("OK ") for line in lines)
    assert "healthy" in result.stderr
    assert statuses(radar) == ALL_OK
    report = checks(radar)
    assert report["index"]["details"]["indexed"] == 5
    assert "5 items, 5 indexed, in step" in report["index"]["summary"]
    assert "all-MiniLM-L6-v2, 384-d, fingerprint" in report["model"]["summary"]


def check_line(result, name: str) -> str:
    (line,) = [line for line in result.stdout.splitlines()[1:] if line.split()[1] == name]
    return line


def test_a_feed_server_that_starts_failing_turns_feeds_red(radar, ws, server):
    add_feeds(
        ws.feeds_path,
        [FeedConfig("Flaky", server.route("/flaky.xml", body=rss(posts("Flaky", 1))))],
    )
    add_settings(ws, "  doctor:\n    max_feed_errors: 2\n")
    radar("fetch", "--feed", "Flaky")
    server.route("/flaky.xml", status=502, body=b"bad gateway")
    for _ in range(2):
        radar("fetch", "--feed", "Flaky")
    retrying = checks(radar)["feeds"]
    assert retrying["status"] == "ok" and "retrying" in retrying["summary"]
    radar("fetch", "--feed", "Flaky")
    result = doctor(radar)
    assert result.exit_code == 1, "failing feeds warn; other feeds still work"
    line = check_line(result, "feeds")
    assert line.startswith("WARN") and "Flaky (server_error ×3)" in line
    assert "radar feeds status" in line
    assert result.stdout.startswith("WARNING: ")
    assert statuses(radar, "--max-feed-errors", "3")["feeds"] == "ok", "threshold from a flag"


def test_a_feed_with_no_new_item_in_30_days_is_stale(radar, ws, server):
    old = server.route("/old.xml", body=rss(posts("Old", 2, days_ago=60)))
    add_feeds(ws.feeds_path, [FeedConfig("Old", old)])
    radar("fetch", "--feed", "Old")
    result = doctor(radar)
    assert result.exit_code == 1
    (line,) = [line for line in result.stdout.splitlines() if " stale " in line]
    assert line.startswith("WARN") and "Old" in line and "30d" in line
    assert statuses(radar, "--stale-after", "90d")["stale"] == "ok"


def test_a_feed_gone_quiet_by_dates_in_the_database_is_stale(radar, ws):
    sql(ws, "UPDATE items SET sort_date = ?", [to_iso(NOW - timedelta(days=45))])
    sql(ws, "UPDATE item_sources SET first_seen = ?", [to_iso(NOW - timedelta(days=45))])
    stale = checks(radar)["stale"]
    assert stale["status"] == "warn"
    assert set(stale["details"]["stale"]) == {"News", "Papers"}


@pytest.mark.parametrize(("days_ago", "status"), [(1, "ok"), (3, "warn"), (8, "fail")])
def test_last_successful_run_age(radar, ws, days_ago, status):
    sql(ws, "UPDATE fetch_runs SET finished = ?", [to_iso(NOW - timedelta(days=days_ago))])
    assert statuses(radar)["last_run"] == status


def test_no_successful_run_fails(radar, ws):
    sql(ws, "UPDATE fetch_runs SET ok = 0, notes = 'every feed failed'")
    report = checks(radar)
    assert report["last_run"]["status"] == "fail"
    assert "radar fetch" in report["last_run"]["hint"]
    assert statuses(radar, "--run-fail-after", "30d")["last_run"] == "fail", "no run at all"


def test_custom_run_age_thresholds(radar, ws):
    sql(ws, "UPDATE fetch_runs SET finished = ?", [to_iso(NOW - timedelta(hours=5))])
    assert statuses(radar, "--run-warn-after", "4h")["last_run"] == "warn"
    assert statuses(radar, "--run-warn-after", "1h", "--run-fail-after", "4h")["last_run"] == "fail"


def spread_first_seen(workspace, days: list[float]) -> None:
    with sqlite3.connect(workspace.db_path) as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM items ORDER BY id")]
        assert len(ids) >= len(days)
        for item_id, days_ago in zip(ids, days, strict=False):
            conn.execute(
                "UPDATE items SET first_seen = ? WHERE id = ?",
                [to_iso(NOW - timedelta(days=days_ago)), item_id],
            )


def test_ingest_volume_drop_against_the_4_week_average(radar, ws, server):
    add_feeds(
        ws.feeds_path, [FeedConfig("More", server.route("/more.xml", body=rss(posts("More", 7))))]
    )
    radar("fetch", "--feed", "More")
    # 11 of 12 items arrived 8..36 days ago (about 2.5 a week), 1 this week.
    spread_first_seen(ws, [36, 33, 30, 27, 24, 21, 18, 15, 12, 9, 8])
    volume = checks(radar)["volume"]
    assert volume["status"] == "warn"
    assert volume["details"] == {"this_week": 1, "weekly_average": 2.5}
    assert "below 50%" in volume["summary"]
    spread_first_seen(ws, [36, 33, 30, 27, 24, 21, 18, 15, 12, 1])
    assert statuses(radar)["volume"] == "ok", "2 this week is within half the average"


def test_under_five_weeks_of_history_is_no_baseline(radar, ws):
    volume = checks(radar)["volume"]
    assert volume["status"] == "ok" and "no 4-week average yet" in volume["summary"]


def test_a_deleted_index_file_fails(radar, ws):
    ws.index_path.unlink()
    report = checks(radar)
    assert report["index"]["status"] == "fail" and "radar index rebuild" in report["index"]["hint"]


def test_a_replaced_index_file_fails(radar, ws):
    ws.index_path.write_bytes(b"not a faiss index at all" * 100)
    report = checks(radar)
    assert report["index"]["status"] == "fail" and "unreadable" in report["index"]["summary"]


def test_rows_removed_behind_the_index_fail_until_repaired(radar, ws):
    sql(ws, "DELETE FROM items WHERE id IN (SELECT id FROM items ORDER BY id LIMIT 2)")
    report = checks(radar)
    assert report["index"]["status"] == "fail"
    assert "2 extra" in report["index"]["summary"]
    assert "radar index verify --repair" in report["index"]["hint"]
    radar("index", "verify", "--repair")
    assert statuses(radar)["index"] == "ok"


def test_vectors_removed_from_the_database_fail(radar, ws):
    sql(ws, "DELETE FROM embeddings WHERE item_id = (SELECT MIN(id) FROM items)")
    index = checks(radar)["index"]
    assert index["status"] == "fail" and "1 stale" in index["summary"]


def test_another_model_in_feeds_yaml_fails_with_the_rebuild_hint(radar, ws):
    from radar.embed import bundled_model_dir

    folder = bundled_model_dir()
    assert folder is not None
    add_settings(ws, f"  model: {folder}\n")  # on disk, but not the model of the index
    result = doctor(radar)
    assert result.exit_code == 2
    assert check_line(result, "model").startswith("FAIL")
    assert "radar index rebuild" in check_line(result, "model")
    assert check_line(result, "index").startswith("FAIL")
    assert str(folder) in check_line(result, "index")


def test_a_model_that_is_not_on_this_machine_fails_at_once(radar, ws):
    add_settings(ws, "  model: sentence-transformers/all-mpnet-base-v2\n")
    result = doctor(radar)
    assert result.exit_code == 2
    line = check_line(result, "model")
    assert line.startswith("FAIL") and "not on this machine" in line
    assert "settings.model" in line
    # No command reaches for a model hub: the index is rebuilt with a clear message.
    rebuild = radar("index", "rebuild", ok=False)
    assert rebuild.exit_code != 0
    assert "not on this machine" in rebuild.stderr


def test_little_free_disk_warns(radar, ws):
    result = doctor(radar, "--min-free-disk", "1000TiB")
    assert result.exit_code == 1
    line = check_line(result, "disk")
    assert line.startswith("WARN") and "free in data/" in line


def test_thresholds_from_feeds_yaml(radar, ws):
    # The last run finished a minute ago: past a 1 s threshold on a machine of any speed.
    sql(ws, "UPDATE fetch_runs SET finished = ?", [to_iso(NOW - timedelta(minutes=1))])
    add_settings(ws, "  doctor:\n    min_free_disk: 1000TiB\n    run_warn_after: 1s\n")
    report = statuses(radar)
    assert report["disk"] == "warn" and report["last_run"] == "warn"


def test_a_damaged_database_fails(radar, ws):
    # Garble a page of the full-text index's data: the database still opens and the
    # other checks still read it, but its integrity check does not pass.
    with sqlite3.connect(ws.db_path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        root = conn.execute(
            "SELECT rootpage FROM sqlite_schema WHERE name = 'items_fts_data'"
        ).fetchone()[0]
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    with open(ws.db_path, "r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\x0d" + b"\xff" * 64)
    result = doctor(radar)
    assert result.exit_code == 2
    line = check_line(result, "database")
    assert line.startswith("FAIL") and "integrity check" in line


# --- Prometheus ------------------------------------------------------------------------------


def families(text: str) -> dict:
    from prometheus_client.parser import text_string_to_metric_families

    return {family.name: family for family in text_string_to_metric_families(text)}


def value(parsed: dict, name: str, **labels: str) -> float:
    for sample in parsed[name].samples:
        if sample.labels == labels:
            return sample.value
    raise KeyError((name, labels))


def test_prometheus_output_parses_and_matches_the_report(radar, ws, server):
    awkward = 'Team "infra" \\ notes'
    add_feeds(ws.feeds_path, [FeedConfig(awkward, server.route("/x.xml", status=500))])
    add_settings(ws, "  doctor:\n    max_feed_errors: 1\n")
    for _ in range(2):
        radar("fetch", "--feed", awkward)
    result = radar("doctor", "--prometheus")
    assert result.exit_code == 0, "the status is in the metrics; a textfile job must not fail"
    parsed = families(result.stdout)
    assert all(name.startswith("radar_") for name in parsed)
    assert all(family.type == "gauge" for family in parsed.values())
    assert all(family.documentation for family in parsed.values())
    report = json.loads(doctor(radar, "--json").stdout)
    assert value(parsed, "radar_health_status") == report["exit_status"] == 1
    for check in report["checks"]:
        expected = {"ok": 0, "warn": 1, "fail": 2}[check["status"]]
        assert value(parsed, "radar_check_status", check=check["name"]) == expected
    assert value(parsed, "radar_feed_consecutive_errors", feed=awkward) == 2
    assert value(parsed, "radar_feed_failing", feed=awkward) == 1
    assert value(parsed, "radar_feed_failing", feed="News") == 0
    assert value(parsed, "radar_feeds") == 3 and value(parsed, "radar_feeds_failing") == 1
    assert value(parsed, "radar_items") == 5 and value(parsed, "radar_index_vectors") == 5
    assert value(parsed, "radar_database_size_bytes") > 0
    assert value(parsed, "radar_data_disk_free_bytes") > 0
    last_success = value(parsed, "radar_last_successful_run_timestamp_seconds")
    assert abs(last_success - NOW.timestamp()) < 3600
    (info,) = parsed["radar_model_info"].samples
    assert info.labels["model"] == "all-MiniLM-L6-v2" and len(info.labels["fingerprint"]) == 16
    assert 'feed="Team \\"infra\\" \\\\ notes"' in result.stdout, "label escaped as the format says"


def test_prometheus_on_an_empty_workspace(radar, workspace):
    parsed = families(radar("doctor", "--prometheus").stdout)
    assert value(parsed, "radar_health_status") == 2, "never fetched"
    assert parsed["radar_last_successful_run_timestamp_seconds"].samples == []
    assert value(parsed, "radar_feeds") == 0
