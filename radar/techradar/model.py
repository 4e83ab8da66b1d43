"""The tech radar in memory: technologies, rings, quadrants and their history.

Every change a person makes goes through a :class:`TechRadar` method, which checks
it (a move needs a rationale, a ring must exist, ...) and appends to the
technology's history; the history is never rewritten. Dates are passed in as
``today`` so behaviour is reproducible in tests.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any

from radar.errors import NotFound, RadarError
from radar.techradar.packages import normalise_package

DEFAULT_RINGS: tuple[str, ...] = ("adopt", "trial", "assess", "hold")
DEFAULT_QUADRANTS: tuple[str, ...] = (
    "techniques",
    "platforms",
    "tools",
    "languages-and-frameworks",
)
RETIRED = "retired"
"""The ring written in a history entry when a technology leaves the radar."""
DEFAULT_WINDOW_DAYS = 90
"""How far back a move or an entry still counts as recent (new, moved in/out)."""


class TechRadarError(RadarError):
    """A radar change was refused (no rationale, unknown ring, duplicate name, ...)."""


class AmbiguousName(TechRadarError):
    """A name or alias matches more than one technology."""


def today_utc() -> date:
    return datetime.now(UTC).date()


def slugify(text: str) -> str:
    """Lower-case words joined by '-', with '&' read as 'and': 'Languages & Frameworks'
    becomes 'languages-and-frameworks'."""
    text = text.casefold().replace("&", " and ").replace("+", " plus ")
    return "-".join(re.findall(r"[^\W_]+", text))


def display_name(slug: str) -> str:
    """A ring or quadrant name for people: 'languages-and-frameworks' becomes
    'Languages & Frameworks'."""
    words = [_display_word(word) for word in slug.split("-")]
    return " ".join(words) if words != [""] else slug


def _display_word(word: str) -> str:
    if word == "and":
        return "&"
    # Short words in ring or quadrant names are usually acronyms: ML, AI, UI, DB.
    if len(word) <= 2 and word not in ("of", "to", "in", "on"):
        return word.upper()
    return word.capitalize()


class Status(Enum):
    """How a technology changed within the recent window, in BYOR's words."""

    NEW = "New"
    MOVED_IN = "Moved In"
    MOVED_OUT = "Moved Out"
    NO_CHANGE = "No Change"

    @property
    def symbol(self) -> str:
        return _STATUS_SYMBOLS[self]


_STATUS_SYMBOLS = {
    Status.NEW: "★",
    Status.MOVED_IN: "▲",
    Status.MOVED_OUT: "▼",
    Status.NO_CHANGE: "",
}


@dataclass(frozen=True)
class Link:
    title: str
    url: str

    def to_dict(self) -> dict[str, str]:
        return {"title": self.title, "url": self.url}


@dataclass(frozen=True)
class HistoryEntry:
    """One decision: on `date`, the technology was put in `ring` (or `retired`) because..."""

    date: date
    ring: str
    rationale: str
    by: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "ring": self.ring,
            "rationale": self.rationale,
            "by": self.by,
        }


@dataclass
class Technology:
    """One blip on the radar and everything the team knows about it."""

    name: str
    quadrant: str
    ring: str
    history: list[HistoryEntry]
    description: str = ""
    aliases: list[str] = field(default_factory=list)
    owner: str = ""
    links: list[Link] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)
    production_use: str = ""
    last_reviewed: date | None = None
    retired: bool = False
    packages: list[str] = field(default_factory=list)
    """Ecosystem-qualified package names (``pypi:vllm``) that mean it runs somewhere;
    normalised by radar.techradar.packages."""

    @property
    def names(self) -> list[str]:
        """The name then every alias, without exact repeats: what the news may call it."""
        seen: list[str] = []
        for candidate in (self.name, *self.aliases):
            if candidate not in seen:
                seen.append(candidate)
        return seen

    @property
    def slug(self) -> str:
        return slugify(self.name) or self.name.casefold()

    @property
    def entered(self) -> date:
        """When the technology first appeared on the radar."""
        return self.history[0].date

    @property
    def last_changed(self) -> date:
        return self.history[-1].date

    def ring_changes(self) -> list[tuple[date, str | None, str]]:
        """(date, from ring, to ring) for each entry that changed the ring; the first has None."""
        changes: list[tuple[date, str | None, str]] = []
        current: str | None = None
        for entry in self.history:
            if entry.ring != current:
                changes.append((entry.date, current, entry.ring))
                current = entry.ring
        return changes

    @property
    def last_moved(self) -> date:
        """Date of the latest ring change (entering the radar counts)."""
        return self.ring_changes()[-1][0]

    def review_date(self) -> date:
        """Last review, or the latest history entry when never reviewed explicitly."""
        return self.last_reviewed or self.last_changed

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "quadrant": self.quadrant,
            "ring": self.ring,
            "description": self.description,
            "aliases": list(self.aliases),
            "owner": self.owner,
            "links": [link.to_dict() for link in self.links],
            "alternatives": list(self.alternatives),
            "production_use": self.production_use,
            "last_reviewed": self.last_reviewed.isoformat() if self.last_reviewed else None,
            "retired": self.retired,
            "packages": list(self.packages),
            "history": [entry.to_dict() for entry in self.history],
        }


