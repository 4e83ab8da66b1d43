"""Wall time of `radar fetch` for many local feeds with server latency.

Feeds are spread over loopback addresses 127.0.0.2.. so the per-host limit applies as
it would on the internet. Runs a first fetch (all 200) and a second (all 304), each
as a fresh `radar fetch` process. Optionally times the naive baseline: one
`feedparser.parse(url)` after another.

    .venv/bin/python bench/fetch_many.py --feeds 200 --hosts 20 --latency 0.1
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from feedserver import FeedServer, rss  # noqa: E402


def feed_body(feed: int, items: int) -> bytes:
    return rss(
        [
            {
                "title": f"Feed {feed} item {n}: notes on serving and training",
                "link": f"https://feed{feed}.example/posts/{n}",
                "guid": f"f{feed}-{n}",
                "pubDate": f"Mon, {1 + n % 28:02d} Sep 2026 10:00:00 GMT",
                "description": "A paragraph of text about model serving. " * 5,
            }
            for n in range(items)
        ],
        title=f"Feed {feed}",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per response")
    parser.add_argument("--items", type=int, default=20, help="items per feed")
    parser.add_argument("--profile", help="write a cProfile of one run to this file")
    parser.add_argument("--profile-run", default="first", choices=["first", "second"])
    parser.add_argument("--baseline", action="store_true", help="also time feedparser.parse(url) one by one")
    args = parser.parse_args()

    servers = [FeedServer(f"127.0.0.{2 + h}").start() for h in range(args.hosts)]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            lines = ["feeds:"]
            urls = []
            for feed in range(args.feeds):
                server = servers[feed % args.hosts]
                url = server.route(f"/feed{feed}.xml", body=feed_body(feed, args.items), delay=args.latency)
                urls.append(url)
                lines += [f"  - name: feed {feed}", f"    url: {url}", "    kind: news"]
            (root / "feeds.yaml").write_text("\n".join(lines) + "\n")
            radar = str(Path(sys.executable).parent / "radar")
            rows = []
            for label in ("first run (all new)", "second run (all 304)"):
                command = [radar, "-w", str(root), "fetch", "--all", "--no-index"]
                if args.profile and label.startswith(args.profile_run):
                    command = [sys.executable, "-m", "cProfile", "-o", args.profile, "-m", "radar", "-w", str(root), "fetch", "--all", "--no-index"]
                started = time.perf_counter()
                done = subprocess.run(command, capture_output=True, text=True)
                wall = time.perf_counter() - started
                rows.append((label, wall, done.stderr.strip().splitlines()[-1]))
            if args.baseline:
                import feedparser

                started = time.perf_counter()
                for url in urls:
                    feedparser.parse(url)
                rows.append(("feedparser.parse(url) one by one", time.perf_counter() - started, ""))
    finally:
        for server in servers:
            server.stop()
    print(f"{args.feeds} feeds x {args.items} items on {args.hosts} loopback hosts, {args.latency * 1000:.0f} ms latency")
    print(f"{'run':34} {'wall s':>8}  summary")
    for label, wall, summary in rows:
        print(f"{label:34} {wall:8.2f}  {summary}")


if __name__ == "__main__":
    main()
