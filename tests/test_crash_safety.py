"""Kill radar at random moments and check nothing is lost, duplicated or corrupted;
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


class GrowingFeeds:
    """Each fetch of a feed reveals two more of its items, so every run has work."""

    def __init__(self) -> None:
        self.visible = {feed: 4 for feed in range(FEEDS)}
        self.lock = threading.Lock()

    def body(self, feed: int):  # type: ignore[no-untyped-def]
        def render() -> bytes:
            with self.lock:
                count = self.visible[feed]
                self.visible[feed] = min(ITEMS_PER_FEED, count + 2)
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
def test_sigkill_at_30_random_moments_loses_and_duplicates_nothing(workspace, server, model_cache):
    growing = GrowingFeeds()
    add_feeds(
        workspace.feeds_path,
        [
            FeedConfig(f"feed {n}", server.route(f"/f{n}.xml", body=growing.body(n), conditional=False, delay=0.05))
            for n in range(FEEDS)
        ],
    )
    env = {**os.environ, "RADAR_MODEL_CACHE": str(model_cache)}
    command = [sys.executable, "-m", "radar", "-w", str(workspace.root), "fetch", "--all"]
    compact = [sys.executable, "-m", "radar", "-w", str(workspace.root), "index", "compact"]
    rng = random.Random(20261126)
    kills = 0
    finished_early = 0
    compacts_killed = 0
    for run in range(30):
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 2.5))
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
    for feed in range(FEEDS):
        growing.visible[feed] = ITEMS_PER_FEED
    final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    verify = subprocess.run(
        [sys.executable, "-m", "radar", "-w", str(workspace.root), "index", "verify", "--json"],
        env=env, capture_output=True, text=True, timeout=300,
    )
    with sqlite3.connect(workspace.db_path) as conn:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        stored = conn.execute("SELECT COUNT(*), COUNT(DISTINCT url) FROM items").fetchone()
        fts = conn.execute("INSERT INTO items_fts(items_fts) VALUES ('integrity-check')")
        del fts
    served = FEEDS * ITEMS_PER_FEED
    print(
        f"\nSIGKILL run: {kills} kills, {finished_early} runs finished before their kill, "
        f"{kills + finished_early + 1} starts, {compacts_killed} of 10 merges killed; served {served} items, stored {stored[0]} "
        f"({stored[1]} distinct links); integrity_check={integrity}; "
        f"index verify ok={json.loads(verify.stdout)['ok'] if verify.stdout else None}"
    )
    assert kills >= 20, "most runs were really killed mid-flight"
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
    done = threading.Event()

    def write() -> None:
        try:
            with Store(workspace.db_path) as writer:
                for batch in range(40):
                    writer.ingest(
                        "bulk",
                        [
                            Item(guid=f"{batch}-{n}", url=f"https://bulk.example/{batch}/{n}",
                                 title=f"Bulk item {batch}-{n} on inference", summary="text " * 40)
                            for n in range(500)
                        ],
                    )
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            done.set()

    thread = threading.Thread(target=write)
    thread.start()
    reads = 0
    with Store(workspace.db_path) as reader:
        searcher = Searcher(workspace, reader, "all-MiniLM-L6-v2")
        while reads < 1000:
            reader.list_items(ItemFilter(), limit=20)
            searcher.lexical("inference bulk", ItemFilter(), 10)
            reads += 1
            if reads == 500 and done.is_set():
                pytest.fail("the ingest finished before half the reads: make it larger")
    thread.join()
    assert errors == []
    with Store(workspace.db_path) as store:
        assert store.item_count() == 40 * 500
