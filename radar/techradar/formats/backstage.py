"""Backstage tech-radar plugin data: quadrants and rings with ids, and entries whose
`timeline` (newest first) holds every ring decision with its date and description.

The timeline maps one-to-one onto our history, so this is the format that round-trips
a radar's history; retired technologies are left out (Backstage has no such state).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from radar.techradar.formats.common import (
    FormatError,
    Incoming,
    description_from_html,
    parse_day,
    text_of,
)
from radar.techradar.model import RETIRED, Link, TechRadar, display_name, match_choice

RING_COLOURS = ("#5ba300", "#009eb0", "#c7ba00", "#d9534f")
EXTRA_COLOURS = ("#7e57c2", "#8d6e63", "#78909c", "#26a69a")


def ring_colour(index: int) -> str:
    palette = RING_COLOURS + EXTRA_COLOURS
    return palette[index % len(palette)]


def export(radar: TechRadar) -> str:
    entries = []
    used_keys: set[str] = set()
    for tech in radar.active():
        key = tech.slug
        while key in used_keys:
            key += "-x"
        used_keys.add(key)
        timeline = []
        previous: str | None = None
        for entry in tech.history:
            if entry.ring == RETIRED:
                continue
            moved = 0
            if previous is not None and previous != entry.ring:
                moved = 1 if radar.rings.index(entry.ring) < radar.rings.index(previous) else -1
            timeline.append(
                {
                    "moved": moved,
                    "ringId": entry.ring,
                    "date": entry.date.isoformat(),
                    "description": entry.rationale,
                }
            )
            previous = entry.ring
        timeline.reverse()
        record: dict[str, Any] = {
            "key": key,
            "id": key,
            "title": tech.name,
            "quadrant": tech.quadrant,
            "description": tech.description,
            "timeline": timeline,
            "links": [link.to_dict() for link in tech.links],
        }
        if tech.links:
            record["url"] = tech.links[0].url
        entries.append(record)
    document = {
        "quadrants": [{"id": q, "name": display_name(q)} for q in radar.quadrants],
        "rings": [
            {"id": ring, "name": display_name(ring).upper(), "color": ring_colour(index)}
            for index, ring in enumerate(radar.rings)
        ],
        "entries": entries,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _names_by_id(items: Any, what: str) -> dict[str, str]:
    if items is None:
        return {}
    if not isinstance(items, list):
        raise FormatError(f"not a Backstage radar file: `{what}` must be a list")
    names: dict[str, str] = {}
    for item in items:
        if isinstance(item, dict) and text_of(item.get("id")):
            names[text_of(item.get("id"))] = text_of(item.get("name")) or text_of(item.get("id"))
    return names


def _pick(raw_id: str, names: dict[str, str], choices: list[str]) -> str:
    """The id itself when it is one of our slugs (our own export), else its display name."""
    if match_choice(raw_id, choices) is not None:
        return raw_id
    return names.get(raw_id, raw_id)


def _links(raw: dict[str, Any]) -> list[Link]:
    links: list[Link] = []
    for item in raw.get("links") or []:
        if isinstance(item, dict):
            url = text_of(item.get("url"))
            if url.startswith(("http://", "https://")):
                links.append(Link(title=text_of(item.get("title")) or url, url=url))
    url = text_of(raw.get("url"))
    if url.startswith(("http://", "https://")) and all(link.url != url for link in links):
        links.append(Link(title=url, url=url))
    return links


def _incoming(
    raw: Any,
    where: str,
    radar: TechRadar,
    quadrants: dict[str, str],
    rings: dict[str, str],
    as_of: date,
) -> Incoming:
    if not isinstance(raw, dict):
        return Incoming("", "", "", where, problem="not an object")
    name = text_of(raw.get("title")) or text_of(raw.get("key")) or text_of(raw.get("id"))
    description, found_links = description_from_html(text_of(raw.get("description")))
    links = _links(raw)
    links += [link for link in found_links if all(link.url != x.url for x in links)]
    entry = Incoming(
        name=name,
        ring="",
        quadrant=_pick(text_of(raw.get("quadrant")), quadrants, radar.quadrants),
        where=where,
        description=description,
        links=links,
    )
    timeline = raw.get("timeline")
    if not name:
        entry.problem = "no title"
        return entry
    if not isinstance(timeline, list) or not timeline:
        entry.problem = "no timeline"
        return entry
    for position, snapshot in enumerate(timeline):
        if not isinstance(snapshot, dict) or not text_of(snapshot.get("ringId")):
            entry.problem = f"timeline[{position}] has no ringId"
            return entry
        when = parse_day(snapshot.get("date")) or as_of
        ring = _pick(text_of(snapshot.get("ringId")), rings, radar.rings)
        rationale, _ = description_from_html(text_of(snapshot.get("description")))
        entry.history.append((when, ring, rationale))
    # Newest first by the format; a stable sort then keeps same-day entries in order.
    entry.history.reverse()
    entry.history.sort(key=lambda item: item[0])
    entry.ring = entry.history[-1][1]
    if not text_of(raw.get("quadrant")):
        entry.problem = "no quadrant"
    return entry


def read(data: Any, radar: TechRadar, as_of: date) -> list[Incoming]:
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise FormatError("not a Backstage radar file: expected an object with `entries`")
    quadrants = _names_by_id(data.get("quadrants"), "quadrants")
    rings = _names_by_id(data.get("rings"), "rings")
    return [
        _incoming(raw, f"entries[{index}]", radar, quadrants, rings, as_of)
        for index, raw in enumerate(data["entries"])
    ]
