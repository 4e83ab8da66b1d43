"""Wall time of a refresh of many local feeds with server latency, beside the baselines.

Feeds are spread over loopback addresses 127.0.0.2.. so a per-host limit applies as it
would on the internet; every response waits --latency seconds. Each tool runs as a fresh
process against the same servers, in the same run:

* radar: `radar fetch --all --no-index` three times: the first stores everything, the
  second and third should be all 304s (radar sends If-None-Match / If-Modified-Since);
* --baseline: `feedparser.parse(url)` one feed after another (the naive loop; parsed,
  nothing stored, no second run);
* --newsboat: `newsboat -x reload` with `reload-threads` 1 and 16 (--newsboat-threads),
  each on an empty cache three times over. Newsboat 2.21 records a feed's ETag and
  Last-Modified only for a feed already in its cache, so its second run downloads
  everything again and only the third sends conditional GETs.

The servers count the status codes they answer, so the table shows how many 304s each
run actually got, and "items" is what the tool stored (radar's items table, newsboat's
rss_item table; feedparser: entries parsed).

    .venv/bin/python bench/fetch_many.py --feeds 500 --hosts 50 --latency 0.1 --baseline --newsboat
    .venv/bin/python bench/fetch_many.py --feeds 500 --hosts 50 --profile /tmp/fetch.prof
    .venv/bin/python -m pstats /tmp/fetch.prof.worker    # then: sort cumtime, stats 30
"""

from __future__ import annotations

import argparse
import http.server
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from feedserver import FeedServer, Route, rss  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measured import run_measured  # noqa: E402

RUNS = ("first", "second", "third")
PROFILED_RADAR = r"""
# `radar ARGS` under cProfile: the main thread (network, event loop) to FILE and the
# worker thread that parses and stores each feed to FILE.worker (cProfile alone sees
# only the main thread).
import cProfile, concurrent.futures, sys
import radar.ingest
from radar.cli import main

out, sys.argv = sys.argv[1], ["radar", *sys.argv[2:]]
workers = []

class ProfiledPool(concurrent.futures.ThreadPoolExecutor):
    def __init__(self, *args, **kwargs):
        def start():
            workers.append(cProfile.Profile())
            workers[-1].enable()
        super().__init__(*args, initializer=start, **kwargs)

if hasattr(radar.ingest, "ThreadPoolExecutor"):
    radar.ingest.ThreadPoolExecutor = ProfiledPool
profile = cProfile.Profile()
try:
    profile.runcall(main)
finally:
    profile.dump_stats(out)
    if workers:
        workers[0].create_stats()
        workers[0].dump_stats(out + ".worker")
"""


class CountingServer(FeedServer):
    """A FeedServer that tallies the status codes it answers (200, 304, ...)."""

    def __init__(self, host: str) -> None:
        super().__init__(host)
        self.statuses: Counter[int] = Counter()
        self._count_lock = threading.Lock()

    def _answer(self, handler: http.server.BaseHTTPRequestHandler, route: Route) -> None:
        send_response = handler.send_response

        def counted(code: int, message: str | None = None) -> None:
            with self._count_lock:
                self.statuses[code] += 1
            send_response(code, message)

        # One handler serves every request of a kept-alive connection: wrap it per request.
        handler.send_response = counted  # type: ignore[method-assign]
        try:
            super()._answer(handler, route)
        finally:
            del handler.send_response


@dataclass
class Run:
    wall: float
    statuses: Counter[int]
    note: str = ""
    rss_mib: float = 0.0
    """Peak resident memory of the process (its own, from wait4)."""

    def answers(self) -> str:
        total = sum(self.statuses.values())
        return f"{self.statuses[304]}/{total}"


@dataclass
class Row:
    tool: str
    runs: list[Run] = field(default_factory=list)
    items: int | None = None
    note: str = ""


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


class Bench:
    def __init__(self, servers: list[CountingServer]) -> None:
        self.servers = servers

    def reset(self) -> None:
        for server in self.servers:
            with server._count_lock:
                server.statuses.clear()
            server.requests.clear()

    def statuses(self) -> Counter[int]:
        total: Counter[int] = Counter()
        for server in self.servers:
            total.update(server.statuses)
        return total

    def timed(
        self, command: list[str], env: dict[str, str] | None = None, cwd: Path | None = None
    ) -> tuple[Run, subprocess.CompletedProcess[str]]:
        """Run a command as a fresh process; its wall time and the answers the servers gave."""
        self.reset()
        measured = run_measured(command, env=env, cwd=cwd)
        done = subprocess.CompletedProcess(
            command, measured.returncode, measured.stdout, measured.stderr
        )
        return Run(measured.wall, self.statuses(), rss_mib=measured.rss_mib), done


