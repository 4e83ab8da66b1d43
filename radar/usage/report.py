"""Radar versus reality: per technology, which repositories use it, at which versions,
and a verdict; plus the packages many repositories use that no technology claims.

Verdicts (rings are configurable: "adopt" is the innermost ring, "hold" the outermost):

- ``in_use_on_hold``: on the outermost ring, still a dependency somewhere;
- ``adopted_unused``: on the innermost ring, used by no scanned repository;
- ``behind_release``: some repository pins a version below the newest final release
  radar has parsed from a release feed for it;
- ``ok``: none of the above;
- ``no_packages``: the technology names no packages, so the scan cannot tell.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from packaging.version import InvalidVersion, Version

from radar.store.usage import ReleaseSeen, RepoDependency
from radar.techradar.model import Technology, TechRadar

IN_USE_ON_HOLD = "in_use_on_hold"
ADOPTED_UNUSED = "adopted_unused"
BEHIND_RELEASE = "behind_release"
OK = "ok"
NO_PACKAGES = "no_packages"
VERDICT_ORDER = (IN_USE_ON_HOLD, BEHIND_RELEASE, ADOPTED_UNUSED, OK, NO_PACKAGES)
VERSIONED_ECOSYSTEMS = ("pypi", "conda", "npm")
"""Ecosystems whose pins compare with release versions (image tags follow their own
schemes, e.g. Triton's 24.01 against its v2.42 releases)."""


@dataclass(frozen=True)
class Behind:
    repo: str
    pinned: str
    released: str

    def describe(self) -> str:
        return f"{self.repo}: {self.pinned} pinned, {self.released} released"


@dataclass(frozen=True)
class TechUsage:
    """One technology against the scanned repositories."""

    name: str
    ring: str
    quadrant: str
    packages: tuple[str, ...]
    verdict: str
    repos: tuple[str, ...]
    usages: tuple[RepoDependency, ...]
    latest_release: str | None
    behind: tuple[Behind, ...] = ()

    def pins(self) -> dict[str, list[str]]:
        """repo -> the versions it pins (sorted, unique)."""
        found: dict[str, set[str]] = defaultdict(set)
        for usage in self.usages:
            if usage.dependency.pinned:
                found[usage.repo].add(usage.dependency.pinned)
        return {repo: sorted(versions) for repo, versions in sorted(found.items())}

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "ring": self.ring,
            "quadrant": self.quadrant,
            "packages": list(self.packages),
            "verdict": self.verdict,
            "repos": list(self.repos),
            "pinned": self.pins(),
            "latest_release": self.latest_release,
            "behind": [b.describe() for b in self.behind],
            "used_in": [
                {
                    "repo": u.repo,
                    "file": u.dependency.file,
                    "line": u.dependency.line,
                    "package": u.dependency.key,
                    "spec": u.dependency.spec,
                    "pinned": u.dependency.pinned,
                    "direct": u.dependency.direct,
                }
                for u in self.usages
            ],
        }


@dataclass(frozen=True)
class Candidate:
    """A package used directly by several repositories that no technology claims."""

    package: str
    repos: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"package": self.package, "repos": list(self.repos), "count": len(self.repos)}


