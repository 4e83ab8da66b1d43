"""data/techradar.yaml: the radar's source of truth, read strictly and written for git.

Reading validates everything and reports file, line and field of the first problem.
Writing is deterministic (fixed key order, technologies sorted by name, one block per
technology separated by a blank line, one line per history entry), re-validated, and
atomic, so a diff shows exactly the technology that changed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import yaml

from radar.errors import ConfigError
from radar.techradar.model import RETIRED, HistoryEntry, Link, Technology, TechRadar, slugify
from radar.techradar.packages import PackageNameError, normalise_package
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

HEADER = (
    "# The team's tech radar. Written by `radar tech ...`; hand edits are fine, but a\n"
    "# ring change belongs in `history` with a rationale (use `radar tech move`).\n"
)
TECH_FIELDS = (
    "name",
    "quadrant",
    "ring",
    "description",
    "aliases",
    "owner",
    "links",
    "alternatives",
    "production_use",
    "last_reviewed",
    "retired",
    "packages",
    "history",
)
HISTORY_FIELDS = ("date", "ring", "rationale", "by")
T = TypeVar("T")


# -- reading -------------------------------------------------------------------


def _parse_link(reader: YamlReader, node: yaml.Node, field: str) -> Link:
    if isinstance(node, yaml.ScalarNode):
        url = reader.text(node, field, required=True)
        return Link(title=url, url=url)
    parts = reader.mapping(node, field, ("title", "url"))
    if "url" not in parts:
        raise reader.fail(node, "is required", f"{field}.url")
    url = reader.text(parts["url"][1], f"{field}.url", required=True)
    title = reader.text(parts["title"][1], f"{field}.title") if "title" in parts else ""
    return Link(title=title or url, url=url)


def _parse_history(
    reader: YamlReader, node: yaml.Node, field: str, rings: list[str]
) -> HistoryEntry:
    parts = reader.mapping(node, field, HISTORY_FIELDS)
    for required in ("date", "ring", "rationale"):
        if required not in parts:
            message = "is required"
            if required == "rationale":
                message = "a history entry needs a rationale"
            raise reader.fail(node, message, f"{field}.{required}")
    ring_node = parts["ring"][1]
    ring = reader.text(ring_node, f"{field}.ring", required=True)
    if ring not in rings and ring != RETIRED:
        raise reader.fail(
            ring_node,
            f"unknown ring {ring!r} (rings: {', '.join(rings)}, {RETIRED})",
            f"{field}.ring",
        )
    by = reader.text(parts["by"][1], f"{field}.by") if "by" in parts else ""
    return HistoryEntry(
        date=reader.day(parts["date"][1], f"{field}.date"),
        ring=ring,
        rationale=reader.text(parts["rationale"][1], f"{field}.rationale", required=True),
        by=by,
    )


def _parse_technology(
    reader: YamlReader, node: yaml.Node, field: str, radar: TechRadar
) -> Technology:
    parts = reader.mapping(node, field, TECH_FIELDS)
    for required in ("name", "quadrant", "ring", "history"):
        if required not in parts:
            raise reader.fail(node, "is required", f"{field}.{required}")

    def value_of(key: str) -> yaml.Node:
        return parts[key][1]

    def texts(child: yaml.Node, where: str) -> str:
        return reader.text(child, where, required=True)

    name = reader.text(value_of("name"), f"{field}.name", required=True)
    quadrant = reader.text(value_of("quadrant"), f"{field}.quadrant", required=True)
    if quadrant not in radar.quadrants:
        raise reader.fail(
            value_of("quadrant"),
            f"unknown quadrant {quadrant!r} (quadrants: {', '.join(radar.quadrants)})",
            f"{field}.quadrant",
        )
    ring = reader.text(value_of("ring"), f"{field}.ring", required=True)
    if ring not in radar.rings:
        raise reader.fail(
            value_of("ring"),
            f"unknown ring {ring!r} (rings: {', '.join(radar.rings)})",
            f"{field}.ring",
        )
    history = reader.sequence(
        value_of("history"),
        f"{field}.history",
        lambda child, where: _parse_history(reader, child, where, radar.rings),
    )
    if not history:
        raise reader.fail(
            value_of("history"),
            "needs at least the entry that put it on the radar",
            f"{field}.history",
        )
    _check_history(reader, value_of("history"), f"{field}.history", history)
    retired = reader.flag(value_of("retired"), f"{field}.retired") if "retired" in parts else False
    _check_ring_matches_history(reader, value_of("ring"), field, ring, retired, history)

    def optional_text(key: str) -> str:
        return reader.text(value_of(key), f"{field}.{key}") if key in parts else ""

    def optional_list(key: str, item: Callable[[yaml.Node, str], T]) -> list[T]:
        return reader.sequence(value_of(key), f"{field}.{key}", item) if key in parts else []

    last_reviewed = None
    if "last_reviewed" in parts and not reader.is_empty(value_of("last_reviewed")):
        last_reviewed = reader.day(value_of("last_reviewed"), f"{field}.last_reviewed")
    return Technology(
        name=name,
        quadrant=quadrant,
        ring=ring,
        history=history,
        description=optional_text("description"),
        aliases=optional_list("aliases", texts),
        owner=optional_text("owner"),
        links=optional_list("links", lambda child, where: _parse_link(reader, child, where)),
        alternatives=optional_list("alternatives", texts),
        production_use=optional_text("production_use"),
        last_reviewed=last_reviewed,
        retired=retired,
        packages=optional_list(
            "packages", lambda child, where: _parse_package(reader, child, where)
        ),
    )


def _parse_package(reader: YamlReader, node: yaml.Node, field: str) -> str:
    try:
        return normalise_package(reader.text(node, field, required=True))
    except PackageNameError as exc:
        raise reader.fail(node, str(exc), field) from None


def _check_history(
    reader: YamlReader, node: yaml.Node, field: str, history: list[HistoryEntry]
) -> None:
    assert isinstance(node, yaml.SequenceNode)
    for index in range(1, len(history)):
        if history[index].date < history[index - 1].date:
            raise reader.fail(
                node.value[index],
                f"dated {history[index].date}, before the entry above it; "
                "history is appended in date order",
                f"{field}[{index}].date",
            )
    if history[0].ring == RETIRED:
        raise reader.fail(
            node.value[0], "the first entry must put it in a ring", f"{field}[0].ring"
        )


def _check_ring_matches_history(
    reader: YamlReader,
    ring_node: yaml.Node,
    field: str,
    ring: str,
    retired: bool,
    history: list[HistoryEntry],
) -> None:
    placed = [entry.ring for entry in history if entry.ring != RETIRED]
    if placed[-1] != ring:
        raise reader.fail(
            ring_node,
            f"is {ring!r} but the latest history entry says {placed[-1]!r}; "
            "record ring changes with `radar tech move` so they carry a rationale",
            f"{field}.ring",
        )
    if retired != (history[-1].ring == RETIRED):
        state = "retired: true" if retired else "retired: false"
        raise reader.fail(
            ring_node,
            f"{state} disagrees with the latest history entry ({history[-1].ring!r})",
            f"{field}.retired",
        )


def _parse_names(reader: YamlReader, node: yaml.Node, field: str) -> list[str]:
    names = reader.sequence(
        node, field, lambda child, where: reader.text(child, where, required=True)
    )
    if not names:
        raise reader.fail(node, "must list at least one name", field)
    for index, name in enumerate(names):
        if slugify(name) != name or name == RETIRED:
            raise reader.fail(
                node,
                f"{name!r} must be a lower-case slug like {slugify(name)!r}",
                f"{field}[{index}]",
            )
        if name in names[:index]:
            raise reader.fail(node, f"{name!r} appears twice", f"{field}[{index}]")
    return names


def parse_radar(text: str, path: Path) -> TechRadar:
    """Validate techradar.yaml text and build the radar; ConfigError on the first problem."""
    root = compose_record(text, path)
    radar = TechRadar()
    if root is None:
        return radar
    reader = YamlReader(path)
    if not isinstance(root, yaml.MappingNode):
        raise ConfigError(path, "top level must be a mapping with `technologies:`", line=1)
    parts = reader.mapping(root, "", ("rings", "quadrants", "snapshots", "technologies"))
    if "rings" in parts:
        radar.rings = _parse_names(reader, parts["rings"][1], "rings")
    if "quadrants" in parts:
        radar.quadrants = _parse_names(reader, parts["quadrants"][1], "quadrants")
    if "snapshots" in parts:
        radar.snapshots = sorted(reader.sequence(parts["snapshots"][1], "snapshots", reader.day))
    if "technologies" not in parts:
        return radar
    techs_node = parts["technologies"][1]
    technologies = reader.sequence(
        techs_node,
        "technologies",
        lambda child, where: _parse_technology(reader, child, where, radar),
    )
    seen: dict[str, str] = {}
    for index, tech in enumerate(technologies):
        key = tech.name.casefold()
        if key in seen:
            assert isinstance(techs_node, yaml.SequenceNode)
            raise reader.fail(
                techs_node.value[index],
                f"duplicate technology {tech.name!r} (also listed as {seen[key]!r})",
                f"technologies[{index}].name",
            )
        seen[key] = tech.name
    radar.technologies = sorted(technologies, key=lambda t: (t.name.casefold(), t.name))
    return radar


def load_radar(path: Path) -> TechRadar:
    """Read the radar file; a missing file is an empty radar with the default lists."""
    text = read_record_text(path)
    return TechRadar() if text is None else parse_radar(text, path)


# -- writing -------------------------------------------------------------------


def _dump_technology(tech: Technology) -> list[str]:
    pad = "    "
    lines = [f"  - name: {flow_scalar(tech.name)}"]
    lines.append(f"{pad}quadrant: {flow_scalar(tech.quadrant)}")
    lines.append(f"{pad}ring: {flow_scalar(tech.ring)}")
    lines.append(f"{pad}description: {block_scalar(tech.description, pad)}")
    lines.append(f"{pad}aliases: {flow_list(tech.aliases)}")
    lines.append(f"{pad}owner: {flow_scalar(tech.owner)}")
    if tech.links:
        lines.append(f"{pad}links:")
        for link in tech.links:
            lines.append(f"{pad}  - {flow_mapping((('title', link.title), ('url', link.url)))}")
    else:
        lines.append(f"{pad}links: []")
    lines.append(f"{pad}alternatives: {flow_list(tech.alternatives)}")
    lines.append(f"{pad}production_use: {block_scalar(tech.production_use, pad)}")
    reviewed = tech.last_reviewed.isoformat() if tech.last_reviewed else "null"
    lines.append(f"{pad}last_reviewed: {reviewed}")
    lines.append(f"{pad}retired: {'true' if tech.retired else 'false'}")
    if tech.packages:
        lines.append(f"{pad}packages: {flow_list(tech.packages)}")
    lines.append(f"{pad}history:")
    for entry in tech.history:
        fields = flow_mapping(
            (
                ("date", entry.date),
                ("ring", entry.ring),
                ("rationale", entry.rationale),
                ("by", entry.by),
            )
        )
        lines.append(f"{pad}  - {fields}")
    return lines


def dump_radar(radar: TechRadar) -> str:
    """The file text for a radar; identical radars always give identical text."""
    out = [HEADER.rstrip("\n")]
    out.append(f"rings: {flow_list(radar.rings)}")
    out.append(f"quadrants: {flow_list(radar.quadrants)}")
    out.append(f"snapshots: [{', '.join(day.isoformat() for day in sorted(radar.snapshots))}]")
    technologies = sorted(radar.technologies, key=lambda t: (t.name.casefold(), t.name))
    if not technologies:
        out.append("technologies: []")
        return "\n".join(out) + "\n"
    out.append("technologies:")
    for tech in technologies:
        out.append("")
        out.extend(_dump_technology(tech))
    return "\n".join(out) + "\n"


def save_radar(radar: TechRadar, path: Path) -> None:
    """Write the radar atomically, after checking the text reads back as the same radar."""
    text = dump_radar(radar)
    save_checked(path, text, lambda written: dump_radar(parse_radar(written, path)), "the radar")