def last_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[-1] if lines else ""


def count_rows(db: Path, query: str) -> int | None:
    """The count a `SELECT count(*) ...` query gives on a SQLite file, read-only."""
    if not db.is_file():
        return None
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(connection.execute(query).fetchone()[0])
    finally:
        connection.close()


def run_radar(bench: Bench, root: Path, args: argparse.Namespace) -> Row:
    radar = str(Path(sys.executable).parent / "radar")
    row = Row("radar fetch --all --no-index")
    for name in RUNS:
        command = [radar, "-w", str(root), "fetch", "--all", "--no-index"]
        if args.profile and name == args.profile_run:
            command = [sys.executable, "-c", PROFILED_RADAR, args.profile]
            command += ["-w", str(root), "fetch", "--all", "--no-index"]
        run, done = bench.timed(command)
        run.note = last_line(done.stderr)
        if done.returncode:
            run.note = f"exit {done.returncode}: {run.note}"
        row.runs.append(run)
    row.items = count_rows(root / "data" / "radar.db", "SELECT count(*) FROM items")
    if args.profile:
        row.note = (
            f"{args.profile_run} run under cProfile: {args.profile} (main thread), "
            f"{args.profile}.worker (parse + store thread)"
        )
    return row


def run_feedparser(bench: Bench, urls: list[str]) -> Row:
    import feedparser

    bench.reset()
    entries = 0
    started = time.perf_counter()
    for url in urls:
        entries += len(feedparser.parse(url).entries)
    run = Run(time.perf_counter() - started, bench.statuses())
    return Row("feedparser.parse(url) one by one", [run], entries, "entries parsed, not stored")


def newsboat_version(newsboat: str) -> str:
    done = subprocess.run([newsboat, "--version"], capture_output=True, text=True)
    return (done.stdout.splitlines() or ["newsboat ?"])[0]


def run_newsboat(bench: Bench, newsboat: str, urls: list[str], threads: int, parent: Path) -> Row:
    """Three `newsboat -x reload` runs on one fresh cache, in a throwaway HOME."""
    home = parent / f"newsboat-{threads}"
    home.mkdir()
    (home / "urls").write_text("\n".join(urls) + "\n")
    (home / "config").write_text(f"reload-threads {threads}\n")
    cache = home / "cache.db"
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
    }
    for proxy in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        env.pop(proxy, None)
    command = [newsboat, "-x", "reload", "-u", str(home / "urls"), "-c", str(cache)]
    command += ["-C", str(home / "config")]
    row = Row(f"newsboat -x reload, {threads} thread{'s' if threads > 1 else ''}")
    for _ in RUNS:
        run, done = bench.timed(command, env=env, cwd=home)
        if done.returncode:
            run.note = f"exit {done.returncode}: {last_line(done.stderr or done.stdout)}"
        row.runs.append(run)
    row.items = count_rows(cache, "SELECT count(*) FROM rss_item")
    with_validators = count_rows(
        cache, "SELECT count(*) FROM rss_feed WHERE etag != '' OR lastmodified > 0"
    )
    row.note = f"{with_validators} feeds with ETag/Last-Modified in cache.db"
    return row


