"""Items/s through parse + dedup + store, on the demo feeds and the largest file of
feedparser's conformance corpus (../shared/corpora/feedparser).

    .venv/bin/python bench/ingest_speed.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from radar.feeds.config import FeedConfig
from radar.feeds.parse import parse_feed
from radar.store import Store

ROOT = Path(__file__).resolve().parents[1]


def measure(label: str, files: list[Path], repeat: int) -> None:
    blobs = [path.read_bytes() for path in files]
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "radar.db")
        store.sync_feeds([FeedConfig(f"f{n}", f"http://127.0.0.1/{n}") for n in range(len(blobs) * repeat)])
        items = 0
        started = time.perf_counter()
        for round_ in range(repeat):
            for n, blob in enumerate(blobs):
                parsed = parse_feed(blob, url=f"http://127.0.0.1/{round_}/{n}")
                store.ingest(f"f{round_ * len(blobs) + n}", parsed.items)
                items += len(parsed.items)
        wall = time.perf_counter() - started
        store.close()
    print(f"{label:44} {items:7d} items {wall:7.2f} s {items / wall:8.0f} items/s")


def main() -> None:
    demo = sorted((ROOT / "data" / "demo" / "feeds").glob("*.xml"))
    measure("demo feeds (10 files) x 20", demo, 20)
    corpus = ROOT.parent / "shared" / "corpora" / "feedparser"
    if corpus.is_dir():
        largest = max(corpus.rglob("*.xml"), key=lambda p: p.stat().st_size)
        measure(f"largest corpus file ({largest.name[:20]}…) x 50", [largest], 50)
    else:
        print("feedparser corpus absent; skipped")


if __name__ == "__main__":
    main()
