"""Run a command as a fresh process and report its wall time and its own peak memory.

A child's peak RSS (ru_maxrss) starts from its parent's RSS at fork time on Linux, so a
benchmark that holds a model or a big index would inflate every child it measures. The
command is therefore started from a small launcher process, which times it and reads
the peak of its only child.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

LAUNCHER = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
out, err = open(sys.argv[1] + ".out", "wb"), open(sys.argv[1] + ".err", "wb")
done = subprocess.run(sys.argv[2:], stdin=subprocess.DEVNULL, stdout=out, stderr=err)
wall = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
open(sys.argv[1], "w").write(json.dumps({"wall": wall, "rss_kib": peak, "code": done.returncode}))
"""


@dataclass
class Measured:
    wall: float
    rss_mib: float
    returncode: int
    stdout: str
    stderr: str


def run_measured(
    command: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None
) -> Measured:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        subprocess.run(
            [sys.executable, "-c", LAUNCHER, str(report), *command], env=env, cwd=cwd, check=True
        )
        data = json.loads(report.read_text())
        return Measured(
            wall=data["wall"],
            rss_mib=data["rss_kib"] / 1024,
            returncode=data["code"],
            stdout=Path(str(report) + ".out").read_text(errors="replace"),
            stderr=Path(str(report) + ".err").read_text(errors="replace"),
        )