def print_table(rows: list[Row], args: argparse.Namespace, header: list[str]) -> None:
    for line in header:
        print(line)
    columns = f"{'tool':36} " + "".join(f"{name + ' s':>9} {'304s':>9} " for name in RUNS)
    print(columns + f"{'items':>7}")
    print("-" * len(columns + f"{'items':>7}"))
    for row in rows:
        cells = ""
        for n in range(len(RUNS)):
            if n < len(row.runs):
                cells += f"{row.runs[n].wall:9.2f} {row.runs[n].answers():>9} "
            else:
                cells += f"{'-':>9} {'-':>9} "
        items = "-" if row.items is None else str(row.items)
        print(f"{row.tool:36} {cells}{items:>7}")
    expected = args.feeds * args.items
    print(f"('304s': 304 answers / all answers the servers gave; {expected} items expected)")
    peaks = ", ".join(
        f"{row.tool.split()[0]} {max(run.rss_mib for run in row.runs):.0f}"
        for row in rows
        if row.runs and row.runs[0].rss_mib
    )
    print(f"peak RSS MiB (largest of a tool's runs): {peaks}")
    for row in rows:
        notes = [row.note] if row.note else []
        named = zip(RUNS, row.runs, strict=False)
        notes += [f"{name} run: {run.note}" for name, run in named if run.note]
        if row.items is not None and row.items != expected:
            notes.append(f"stored {row.items} items, expected {expected}")
        for note in notes:
            print(f"  {row.tool}: {note}")
    radar = rows[0]
    if len(radar.runs) >= 2:
        first, second = radar.runs[0].wall, radar.runs[1].wall
        print(
            f"targets: radar first run {first:.2f} s (target <= 3 s: "
            f"{'met' if first <= 3 else 'MISSED'}), all-304 run {second:.2f} s "
            f"(target <= 1 s: {'met' if second <= 1 else 'MISSED'})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per response")
    parser.add_argument("--items", type=int, default=20, help="items per feed")
    parser.add_argument(
        "--settings",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a radar setting for feeds.yaml, e.g. per_host=4 (repeatable)",
    )
    parser.add_argument("--profile", help="write a cProfile of one radar run to this file")
    parser.add_argument("--profile-run", default="first", choices=RUNS)
    parser.add_argument(
        "--baseline", action="store_true", help="also time feedparser.parse(url) one by one"
    )
    parser.add_argument(
        "--newsboat", action="store_true", help="also time `newsboat -x reload` (if installed)"
    )
    parser.add_argument(
        "--newsboat-threads", default="1,16", help="reload-threads settings to time (1,16)"
    )
    args = parser.parse_args()
    if args.hosts > 253:
        parser.error("at most 253 hosts (127.0.0.2 to 127.0.0.254)")

    newsboat = shutil.which("newsboat") if args.newsboat else None
    header = [
        f"{args.feeds} feeds x {args.items} items on {args.hosts} loopback hosts "
        f"(127.0.0.2-127.0.0.{1 + args.hosts}), {args.latency * 1000:.0f} ms latency; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start"
    ]
    if args.newsboat and newsboat is None:
        print("newsboat is not installed (apt-get install newsboat): skipping it", flush=True)
    elif newsboat:
        header.append(f"{newsboat_version(newsboat)} ({newsboat}), config: reload-threads N only")

    servers = [CountingServer(f"127.0.0.{2 + h}").start() for h in range(args.hosts)]
    rows: list[Row] = []
    try:
        bench = Bench(servers)
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            lines = ["feeds:"]
            urls = []
            for feed in range(args.feeds):
                server = servers[feed % args.hosts]
                body = feed_body(feed, args.items)
                url = server.route(f"/feed{feed}.xml", body=body, delay=args.latency)
                urls.append(url)
                lines += [f"  - name: feed {feed}", f"    url: {url}", "    kind: news"]
            workspace = root / "radar"
            workspace.mkdir()
            if args.settings:
                lines.append("settings:")
                lines += [
                    f"  {key}: {value}" for key, value in (s.split("=", 1) for s in args.settings)
                ]
                header.append(f"radar settings: {', '.join(args.settings)}")
            (workspace / "feeds.yaml").write_text("\n".join(lines) + "\n")
            print("timing radar ...", flush=True)
            rows.append(run_radar(bench, workspace, args))
            if args.baseline:
                print("timing feedparser.parse(url) one by one ...", flush=True)
                rows.append(run_feedparser(bench, urls))
            if newsboat:
                for threads in (int(n) for n in args.newsboat_threads.split(",") if n.strip()):
                    print(f"timing newsboat, reload-threads {threads} ...", flush=True)
                    rows.append(run_newsboat(bench, newsboat, urls, threads, root))
    finally:
        # shutdown() waits for serve_forever's 0.5 s poll: stop them all at once.
        with ThreadPoolExecutor(max_workers=len(servers)) as pool:
            list(pool.map(lambda server: server.stop(), servers))
    print_table(rows, args, header)


if __name__ == "__main__":
    main()
