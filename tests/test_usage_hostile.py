"""Hostile repositories: `radar usage scan` finishes in bounded time and memory, names
each file it could not read and why, and still reports what the good files declare."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

MEMORY_LIMIT = 1024 * 1024 * 1024  # 1 GiB of address space for the whole scan
HANG_GUARD_S = 120

BOMB = """a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def scan_in_child(workspace_root: Path, *paths: Path) -> subprocess.CompletedProcess[str]:
    """The real CLI in its own process, under a memory cap and a hang guard."""
    return subprocess.run(
        [sys.executable, "-m", "radar", "-w", str(workspace_root), "usage", "scan", "--json",
         *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_S,
        preexec_fn=_limit_memory,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        check=False,
    )  # fmt: skip


@pytest.fixture
def hostile_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "hostile"
    (repo / "deploy").mkdir(parents=True)
    (repo / "requirements.txt").write_text("-r more-requirements.txt\ntorch==2.4.0\n", "utf-8")
    (repo / "more-requirements.txt").write_text("-r requirements.txt\nnumpy\n", "utf-8")
    with (repo / "requirements-huge.txt").open("w", encoding="utf-8") as handle:
        line = "package-name-that-repeats==1.0.0\n"
        handle.write(line * (50 * 1024 * 1024 // len(line) + 1))
    (repo / "deploy" / "values.yaml").write_text(BOMB + "image: vllm/vllm-openai:v0.6.3\n", "utf-8")
    (repo / "environment.yml").write_text(BOMB + "dependencies: [*i]\n", "utf-8")
    (repo / "pyproject.toml").write_bytes(b"\x7fELF\x02\x01\x01\x00" + os.urandom(4096))
    (repo / "package.json").write_bytes(os.urandom(2048).replace(b"\0", b"\1") + b"\xff\xfe")
    (repo / "Dockerfile").write_bytes(b"\0" * 1024)
    (repo / "setup.py").write_text(
        "setup(install_requires=" + "[" * 5000 + "]" * 5000 + ")\n", "utf-8"
    )
    os.symlink("requirements-loop.txt", repo / "requirements-loop.txt")
    os.symlink(".", repo / "deploy" / "again")
    return repo


def test_a_hostile_repository_is_scanned_with_every_bad_file_named(workspace, hostile_repo):
    result = scan_in_child(workspace.root, hostile_repo)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    found = {(r["file"], r["package"]) for r in rows}
    assert ("requirements.txt", "torch") in found
    assert ("more-requirements.txt", "numpy") in found
    assert ("deploy/values.yaml", "vllm/vllm-openai") in found, "the bomb beside it is walked once"
    warnings = {
        line.split(": ", 4)[3]: line.split(": ", 4)[4]
        for line in result.stderr.splitlines()
        if line.startswith("radar: warning: ")
    }
    assert "recursive include" in warnings["more-requirements.txt"]
    assert "larger than" in warnings["requirements-huge.txt"]
    assert "expands to more than" in warnings["environment.yml"]
    assert "binary" in warnings["pyproject.toml"] and "binary" in warnings["Dockerfile"]
    assert "UTF-8" in warnings["package.json"]
    assert "nested" in warnings["setup.py"]
    assert "cannot read" in warnings["requirements-loop.txt"]
    assert "Traceback" not in result.stderr