@dataclass(frozen=True)
class UsageReport:
    technologies: tuple[TechUsage, ...]
    candidates: tuple[Candidate, ...]
    repos: tuple[str, ...] = field(default_factory=tuple)

    def by_verdict(self, verdict: str) -> list[TechUsage]:
        return [t for t in self.technologies if t.verdict == verdict]

    def find(self, name: str) -> TechUsage | None:
        return next((t for t in self.technologies if t.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "repos": list(self.repos),
            "technologies": [t.to_dict() for t in self.technologies],
            "candidates": [c.to_dict() for c in self.candidates],
        }


def package_index(technologies: Iterable[Technology]) -> dict[str, str]:
    """``ecosystem:name`` -> the technology claiming it (first by name on a clash)."""
    index: dict[str, str] = {}
    for tech in sorted(technologies, key=lambda t: t.name.casefold()):
        for package in tech.packages:
            index.setdefault(package, tech.name)
    return index


def _version(text: str) -> Version | None:
    try:
        return Version(Version(text).public)
    except InvalidVersion:
        return None


def latest_releases(releases: Iterable[ReleaseSeen]) -> dict[str, str]:
    """tech slug -> the newest final release version seen."""
    newest: dict[str, tuple[Version, str]] = {}
    for release in releases:
        if release.prerelease:
            continue
        version = _version(release.version)
        if version is None or version.is_prerelease:
            continue
        known = newest.get(release.tech_slug)
        if known is None or version > known[0]:
            newest[release.tech_slug] = (version, release.version.lstrip("vV"))
    return {slug: text for slug, (_, text) in newest.items()}


def behind_pins(usages: Sequence[RepoDependency], released: str | None) -> list[Behind]:
    """The (repository, pin) pairs among ``usages`` below the ``released`` version."""
    latest = _version(released) if released else None
    if latest is None:
        return []
    found: dict[tuple[str, str], Behind] = {}
    for usage in usages:
        dependency = usage.dependency
        if dependency.ecosystem not in VERSIONED_ECOSYSTEMS or not dependency.pinned:
            continue
        pinned = _version(dependency.pinned)
        if pinned is not None and pinned < latest:
            found.setdefault(
                (usage.repo, dependency.pinned),
                Behind(usage.repo, dependency.pinned, str(released)),
            )
    return sorted(found.values(), key=lambda b: (b.repo, b.pinned))


def _verdict(
    radar: TechRadar, tech: Technology, repos: Sequence[str], behind: Sequence[Behind]
) -> str:
    if not tech.packages:
        return NO_PACKAGES
    if repos and tech.ring == radar.rings[-1]:
        return IN_USE_ON_HOLD
    if not repos and tech.ring == radar.rings[0]:
        return ADOPTED_UNUSED
    if behind:
        return BEHIND_RELEASE
    return OK


def build_report(
    radar: TechRadar,
    dependencies: Sequence[RepoDependency],
    releases: Iterable[ReleaseSeen] = (),
    *,
    repos: Sequence[str] = (),
    min_candidate_repos: int = 2,
) -> UsageReport:
    """Match stored dependencies to the radar's technologies. Constraint-file entries
    install nothing, so they never count as use."""
    used = [d for d in dependencies if not d.dependency.constraint]
    by_key: dict[str, list[RepoDependency]] = defaultdict(list)
    for usage in used:
        by_key[usage.dependency.key].append(usage)
    newest = latest_releases(releases)
    results = []
    for tech in radar.active():
        usages = [u for package in tech.packages for u in by_key.get(package, [])]
        tech_repos = sorted({u.repo for u in usages})
        released = newest.get(tech.slug)
        behind = behind_pins(usages, released)
        results.append(
            TechUsage(
                name=tech.name,
                ring=tech.ring,
                quadrant=tech.quadrant,
                packages=tuple(tech.packages),
                verdict=_verdict(radar, tech, tech_repos, behind),
                repos=tuple(tech_repos),
                usages=tuple(usages),
                latest_release=released,
                behind=tuple(behind),
            )
        )
    results.sort(
        key=lambda t: (VERDICT_ORDER.index(t.verdict), radar.rings.index(t.ring), t.name.casefold())
    )
    claimed = {package for tech in radar.technologies for package in tech.packages}
    return UsageReport(
        technologies=tuple(results),
        candidates=tuple(_candidates(used, claimed, min_candidate_repos)),
        repos=tuple(sorted(set(repos) or {u.repo for u in dependencies})),
    )


def _candidates(used: Sequence[RepoDependency], claimed: set[str], minimum: int) -> list[Candidate]:
    repos_by_package: dict[str, set[str]] = defaultdict(set)
    for usage in used:
        if usage.dependency.direct and usage.dependency.key not in claimed:
            repos_by_package[usage.dependency.key].add(usage.repo)
    found = [
        Candidate(key, tuple(sorted(repos)))
        for key, repos in repos_by_package.items()
        if len(repos) >= minimum
    ]
    return sorted(found, key=lambda c: (-len(c.repos), c.package))


def new_verdicts(current: UsageReport, previous: UsageReport | None) -> list[TechUsage]:
    """Technologies whose verdict differs from the report made on the snapshots before
    the latest scans (all of them when there was none), problems first."""
    if previous is None:
        return [t for t in current.technologies if t.verdict not in (OK, NO_PACKAGES)]
    before = {t.name: t.verdict for t in previous.technologies}
    return [
        t
        for t in current.technologies
        if t.verdict not in (OK, NO_PACKAGES) and before.get(t.name) != t.verdict
    ]
