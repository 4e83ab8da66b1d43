"""Peak memory of `radar fetch` against a 100 MB response and a gzip bomb, next to a healthy feed.

Each case is a fresh workspace and a fresh `radar fetch --all --no-index` process against
feeds served on 127.0.0.1 (tests/feedserver.py); its peak RSS is the child's own
ru_maxrss, read with os.wait4. The size cap is the default (16 MiB, decompressed).

    .venv/bin/python bench/fault_memory.py

The gzip bomb (1 GiB of zeros, about 1 MiB compressed) is made once and kept in bench/out/.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from feedserver import HUGE_RSS_HEAD, FeedServer, rss, streamed_rss  # noqa: E402

MiB = 1024 * 1024
OUT = Path(__file__).resolve().parent / "out"
RSS_HEAD = HUGE_RSS_HEAD
HEALTHY = rss(
    [
        {
            "title": f"Healthy item {n}: notes on serving and training",
            "link": f"https://ok.example/posts/{n}",
            "guid": f"ok-{n}",
            "pubDate": f"Mon, {1 + n % 28:02d} Sep 2026 10:00:00 GMT",
            "description": "A paragraph of text about model serving. " * 5,
        }
        for n in range(20)
    ],
    title="Healthy",
)


def gzip_bomb(decompressed: int) -> bytes:
    """`decompressed` bytes (an RSS head, then zeros) gzip-compressed; cached in bench/out/."""
    path = OUT / f"gzip-bomb-{decompressed // MiB}MiB.gz"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        zeros = bytes(MiB)
        parts = [compressor.compress(RSS_HEAD)]
        left = decompressed - len(RSS_HEAD)
        while left > 0:
            parts.append(compressor.compress(zeros[:left]))
            left -= len(zeros)
        parts.append(compressor.flush())
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(b"".join(parts))
        temporary.replace(path)
    return path.read_bytes()


def just_under_the_cap(cap: int) -> bytes:
    """A valid feed whose one description fills the cap but for 1 MiB: the largest accepted."""
    paragraph = b"<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>\n"
    filler = paragraph * ((cap - MiB) // len(paragraph))
    return (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>'
        b"<item><title>Big</title><guid>big-1</guid><description><![CDATA["
        + filler
        + b"]]></description></item></channel></rss>"
    )


def run_case(
    server: FeedServer, number: int, name: str, bad_route: dict[str, object] | None
) -> dict[str, object]:
    """One fresh workspace and one `radar fetch` process: its peak RSS, wall time and outcome."""
    feeds = [("Healthy", server.route(f"/case{number}/healthy.xml", body=HEALTHY))]
    if bad_route is not None:
        feeds.append(("Bad", server.route(f"/case{number}/bad", **bad_route)))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        lines = ["feeds:"]
        for feed_name, url in feeds:
            lines += [f"  - name: {feed_name}", f"    url: {url}", "    kind: news"]
        lines += ["settings:", "  timeout: 10", "  deadline: 60"]
        (root / "feeds.yaml").write_text("\n".join(lines) + "\n")
        radar = str(Path(sys.executable).parent / "radar")
        with open(root / "stderr.log", "wb") as stderr:
            started = time.perf_counter()
            process = subprocess.Popen(
                [radar, "-w", str(root), "fetch", "--all", "--no-index"],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
            _, wait_status, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(wait_status)
        status = subprocess.run(
            [radar, "-w", str(root), "feeds", "status", "--json"],
            capture_output=True,
            text=True,
            check=True,
        )
    outcome = ", ".join(
        f"{row['name']} {row['last_status']} ({row['item_count']} items)"
        for row in json.loads(status.stdout)
    )
    sent = server.streamed.get(f"/case{number}/bad")
    if sent is not None:
        outcome += f"; server sent {sent / MiB:.0f} MiB"
    return {
        "case": name,
        "peak_rss_mib": usage.ru_maxrss / 1024,  # KiB on Linux
        "wall_s": wall,
        "exit": process.returncode,
        "outcome": outcome,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--huge-mb", type=int, default=100, help="size of the huge response")
    parser.add_argument("--bomb-mib", type=int, default=1024, help="decompressed gzip bomb size")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args()

    huge = args.huge_mb * 1000 * 1000
    bomb = gzip_bomb(args.bomb_mib * MiB)
    cases: list[tuple[str, dict[str, object] | None]] = [
        ("baseline (healthy only)", None),
        (
            f"{args.huge_mb} MB response, Content-Length announced",
            {"stream": streamed_rss(huge), "headers": {"Content-Length": str(huge)}},
        ),
        # Without a length the body ends when the connection closes: only counting
        # bytes as they arrive can stop it.
        (f"{args.huge_mb} MB response, no Content-Length", {"stream": streamed_rss(huge)}),
        (
            f"gzip bomb ({len(bomb) / MiB:.1f} MiB -> {args.bomb_mib} MiB)",
            {"body": bomb, "headers": {"Content-Encoding": "gzip"}},
        ),
        ("15 MiB feed (just under the cap)", {"body": just_under_the_cap(16 * MiB)}),
    ]
    server = FeedServer().start()
    try:
        rows = [run_case(server, number, name, route) for number, (name, route) in enumerate(cases)]
    finally:
        server.stop()

    if args.json:
        print(json.dumps(rows, indent=2))
        return
    width = max(len(str(row["case"])) for row in rows)
    print(f"{'case':<{width}}  {'peak RSS MiB':>12}  {'wall s':>6}  exit  outcome")
    for row in rows:
        print(
            f"{row['case']:<{width}}  {row['peak_rss_mib']:>12.1f}  {row['wall_s']:>6.2f}  "
            f"{row['exit']:>4}  {row['outcome']}"
        )


if __name__ == "__main__":
    main()
