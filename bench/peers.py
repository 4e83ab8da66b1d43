"""Refresh time of radar beside its peers, in one run, on the same generated feeds.

Two cases, every server on 127.0.0.1 with a fixed latency per response:

* one-host: 200 feeds x 20 items on ONE host (a GitHub- or PyPI-like host). The server is
  hypercorn: TLS with HTTP/2 and HTTP/1.1 by ALPN on one port, plain HTTP/1.1 on another.
  radar runs over HTTP/2 (its default; https URLs, certificate trusted via SSL_CERT_FILE)
  and over plain HTTP/1.1; the peers fetch the plain HTTP/1.1 URLs;
* many-hosts: 500 feeds x 20 items over 50 hosts (50 ports of 127.0.0.1, each its own
  tests/feedserver.py server; radar's per-host limit is per host:port), HTTP/1.1.

Tools, each as a fresh process:
* radar: `radar fetch --all --no-index` on a new workspace, then again (all 304s);
  --repeat times, median reported;
* newsboat `-x reload` with reload-threads 1 and 16 (first run on an empty cache);
* reader (the Python library) `update_feeds(workers=1|16, scheduled=False)` in its own
  venv (--reader-python, default /tmp/peers-venv/bin/python; `pip install reader
  sgmllib3k` there), first and second run on the same database; its time is the update
  call, inside the process;
* `feedparser.parse(url)` one feed after another (in this process; parsed, not stored).

The ratio column is the tool's time over radar's median for the same run and case.

    .venv/bin/python bench/peers.py                      # both cases, all tools
    .venv/bin/python bench/peers.py --cases one-host --tools radar --repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))

from fetch_many import CountingServer, count_rows, feed_body  # noqa: E402
from h2server import H2Server  # noqa: E402
from measured import run_measured  # noqa: E402

TOOLS = ("radar", "newsboat", "reader", "feedparser")
READER_SCRIPT = r"""
import json, sys, time
from reader import make_reader
db, urls, workers = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
reader = make_reader(db)
for url in urls:
    reader.add_feed(url, exist_ok=True)
started = time.perf_counter()
reader.update_feeds(workers=workers, scheduled=False)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "entries": reader.get_entry_counts().total}))
"""


@dataclass
class Timing:
    """One tool's figures for one run (first or second) of one case."""

    seconds: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def shown(self) -> str:
        if not self.seconds:
            return "-"
        spread = (
            f" ({min(self.seconds):.2f}-{max(self.seconds):.2f})" if len(self.seconds) > 1 else ""
        )
        return f"{self.median:.2f}{spread}"


@dataclass
class Row:
    tool: str
    first: Timing = field(default_factory=Timing)
    second: Timing = field(default_factory=Timing)
    items: int | None = None
    note: str = ""


@dataclass
class Case:
    name: str
    feeds: int
    hosts: int
    items: int
    latency: float
    urls: list[str] = field(default_factory=list)
    """Plain HTTP/1.1 URLs, for every tool."""
    tls_urls: list[str] = field(default_factory=list)
    """https URLs (HTTP/2 offered), one-host only."""
    ca_file: Path | None = None
    reset: Callable[[], None] = lambda: None
    statuses: Callable[[], Counter[int]] = Counter


def start_one_host(case: Case) -> Callable[[], None]:
    server = H2Server(plain=True).start()
    for feed in range(case.feeds):
        path = f"/feed{feed}.xml"
        server.route(path, feed_body(feed, case.items), delay=case.latency)
        case.urls.append(server.plain_url(path))
        case.tls_urls.append(server.url(path))
    case.ca_file = server.ca_file
    case.reset = server.reset
    case.statuses = lambda: Counter(server.statuses)
    return server.stop


