"""Walk a repository checkout, find its manifests, parse each one.

A file that cannot be read or parsed becomes a :class:`Problem` with its path and the
reason; the scan always finishes. Limits keep hostile input bounded: files larger than
:data:`MAX_FILE_BYTES` (lock files :data:`MAX_LOCK_BYTES`), binary files, symlink loops,
include cycles and alias bombs are reported, not followed.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import yaml

from radar.usage import deploy_manifests, python_manifests
from radar.usage.model import Dependency, FileResult, Problem, RepoScan
from radar.usage.requirements import RequirementsFile
from radar.usage.yamlnodes import TemplateNotYaml, YamlTooLarge

MAX_FILE_BYTES = 4 * 1024 * 1024
"""A manifest larger than this is skipped: real ones are far smaller."""
MAX_LOCK_BYTES = 32 * 1024 * 1024
"""Lock files of big monorepos reach several MB."""
MAX_LINES = 100_000
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "site-packages",
    }
)
LOCK_FILES = frozenset({"poetry.lock", "uv.lock"})

Parser = Callable[[str, str], FileResult]


class ManifestError(ValueError):
    """A file that is not readable as a manifest (too large, binary, not UTF-8)."""


def kind_of(path: Path) -> str | None:
    """Which manifest format a file name says it is; None for other files."""
    name = path.name
    lower = name.lower()
    if lower.endswith(".txt"):
        if lower.startswith("constraints"):
            return "constraints"
        if "requirements" in lower or path.parent.name.lower() == "requirements":
            return "requirements"
        return None
    if name in ("pyproject.toml", "setup.cfg", "setup.py", "Pipfile", "package.json"):
        return name
    if lower in LOCK_FILES:
        return lower
    if (
        lower in ("dockerfile", "containerfile")
        or lower.startswith("dockerfile.")
        or lower.endswith(".dockerfile")
    ):
        return "dockerfile"
    if lower.endswith((".yml", ".yaml")):
        if lower.startswith(("environment", "conda")):
            return "conda"
        if "lock" in lower:
            return None
        return "yaml"
    return None


PARSERS: dict[str, Parser] = {
    "pyproject.toml": python_manifests.parse_pyproject,
    "setup.cfg": python_manifests.parse_setup_cfg,
    "setup.py": python_manifests.parse_setup_py,
    "Pipfile": python_manifests.parse_pipfile,
    "poetry.lock": python_manifests.parse_poetry_lock,
    "uv.lock": python_manifests.parse_uv_lock,
    "conda": python_manifests.parse_conda_environment,
    "dockerfile": deploy_manifests.parse_dockerfile,
    "yaml": deploy_manifests.parse_deploy_yaml,
    "package.json": deploy_manifests.parse_package_json,
}

PARSE_ERRORS = (
    ValueError,  # includes UnicodeError, json errors, YamlTooLarge, ManifestError
    tomllib.TOMLDecodeError,
    yaml.YAMLError,
    SyntaxError,
    RecursionError,
    KeyError,
    TypeError,
    AttributeError,  # a manifest with a value of the wrong shape where a table belongs
)


def read_manifest(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """The file's text; ManifestError (or OSError) says why it cannot be a manifest."""
    info = path.stat()  # follows symlinks; a loop raises OSError (ELOOP)
    if not stat.S_ISREG(info.st_mode):
        raise ManifestError("not a regular file")
    if info.st_size > limit:
        raise ManifestError(
            f"{info.st_size / 1e6:.1f} MB, larger than the {limit / 1e6:.0f} MB "
            "a manifest may be; skipped"
        )
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if b"\0" in data[:8192]:
        raise ManifestError("binary file, not a manifest")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ManifestError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if text.count("\n") > MAX_LINES:
        raise ManifestError(
            f"more than {MAX_LINES:,} lines, not a manifest a person keeps; skipped"
        )
    return text


def manifests(root: Path) -> Iterator[tuple[Path, str]]:
    """(path, kind) for every manifest under root; symlinked folders are not followed."""
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            path = Path(folder, name)
            kind = kind_of(path)
            if kind is not None:
                yield path, kind


