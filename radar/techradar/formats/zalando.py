"""Zalando tech-radar entries: {"date": "2026.05", "entries": [{label, quadrant, ring,
moved, link?, active}]} or a bare list of entries.

`quadrant` and `ring` are indices into the radar's quadrant and ring lists (file
order), unless the caller says what the indices mean in the source radar.
`moved`: 2 new, 1 moved in, -1 moved out, 0 unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from radar.techradar.formats.common import (
    FormatError,
    Incoming,
    description_from_html,
    parse_day,
    parse_flag,
    text_of,
)
from radar.techradar.model import Link, Status, TechRadar

MOVED_BY_STATUS = {Status.NEW: 2, Status.MOVED_IN: 1, Status.MOVED_OUT: -1, Status.NO_CHANGE: 0}
NOTE_BY_MOVED = {2: "New", 1: "Moved In", -1: "Moved Out"}


def export(radar: TechRadar, since: date, today: date) -> str:
    entries = []
    for tech in radar.technologies:
        entry: dict[str, Any] = {
            "quadrant": radar.quadrants.index(tech.quadrant),
            "ring": radar.rings.index(tech.ring),
            "label": tech.name,
            "active": not tech.retired,
            "moved": 0 if tech.retired else MOVED_BY_STATUS[radar.status_of(tech, since=since)],
        }
        if tech.links:
            entry["link"] = tech.links[0].url
        entries.append(entry)
    return (
        json.dumps({"date": today.isoformat(), "entries": entries}, ensure_ascii=False, indent=2)
        + "\n"
    )


def _index_or_name(value: Any, names: Sequence[str]) -> tuple[str, str]:
    """(name, problem): an index into `names`, or a name spelled out in the file."""
    if isinstance(value, bool):
        return "", f"{value!r} is not an index"
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if isinstance(value, int):
        if 0 <= value < len(names):
            return names[value], ""
        return "", f"index {value} is outside 0..{len(names) - 1}"
    if isinstance(value, str) and value.strip():
        return value.strip(), ""
    return "", "missing"


def _incoming(
    raw: Any, where: str, quadrant_names: Sequence[str], ring_names: Sequence[str]
) -> Incoming:
    if not isinstance(raw, dict):
        return Incoming("", "", "", where, problem="not an object")
    name = text_of(raw.get("label") or raw.get("name"))
    quadrant, quadrant_problem = _index_or_name(raw.get("quadrant"), quadrant_names)
    ring, ring_problem = _index_or_name(raw.get("ring"), ring_names)
    description, links = description_from_html(text_of(raw.get("description")))
    link = text_of(raw.get("link"))
    if link.startswith(("http://", "https://")) and all(x.url != link for x in links):
        links.insert(0, Link(title=name, url=link))
    active = parse_flag(raw.get("active", True))
    moved = raw.get("moved", 0)
    try:
        moved_value = int(moved)
    except (TypeError, ValueError):
        moved_value = 0
    entry = Incoming(
        name=name,
        ring=ring,
        quadrant=quadrant,
        where=where,
        description=description,
        links=links,
        note=NOTE_BY_MOVED.get(moved_value, ""),
        active=active is not False,
    )
    if not name:
        entry.problem = "no label"
    elif quadrant_problem:
        entry.problem = f"quadrant {quadrant_problem}"
    elif ring_problem:
        entry.problem = f"ring {ring_problem}"
    return entry


def read(
    data: Any,
    radar: TechRadar,
    *,
    quadrant_names: Sequence[str] | None = None,
    ring_names: Sequence[str] | None = None,
) -> tuple[list[Incoming], date | None]:
    """Entries and the file's date (None when absent or unreadable)."""
    if isinstance(data, dict):
        if not isinstance(data.get("entries"), list):
            raise FormatError("not a Zalando radar file: no `entries` list")
        raw_entries, file_date = data["entries"], parse_day(data.get("date"))
    elif isinstance(data, list):
        raw_entries, file_date = data, None
    else:
        raise FormatError("not a Zalando radar file: expected an object or a list")
    quadrants = list(quadrant_names) if quadrant_names else radar.quadrants
    rings = list(ring_names) if ring_names else radar.rings
    entries = [
        _incoming(raw, f"entries[{index}]", quadrants, rings)
        for index, raw in enumerate(raw_entries)
    ]
    return entries, file_date
