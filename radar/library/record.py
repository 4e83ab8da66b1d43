"""data/library.yaml: the team library, read strictly and written for git.

The same approach as data/techradar.yaml: reading validates everything and reports file,
line and field of the first problem; writing is deterministic (fixed key order, entries
sorted by their id, one block per entry separated by a blank line, one line per note),
re-validated and atomic. Because ids are hashes of URLs, two people adding entries on
different branches usually touch different places of the file, and git merges them.
Comment lines are kept: those at the top stay the header, the others travel with the
entry they sit in or above.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from radar.errors import ConfigError
from radar.library.model import (
    LEVELS,
    STATUSES,
    TYPES,
    Entry,
    Library,
    LibraryError,
    Note,
    clean_words,
    normalise_url,
)
from radar.yamlrecord import (
    YamlReader,
    block_scalar,
    compose_record,
    flow_list,
    flow_mapping,
    flow_scalar,
    read_record_text,
    save_checked,
)

HEADER = [
    "# The team library: what we learned from, and why it matters.",
    "# Written by `radar library ...`; hand edits are fine (keep one block per entry).",
]
ENTRY_FIELDS = (
    "id",
    "url",
    "title",
    "type",
    "tags",
    "technologies",
    "level",
    "status",
    "reason",
    "added_by",
    "added",
    "notes",
    "note",
)
NOTE_FIELDS = ("text", "by", "date")


# -- reading -------------------------------------------------------------------


def _parse_note(reader: YamlReader, node: yaml.Node, field: str) -> Note:
    if isinstance(node, yaml.ScalarNode):
        return Note(reader.text(node, field, required=True))
    parts = reader.mapping(node, field, NOTE_FIELDS)
    if "text" not in parts:
        raise reader.fail(node, "is required", f"{field}.text")
    when: date | None = None
    if "date" in parts and not reader.is_empty(parts["date"][1]):
        when = reader.day(parts["date"][1], f"{field}.date")
    return Note(
        text=reader.text(parts["text"][1], f"{field}.text", required=True),
        by=reader.text(parts["by"][1], f"{field}.by") if "by" in parts else "",
        date=when,
    )


def _choice(
    reader: YamlReader, node: yaml.Node, field: str, choices: tuple[str, ...], *, empty_ok: bool
) -> str:
    value = reader.text(node, field).casefold()
    if (value or not empty_ok) and value not in choices:
        raise reader.fail(node, f"unknown value {value!r} (use {', '.join(choices)})", field)
    return value


def _parse_entry(reader: YamlReader, node: yaml.Node, field: str) -> Entry:
    parts = reader.mapping(node, field, ENTRY_FIELDS)
    for required in ("id", "url"):
        if required not in parts:
            raise reader.fail(node, "is required", f"{field}.{required}")

    def value(key: str) -> yaml.Node:
        return parts[key][1]

    def words(key: str) -> tuple[str, ...]:
        if key not in parts:
            return ()
        items = reader.sequence(
            value(key), f"{field}.{key}", lambda child, where: reader.text(child, where)
        )
        return clean_words(items)

    url_node = value("url")
    try:
        url = normalise_url(reader.text(url_node, f"{field}.url", required=True))
    except LibraryError as exc:
        raise reader.fail(url_node, str(exc), f"{field}.url") from None
    added: date | None = None
    if "added" in parts and not reader.is_empty(value("added")):
        added = reader.day(value("added"), f"{field}.added")
    added_by = reader.text(value("added_by"), f"{field}.added_by") if "added_by" in parts else ""
    notes: list[Note] = []
    if "note" in parts:
        # A hand-written `note: ...` is the adder's note; written back as `notes`.
        text = reader.text(value("note"), f"{field}.note")
        if text:
            notes.append(Note(text, added_by, added))
    if "notes" in parts:
        notes.extend(
            reader.sequence(
                value("notes"),
                f"{field}.notes",
                lambda child, where: _parse_note(reader, child, where),
            )
        )
    status = "current"
    if "status" in parts:
        status = _choice(reader, value("status"), f"{field}.status", STATUSES, empty_ok=True)
    reason = reader.text(value("reason"), f"{field}.reason") if "reason" in parts else ""
    if status == "outdated" and not reason:
        raise reader.fail(node, "an outdated entry needs a reason", f"{field}.reason")
    kind = "link"
    if "type" in parts:
        kind = _choice(reader, value("type"), f"{field}.type", TYPES, empty_ok=True) or "link"
    level = ""
    if "level" in parts:
        level = _choice(reader, value("level"), f"{field}.level", LEVELS, empty_ok=True)
    title = reader.text(value("title"), f"{field}.title") if "title" in parts else ""
    return Entry(
        id=reader.text(value("id"), f"{field}.id", required=True),
        url=url,
        title=title or url,
        type=kind,
        tags=words("tags"),
        technologies=words("technologies"),
        added_by=added_by,
        added=added,
        level=level,
        status=status or "current",
        reason=reason,
        notes=tuple(notes),
    )


def _comments(text: str, starts: list[int]) -> tuple[list[str], dict[int, list[str]]]:
    """Header comment lines, and comment lines by entry position (0-based), from the
    entries' start lines (0-based). A comment belongs to the entry it is in, or to the
    entry right below it."""
    lines = text.splitlines()
    header: list[str] = []
    by_entry: dict[int, list[str]] = {}
    first = starts[0] if starts else len(lines)
    seen_body = False
    for number, line in enumerate(lines[:first]):
        stripped = line.strip()
        if stripped.startswith("#"):
            (by_entry.setdefault(0, []) if seen_body and starts else header).append(stripped)
        elif stripped:
            seen_body = True
        del number
    for position, start in enumerate(starts):
        end = starts[position + 1] if position + 1 < len(starts) else len(lines)
        region = lines[start:end]
        tail = len(region)
        while tail > 1 and (not region[tail - 1].strip() or region[tail - 1].strip()[0] == "#"):
            tail -= 1
        for index, line in enumerate(region):
            stripped = line.strip()
            if not stripped.startswith("#"):
                continue
            owner = position + 1 if index >= tail and position + 1 < len(starts) else position
            by_entry.setdefault(owner, []).append(stripped)
    return header, by_entry


def parse_library(text: str, path: Path) -> Library:
    """Validate library.yaml text and build the library; ConfigError on the first problem."""
    root = compose_record(text, path)
    library = Library()
    if root is None:
        library.header = [line.strip() for line in text.splitlines() if line.strip()]
        return library
    reader = YamlReader(path)
    if not isinstance(root, yaml.MappingNode):
        raise ConfigError(path, "top level must be a mapping with `entries:`", line=1)
    parts = reader.mapping(root, "", ("entries",))
    if "entries" not in parts:
        return library
    entries_node = parts["entries"][1]
    entries = reader.sequence(
        entries_node, "entries", lambda child, where: _parse_entry(reader, child, where)
    )
    nodes = entries_node.value if isinstance(entries_node, yaml.SequenceNode) else []
    seen_ids: dict[str, int] = {}
    seen_urls: dict[str, int] = {}
    for index, entry in enumerate(entries):
        for key, seen, what in ((entry.id, seen_ids, "id"), (entry.url, seen_urls, "url")):
            if key in seen:
                raise reader.fail(
                    nodes[index],
                    f"{what} {key!r} is already used by entries[{seen[key]}]; "
                    "merge the two blocks into one",
                    f"entries[{index}].{what}",
                )
            seen[key] = index
    header, by_position = _comments(text, [node.start_mark.line for node in nodes])
    library.header = header
    library.comments = {
        entries[position].id: lines for position, lines in by_position.items() if lines
    }
    library.entries = sorted(entries, key=lambda e: e.id)
    return library


def load_library(path: Path) -> Library:
    """Read the library file; a missing file is an empty library."""
    text = read_record_text(path)
    return Library() if text is None else parse_library(text, path)


# -- writing -------------------------------------------------------------------


def _dump_entry(entry: Entry, comments: list[str]) -> list[str]:
    pad = "    "
    lines = [f"  {comment}" for comment in comments]
    lines.append(f"  - id: {flow_scalar(entry.id)}")
    lines.append(f"{pad}url: {flow_scalar(entry.url)}")
    lines.append(f"{pad}title: {block_scalar(entry.title, pad)}")
    lines.append(f"{pad}type: {flow_scalar(entry.type)}")
    lines.append(f"{pad}tags: {flow_list(list(entry.tags))}")
    lines.append(f"{pad}technologies: {flow_list(list(entry.technologies))}")
    if entry.level:
        lines.append(f"{pad}level: {flow_scalar(entry.level)}")
    lines.append(f"{pad}status: {flow_scalar(entry.status)}")
    if entry.reason:
        lines.append(f"{pad}reason: {block_scalar(entry.reason, pad)}")
    lines.append(f"{pad}added_by: {flow_scalar(entry.added_by)}")
    lines.append(f"{pad}added: {entry.added.isoformat() if entry.added else 'null'}")
    if not entry.notes:
        lines.append(f"{pad}notes: []")
        return lines
    lines.append(f"{pad}notes:")
    for note in entry.notes:
        fields = flow_mapping((("by", note.by), ("date", note.date), ("text", note.text)))
        lines.append(f"{pad}  - {fields}")
    return lines


def dump_library(library: Library) -> str:
    """The file text for a library; identical libraries always give identical text."""
    out = list(library.header or HEADER)
    entries = sorted(library.entries, key=lambda e: e.id)
    if not entries:
        out.append("entries: []")
        return "\n".join(out) + "\n"
    out.append("entries:")
    for entry in entries:
        out.append("")
        out.extend(_dump_entry(entry, library.comments.get(entry.id, [])))
    return "\n".join(out) + "\n"


def save_library(library: Library, path: Path) -> str:
    """Write the library atomically, after checking it reads back the same; returns the text."""
    text = dump_library(library)
    save_checked(
        path, text, lambda written: dump_library(parse_library(written, path)), "the library"
    )
    return text
