"""Kill radar mid-run, many times over, and check nothing is lost, duplicated or corrupted;
read while a fetch writes and never see "database is locked"."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from feedserver import rss

from radar.feeds.config import FeedConfig, add_feeds
from radar.feeds.model import Item
from radar.search import Searcher
from radar.store import ItemFilter, Store

FEEDS = 12
ITEMS_PER_FEED = 30


HANG_GUARD = 60.0
"""Seconds a wait may last before the test fails: a hang guard, not a speed claim."""


class GrowingFeeds:
    """Each fetch of a feed reveals two more of its items, so every run has work.

    A feed in `held` answers only once the current release is set, so a run that asked
    for it cannot finish before the test lets it (or kills it)."""

    def __init__(self) -> None:
        self.visible = {feed: 4 for feed in range(FEEDS)}
        self.lock = threading.Lock()
        self.held: set[int] = set()
        self.releases = [threading.Event()]
        self.answered = 0

    def hold(self, feed: int | None) -> None:
        """From now on, hold `feed` back (None: hold nothing); count answers afresh."""
        self.releases[-1].set()
        self.releases.append(threading.Event())
        self.held = set() if feed is None else {feed}
        self.answered = 0

    def body(self, feed: int):  # type: ignore[no-untyped-def]
        def render() -> bytes:
            if feed in self.held:
                self.releases[-1].wait(HANG_GUARD)
            with self.lock:
                count = self.visible[feed]
                self.visible[feed] = min(ITEMS_PER_FEED, count + 2)
                self.answered += 1
            return rss(
                [
                    {
                        "title": f"Feed {feed} story {n}: notes on model serving",
                        "link": f"https://crash.example/{feed}/{n}",
                        "guid": f"{feed}-{n}",
                        "description": f"Story {n} of feed {feed} about GPUs and batching. " * 4,
                    }
                    for n in range(count)
                ]
            )

        return render


@pytest.mark.slow
@pytest.mark.timeout(900)  # 31 radar processes, each loading the model: ~1-2 min, more under load
def test_sigkill_at_30_moments_loses_and_duplicates_nothing(workspace, server, model_cache):
    growing = GrowingFeeds()
    add_feeds(
        workspace.feeds_path,
        [
            FeedConfig(
                f"feed {n}",
                server.route(f"/f{n}.xml", body=growing.body(n), conditional=False, delay=0.05),
            )
            for n in range(FEEDS)
        ],
    )
    # radar must wait for a held feed rather than give up on it before the kill.
    text = workspace.feeds_path.read_text()
    workspace.feeds_path.write_text(text + f"settings: {{timeout: {HANG_GUARD * 2:g}}}\n")
    env = {**os.environ, "RADAR_MODEL_CACHE": str(model_cache)}
    command = [sys.executable, "-m", "radar", "-w", str(workspace.root), "fetch", "--all"]
    compact = [sys.executable, "-m", "radar", "-w", str(workspace.root), "index", "compact"]
    rng = random.Random(20261126)
    kills = 0
    finished_early = 0
    compacts_killed = 0
    for run in range(30):
        # Two runs in three hold one feed back and are killed once a random number of the
        # others has been answered: those kills always land, mid-fetch, mid-parse or
        # mid-store. Every third run holds nothing and is killed at a random moment, which
        # may fall in embedding or the index write, or after the run finished.
        at_random_moment = run % 3 == 2
        growing.hold(None if at_random_moment else rng.randrange(FEEDS))
        kill_after = rng.randint(1, FEEDS - 1)
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if at_random_moment:
            time.sleep(rng.uniform(0.05, 2.5))
        else:
            give_up_at = time.monotonic() + HANG_GUARD
            while growing.answered < kill_after:
                assert process.poll() is None, "a run finished although a feed was held back"
                assert time.monotonic() < give_up_at, f"{growing.answered} feeds answered"
                time.sleep(0.01)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        else:
            finished_early += 1
        process.wait()
        if run % 3 == 2:
            # A merge of the delta index into the main file, killed at a random moment too.
            merge = subprocess.Popen(compact, env=env, stdout=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.05, 1.0))
            if merge.poll() is None:
                merge.send_signal(signal.SIGKILL)
                compacts_killed += 1
            merge.wait()
    growing.hold(None)
    for feed in range(FEEDS):
        growing.visible[feed] = ITEMS_PER_FEED
    final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    verify = subprocess.run(
        [sys.executable, "-m", "radar", "-w", str(workspace.root), "index", "verify", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    with sqlite3.connect(workspace.db_path) as conn:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        stored = conn.execute("SELECT COUNT(*), COUNT(DISTINCT url) FROM items").fetchone()
        fts = conn.execute("INSERT INTO items_fts(items_fts) VALUES ('integrity-check')")
        del fts
    served = FEEDS * ITEMS_PER_FEED
    print(
        f"\nSIGKILL run: {kills} kills, {finished_early} runs finished before their kill, "
        f"{kills + finished_early + 1} starts, {compacts_killed} of 10 merges killed; "
        f"served {served} items, stored {stored[0]} "
        f"({stored[1]} distinct links); integrity_check={integrity}; "
        f"index verify ok={json.loads(verify.stdout)['ok'] if verify.stdout else None}"
    )
    assert kills >= 20, "every run with a feed held back was killed mid-flight"
    assert integrity == "ok"
    assert stored == (served, served), "every served item stored exactly once"
    assert verify.returncode == 0 and json.loads(verify.stdout)["ok"], verify.stdout + verify.stderr
    leftovers = [p.name for p in workspace.data_dir.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


@pytest.mark.slow
def test_a_thousand_reads_during_a_large_ingest_never_hit_a_locked_database(workspace):
    with Store(workspace.db_path) as store:
        store.sync_feeds([FeedConfig("bulk", "http://127.0.0.1/bulk")])
    errors: list[BaseException] = []
    reading = threading.Event()
    done = threading.Event()

    def write() -> None:
        try:
            reading.wait(HANG_GUARD)
            with Store(workspace.db_path) as writer:
                for batch in range(40):
                    writer.ingest(
                        "bulk",
                        [
                            Item(
                                guid=f"{batch}-{n}",
                                url=f"https://bulk.example/{batch}/{n}",
                                title=f"Bulk item {batch}-{n} on inference",
                                summary="text " * 40,
                            )
                            for n in range(500)
                        ],
                    )
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            done.set()

    thread = threading.Thread(target=write)
    thread.start()
    # The ingest starts once reading has, and reading goes on until the ingest is over
    # (and at least 1,000 reads are done), so reads span the whole ingest on any machine.
    reads = reads_during_ingest = 0
    with Store(workspace.db_path) as reader:
        searcher = Searcher(workspace, reader, "all-MiniLM-L6-v2")
        while reads < 1000 or not done.is_set():
            ingesting = reading.is_set() and not done.is_set()
            reader.list_items(ItemFilter(), limit=20)
            searcher.lexical("inference bulk", ItemFilter(), 10)
            reads += 1
            reads_during_ingest += ingesting
            reading.set()
    thread.join()
    assert errors == []
    assert reads_during_ingest > 0
    with Store(workspace.db_path) as store:
        assert store.item_count() == 40 * 500
