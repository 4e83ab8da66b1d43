"""Thoughtworks Build-Your-Own-Radar: CSV and JSON with name, ring, quadrant, isNew,
description (and, in newer sheets, status: New / Moved In / Moved Out / No Change).

Rings and quadrants are free-text display names ('Adopt', 'Languages & Frameworks'),
`isNew` is the string TRUE/FALSE, and descriptions are HTML.
"""

from __future__ import annotations

import csv
import html
import io
import json
from datetime import date
from typing import Any

from radar.techradar.formats.common import (
    FormatError,
    Incoming,
    description_from_html,
    parse_flag,
    text_of,
)
from radar.techradar.model import Status, TechRadar, display_name

COLUMNS = ("name", "ring", "quadrant", "isNew", "status", "description")


def _rows(radar: TechRadar, since: date) -> list[dict[str, str]]:
    rows = []
    for tech in radar.active():
        status = radar.status_of(tech, since=since)
        rows.append(
            {
                "name": tech.name,
                "ring": display_name(tech.ring),
                "quadrant": display_name(tech.quadrant),
                "isNew": "TRUE" if status is Status.NEW else "FALSE",
                "status": status.value,
                # BYOR shows descriptions as HTML; ours are plain text.
                "description": html.escape(tech.description, quote=False),
            }
        )
    return rows


def export_csv(radar: TechRadar, since: date) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writeheader()
    writer.writerows(_rows(radar, since))
    return out.getvalue()


def export_json(radar: TechRadar, since: date) -> str:
    return json.dumps(_rows(radar, since), ensure_ascii=False, indent=2) + "\n"


def _incoming(row: dict[str, Any], where: str) -> Incoming:
    # Header names vary in case between sheets ("isNew", "IsNew", "Quadrant").
    lowered = {str(key).strip().casefold(): value for key, value in row.items() if key}
    name = text_of(lowered.get("name"))
    description, links = description_from_html(text_of(lowered.get("description")))
    entry = Incoming(
        name=name,
        ring=text_of(lowered.get("ring")),
        quadrant=text_of(lowered.get("quadrant")),
        where=where,
        description=description,
        links=links,
    )
    status = text_of(lowered.get("status"))
    is_new = parse_flag(lowered.get("isnew"))
    if status and status.casefold() != "no change":
        entry.note = status
    elif is_new:
        entry.note = "New"
    if not name:
        entry.problem = "no name"
    elif "\n" in name:
        entry.problem = "name spans several lines"
    elif not entry.ring:
        entry.problem = "no ring"
    elif not entry.quadrant:
        entry.problem = "no quadrant"
    return entry


def read_csv(text: str) -> list[Incoming]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    fields = {name.strip().casefold() for name in reader.fieldnames or []}
    missing = {"name", "ring", "quadrant"} - fields
    if missing:
        raise FormatError(
            f"not a BYOR CSV: the header lacks {', '.join(sorted(missing))} "
            "(expected name,ring,quadrant,isNew,description)"
        )
    return [_incoming(row, f"row {index}") for index, row in enumerate(reader, start=1)]


def read_json(data: Any) -> list[Incoming]:
    if not isinstance(data, list):
        raise FormatError("not a BYOR JSON file: expected a list of blips")
    entries = []
    for index, blip in enumerate(data):
        if not isinstance(blip, dict):
            entries.append(Incoming("", "", "", f"[{index}]", problem="not an object"))
            continue
        entries.append(_incoming(blip, f"[{index}]"))
    return entries
