"""Items/s through parse + dedup + store, and where the time goes.

Three workloads, each into a fresh SQLite file:
* the demo feeds (10 files) x 20;
* the largest file of feedparser's conformance corpus (../shared/corpora/feedparser) x 50;
* `--items N` (default 100,000) synthetic items: N/100 RSS documents of 100 items, each
  with a title, link, GUID, date and a 60-word description (bench/synthetic.py text),
  parsed and stored as a first fetch would; with a profile summary by component.

    .venv/bin/python bench/ingest_speed.py --items 100000
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

from radar.feeds.config import FeedConfig
from radar.feeds.parse import parse_feed
from radar.store import Store

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic  # noqa: E402

PER_FEED = 100
COMPONENTS = (
    ("feedparser", ("feedparser",)),
    ("radar parse (entries to items, text)", ("radar/feeds",)),
    ("store (dedup, SQL, FTS)", ("radar/store", "sqlite3")),
)


def measure(label: str, blobs: list[bytes], repeat: int, profile: bool = False) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "radar.db")
        names = [f"f{n}" for n in range(len(blobs) * repeat)]
        store.sync_feeds([FeedConfig(name, f"http://127.0.0.1/{name}") for name in names])
        profiler = cProfile.Profile() if profile else None
        parse_s = store_s = 0.0
        items = 0
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        for round_ in range(repeat):
            for n, blob in enumerate(blobs):
                t0 = time.perf_counter()
                parsed = parse_feed(blob, url=f"http://127.0.0.1/{round_}/{n}")
                t1 = time.perf_counter()
                store.ingest(names[round_ * len(blobs) + n], parsed.items)
                store_s += time.perf_counter() - t1
                parse_s += t1 - t0
                items += len(parsed.items)
        if profiler:
            profiler.disable()
        wall = time.perf_counter() - started
        store.close()
    print(
        f"{label:44} {items:7d} items {wall:7.2f} s {items / wall:8.0f} items/s "
        f"(parse {parse_s:.1f} s, store {store_s:.1f} s)"
    )
    if profiler:
        summarise(profiler, wall)


def component(path: str) -> str:
    for name, markers in COMPONENTS:
        if any(marker in path for marker in markers):
            return name
    return "other (stdlib, Python overhead)"


def summarise(profiler: cProfile.Profile, wall: float) -> None:
    """Self time per component (a C builtin counts for its main caller), then the top
    functions by self time."""
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    totals: dict[str, float] = {}
    rows = []
    for (path, line, func), (_, _, self_time, _, callers) in stats.items():
        where = path
        if path == "~" and callers:
            where = max(callers.items(), key=lambda kv: kv[1][2])[0][0]
        key = "store (dedup, SQL, FTS)" if "sqlite3" in func else component(where)
        totals[key] = totals.get(key, 0.0) + self_time
        rows.append((self_time, f"{Path(path).name}:{line} {func}"))
    profiled = sum(totals.values())
    print(f"  profile (self time; {profiled:.1f} s profiled of {wall:.1f} s wall):")
    for key, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"    {key:40} {seconds:6.1f} s {100 * seconds / profiled:5.1f}%")
    print("  top functions by self time:")
    for seconds, where in sorted(rows, reverse=True)[:12]:
        print(f"    {seconds:6.2f} s  {where[:90]}")


def synthetic_feeds(total: int) -> list[bytes]:
    blobs = []
    for feed in range(max(1, total // PER_FEED)):
        texts = synthetic.texts(feed * PER_FEED, PER_FEED, seed=7)
        entries = "".join(
            f"<item><title>{escape(title)}</title>"
            f"<link>https://feed{feed}.example/{n}</link><guid>f{feed}-{n}</guid>"
            f"<pubDate>Mon, {1 + n % 28:02d} Sep 2026 10:00:00 GMT</pubDate>"
            f"<description>{escape(summary)}</description></item>"
            for n, (title, summary) in enumerate(texts)
        )
        blobs.append(
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Feed {feed}</title><link>https://feed{feed}.example/</link>"
            f"{entries}</channel></rss>".encode()
        )
    return blobs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000, help="synthetic items (0: skip)")
    parser.add_argument("--no-profile", action="store_true", help="time without cProfile")
    args = parser.parse_args()
    demo = sorted((ROOT / "data" / "demo" / "feeds").glob("*.xml"))
    measure("demo feeds (10 files) x 20", [p.read_bytes() for p in demo], 20)
    corpus = ROOT.parent / "shared" / "corpora" / "feedparser"
    if corpus.is_dir():
        largest = max(corpus.rglob("*.xml"), key=lambda p: p.stat().st_size)
        label = f"largest corpus file ({largest.name[:20]}…) x 50"
        measure(label, [largest.read_bytes()], 50)
    else:
        print("feedparser corpus absent; skipped")
    if args.items:
        blobs = synthetic_feeds(args.items)
        label = f"synthetic: {len(blobs)} feeds x {PER_FEED} items"
        measure(label, blobs, 1)
        if not args.no_profile:
            measure(label + " (profiled)", blobs, 1, profile=True)


if __name__ == "__main__":
    main()
