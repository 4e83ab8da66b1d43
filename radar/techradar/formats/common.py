"""What every radar format shares: incoming entries, merging them, and the import report.

A format's reader turns a file into :class:`Incoming` entries (raw ring and quadrant
names, already-dated history when the format carries it). :func:`merge` maps those
names onto the radar's rings and quadrants and adds or updates technologies,
collecting a report instead of stopping at the first bad entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from radar.errors import RadarError
from radar.safetext import clean_text, html_to_text_and_links
from radar.techradar.model import (
    RETIRED,
    HistoryEntry,
    Link,
    Technology,
    TechRadar,
    TechRadarError,
    match_choice,
)


class FormatError(RadarError):
    """An import file is not in the format it claims (or any format we know)."""


@dataclass
class Incoming:
    """One entry read from a foreign radar file, before it is matched to our radar."""

    name: str
    ring: str
    quadrant: str
    where: str
    """Where it is in the file, for messages: 'row 12', 'entries[3]'."""
    description: str = ""
    links: list[Link] = field(default_factory=list)
    history: list[tuple[date, str, str]] = field(default_factory=list)
    """(date, raw ring, rationale) oldest first, when the format carries a timeline."""
    note: str = ""
    """What the file says about its recent change ('New', 'Moved In'), kept in the rationale."""
    active: bool = True
    problem: str = ""
    """Set by a reader when the entry cannot be used; it is reported as skipped."""


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(entry, reason) for each entry that was not imported."""
    new_rings: list[str] = field(default_factory=list)
    new_quadrants: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "skipped": len(self.skipped),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.counts(),
            "added_names": self.added,
            "updated_names": self.updated,
            "skipped_entries": [{"entry": e, "reason": r} for e, r in self.skipped],
            "new_rings": self.new_rings,
            "new_quadrants": self.new_quadrants,
        }


# -- text helpers --------------------------------------------------------------


_HTML_TAG = re.compile(
    r"</?(?:p|a|b|i|em|strong|br|div|span|ul|ol|li|code|pre|h[1-6]|blockquote|table|tr|td)\b"
    r"[^>]*>",
    re.IGNORECASE,
)
_HTML_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z]+\d*);", re.IGNORECASE)


def description_from_html(markup: str) -> tuple[str, list[Link]]:
    """Readable text of a description (paragraphs a blank line apart), and its absolute
    http(s) links. Text without HTML tags or entities is taken as plain text, so
    'a < b, c > d' written by a person survives."""
    if not (_HTML_TAG.search(markup) or _HTML_ENTITY.search(markup)):
        return _paragraphs(clean_text(markup)), []
    text, anchors = html_to_text_and_links(markup)
    links: list[Link] = []
    for title, url in anchors:
        if url.startswith(("http://", "https://")) and all(link.url != url for link in links):
            links.append(Link(title=title or url, url=url))
    return _paragraphs(text), links


def _paragraphs(text: str) -> str:
    """Each line of ``text`` as a paragraph, whitespace collapsed, a blank line between."""
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n\n".join(line for line in lines if line)


def parse_flag(value: Any) -> bool | None:
    """TRUE/FALSE/yes/1 as written in spreadsheets and JSON; None when unreadable."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().casefold()
        if text in ("true", "t", "yes", "y", "1"):
            return True
        if text in ("false", "f", "no", "n", "0", ""):
            return False
    return None


def parse_day(value: Any) -> date | None:
    """'2026-11-18', '2026-11-18T00:00:00Z', '2026.05' (Zalando) or '2026-05' as a date."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    match = re.fullmatch(r"(\d{4})[.\-/](\d{1,2})", text)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12:
            return date(year, month, 1)
    return None


def text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


# -- merging -------------------------------------------------------------------


@dataclass
class MergeOptions:
    source: str
    """The file name, quoted in rationales: 'imported from radar.csv'."""
    as_of: date
    """Date for history entries when the file has no dates of its own."""
    by: str = ""
    extend: bool = False
    """Add unknown rings/quadrants to the radar instead of skipping their entries."""


def _map_name(
    radar: TechRadar, raw: str, kind: str, options: MergeOptions, report: ImportReport
) -> str | None:
    choices = radar.rings if kind == "ring" else radar.quadrants
    found = match_choice(raw, choices)
    if found is not None or not options.extend or not raw.strip():
        return found
    try:
        if kind == "ring":
            slug = radar.extend_rings(raw)
            report.new_rings.append(slug)
        else:
            slug = radar.extend_quadrants(raw)
            report.new_quadrants.append(slug)
    except TechRadarError:
        return None
    return slug


def _rationale(options: MergeOptions, note: str) -> str:
    base = f"imported from {options.source}"
    return f"{base} (there: {note})" if note else base


