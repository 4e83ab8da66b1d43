"""Release items from `kind: releases` feeds, as (project, version).

GitHub release feeds (``/OWNER/REPO/releases.atom``, entries linking to
``/OWNER/REPO/releases/tag/TAG``, titles like "v0.11.2", "vLLM v0.11.2" or "Patch
release v5.1.1") and PyPI feeds (``/rss/project/NAME/releases.xml``, entries linking
to ``/project/NAME/VERSION/``, titles like "2.49.1") are recognised by URL path, so
mirrors and other hosts with the same layout work too. A feed with neither layout
whose titles carry only a version ("v0.12.3") names its project in the feed's title
("Release notes from vllm") or in the name the user gave it ("vllm releases").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from radar.techradar.model import Technology

VERSION = re.compile(
    r"(?<![\w.])v?(\d+(?:\.\d+){1,3}(?:[-.]?(?:rc|a|b|alpha|beta|dev|post|pre)\.?\d*)?)(?![\w])",
    re.IGNORECASE,
)
_PRERELEASE = re.compile(r"(?:rc|a|b|alpha|beta|dev|pre)\.?\d*$", re.IGNORECASE)
_GITHUB_PATH = re.compile(r"^/([\w.\-]+)/([\w.\-]+)/releases(?:\.atom|/|$)")
_PYPI_PATH = re.compile(r"^(?:/rss)?/project/([\w.\-]+)(?:/|$)")
_TITLE_NOISE = re.compile(
    r"\b(?:patch|minor|major|release[sd]?|version|notes|changelog|new|the|is|out|available)\b",
    re.IGNORECASE,
)
_FEED_TITLE_PROJECT = re.compile(r"\b(?:from|for|of)\s+([\w.\-]+)", re.IGNORECASE)
_FEED_NAME_NOISE = re.compile(
    r"\([^)]*\)|\b(?:releases?|notes|changelog|updates|recent|feed|rss|atom|pypi|github|tags)\b"
    r"|[:|/,]",
    re.IGNORECASE,
)
MAX_FEED_NAME_WORDS = 2
"""A feed name longer than this once noise is removed ("ML releases roundup of the
week") names no single project."""


@dataclass(frozen=True)
class Release:
    project: str
    version: str
    prerelease: bool
    owner: str = ""
    """The GitHub owner when the project came from a repository path."""


def _path_project(url: str | None) -> tuple[str, str] | None:
    """(owner, project) from a GitHub or PyPI style URL path."""
    if not url:
        return None
    path = urlsplit(url).path
    github = _GITHUB_PATH.match(path)
    if github:
        return github.group(1), github.group(2)
    pypi = _PYPI_PATH.match(path)
    if pypi:
        return "", pypi.group(1)
    return None


def _title_project(title: str, version_start: int) -> str | None:
    before = _TITLE_NOISE.sub(" ", title[:version_start]).strip(" :-–—")
    words = before.split()
    return words[-1] if len(words) == 1 or (words and len(before) <= 30) else None


def _named_project(name: str | None) -> str | None:
    """The project a feed's name or title names once release words are removed:
    "vllm releases" -> "vllm", "PyPI: ray (demo)" -> "ray"."""
    if not name:
        return None
    words = _FEED_NAME_NOISE.sub(" ", name).split()
    return " ".join(words) if 0 < len(words) <= MAX_FEED_NAME_WORDS else None


def parse_release(
    title: str,
    *,
    url: str | None = None,
    feed_url: str | None = None,
    feed_site: str | None = None,
    feed_title: str | None = None,
    feed_name: str | None = None,
) -> Release | None:
    """The release an item of a release feed announces, or None if it is not one.

    The project comes from the item's or the feed's URL path, else the words before
    the version in the title, else the feed's title, else the feed's configured
    `feed_name`."""
    match = VERSION.search(title or "")
    version = match.group(1) if match else None
    if version is None and url:
        tail = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
        found = VERSION.fullmatch(tail)
        version = found.group(1) if found else None
    if version is None:
        return None
    owner, project = "", None
    for candidate in (url, feed_url, feed_site):
        found_project = _path_project(candidate)
        if found_project:
            owner, project = found_project
            break
    if project is None and match is not None:
        project = _title_project(title, match.start())
    if project is None and feed_title:
        named = _FEED_TITLE_PROJECT.findall(feed_title)
        project = named[-1] if named else None
    if project is None:
        project = _named_project(feed_name) or _named_project(feed_title)
    if not project:
        return None
    return Release(
        project=project,
        version=version,
        prerelease=bool(_PRERELEASE.search(version)),
        owner=owner,
    )


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold())


def _github_repos(tech: Technology) -> set[tuple[str, str]]:
    repos = set()
    for link in tech.links:
        parts = urlsplit(link.url)
        if "github" in parts.netloc:
            segments = [s for s in parts.path.split("/") if s]
            if len(segments) >= 2:
                repos.add((segments[0].casefold(), segments[1].casefold()))
    return repos


def project_key(project: str) -> str:
    """A project name as release matching compares it: "vLLM" == "vllm" == "v-llm"."""
    return _squash(project)


def release_keys(tech: Technology) -> set[str]:
    """The project keys a release of `tech` may carry: its names, aliases and slug, and
    the repository names among its GitHub links."""
    keys = {_squash(name) for name in (*tech.names, tech.slug)}
    keys |= {_squash(project) for _owner, project in _github_repos(tech)}
    return keys - {""}


def match_technology(release: Release, technologies: Sequence[Technology]) -> Technology | None:
    """The technology a release belongs to: its repository among the technology's
    links, else its project (or owner) equal to a name, alias or slug."""
    if release.owner:
        wanted = (release.owner.casefold(), release.project.casefold())
        for tech in technologies:
            if wanted in _github_repos(tech):
                return tech
    for candidate in (release.project, release.owner):
        key = _squash(candidate)
        if not key:
            continue
        for tech in technologies:
            if key in {_squash(name) for name in (*tech.names, tech.slug)}:
                return tech
    return None


def version_key(version: str) -> tuple[tuple[int, ...], int, int]:
    """Sort key: numeric parts, then final releases after their pre-releases."""
    pre = _PRERELEASE.search(version)
    base = version[: pre.start()] if pre else version
    numbers = tuple(int(part) for part in re.findall(r"\d+", base)[:4])
    pre_digits = re.findall(r"\d+", pre.group()) if pre else []
    return numbers, 0 if pre else 1, int(pre_digits[0]) if pre_digits else 0
