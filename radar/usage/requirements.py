"""PEP 508 requirement strings and pip requirements files (``-r``, ``-c``, ``-e``, hashes,
``# via`` annotations), parsed with ``packaging``."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from radar.usage.model import Dependency, FileResult, Problem

_COMMENT = re.compile(r"(^|\s+)#.*$")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._\-]*)")
_VIA_START = re.compile(r"^\s*#\s+via(?:\s+(.*))?$")
_VIA_MORE = re.compile(r"^\s*#\s{2,}(\S.*)$")
_NAME_PART = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._\-]*)(\[[^\]]*\])?\s*(.*)$")
_VCS_PREFIXES = ("git+", "hg+", "svn+", "bzr+")
_OPTIONS_WITH_VALUE = {
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--trusted-host",
    "--global-option",
    "--config-settings",
    "--hash",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--target",
    "-t",
    "--prefix",
    "--root",
    "--src",
    "--progress-bar",
    "--cache-dir",
}
MAX_INCLUDE_DEPTH = 20


def pinned_version(specifier: SpecifierSet) -> str | None:
    """The exact version a specifier fixes (``==1.2.3``, ``===x``), else None."""
    specs = list(specifier)
    if len(specs) != 1:
        exact = [s for s in specs if s.operator in ("==", "===") and not s.version.endswith("*")]
        return exact[0].version if len(exact) == 1 else None
    only = specs[0]
    if only.operator in ("==", "===") and not only.version.endswith("*"):
        return only.version
    return None


@lru_cache(maxsize=65536)
def _parsed(text: str) -> tuple[str, str, str | None]:
    """(normalised name, spec, pinned) of a PEP 508 string; teams repeat the same lines
    across repositories, so parses are cached."""
    requirement = Requirement(text)
    spec = str(requirement.specifier)
    if requirement.url and not spec:
        spec = requirement.url
    return str(canonicalize_name(requirement.name)), spec, pinned_version(requirement.specifier)


def parse_requirement(
    text: str, file: str, line: int | None, *, direct: bool = True, constraint: bool = False
) -> Dependency:
    """One PEP 508 string; ValueError (InvalidRequirement) when it is not one."""
    name, spec, pinned = _parsed(text)
    return Dependency(
        file=file,
        line=line,
        ecosystem="pypi",
        package=name,
        spec=spec,
        pinned=pinned,
        direct=direct,
        constraint=constraint,
    )


def loose_requirement(
    text: str, file: str, line: int | None, *, direct: bool = True
) -> Dependency | None:
    """A requirement that may hold shell variables (``torch==${TORCH_VERSION}``): the name
    is kept, the unresolved spec as written; None when not even a name is there."""
    try:
        return parse_requirement(text, file, line, direct=direct)
    except InvalidRequirement:
        pass
    match = _NAME_PART.match(text)
    if match is None or "$" in match.group(1):
        return None
    rest = match.group(3).strip()
    if rest and rest[0] not in "<>=!~;@":
        return None
    return Dependency(
        file=file,
        line=line,
        ecosystem="pypi",
        package=str(canonicalize_name(match.group(1))),
        spec=rest.split(";")[0].strip(),
        pinned=None,
        direct=direct,
    )


def vcs_dependency(url: str, file: str, line: int | None) -> Dependency | None:
    """``git+https://...#egg=name``: the egg fragment names the package."""
    egg = _EGG.search(url)
    if egg is None:
        return None
    return Dependency(
        file=file,
        line=line,
        ecosystem="pypi",
        package=str(canonicalize_name(egg.group(1))),
        spec=url.split("#", 1)[0],
    )


@dataclass(frozen=True)
class _Line:
    number: int
    text: str


def logical_lines(text: str) -> Iterator[_Line]:
    """Physical lines joined at trailing backslashes; comments kept (``# via`` matters)."""
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        if raw.endswith("\\") and not raw.lstrip().startswith("#"):
            pending.append(raw[:-1])
            continue
        pending.append(raw)
        yield _Line(start, " ".join(pending))
        pending = []
    if pending:
        yield _Line(start, " ".join(pending))


ReadText = Callable[[Path], str]