def start_many_hosts(case: Case) -> Callable[[], None]:
    servers = [CountingServer("127.0.0.1").start() for _ in range(case.hosts)]
    for feed in range(case.feeds):
        server = servers[feed % case.hosts]
        body = feed_body(feed, case.items)
        case.urls.append(server.route(f"/feed{feed}.xml", body=body, delay=case.latency))

    def reset() -> None:
        for server in servers:
            with server._count_lock:
                server.statuses.clear()
            server.requests.clear()

    def statuses() -> Counter[int]:
        total: Counter[int] = Counter()
        for server in servers:
            total.update(server.statuses)
        return total

    def stop() -> None:
        with ThreadPoolExecutor(max_workers=len(servers)) as pool:
            list(pool.map(lambda server: server.stop(), servers))

    case.reset, case.statuses = reset, statuses
    return stop


def timed(case: Case, timing: Timing, command: list[str], **kwargs: object) -> str:
    """Run a fresh process, add its wall time and the servers' answers; its stderr's end."""
    case.reset()
    measured = run_measured(command, **kwargs)  # type: ignore[arg-type]
    timing.seconds.append(measured.wall)
    timing.statuses = case.statuses()
    if measured.returncode:
        timing.note = f"exit {measured.returncode}: {measured.stderr.strip()[-200:]}"
    return measured.stderr


def run_radar(
    case: Case,
    urls: list[str],
    label: str,
    repeat: int,
    parent: Path,
    settings: list[str],
    radar_command: str | None = None,
) -> Row:
    radar = radar_command or str(Path(sys.executable).parent / "radar")
    row = Row(label)
    env = {**os.environ}
    if case.ca_file is not None:
        env["SSL_CERT_FILE"] = str(case.ca_file)
    for attempt in range(repeat):
        root = parent / f"radar-{case.name}-{label.split()[1]}-{attempt}"
        root.mkdir()
        lines = ["feeds:"]
        for n, url in enumerate(urls):
            lines += [f"  - name: feed {n}", f"    url: {url}", "    kind: news"]
        if settings:
            lines += ["settings:", *(f"  {key}: {value}" for key, value in map(_pair, settings))]
        (root / "feeds.yaml").write_text("\n".join(lines) + "\n")
        command = [radar, "-w", str(root), "fetch", "--all", "--no-index"]
        timed(case, row.first, command, env=env)
        timed(case, row.second, command, env=env)
        row.items = count_rows(root / "data" / "radar.db", "SELECT count(*) FROM items")
    return row


def _pair(setting: str) -> tuple[str, str]:
    key, _, value = setting.partition("=")
    return key.strip(), value.strip()


def run_newsboat(case: Case, newsboat: str, threads: int, parent: Path) -> Row:
    home = parent / f"newsboat-{case.name}-{threads}"
    home.mkdir()
    (home / "urls").write_text("\n".join(case.urls) + "\n")
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
    row = Row(f"newsboat, {threads} thread{'s' if threads > 1 else ''}")
    timed(case, row.first, command, env=env, cwd=home)
    timed(case, row.second, command, env=env, cwd=home)
    row.items = count_rows(cache, "SELECT count(*) FROM rss_item")
    row.note = "second run: newsboat 2.21 keeps ETags only for feeds already cached"
    return row


