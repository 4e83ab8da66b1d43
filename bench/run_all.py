"""Run the benchmark suite in sequence, each script as a subprocess; keep a report.

Every script's output is streamed to the terminal and written, with a header naming
the machine and the checkout, to bench/out/report-<date>.txt (report-<date>-quick.txt
and report-<date>-full.txt for the other modes). A summary of exit statuses and wall
times ends the run; the exit status is 1 if any script failed.

    .venv/bin/python bench/run_all.py            # 10k and 100k items (what `make bench` runs)
    .venv/bin/python bench/run_all.py --full     # + 1M-item search, embed_speed on all SciFact
    .venv/bin/python bench/run_all.py --quick    # smoke run at small sizes, a few minutes
    .venv/bin/python bench/run_all.py --only fetch_many,ingest_speed

Estimated wall time of the default mode on the 2-core dev box, workspaces cached in
bench/out/: search ~6 min (the naive path is 10-20 s a process), refresh ~5 min
(newsboat with one thread alone is ~3.5 min), embedding ~3 min (--docs 800; the whole
corpus, as --full runs it, is ~15 min), SciFact ~4 min once its builds exist, the rest
~3 min: ~21 min. The very first run also builds the synthetic search workspaces and
SciFact's three index builds (~13 min), which can take it past 30 minutes once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
SCIFACT_CORPUS = ROOT.parent / "shared" / "corpora" / "scifact"
SCIFACT_WS = OUT / "scifact-ws"
DEMO_WS = OUT / "demo-ws"
MODEL_CACHE = OUT / "model-cache"


@dataclass
class Step:
    name: str
    argv: list[str]
    skip: str | None = None
    """Why this step does not run (shown in the summary), or None."""
    needs: Path | None = None
    """A file that must exist when the step starts (made by an earlier step)."""


@dataclass
class Result:
    step: Step
    status: str
    wall: float = 0.0
    failed: bool = False
    notes: list[str] = field(default_factory=list)


def script(name: str, *args: str) -> list[str]:
    return [sys.executable, str(BENCH / f"{name}.py"), *args]


def help_text(name: str) -> str:
    path = BENCH / f"{name}.py"
    if not path.is_file():
        return ""
    done = subprocess.run(script(name, "--help"), capture_output=True, text=True, cwd=ROOT)
    return done.stdout


def steps_for(mode: str) -> list[Step]:
    quick, full = mode == "quick", mode == "full"
    steps: list[Step] = []

    sizes = "10000" if quick else "10000,100000,1000000" if full else "10000,100000"
    search = ["--sizes", sizes] + (["--runs", "1", "--no-naive"] if quick else [])
    steps.append(Step("search_speed", script("search_speed", *search)))

    if quick:
        fetch = ["--feeds", "50", "--hosts", "5", "--latency", "0.1", "--baseline"]
        fetch += ["--newsboat", "--newsboat-threads", "16"]
    else:
        fetch = ["--feeds", "500", "--hosts", "50", "--latency", "0.1", "--baseline", "--newsboat"]
    steps.append(Step("fetch_many", script("fetch_many", *fetch)))
    peers = ["--cases", "one-host", "--tools", "radar", "--repeat", "1"] if quick else []
    steps.append(Step("peers", script("peers", *peers)))

    ingest = ["--items", "5000"] if quick else []
    steps.append(Step("ingest_speed", script("ingest_speed", *ingest)))

    no_corpus = None if SCIFACT_CORPUS.is_dir() else f"SciFact corpus absent ({SCIFACT_CORPUS})"
    embed = ["--cache-dir", str(MODEL_CACHE)]
    if quick:
        embed += ["--docs", "200", "--queries", "20", "--speed-items", "32", "--cold-runs", "1"]
        embed += ["--backends", "onnx-int8"]
    elif not full:
        # The whole corpus embeds 5,183 abstracts per backend: ~15 min alone on 2 cores.
        embed += ["--docs", "800", "--speed-items", "128"]
    steps.append(Step("embed_speed", script("embed_speed", *embed), skip=no_corpus))

    scifact = ["--reuse", "--workspace", str(SCIFACT_WS)]
    scifact_skip = no_corpus
    if quick:
        scifact += ["--limit-queries", "20", "--backends", "", "--speed-sample", "0", "--no-train"]
        if scifact_skip is None and not (SCIFACT_WS / "default" / "bench-build.json").is_file():
            scifact_skip = f"no finished build in {SCIFACT_WS} (the first build takes minutes)"
    steps.append(Step("scifact", script("scifact", *scifact), skip=scifact_skip))

    scifact_db = SCIFACT_WS / "default" / "data" / "radar.db"
    recall_skip = None if scifact_db.is_file() else f"no SciFact build in {SCIFACT_WS}"
    steps.append(
        Step(
            "ivf_recall",
            script("ivf_recall", "--workspace", str(SCIFACT_WS / "default")),
            skip=no_corpus or (recall_skip if quick else None),
            needs=None if quick else scifact_db,
        )
    )

    steps.append(Step("parse_speed", script("parse_speed")))

    if not (DEMO_WS / "feeds.yaml").is_file():
        radar = str(Path(sys.executable).parent / "radar")
        steps.append(Step("demo_workspace", [radar, "demo", str(DEMO_WS)]))
    tui = [str(DEMO_WS)] + (["--runs", "1"] if quick else [])
    steps.append(Step("tui_start", script("tui_start", *tui), needs=DEMO_WS / "feeds.yaml"))

    fault: list[str] = []
    if quick:
        fault_help = help_text("fault_memory")
        for flag, value in (("--huge-mb", "20"), ("--bomb-mib", "64")):
            if flag in fault_help:
                fault += [flag, value]
    steps.append(
        Step(
            "fault_memory",
            script("fault_memory", *fault),
            skip=None if (BENCH / "fault_memory.py").is_file() else "bench/fault_memory.py absent",
        )
    )

    steps.append(
        Step("linking_eval", script("linking_eval", *(["--no-semantic"] if quick else [])))
    )
    return steps


class Tee:
    """Writes to the terminal and the report file at once."""

    def __init__(self, path: Path) -> None:
        self.file = path.open("wb")

    def write(self, data: bytes | str) -> None:
        if isinstance(data, str):
            data = data.encode()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        self.file.write(data)
        self.file.flush()

    def line(self, text: str = "") -> None:
        self.write(text + "\n")

    def close(self) -> None:
        self.file.close()


def machine_header(mode: str) -> list[str]:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], capture_output=True, text=True, cwd=ROOT)
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "?"
    dirty = git("status", "--porcelain", "--untracked-files=no")
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
    except OSError:
        pass
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return [
        f"radar benchmark suite, mode {mode}, started {dt.datetime.now():%Y-%m-%d %H:%M:%S}",
        f"machine: {platform.node()}, {platform.system()} {platform.release()}, "
        f"{os.cpu_count()} CPUs ({cpu}){memory}",
        f"python {platform.python_version()} ({sys.executable})",
        f"checkout: {commit}{' with uncommitted changes' if dirty else ''}",
        f"load average at start: {load} (the machine may be shared: figures are indicative)",
    ]


def run_step(step: Step, tee: Tee, env: dict[str, str]) -> Result:
    if step.skip:
        tee.line(f"skipped: {step.skip}")
        return Result(step, f"skipped: {step.skip}")
    if step.needs is not None and not step.needs.exists():
        reason = f"skipped: {step.needs} missing"
        tee.line(reason)
        return Result(step, reason)
    started = time.perf_counter()
    process = subprocess.Popen(
        step.argv,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    assert process.stdout is not None
    try:
        while chunk := process.stdout.read1(65536):  # type: ignore[attr-defined]
            tee.write(chunk)
        code = process.wait()
    except KeyboardInterrupt:
        # The child has its own session: stop it (and what it started) ourselves.
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        raise
    wall = time.perf_counter() - started
    status = "ok" if code == 0 else f"exit {code}"
    return Result(step, status, wall, failed=code != 0)


def print_summary(results: list[Result], steps: list[Step], tee: Tee, total: float) -> None:
    tee.line()
    tee.line("=" * 72)
    tee.line(f"{'benchmark':16} {'wall':>8}  status")
    for result in results:
        wall = f"{result.wall:7.1f}s" if result.wall else f"{'-':>8}"
        tee.line(f"{result.step.name:16} {wall}  {result.status}")
    for step in steps[len(results) :]:
        tee.line(f"{step.name:16} {'-':>8}  not run (interrupted)")
    failed = sum(result.failed for result in results)
    tee.line(
        f"total {total / 60:.1f} min; {failed} failed; load average now {os.getloadavg()[0]:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--full", action="store_true", help="add the 1M-item sizes, whole corpora")
    size.add_argument("--quick", action="store_true", help="a smoke run at small sizes")
    parser.add_argument("--only", help="comma-separated benchmark names to run")
    parser.add_argument("--skip", help="comma-separated benchmark names not to run")
    parser.add_argument("--list", action="store_true", help="print the commands and exit")
    args = parser.parse_args()
    mode = "full" if args.full else "quick" if args.quick else "default"

    steps = steps_for(mode)
    names = {step.name for step in steps_for("default")} | {"demo_workspace"}
    for option in (args.only, args.skip):
        unknown = set((option or "").split(",")) - names - {""}
        if unknown:
            parser.error(
                f"unknown benchmark(s) {', '.join(sorted(unknown))}; known: {sorted(names)}"
            )
    if args.only:
        wanted = set(args.only.split(","))
        if "tui_start" in wanted:
            wanted.add("demo_workspace")
        steps = [step for step in steps if step.name in wanted]
    if args.skip:
        unwanted = set(args.skip.split(","))
        steps = [step for step in steps if step.name not in unwanted]
    if args.list:
        for step in steps:
            command = subprocess.list2cmdline(step.argv)
            print(f"{step.name}: {f'(skipped: {step.skip}) ' if step.skip else ''}{command}")
        return

    OUT.mkdir(parents=True, exist_ok=True)
    suffix = "" if mode == "default" else f"-{mode}"
    report = OUT / f"report-{dt.date.today():%Y-%m-%d}{suffix}.txt"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.setdefault("RADAR_MODEL_CACHE", str(MODEL_CACHE))
    tee = Tee(report)
    results: list[Result] = []
    started = time.perf_counter()
    try:
        for line in machine_header(mode):
            tee.line(line)
        tee.line(f"report: {report}")
        for step in steps:
            tee.line()
            tee.line(f"### {step.name}: {subprocess.list2cmdline(step.argv)}")
            tee.line(f"### started {dt.datetime.now():%H:%M:%S}")
            result = run_step(step, tee, env)
            results.append(result)
            if result.wall:
                tee.line(f"### {step.name}: {result.status} in {result.wall:.1f} s")
    except KeyboardInterrupt:
        tee.line("\ninterrupted")
    finally:
        print_summary(results, steps, tee, time.perf_counter() - started)
        tee.line(f"report written to {report}")
        tee.close()
    if any(result.failed for result in results) or len(results) < len(steps):
        sys.exit(1)


if __name__ == "__main__":
    main()
