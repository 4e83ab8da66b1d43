"""Import and export the radar in the formats teams already use:
Thoughtworks BYOR (CSV and JSON), Zalando tech-radar entries, and Backstage."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from radar.techradar.formats import backstage, byor, zalando
from radar.techradar.formats.common import (
    FormatError,
    ImportReport,
    Incoming,
    MergeOptions,
    description_from_html,
    merge,
)
from radar.techradar.model import TechRadar, today_utc

FORMATS = ("byor-csv", "byor-json", "zalando", "backstage")

__all__ = [
    "FORMATS",
    "FormatError",
    "ImportReport",
    "detect_format",
    "export_radar",
    "description_from_html",
    "import_radar",
]


def export_radar(
    radar: TechRadar,
    fmt: str,
    *,
    since: date | None = None,
    today: date | None = None,
) -> str:
    """The radar as text in `fmt`. New / moved flags count changes dated `since` or later
    (default: since the latest snapshot, else the last DEFAULT_WINDOW_DAYS days)."""
    today = today or today_utc()
    since = since or radar.recent_since(today)
    if fmt == "byor-csv":
        return byor.export_csv(radar, since)
    if fmt == "byor-json":
        return byor.export_json(radar, since)
    if fmt == "zalando":
        return zalando.export(radar, since, today)
    if fmt == "backstage":
        return backstage.export(radar)
    raise FormatError(f"unknown format {fmt!r} (formats: {', '.join(FORMATS)})")


def detect_format(text: str, filename: str = "") -> str:
    """Guess the format from the file name and content."""
    if filename.lower().endswith(".csv"):
        return "byor-csv"
    try:
        data = json.loads(text)
    except ValueError:
        first_line = text.lstrip("\ufeff").split("\n", 1)[0].casefold()
        if "name" in first_line and "ring" in first_line and "," in first_line:
            return "byor-csv"
        raise FormatError("cannot tell the format: not JSON and not a BYOR CSV") from None
    if isinstance(data, dict):
        if isinstance(data.get("entries"), list) and ("rings" in data or "quadrants" in data):
            return "backstage"
        if isinstance(data.get("entries"), list):
            return "zalando"
    if isinstance(data, list) and data and isinstance(data[0], dict):
        keys = {str(key).casefold() for key in data[0]}
        if "label" in keys:
            return "zalando"
        if "name" in keys:
            return "byor-json"
    raise FormatError("cannot tell the format; pass --format")


def _load_json(text: str, fmt: str) -> Any:
    try:
        return json.loads(text.lstrip("\ufeff"))
    except ValueError as exc:
        raise FormatError(f"not valid JSON for {fmt}: {exc}") from None


def import_radar(
    radar: TechRadar,
    text: str,
    fmt: str,
    *,
    source: str,
    as_of: date | None = None,
    by: str = "",
    extend: bool = False,
    quadrant_names: Sequence[str] | None = None,
    ring_names: Sequence[str] | None = None,
) -> ImportReport:
    """Merge a file's technologies into `radar` (in place) and report what happened.

    New technologies are added with a history entry (or the file's whole timeline);
    known ones get a history entry when their ring differs. `as_of` dates entries from
    files without dates (default: the file's own date, else today). `quadrant_names` /
    `ring_names` say what Zalando's indices mean in the source radar."""
    file_date: date | None = None
    entries: list[Incoming]
    if fmt == "byor-csv":
        entries = byor.read_csv(text)
    elif fmt == "byor-json":
        entries = byor.read_json(_load_json(text, fmt))
    elif fmt == "zalando":
        entries, file_date = zalando.read(
            _load_json(text, fmt), radar, quadrant_names=quadrant_names, ring_names=ring_names
        )
    elif fmt == "backstage":
        entries = backstage.read(_load_json(text, fmt), radar, as_of or today_utc())
    else:
        raise FormatError(f"unknown format {fmt!r} (formats: {', '.join(FORMATS)})")
    options = MergeOptions(
        source=source, as_of=as_of or file_date or today_utc(), by=by, extend=extend
    )
    if fmt != "zalando":
        return merge(radar, entries, options)
    return merge(
        radar,
        entries,
        options,
        quadrant_order=list(quadrant_names or []),
        ring_order=list(ring_names or []),
    )