def _clean(text: str | None) -> str:
    return (text or "").strip()


def _require_rationale(rationale: str | None, what: str) -> str:
    text = _clean(rationale)
    if not text:
        raise TechRadarError(f"{what} needs a rationale: say why with --why")
    return text


def _dedupe(values: Iterable[str]) -> list[str]:
    result: list[str] = []
    for value in values:
        value = value.strip()
        if value and value not in result:
            result.append(value)
    return result


def match_choice(raw: str, choices: Sequence[str]) -> str | None:
    """Map free text onto one of `choices` (slugs), forgivingly: case, '&'/'and',
    singular/plural ('Platform' -> 'platforms'), or a unique word subset
    ('Languages' -> 'languages-and-frameworks'). None when nothing fits."""
    wanted = slugify(raw)
    if not wanted:
        return None
    by_slug = {slugify(choice): choice for choice in choices}
    if wanted in by_slug:
        return by_slug[wanted]
    singular = {slug.rstrip("s"): choice for slug, choice in by_slug.items()}
    if wanted.rstrip("s") in singular:
        return singular[wanted.rstrip("s")]
    wanted_words = {word.rstrip("s") for word in wanted.split("-")} - {"and"}
    covering = [
        choice
        for slug, choice in by_slug.items()
        if wanted_words <= {word.rstrip("s") for word in slug.split("-")}
    ]
    return covering[0] if len(covering) == 1 else None