def parse_manifest(path: Path, kind: str, root: Path) -> FileResult:
    """One manifest; every failure becomes a Problem naming the file."""
    rel = path.relative_to(root).as_posix()
    try:
        path.stat()  # a symlink loop fails here, before any path is resolved
        if kind in ("requirements", "constraints"):
            reader = RequirementsFile(root, read_manifest)
            return reader.parse(path, constraint=kind == "constraints")
        limit = MAX_LOCK_BYTES if kind in LOCK_FILES else MAX_FILE_BYTES
        text = read_manifest(path, limit)
        return PARSERS[kind](text, rel)
    except OSError as exc:
        return FileResult(problems=[Problem(rel, f"cannot read: {exc.strerror or exc}")])
    except YamlTooLarge as exc:
        return FileResult(problems=[Problem(rel, f"YAML {exc}")])
    except PARSE_ERRORS as exc:
        return FileResult(problems=[Problem(rel, _reason(exc))])


def _reason(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply to parse"
    text = " ".join(str(exc).split())
    name = type(exc).__name__
    if isinstance(exc, ManifestError | TemplateNotYaml):
        return text
    return f"{name}: {text}"[:300]


_REMOTE_URL = re.compile(r"^\s*url\s*=\s*(\S+)\s*$", re.M)
_REMOTE_SECTION = re.compile(r'^\s*\[remote\s+"([^"]+)"\]\s*$', re.M)


def repo_name(root: Path) -> str:
    """``owner/name`` from the checkout's git remote (origin first), else the folder name."""
    config = _git_config(root)
    if config:
        remotes: dict[str, str] = {}
        sections = list(_REMOTE_SECTION.finditer(config))
        for index, section in enumerate(sections):
            end = sections[index + 1].start() if index + 1 < len(sections) else len(config)
            found = _REMOTE_URL.search(config, section.end(), end)
            if found:
                remotes[section.group(1)] = found.group(1)
        url = remotes.get("origin") or next(iter(remotes.values()), "")
        if url:
            return _name_from_url(url)
    return root.resolve().name


def _git_config(root: Path) -> str:
    git = root / ".git"
    try:
        if git.is_file():  # a worktree or submodule: "gitdir: <path>"
            target = git.read_text(encoding="utf-8").partition("gitdir:")[2].strip()
            gitdir = (root / target).resolve()
            common = gitdir / "commondir"
            if common.is_file():
                gitdir = (gitdir / common.read_text(encoding="utf-8").strip()).resolve()
            return (gitdir / "config").read_text(encoding="utf-8", errors="replace")
        return (git / "config").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _name_from_url(url: str) -> str:
    path = re.sub(r"^[\w+]+://[^/]+/|^[^@/]+@[^:]+:", "", url.strip())
    path = path.rstrip("/")
    path = path.removesuffix(".git")
    parts = [p for p in path.split("/") if p]
    return "/".join(parts[-2:]) if parts else url


def scan_repository(root: Path, name: str | None = None) -> RepoScan:
    """Every manifest under root, parsed; dependencies deduplicated by place and name."""
    files: list[str] = []
    found: dict[tuple[str, int | None, str, str, bool], Dependency] = {}
    problems: list[Problem] = []
    for path, kind in manifests(root):
        files.append(path.relative_to(root).as_posix())
        result = parse_manifest(path, kind, root)
        for dependency in result.dependencies:
            key = (
                dependency.file,
                dependency.line,
                dependency.key,
                dependency.spec,
                dependency.constraint,
            )
            found.setdefault(key, dependency)
        problems.extend(p for p in result.problems if p not in problems)
    # A file some requirements file includes with -c only constrains, even when its
    # name made the walker read it as a requirements file too.
    constraint_files = {d.file for d in found.values() if d.constraint}
    dependencies = [d for d in found.values() if d.constraint or d.file not in constraint_files]
    return RepoScan(
        repo=name or repo_name(root),
        root=str(root.resolve()),
        files=tuple(files),
        dependencies=tuple(dependencies),
        problems=tuple(problems),
    )
