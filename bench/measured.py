"""Run a command as a fresh process and report its wall time and peak memory.

A child's peak RSS (ru_maxrss) starts from its parent's RSS at fork time on Linux, so a
benchmark that holds a model or a big index would inflate every child it measures. The
command is therefore started from a small launcher process, which times it and reads
the peak of its children.

Two peaks are reported:
- ``rss_mib``: the largest peak of any single process of the command (ru_maxrss of the
  reaped children, grandchildren included);
- ``tree_rss_mib``: the peak of the whole process tree, the sum of the RSS of every
  descendant alive at the same moment, sampled from /proc every 10 ms (and never less
  than ``rss_mib``), so work moved into a child process cannot hide its memory. RSS
  counts shared library pages once per process, so the sum errs on the high side.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

LAUNCHER = """
import json, os, resource, subprocess, sys, time

def tree_rss_kib(root):
    parents, rss = {}, {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            with open(f"/proc/{name}/statm", "rb") as handle:
                pages = int(handle.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents[int(name)] = int(fields[1])
        rss[int(name)] = pages * PAGE_KIB
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return total

PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
started = time.perf_counter()
out, err = open(sys.argv[1] + ".out", "wb"), open(sys.argv[1] + ".err", "wb")
process = subprocess.Popen(sys.argv[2:], stdin=subprocess.DEVNULL, stdout=out, stderr=err)
tree_peak = 0
while process.poll() is None:
    tree_peak = max(tree_peak, tree_rss_kib(process.pid))
    time.sleep(0.01)
wall = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
open(sys.argv[1], "w").write(json.dumps(
    {"wall": wall, "rss_kib": peak, "tree_kib": max(peak, tree_peak), "code": process.returncode}
))
"""


@dataclass
class Measured:
    wall: float
    rss_mib: float
    """The largest peak RSS of any one process of the command."""
    returncode: int
    stdout: str
    stderr: str
    tree_rss_mib: float = 0.0
    """The peak of the summed RSS of all the command's processes alive at once."""


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
            tree_rss_mib=data["tree_kib"] / 1024,
        )