class RequirementsFile:
    """Parse one requirements file and what it includes, relative to a repository root.

    Includes are followed only inside the repository; a cycle, a missing file or a
    deep chain is reported as a problem, never raised.
    """

    def __init__(self, root: Path, read_text: ReadText) -> None:
        self.root = root
        self.read_text = read_text
        self.result = FileResult()

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def parse(self, path: Path, *, constraint: bool = False) -> FileResult:
        self._parse(path, constraint, (path.resolve(),))
        return self.result

    def _parse(self, path: Path, constraint: bool, chain: tuple[Path, ...]) -> None:
        text = self.read_text(path)
        self.parse_text(text, path, constraint, chain)

    def parse_text(self, text: str, path: Path, constraint: bool, chain: tuple[Path, ...]) -> None:
        file = self.rel(path)
        via: list[str] | None = None
        found: list[tuple[Dependency, list[str] | None]] = []
        for line in logical_lines(text):
            stripped = line.text.strip()
            via_start = _VIA_START.match(stripped)
            if via_start is not None and found:
                via = [via_start.group(1)] if via_start.group(1) else []
                found[-1] = (found[-1][0], via)
                continue
            via_more = _VIA_MORE.match(line.text)
            if via_more is not None and via is not None:
                via.append(via_more.group(1))
                continue
            via = None
            content = _COMMENT.sub("", line.text).strip()
            if not content:
                continue
            dependency = self._line(content, path, file, line.number, constraint, chain)
            if dependency is not None:
                found.append((dependency, None))
        for dependency, via_entries in found:
            self.result.dependencies.append(_with_via(dependency, via_entries))

    def _line(
        self,
        content: str,
        path: Path,
        file: str,
        number: int,
        constraint: bool,
        chain: tuple[Path, ...],
    ) -> Dependency | None:
        if content.startswith("-"):
            return self._option(content, path, file, number, constraint, chain)
        if content.startswith(_VCS_PREFIXES):
            return vcs_dependency(content.split()[0], file, number)
        requirement = _strip_trailing_options(content)
        try:
            return parse_requirement(requirement, file, number, constraint=constraint)
        except InvalidRequirement as exc:
            if _looks_local(requirement):
                return None
            self.result.problems.append(Problem(file, f"line {number}: {exc}"))
            return None

    def _option(
        self,
        content: str,
        path: Path,
        file: str,
        number: int,
        constraint: bool,
        chain: tuple[Path, ...],
    ) -> Dependency | None:
        try:
            words = shlex.split(content, posix=True)
        except ValueError:
            words = content.split()
        option, _, attached = words[0].partition("=")
        value = attached or (words[1] if len(words) > 1 else "")
        if option in ("-r", "--requirement", "-c", "--constraint"):
            self._include(
                value, path, file, number, constraint or option in ("-c", "--constraint"), chain
            )
            return None
        if option in ("-e", "--editable"):
            if value.startswith(_VCS_PREFIXES):
                return vcs_dependency(value, file, number)
            return None  # a local folder: the project itself or a sibling, not a package
        if option.startswith("-r") and len(option) > 2:
            self._include(option[2:], path, file, number, constraint, chain)
        return None

    def _include(
        self,
        target: str,
        path: Path,
        file: str,
        number: int,
        constraint: bool,
        chain: tuple[Path, ...],
    ) -> None:
        if not target or "://" in target:
            self.result.problems.append(
                Problem(file, f"line {number}: include {target!r} not followed")
            )
            return
        try:
            included = (path.parent / target).resolve()
        except (OSError, RuntimeError):  # Python 3.11 raises RuntimeError on symlink loops
            self.result.problems.append(
                Problem(file, f"line {number}: include {target!r} is a symlink loop")
            )
            return
        root = self.root.resolve()
        if not included.is_relative_to(root):
            self.result.problems.append(
                Problem(file, f"line {number}: include {target!r} is outside the repository")
            )
            return
        if included in chain:
            cycle = " -> ".join(self.rel(p) for p in (*chain, included))
            self.result.problems.append(
                Problem(file, f"line {number}: recursive include ({cycle})")
            )
            return
        if len(chain) >= MAX_INCLUDE_DEPTH:
            self.result.problems.append(
                Problem(file, f"line {number}: includes nested deeper than {MAX_INCLUDE_DEPTH}")
            )
            return
        if not included.is_file():
            self.result.problems.append(
                Problem(file, f"line {number}: included file {target!r} not found")
            )
            return
        try:
            self._parse(included, constraint, (*chain, included))
        except (OSError, ValueError) as exc:
            self.result.problems.append(Problem(self.rel(included), str(exc)))


def _with_via(dependency: Dependency, via: list[str] | None) -> Dependency:
    """pip-compile / uv annotate each pin with what required it: a pin required only by
    other packages is transitive; one required by a file (``-r x.in``, ``name
    (pyproject.toml)``) is direct. Without annotations every line is direct (pip freeze
    dumps list what runs)."""
    if not via:
        return dependency
    direct = any(entry.startswith(("-r ", "-c ")) or entry.endswith(")") for entry in via)
    if direct:
        return dependency
    return Dependency(**{**dependency.__dict__, "direct": False})


def _strip_trailing_options(content: str) -> str:
    """``pkg==1 --hash=sha256:...`` → ``pkg==1``."""
    words = content.split(" --")
    return words[0].strip()


def _looks_local(text: str) -> bool:
    return text.startswith((".", "/", "~")) or text.endswith((".whl", ".tar.gz", ".zip"))


def requirement_lines(
    lines: list[str],
    file: str,
    line: int | None,
    *,
    direct: bool = True,
    line_numbers: list[int] | None = None,
) -> FileResult:
    """A list of pip arguments (conda's ``pip:`` section, a Ray runtime env): requirement
    strings, VCS URLs and options; local paths and includes are skipped. Each entry is
    on ``line_numbers[i]`` when given, else all on ``line``."""
    result = FileResult()
    for index, entry in enumerate(lines):
        if line_numbers is not None and index < len(line_numbers):
            line = line_numbers[index]
        text = _COMMENT.sub("", str(entry)).strip()
        if not text or text.startswith("-") and not text.startswith(("-e ", "--editable")):
            continue
        if text.startswith(("-e ", "--editable")):
            text = text.split(None, 1)[1] if " " in text else ""
        if text.startswith(_VCS_PREFIXES):
            dependency = vcs_dependency(text, file, line)
        elif _looks_local(text):
            dependency = None
        else:
            try:
                dependency = parse_requirement(
                    _strip_trailing_options(text), file, line, direct=direct
                )
            except InvalidRequirement as exc:
                result.problems.append(Problem(file, f"{text!r}: {exc}"))
                dependency = None
        if dependency is not None:
            result.dependencies.append(dependency)
    return result


__all__ = [
    "OPTIONS_WITH_VALUE",
    "RequirementsFile",
    "loose_requirement",
    "parse_requirement",
    "pinned_version",
    "requirement_lines",
    "vcs_dependency",
]
OPTIONS_WITH_VALUE = frozenset(_OPTIONS_WITH_VALUE)