def merge(
    radar: TechRadar,
    entries: list[Incoming],
    options: MergeOptions,
    *,
    quadrant_order: list[str] | None = None,
    ring_order: list[str] | None = None,
) -> ImportReport:
    """Add or update technologies from `entries`; the radar is changed in place.

    `quadrant_order` / `ring_order` are the source radar's names in its order, so that
    with `extend` new quadrants and rings are added in that order, not in entry order."""
    report = ImportReport()
    for name in quadrant_order or []:
        _map_name(radar, name, "quadrant", options, report)
    for name in ring_order or []:
        _map_name(radar, name, "ring", options, report)
    first_seen: dict[str, str] = {}
    for entry in entries:
        label = f"{entry.name or '(no name)'} ({entry.where})"
        if entry.problem:
            report.skipped.append((label, entry.problem))
            continue
        key = entry.name.casefold()
        if key in first_seen:
            report.skipped.append((label, f"listed twice in the file (first at {first_seen[key]})"))
            continue
        first_seen[key] = entry.where
        try:
            _merge_one(radar, entry, options, report)
        except TechRadarError as exc:
            report.skipped.append((label, str(exc)))
    return report


def _merge_one(
    radar: TechRadar, entry: Incoming, options: MergeOptions, report: ImportReport
) -> None:
    label = f"{entry.name} ({entry.where})"
    quadrant = _map_name(radar, entry.quadrant, "quadrant", options, report)
    if quadrant is None:
        report.skipped.append((label, f"unknown quadrant {entry.quadrant!r}"))
        return
    history = _incoming_history(radar, entry, options, report)
    if history is None:
        return
    existing = radar.find(entry.name)
    if existing is None:
        _add(radar, entry, quadrant, history)
        report.added.append(entry.name)
    elif _update(existing, entry, quadrant, history, options, report):
        report.updated.append(existing.name)
    else:
        report.unchanged.append(existing.name)


def _incoming_history(
    radar: TechRadar, entry: Incoming, options: MergeOptions, report: ImportReport
) -> list[HistoryEntry] | None:
    """The entry's history mapped onto our rings, or None (reported) if a ring is unknown."""
    label = f"{entry.name} ({entry.where})"
    raw_history = entry.history or [(options.as_of, entry.ring, _rationale(options, entry.note))]
    history: list[HistoryEntry] = []
    for when, raw_ring, rationale in sorted(raw_history, key=lambda item: item[0]):
        ring = _map_name(radar, raw_ring, "ring", options, report)
        if ring is None:
            report.skipped.append((label, f"unknown ring {raw_ring!r}"))
            return None
        history.append(
            HistoryEntry(when, ring, rationale.strip() or _rationale(options, ""), options.by)
        )
    if not entry.active:
        when = history[-1].date
        history.append(HistoryEntry(when, RETIRED, f"inactive in {options.source}", options.by))
    return history


def _add(radar: TechRadar, entry: Incoming, quadrant: str, history: list[HistoryEntry]) -> None:
    placed = [h for h in history if h.ring != RETIRED]
    tech = Technology(
        name=entry.name.strip(),
        quadrant=quadrant,
        ring=placed[-1].ring,
        history=history,
        description=entry.description.strip(),
        links=list(entry.links),
        last_reviewed=history[-1].date,
        retired=history[-1].ring == RETIRED,
    )
    radar.put(tech)


def _update(
    tech: Technology,
    entry: Incoming,
    quadrant: str,
    history: list[HistoryEntry],
    options: MergeOptions,
    report: ImportReport,
) -> bool:
    """Bring `tech` in line with the file, appending history; True if anything changed."""
    changed = False
    newer = [h for h in history if h.date > tech.last_changed]
    wanted = history[-1]
    current = RETIRED if tech.retired else tech.ring
    if entry.history and newer:
        appended = newer
    elif wanted.ring != current:
        if options.as_of < tech.last_changed:
            report.skipped.append(
                (
                    f"{tech.name} ({entry.where})",
                    f"the file says {wanted.ring} as of {options.as_of}, but the radar "
                    f"changed it later ({tech.last_changed})",
                )
            )
            return False
        appended = [HistoryEntry(options.as_of, wanted.ring, wanted.rationale, options.by)]
    else:
        appended = []
    if appended:
        tech.history.extend(appended)
        placed = [h.ring for h in tech.history if h.ring != RETIRED]
        tech.ring = placed[-1]
        tech.retired = tech.history[-1].ring == RETIRED
        tech.last_reviewed = max(tech.review_date(), tech.history[-1].date)
        changed = True
    if quadrant != tech.quadrant:
        tech.quadrant = quadrant
        changed = True
    if entry.description.strip() and not tech.description:
        tech.description = entry.description.strip()
        changed = True
    known_urls = {link.url for link in tech.links}
    extra_links = [link for link in entry.links if link.url not in known_urls]
    if extra_links:
        tech.links.extend(extra_links)
        changed = True
    return changed
