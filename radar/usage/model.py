"""What a scan finds: dependencies with where they were declared, and files it could not read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Dependency:
    """One package a manifest asks for.

    ``package`` is normalised within its ecosystem (radar.techradar.packages), ``spec`` is
    the version specifier or image tag as written, ``pinned`` the exact version when the
    spec fixes one. ``direct`` is False for lock-file entries; ``constraint`` marks
    entries of pip constraint files (``-c``), which limit versions but install nothing.
    """

    file: str
    line: int | None
    ecosystem: str
    package: str
    spec: str = ""
    pinned: str | None = None
    direct: bool = True
    constraint: bool = False

    @property
    def key(self) -> str:
        return f"{self.ecosystem}:{self.package}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "ecosystem": self.ecosystem,
            "package": self.package,
            "spec": self.spec,
            "pinned": self.pinned,
            "direct": self.direct,
            "constraint": self.constraint,
        }


@dataclass(frozen=True)
class Problem:
    """A file the scan skipped (or read only in part), and why."""

    file: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"file": self.file, "reason": self.reason}


@dataclass
class FileResult:
    """What parsing one manifest gave."""

    dependencies: list[Dependency] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class RepoScan:
    """One repository's scan: its name, where it was, what was found."""

    repo: str
    root: str
    files: tuple[str, ...]
    dependencies: tuple[Dependency, ...]
    problems: tuple[Problem, ...]
