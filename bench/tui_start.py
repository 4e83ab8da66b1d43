"""How fast the TUI starts on a workspace (default: ./radar-demo, as `radar demo` makes).

Measures, in a fresh process each time (the median of --runs):
  * first paint: process start -> Textual's Ready event (first frame displayed);
  * news ready: process start -> the item list filled from SQLite;
  * the same two as CPU seconds used by the process (all threads), which a busy
    machine inflates much less than wall-clock time;
each through `App.run_test` (headless, 160x48), so no terminal is needed. Then checks
with `python -X importtime` that starting the app imports neither torch nor
sentence-transformers (nor onnxruntime / faiss: those load when a screen needs them).

    python bench/tui_start.py [WORKSPACE] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

CHILD = r"""
import time
started = time.time()
import asyncio, json, sys
from pathlib import Path
from textual import events
from radar.tui.app import RadarApp
from radar.session import Session
from radar.workspace import Workspace
imported = time.time()

marks = {}

def hook(message):
    if isinstance(message, events.Ready):
        marks.setdefault("first_paint", time.time())
        marks.setdefault("first_paint_cpu", time.process_time())

async def main():
    app = RadarApp(Session(Workspace(Path(sys.argv[1]))))
    async with app.run_test(size=(160, 48), message_hook=hook) as pilot:
        news = app.mode_screens["news"]
        while not news.loaded:
            await pilot.pause(0.005)
        marks["news_ready"] = time.time()
        marks["news_ready_cpu"] = time.process_time()
        rows = news.query_one("#items").row_count
        await app.workers.wait_for_complete()
    heavy = [m for m in ("torch", "sentence_transformers", "onnxruntime", "faiss")
             if m in sys.modules]
    print(json.dumps({"launched": float(sys.argv[2]), "started": started, "imported": imported,
                      **marks, "rows": rows, "heavy": heavy}))

asyncio.run(main())
"""


def one_run(workspace: Path) -> dict[str, float]:
    launched = time.time()
    output = subprocess.run(
        [sys.executable, "-c", CHILD, str(workspace), repr(launched)],
        capture_output=True,
        text=True,
    )
    if output.returncode:
        sys.exit(f"the app did not start:\n{output.stderr}")
    data = json.loads(output.stdout.strip().splitlines()[-1])
    return {
        "interpreter": data["started"] - data["launched"],
        "imports": data["imported"] - data["started"],
        "first_paint": data["first_paint"] - data["launched"],
        "news_ready": data["news_ready"] - data["launched"],
        "first_paint_cpu": data["first_paint_cpu"],
        "news_ready_cpu": data["news_ready_cpu"],
        "rows": data["rows"],
        "heavy": data["heavy"],
    }


def heavy_imports_at_start() -> list[str]:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import radar.tui.app, radar.cli"],
        capture_output=True,
        text=True,
        check=True,
    )
    modules = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    heavy = ("torch", "sentence_transformers", "transformers", "onnxruntime", "faiss", "sklearn")
    return sorted(name for name in modules if name.split(".")[0] in heavy)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workspace", nargs="?", default="radar-demo")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    workspace = Path(args.workspace).resolve()
    if not (workspace / "feeds.yaml").is_file():
        sys.exit(f"{workspace} is not a workspace; run `radar demo` first")

    runs = [one_run(workspace) for _ in range(args.runs)]
    print(f"workspace {workspace} ({runs[0]['rows']} items listed), {args.runs} runs, median:")
    for key in (
        "interpreter",
        "imports",
        "first_paint",
        "news_ready",
        "first_paint_cpu",
        "news_ready_cpu",
    ):
        values = [run[key] for run in runs]
        median, low, high = statistics.median(values), min(values), max(values)
        print(f"  {key:<16} {median:6.3f} s   (min {low:.3f}, max {high:.3f})")
    loaded = sorted({name for run in runs for name in run["heavy"]})
    print(f"  heavy modules loaded by the time the news list showed: {loaded or 'none'}")
    heavy = heavy_imports_at_start()
    print(f"  -X importtime of radar.tui.app: heavy modules imported: {heavy or 'none'}")
    budget = statistics.median(run["first_paint"] for run in runs)
    print(f"first paint {'within' if budget <= 1.0 else 'OVER'} the 1 s budget")
    if heavy or loaded:
        sys.exit(1)


if __name__ == "__main__":
    main()