@dataclass
class TechRadar:
    """The whole radar: ordered rings (inner to outer), quadrants and technologies."""

    rings: list[str] = field(default_factory=lambda: list(DEFAULT_RINGS))
    quadrants: list[str] = field(default_factory=lambda: list(DEFAULT_QUADRANTS))
    technologies: list[Technology] = field(default_factory=list)
    snapshots: list[date] = field(default_factory=list)
    """Dates the radar was published (a 'volume'); changes after the latest are recent."""

    # -- reading -------------------------------------------------------------

    def __iter__(self) -> Iterator[Technology]:
        return iter(self.technologies)

    def __len__(self) -> int:
        return len(self.technologies)

    def active(self) -> list[Technology]:
        """Technologies currently on the radar (not retired), sorted by name."""
        return [tech for tech in self.technologies if not tech.retired]

    def find(self, name: str) -> Technology | None:
        """Look a technology up by name, alias or slug, ignoring case; None if absent."""
        wanted = name.strip().casefold()
        for tech in self.technologies:
            if tech.name.casefold() == wanted:
                return tech
        by_alias = [
            tech
            for tech in self.technologies
            if any(alias.casefold() == wanted for alias in tech.aliases)
        ]
        if len(by_alias) > 1:
            names = ", ".join(tech.name for tech in by_alias)
            raise AmbiguousName(f"{name!r} is an alias of several technologies: {names}")
        if by_alias:
            return by_alias[0]
        wanted_slug = slugify(name)
        for tech in self.technologies:
            if wanted_slug and tech.slug == wanted_slug:
                return tech
        return None

    def get(self, name: str) -> Technology:
        """Like :meth:`find` but raise NotFound, suggesting close names."""
        tech = self.find(name)
        if tech is not None:
            return tech
        known = [n for tech in self.technologies for n in tech.names]
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise NotFound(f"no technology named {name!r} on the radar{hint}")

    def resolve_ring(self, raw: str) -> str:
        ring = match_choice(raw, self.rings)
        if ring is None:
            raise TechRadarError(f"unknown ring {raw!r} (rings: {', '.join(self.rings)})")
        return ring

    def resolve_quadrant(self, raw: str) -> str:
        quadrant = match_choice(raw, self.quadrants)
        if quadrant is None:
            raise TechRadarError(
                f"unknown quadrant {raw!r} (quadrants: {', '.join(self.quadrants)})"
            )
        return quadrant

    def status_of(
        self, tech: Technology, *, since: date | None = None, today: date | None = None
    ) -> Status:
        """New / Moved In / Moved Out / No Change, judged on history dated `since` or later
        (default: :meth:`recent_since`)."""
        if since is None:
            since = self.recent_since(today)
        if tech.entered >= since:
            return Status.NEW
        for when, before, after in reversed(tech.ring_changes()):
            if when < since:
                break
            if before in self.rings and after in self.rings:
                inward = self.rings.index(after) < self.rings.index(before)
                return Status.MOVED_IN if inward else Status.MOVED_OUT
        return Status.NO_CHANGE

    def recent_since(self, today: date | None = None) -> date:
        """Where 'recent' starts: the day after the latest snapshot up to today, else
        DEFAULT_WINDOW_DAYS back from today."""
        today = today or today_utc()
        published = [day for day in self.snapshots if day < today]
        if published:
            return max(published) + timedelta(days=1)
        return today - timedelta(days=DEFAULT_WINDOW_DAYS)

    def stale(self, days: int, *, today: date | None = None) -> list[Technology]:
        """Active technologies not reviewed for more than `days` days, oldest first."""
        cutoff = (today or today_utc()) - timedelta(days=days)
        old = [tech for tech in self.active() if tech.review_date() < cutoff]
        return sorted(old, key=lambda tech: (tech.review_date(), tech.name.casefold()))

    # -- changing ------------------------------------------------------------

    def put(self, tech: Technology) -> None:
        """Insert a complete record (e.g. from an import), keeping names unique and sorted."""
        if any(other.name.casefold() == tech.name.casefold() for other in self.technologies):
            raise TechRadarError(f"{tech.name!r} is already on the radar")
        self.technologies.append(tech)
        self.technologies.sort(key=lambda t: (t.name.casefold(), t.name))

    def _check_new_name(self, name: str) -> str:
        name = _clean(name)
        if not name:
            raise TechRadarError("a technology needs a name")
        if "\n" in name:
            raise TechRadarError("a technology name must fit on one line")
        for tech in self.technologies:
            if tech.name.casefold() == name.casefold():
                if tech.retired:
                    raise TechRadarError(
                        f"{tech.name!r} is on the radar as retired; "
                        f"bring it back with `radar tech move {tech.name!r} RING --why ...`"
                    )
                raise TechRadarError(f"{tech.name!r} is already on the radar")
        return name

    def add(
        self,
        name: str,
        *,
        quadrant: str,
        ring: str,
        rationale: str,
        by: str = "",
        description: str = "",
        aliases: Iterable[str] = (),
        owner: str = "",
        links: Iterable[Link] = (),
        alternatives: Iterable[str] = (),
        production_use: str = "",
        packages: Iterable[str] = (),
        today: date | None = None,
    ) -> Technology:
        """Put a new technology on the radar; its first history entry records why."""
        name = self._check_new_name(name)
        target = self.resolve_ring(ring)
        why = _require_rationale(rationale, "adding a technology")
        when = today or today_utc()
        tech = Technology(
            name=name,
            quadrant=self.resolve_quadrant(quadrant),
            ring=target,
            history=[HistoryEntry(when, target, why, _clean(by))],
            description=_clean(description),
            aliases=_dedupe(aliases),
            owner=_clean(owner),
            links=_dedupe_links(links),
            alternatives=_dedupe(alternatives),
            production_use=_clean(production_use),
            last_reviewed=when,
            packages=_dedupe(normalise_package(p) for p in packages),
        )
        self.put(tech)
        return tech

    def move(
        self,
        name: str,
        ring: str,
        *,
        rationale: str,
        by: str = "",
        today: date | None = None,
    ) -> Technology:
        """Move a technology to another ring (or bring a retired one back), recording why."""
        tech = self.get(name)
        target = self.resolve_ring(ring)
        why = _require_rationale(rationale, "a move")
        if target == tech.ring and not tech.retired:
            raise TechRadarError(f"{tech.name} is already in {target}; nothing to move")
        when = self._next_date(tech, today)
        tech.history.append(HistoryEntry(when, target, why, _clean(by)))
        tech.ring = target
        tech.retired = False
        tech.last_reviewed = when
        return tech

    def remove(
        self, name: str, *, rationale: str, by: str = "", today: date | None = None
    ) -> Technology:
        """Retire a technology: it stays in the file with a `retired` history entry."""
        tech = self.get(name)
        if tech.retired:
            raise TechRadarError(f"{tech.name} is already retired")
        why = _require_rationale(rationale, "removing a technology")
        when = self._next_date(tech, today)
        tech.history.append(HistoryEntry(when, RETIRED, why, _clean(by)))
        tech.retired = True
        tech.last_reviewed = when
        return tech

    def review(
        self, name: str, *, note: str = "", by: str = "", today: date | None = None
    ) -> Technology:
        """Mark a technology reviewed today; a note is kept as a same-ring history entry."""
        tech = self.get(name)
        when = self._next_date(tech, today)
        if _clean(note):
            ring = RETIRED if tech.retired else tech.ring
            tech.history.append(HistoryEntry(when, ring, _clean(note), _clean(by)))
        tech.last_reviewed = when
        return tech

    def edit(
        self,
        name: str,
        *,
        description: str | None = None,
        owner: str | None = None,
        add_aliases: Iterable[str] = (),
        remove_aliases: Iterable[str] = (),
        add_links: Iterable[Link] = (),
        remove_links: Iterable[str] = (),
        add_alternatives: Iterable[str] = (),
        remove_alternatives: Iterable[str] = (),
        add_packages: Iterable[str] = (),
        remove_packages: Iterable[str] = (),
        production_use: str | None = None,
        quadrant: str | None = None,
        reviewed: bool = False,
        today: date | None = None,
    ) -> list[str]:
        """Change anything but the ring and history; return the fields that changed.

        Editing is a review only when `reviewed` is set."""
        tech = self.get(name)
        before = tech.to_dict()
        if description is not None:
            tech.description = _clean(description)
        if owner is not None:
            tech.owner = _clean(owner)
        if production_use is not None:
            tech.production_use = _clean(production_use)
        if quadrant is not None:
            tech.quadrant = self.resolve_quadrant(quadrant)
        tech.aliases = _edit_list(tech.aliases, add_aliases, remove_aliases, "alias")
        tech.alternatives = _edit_list(
            tech.alternatives, add_alternatives, remove_alternatives, "alternative"
        )
        tech.links = _edit_links(tech.links, add_links, remove_links)
        tech.packages = _edit_list(
            tech.packages,
            [normalise_package(p) for p in add_packages],
            [normalise_package(p) for p in remove_packages],
            "package",
        )
        if reviewed:
            tech.last_reviewed = self._next_date(tech, today)
        after = tech.to_dict()
        changed = [key for key in after if after[key] != before[key]]
        if not changed and not reviewed:
            raise TechRadarError(f"nothing to change for {tech.name}")
        return changed

    def snapshot(self, *, today: date | None = None) -> date:
        """Record that the radar was published today; later changes count as recent."""
        when = today or today_utc()
        if self.snapshots and when <= max(self.snapshots):
            raise TechRadarError(f"there is already a snapshot dated {max(self.snapshots)}")
        self.snapshots.append(when)
        return when

    def extend_rings(self, ring: str) -> str:
        slug = slugify(ring)
        if not slug or slug == RETIRED:
            raise TechRadarError(f"cannot add a ring named {ring!r}")
        if slug not in self.rings:
            self.rings.append(slug)
        return slug

    def extend_quadrants(self, quadrant: str) -> str:
        slug = slugify(quadrant)
        if not slug:
            raise TechRadarError(f"cannot add a quadrant named {quadrant!r}")
        if slug not in self.quadrants:
            self.quadrants.append(slug)
        return slug

    @staticmethod
    def _next_date(tech: Technology, today: date | None) -> date:
        when = today or today_utc()
        if when < tech.last_changed:
            raise TechRadarError(
                f"{tech.name} has history dated {tech.last_changed}, after {when}; "
                "history is only ever appended"
            )
        return when


