"""Peak memory of a first `radar fetch` of SciFact's 5,183 abstracts, whole process tree.

The abstracts are written as RSS files (one feed per 1,000 abstracts) served from
127.0.0.1, and `radar fetch --all` runs as a fresh process from bench/measured.py's launcher, which
reports the largest single process and the sum of all processes alive at once. Two
cases: a cold model cache (the ONNX export happens inside the fetch) and a warm one
(the export made once per machine by an earlier command, as `radar init` does).

    .venv/bin/python bench/first_fetch.py
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import sys
import tempfile
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measured import Measured, run_measured  # noqa: E402
from scifact import DEFAULT_CORPUS, load_scifact  # noqa: E402

PER_FEED = 1000


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def write_feeds(root: Path, docs: Sequence[tuple[str, str, str]], base_url: str) -> None:
    """A workspace at ``root`` whose feeds.yaml lists RSS files of ``docs`` at ``base_url``."""
    root.mkdir(parents=True)
    first_day = datetime(2000, 1, 1, tzinfo=UTC)
    lines = ["feeds:"]
    for number, start in enumerate(range(0, len(docs), PER_FEED)):
        path = root / f"scifact-{number}.xml"
        parts = ['<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>']
        parts.append(f"<title>SciFact {number}</title><link>https://scifact.example/</link>")
        for offset, (doc_id, title, text) in enumerate(docs[start : start + PER_FEED]):
            day = format_datetime(first_day + timedelta(days=start + offset))
            parts.append(
                f"<item><title>{escape(title)}</title><guid>{doc_id}</guid>"
                f"<link>https://scifact.example/doc/{doc_id}</link><pubDate>{day}</pubDate>"
                f"<description>{escape(text)}</description></item>"
            )
        parts.append("</channel></rss>")
        path.write_text("".join(parts), encoding="utf-8")
        url = f"{base_url}/{root.name}/{path.name}"
        lines += [f"  - name: scifact {number}", f"    url: {url}", "    kind: papers"]
    (root / "feeds.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def first_fetch(root: Path, model_cache: Path) -> Measured:
    env = {**os.environ, "RADAR_MODEL_CACHE": str(model_cache)}
    command = [sys.executable, "-m", "radar", "-w", str(root), "fetch", "--all"]
    measured = run_measured(command, env=env)
    if measured.returncode != 0:
        raise SystemExit(f"radar fetch failed:\n{measured.stderr[-2000:]}")
    return measured


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, help="first N abstracts only (smoke runs)")
    parser.add_argument("--warm-only", action="store_true", help="skip the cold-cache case")
    parser.add_argument("--model-cache", type=Path, help="warm case: an existing export cache")
    args = parser.parse_args(argv)
    if not (args.corpus / "corpus.jsonl").is_file():
        print(f"SciFact is not at {args.corpus}; skipping")
        return 0
    docs = load_scifact(args.corpus).docs[: args.limit]
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    print("| model cache | wall s | largest process MiB | process tree MiB |")
    print("| --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        handler = functools.partial(_QuietHandler, directory=tmp)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base_url = f"http://127.0.0.1:{server.server_address[1]}"
        cache = args.model_cache or Path(tmp) / "models"
        cases = (
            [("warm", "b")] if args.warm_only else [("cold (export inside)", "a"), ("warm", "b")]
        )
        if args.warm_only:
            from radar.embed import DEFAULT_MODEL, ensure_export

            ensure_export(DEFAULT_MODEL, cache)
        for label, name in cases:
            root = Path(tmp) / name
            write_feeds(root, docs, base_url)
            m = first_fetch(root, cache)
            print(f"| {label} | {m.wall:.1f} | {m.rss_mib:.0f} | {m.tree_rss_mib:.0f} |")
        server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