def run_reader(case: Case, python: str, workers: int, parent: Path) -> Row:
    row = Row(f"reader, workers={workers}")
    db = parent / f"reader-{case.name}-{workers}.sqlite"
    for timing in (row.first, row.second):
        case.reset()
        done = subprocess.run(
            [python, "-c", READER_SCRIPT, str(db), json.dumps(case.urls), str(workers)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        timing.statuses = case.statuses()
        if done.returncode:
            timing.note = f"exit {done.returncode}: {done.stderr.strip()[-200:]}"
            break
        result = json.loads(done.stdout.strip().splitlines()[-1])
        timing.seconds.append(result["seconds"])
        row.items = result["entries"]
    row.note = "time of update_feeds() inside the process"
    return row


def run_feedparser(case: Case) -> Row:
    import feedparser

    row = Row("feedparser.parse(url) one by one")
    case.reset()
    entries = 0
    started = time.perf_counter()
    for url in case.urls:
        entries += len(feedparser.parse(url).entries)
    row.first.seconds.append(time.perf_counter() - started)
    row.first.statuses = case.statuses()
    row.items = entries
    row.note = "in this process; parsed, not stored"
    return row


def answers(timing: Timing) -> str:
    total = sum(timing.statuses.values())
    return f"{timing.statuses[304]}/{total}" if total else "-"


def ratio(timing: Timing, reference: Timing) -> str:
    if not timing.seconds or not reference.seconds:
        return "-"
    return f"{timing.median / reference.median:.1f}x"


def print_case(case: Case, rows: list[Row]) -> None:
    print(
        f"\n## {case.name}: {case.feeds} feeds x {case.items} items on {case.hosts} "
        f"host{'s' if case.hosts > 1 else ''}, {case.latency * 1000:.0f} ms latency"
    )
    print("| tool | first run s | ratio | second run s | ratio | 304s in 2nd | items |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    reference = rows[0]
    for row in rows:
        items = "-" if row.items is None else str(row.items)
        print(
            f"| {row.tool} | {row.first.shown()} | {ratio(row.first, reference.first)} | "
            f"{row.second.shown()} | {ratio(row.second, reference.second)} | "
            f"{answers(row.second)} | {items} |"
        )
    for row in rows:
        for note in (row.note, row.first.note, row.second.note):
            if note:
                print(f"- {row.tool}: {note}")


def run_case(
    case: Case, args: argparse.Namespace, newsboat: str | None, reader_python: str | None
) -> list[Row]:
    """Every chosen tool on one case's running servers, radar first."""
    tools = set(args.tools.split(","))
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="radar-peers-") as tmp:
        parent = Path(tmp)
        if "radar" in tools:
            variants = [
                ("radar https (HTTP/2)", case.tls_urls),
                ("radar http (HTTP/1.1)", case.urls),
            ]
            for label, urls in variants:
                if urls:
                    print(f"{case.name}: {label} ...", flush=True)
                    rows.append(
                        run_radar(case, urls, label, args.repeat, parent, args.settings, args.radar)
                    )
        for count in (int(n) for n in args.threads.split(",")):
            if newsboat:
                print(f"{case.name}: newsboat {count} ...", flush=True)
                rows.append(run_newsboat(case, newsboat, count, parent))
            if reader_python:
                print(f"{case.name}: reader {count} ...", flush=True)
                rows.append(run_reader(case, reader_python, count, parent))
        if "feedparser" in tools:
            print(f"{case.name}: feedparser ...", flush=True)
            rows.append(run_feedparser(case))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="one-host,many-hosts")
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--repeat", type=int, default=3, help="radar runs per case (median)")
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--reader-python", default="/tmp/peers-venv/bin/python")
    parser.add_argument(
        "--settings",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a radar setting for feeds.yaml, e.g. per_host=4 (repeatable)",
    )
    parser.add_argument(
        "--radar", help="the radar executable to time (default: this venv's), for A/B runs"
    )
    parser.add_argument("--threads", default="1,16", help="newsboat threads / reader workers")
    args = parser.parse_args()
    tools = set(args.tools.split(","))
    args.repeat = max(1, min(args.repeat, 20))

    newsboat = shutil.which("newsboat") if "newsboat" in tools else None
    if "newsboat" in tools and newsboat is None:
        print("newsboat is not installed (apt-get install -y newsboat): skipped")
    reader_python = args.reader_python if "reader" in tools else None
    if reader_python and not Path(reader_python).exists():
        print(f"{reader_python} not found (a venv with `pip install reader sgmllib3k`): skipped")
        reader_python = None

    if args.settings:
        print(f"radar settings: {', '.join(args.settings)}")
    print(
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start, "
        f"{time.strftime('%Y-%m-%d %H:%M:%S')}"
    )
    cases = {
        "one-host": (Case("one-host", 200, 1, args.items, args.latency), start_one_host),
        "many-hosts": (Case("many-hosts", 500, 50, args.items, args.latency), start_many_hosts),
    }
    for name in args.cases.split(","):
        case, start = cases[name]
        stop = start(case)
        try:
            rows = run_case(case, args, newsboat, reader_python)
        finally:
            stop()
        if rows:
            print_case(case, rows)
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