def parse_link(text: str) -> Link:
    """A link given on the command line: 'URL' or 'TITLE=URL'."""
    from radar.feeds.config import validate_url

    title, url = "", text.strip()
    if "=" in url and not url.startswith(("http://", "https://")):
        title, url = (part.strip() for part in url.split("=", 1))
    problem = validate_url(url)
    if problem:
        raise TechRadarError(f"link {text!r} {problem}")
    return Link(title=title or url, url=url)


def _dedupe_links(links: Iterable[Link]) -> list[Link]:
    result: list[Link] = []
    for link in links:
        if all(existing.url != link.url for existing in result):
            result.append(link)
    return result


def _edit_list(
    current: list[str], add: Iterable[str], remove: Iterable[str], what: str
) -> list[str]:
    result = list(current)
    for value in remove:
        matches = [v for v in result if v.casefold() == value.strip().casefold()]
        if not matches:
            raise TechRadarError(f"no {what} {value!r} to remove")
        result = [v for v in result if v not in matches]
    return _dedupe([*result, *add])


def _edit_links(current: list[Link], add: Iterable[Link], remove: Iterable[str]) -> list[Link]:
    result = list(current)
    for url in remove:
        kept = [link for link in result if link.url != url.strip()]
        if len(kept) == len(result):
            raise TechRadarError(f"no link {url!r} to remove")
        result = kept
    return _dedupe_links([*result, *add])
