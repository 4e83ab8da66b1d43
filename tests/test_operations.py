"""Running unattended: the workspace lock and exit codes, run history, watch, and logs."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from feedserver import rss

from radar.feeds.config import FeedConfig, add_feeds, load_config
from radar.ops.runner import run_cycle
from radar.store import Store

HANG_GUARD = 60.0
"""Seconds a wait may last before the test fails: a hang guard, not a speed claim."""

ITEMS = [
    {"title": "Paged attention explained", "link": "https://blog.example/paged", "guid": "p"},
    {"title": "Speculative decoding in practice", "link": "https://blog.example/spec", "guid": "s"},
]
BODY = rss(ITEMS)

HOLD_LOCK = """
import sys, time
from pathlib import Path
from radar.lock import WorkspaceLock
lock = WorkspaceLock(Path(sys.argv[1]))
lock.acquire()
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
lock.release()
"""


@contextmanager
def lock_held(workspace, seconds: float = 60) -> Iterator[subprocess.Popen]:
    """Another process holding the workspace lock (as a running `radar fetch` would)."""
    workspace.ensure_data_dir()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(workspace.lock_path), str(seconds)],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"locked"
        yield holder
    finally:
        holder.kill()
        holder.wait()


def radar_process(workspace, *args: str, **popen) -> subprocess.Popen:
    """The real `radar` entry point in a child process (exit codes as cron sees them)."""
    return subprocess.Popen(
        [sys.executable, "-m", "radar", "-w", str(workspace.root), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def subscribe_good(workspace, server) -> None:
    add_feeds(workspace.feeds_path, [FeedConfig("Good", server.route("/good.xml", body=BODY))])


def runs(radar) -> list[dict]:
    return json.loads(radar("runs", "--json", "--limit", "100").stdout)


# --- the lock and exit codes ------------------------------------------------------------


def test_a_second_fetch_exits_75_while_another_run_holds_the_lock(radar, workspace, server):
    subscribe_good(workspace, server)
    with lock_held(workspace) as holder:
        busy = radar("fetch", "--no-index", ok=False)
    assert busy.exit_code == 75
    (line,) = busy.stderr.strip().splitlines()
    assert line.startswith("radar: error: another radar fetch is running")
    assert f"pid {holder.pid}" in line
    assert server.requests == [], "nothing fetched"
    assert runs(radar) == [], "a run that never started is not recorded"


def test_the_real_entry_point_exits_75_with_one_line(workspace, server):
    subscribe_good(workspace, server)
    log_file = workspace.root / "radar.log"
    with lock_held(workspace):
        child = radar_process(workspace, "fetch", "--no-index", "--log-file", str(log_file))
        _, stderr = child.communicate(timeout=60)
    assert child.returncode == 75
    assert stderr.count("\n") == 1 and stderr.startswith("radar: error: another radar fetch")
    assert "WARNING run: not started: another radar fetch is running" in log_file.read_text()


def test_wait_lets_a_second_fetch_run_after_the_first(radar, workspace, server, monkeypatch):
    subscribe_good(workspace, server)
    found_busy = threading.Event()
    real_flock = fcntl.flock

    def flock_noting_a_busy_lock(fd: int, operation: int) -> None:
        try:
            real_flock(fd, operation)
        except BlockingIOError:
            found_busy.set()
            raise

    monkeypatch.setattr(fcntl, "flock", flock_noting_a_busy_lock)
    with lock_held(workspace) as first_run:

        def end_first_run_once_the_second_waits() -> None:
            found_busy.wait(HANG_GUARD)
            first_run.terminate()

        threading.Thread(target=end_first_run_once_the_second_waits, daemon=True).start()
        waited = radar("fetch", "--no-index", "--wait", "120")
    assert found_busy.is_set(), "the second fetch found the lock held and waited"
    assert "1 ok" in waited.stderr


def test_a_lock_left_by_a_killed_process_is_recovered(radar, workspace, server):
    subscribe_good(workspace, server)
    with lock_held(workspace) as holder:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
        assert workspace.lock_path.exists(), "the file stays behind"
        result = radar("fetch", "--no-index")  # no --wait: a lock still held would exit 75
    assert "1 ok" in result.stderr


def test_no_progress_output_when_stderr_is_not_a_terminal(radar, workspace, server):
    subscribe_good(workspace, server)
    result = radar("fetch", "--no-index")
    assert "\r" not in result.stderr and "\x1b" not in result.stderr


# --- run history --------------------------------------------------------------------------


def test_every_fetch_is_recorded_in_the_run_history(radar, workspace, server):
    subscribe_good(workspace, server)
    radar("fetch", "--no-index")
    radar("fetch", "--no-index")
    second, first = runs(radar)
    assert first["trigger"] == "fetch" and first["ok"] and first["exit_status"] == 0
    assert (first["feeds_ok"], first["feeds_failed"], first["items_new"]) == (1, 0, 2)
    assert first["started"] <= first["finished"] and first["duration_s"] >= 0
    assert (second["feeds_ok"], second["feeds_not_due"], second["items_new"]) == (0, 1, 0)
    table = radar("runs").stdout
    assert "STARTED" in table and "1/0/0" in table and "+1 not due" in table


def test_a_failed_run_is_recorded_with_its_exit_status(radar, workspace, server):
    add_feeds(workspace.feeds_path, [FeedConfig("Down", server.route("/d.xml", status=500))])
    assert radar("fetch", "--no-index", "--strict", ok=False).exit_code == 1
    (run,) = runs(radar)
    assert run["exit_status"] == 1 and not run["ok"] and run["feeds_failed"] == 1
    assert "FAILED (1)" in radar("runs").stdout


@pytest.mark.parametrize(
    ("error", "exit_status", "notes"),
    [
        (RuntimeError("disk on fire"), 1, "crashed: RuntimeError: disk on fire"),
        (KeyboardInterrupt(), 130, "interrupted"),
    ],
)
def test_a_run_that_breaks_half_way_is_still_recorded(
    workspace, server, monkeypatch, error, exit_status, notes
):
    subscribe_good(workspace, server)

    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr("radar.ops.runner.run_fetch", broken)
    with Store(workspace.db_path) as store, pytest.raises(type(error)):
        run_cycle(store, workspace, load_config(workspace.feeds_path))
    with Store(workspace.db_path) as store:
        (row,) = store.query("SELECT * FROM fetch_runs")
    assert (row["exit_status"], row["notes"], row["ok"]) == (exit_status, notes, 0)


# --- watch ----------------------------------------------------------------------------------


def test_watch_once_runs_one_cycle(radar, workspace, server):
    subscribe_good(workspace, server)
    result = radar("watch", "--once", "--no-index")
    assert "1 ok" in result.stderr
    assert [run["trigger"] for run in runs(radar)] == ["watch"]


def test_watch_sleeps_until_the_next_due_feed_at_most_every(radar, workspace, server):
    subscribe_good(workspace, server)
    result = radar("watch", "--iterations", "3", "--every", "0.1s", "--no-index")
    assert result.stderr.count("next cycle in 0 s") == 2
    history = runs(radar)
    assert [run["trigger"] for run in history] == ["watch"] * 3
    assert [run["feeds_ok"] for run in history] == [0, 0, 1], "later cycles: nothing due"
    assert len(server.requests) == 1


def test_watch_skips_a_cycle_while_another_run_holds_the_lock(radar, workspace, server):
    subscribe_good(workspace, server)
    with lock_held(workspace):
        result = radar("watch", "--once", "--no-index")
    assert "skipped this cycle" in result.stderr
    assert server.requests == []


def test_watch_refuses_a_broken_feeds_yaml(radar, workspace):
    workspace.feeds_path.write_text("feeds: [\n")
    assert radar("watch", "--once", ok=False).exit_code == 2


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_watch_stops_cleanly_on_ctrl_c_or_sigterm(workspace, server, stop):
    subscribe_good(workspace, server)
    child = radar_process(workspace, "watch", "--no-index", "--every", "10m")
    guard = threading.Timer(HANG_GUARD, child.kill)
    guard.start()
    try:
        assert child.stderr is not None
        before = []
        for line in child.stderr:  # the cycle's log, up to the announcement of its sleep
            before.append(line)
            if "next cycle in" in line:
                break
        else:
            pytest.fail(f"watch never went to sleep:\n{''.join(before)}")
        child.send_signal(stop)
        _, stderr = child.communicate(timeout=HANG_GUARD)
    finally:
        guard.cancel()
    assert child.returncode == 0, stderr
    assert "watch stopped" in stderr and "Traceback" not in stderr


# --- logs -----------------------------------------------------------------------------------


def subscribe_good_and_bad(workspace, server) -> None:
    add_feeds(
        workspace.feeds_path,
        [
            FeedConfig("Good", server.route("/good.xml", body=BODY)),
            FeedConfig("Bad", server.route("/bad.xml", status=503, body=b"down")),
        ],
    )


def json_lines(text: str) -> list[dict]:
    events = []
    for line in text.splitlines():
        if line.strip():
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError:
                pytest.fail(f"not a JSON log line: {line!r}\nall of stderr:\n{text}")
    return events


def test_json_logs_have_one_event_per_feed_and_one_per_run(radar, workspace, server):
    subscribe_good_and_bad(workspace, server)
    result = radar("fetch", "--no-index", "--log-format", "json")
    events = json_lines(result.stderr)
    feeds = {event["feed"]: event for event in events if event["event"] == "feed"}
    good, bad = feeds["Good"], feeds["Bad"]
    assert (good["status"], good["http_status"], good["new"], good["level"]) == (
        "ok",
        200,
        2,
        "info",
    )
    assert good["bytes"] == len(BODY) and good["duration_s"] > 0 and good["error_kind"] is None
    assert (bad["status"], bad["error_kind"], bad["errors"], bad["level"]) == (
        "error",
        "server_error",
        1,
        "warning",
    )
    assert bad["next_due"] > good["ts"]
    (run,) = [event for event in events if event["event"] == "run"]
    assert (run["feeds_ok"], run["feeds_failed"], run["items_new"]) == (1, 1, 2)
    assert run["run_id"] == runs(radar)[0]["id"]
    assert all(event["ts"].endswith("Z") for event in events)


def test_log_format_and_file_come_from_settings(radar, workspace, server):
    subscribe_good(workspace, server)
    text = workspace.feeds_path.read_text()
    workspace.feeds_path.write_text(text + "settings:\n  log_format: json\n  log_file: true\n")
    result = radar("fetch", "--no-index")
    assert result.stderr == "", "logs go to the file; nothing to say off a terminal"
    log_file = workspace.data_dir / "logs" / "radar.log"
    events = [e["event"] for e in json_lines(log_file.read_text()) if e["event"] in ("feed", "run")]
    assert events == ["feed", "run"]


def test_human_logs_to_a_rotating_file(radar, workspace, server, tmp_path, monkeypatch):
    monkeypatch.setattr("radar.ops.logs.LOG_FILE_BYTES", 300)
    subscribe_good_and_bad(workspace, server)
    log_file = tmp_path / "logs" / "radar.log"
    first = radar("fetch", "--no-index", "--log-file", str(log_file))
    assert first.stderr == ""
    strict = radar(
        "fetch", "--all", "--no-index", "--log-file", str(log_file), "--strict", ok=False
    )
    assert strict.exit_code == 1
    assert "failed: Bad: server_error" in strict.stderr, "cron mail says why it failed"
    rotated = sorted(log_file.parent.iterdir(), key=lambda path: path.name, reverse=True)
    assert {path.name for path in rotated} >= {"radar.log", "radar.log.1"}
    lines = [line for path in rotated for line in path.read_text().splitlines()]
    assert any(" INFO feed: Good: HTTP 200, " in line and "2 new" in line for line in lines)
    assert any(" WARNING feed: Bad: failed: server_error" in line for line in lines)
    assert all(line[:4].isdigit() for line in lines), "one line per event"


def test_human_logs_on_stderr_by_default(radar, workspace, server):
    subscribe_good_and_bad(workspace, server)
    lines = radar("fetch", "--no-index").stderr.strip().splitlines()
    assert len([line for line in lines if " feed: " in line]) == 2
    assert any(" INFO feed: Good: HTTP 200, " in line for line in lines)
    assert any(" WARNING feed: Bad: failed: server_error: " in line for line in lines)
    run_line = " run: 2 feeds: 1 ok, 0 not modified, 1 failed (1 server_error); 2 new items"
    assert run_line in lines[-1]


def test_watch_sleeps_until_the_earliest_feed_is_due_then_fetches_it(workspace, server):
    from datetime import timedelta

    from radar.ops.runner import WatchOptions, watch
    from radar.store import utc_now

    body = BODY.replace(b"<description>t</description>", b"<ttl>20</ttl>")
    add_feeds(workspace.feeds_path, [FeedConfig("Ttl", server.route("/ttl.xml", body=body))])
    now = [utc_now()]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += timedelta(seconds=seconds)

    options = WatchOptions(every=3600, iterations=3, index=False)
    assert watch(workspace, options, sleep=sleep, clock=lambda: now[0]) == 3
    assert slept == [1200, 1200], "until the feed's ttl has passed, not a full --every"
    assert len(server.requests_to("/ttl.xml")) == 3
    slept.clear()
    watch(
        workspace,
        WatchOptions(every=300, iterations=2, index=False),
        sleep=sleep,
        clock=lambda: now[0],
    )
    assert slept == [300], "never longer than --every"
