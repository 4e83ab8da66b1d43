"""What the YAML records a person edits in git share (data/techradar.yaml, data/library.yaml).

Reading is strict: YAML is composed into nodes so every problem names file, line and
field. Writing is deterministic (scalars quoted only where YAML needs it, flow lists and
mappings on one line, multi-line text as a literal block) and checked: the text must read
back into the same record before it replaces the file atomically.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from radar.conflicts import check_conflict_markers
from radar.errors import ConfigError
from radar.feeds.config import atomic_write_text

T = TypeVar("T")


# -- reading -------------------------------------------------------------------


def read_record_text(path: Path) -> str | None:
    """The file's text, or None when it does not exist; ConfigError when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"cannot read: {exc}") from None


def compose_record(text: str, path: Path) -> yaml.Node | None:
    """The YAML node tree of a record (None for an empty file); ConfigError, with the line,
    for merge-conflict markers and invalid YAML."""
    check_conflict_markers(text, path)
    try:
        return yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ConfigError(
            path, f"not valid YAML: {exc.problem}", line=mark.line + 1 if mark else None
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(path, f"not valid YAML: {exc}") from None


class YamlReader:
    """Turns composed YAML nodes into values, raising ConfigError with line numbers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._constructor = SafeConstructor()

    def fail(self, node: yaml.Node, message: str, field: str) -> ConfigError:
        return ConfigError(self.path, message, line=node.start_mark.line + 1, field=field)

    def is_empty(self, node: yaml.Node) -> bool:
        return isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")

    def scalar(self, node: yaml.Node, field: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, "expected a single value", field)
        try:
            return self._constructor.construct_object(node, deep=True)
        except (ConstructorError, ValueError) as exc:
            raise self.fail(node, f"unreadable value: {exc}", field) from None

    def text(self, node: yaml.Node, field: str, *, required: bool = False) -> str:
        if self.is_empty(node):
            value: Any = ""
        else:
            value = self.scalar(node, field)
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(node, f"must be text, got {value!r}", field)
        text = str(value).strip()
        if required and not text:
            raise self.fail(node, "must not be empty", field)
        return text

    def day(self, node: yaml.Node, field: str) -> date:
        value = self.scalar(node, field)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise self.fail(node, f"must be a date like 2026-11-18, got {value!r}", field)

    def flag(self, node: yaml.Node, field: str) -> bool:
        value = self.scalar(node, field)
        if not isinstance(value, bool):
            raise self.fail(node, f"must be true or false, got {value!r}", field)
        return value

    def mapping(
        self, node: yaml.Node, field: str, allowed: tuple[str, ...]
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, "must be a mapping", field)
        result: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            where = f"{field}.{key}" if field else key
            if key not in allowed:
                raise self.fail(key_node, f"unknown field (expected {', '.join(allowed)})", where)
            if key in result:
                raise self.fail(key_node, "appears twice", where)
            result[key] = (key_node, value_node)
        return result

    def sequence(self, node: yaml.Node, field: str, item: Callable[[yaml.Node, str], T]) -> list[T]:
        if self.is_empty(node):
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, "must be a list", field)
        return [item(child, f"{field}[{index}]") for index, child in enumerate(node.value)]


# -- writing -------------------------------------------------------------------


def flow_scalar(value: Any) -> str:
    """A scalar written so it reads back identically inside a flow ([...], {...}) context."""
    if isinstance(value, date):
        return value.isoformat()
    dumped = yaml.dump(
        [value],
        Dumper=yaml.CSafeDumper,
        default_flow_style=True,
        allow_unicode=True,
        width=1 << 30,
    )
    return dumped.strip()[1:-1]


def block_scalar(value: str, indent: str) -> str:
    """A scalar for block context: plain or quoted on one line; literal block if multi-line."""
    lines = value.split("\n")
    literal_ok = (
        len(lines) > 1
        and value == value.strip()
        and all(line == line.rstrip() for line in lines)
        and all(ch == "\n" or (ch.isprintable() and ch != "\t") for ch in value)
    )
    if literal_ok:
        body = "\n".join(f"{indent}  {line}" if line else "" for line in lines)
        return f"|-\n{body}"
    if "\n" in value:
        return flow_scalar(value)
    dumped = yaml.dump(value, Dumper=yaml.CSafeDumper, allow_unicode=True, width=1 << 30)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()


def flow_list(values: list[str]) -> str:
    return "[" + ", ".join(flow_scalar(v) for v in values) + "]"


def flow_mapping(pairs: tuple[tuple[str, Any], ...]) -> str:
    """``{key: value, ...}`` on one line, keys in the order given."""
    return "{" + ", ".join(f"{key}: {flow_scalar(value)}" for key, value in pairs) + "}"


def save_checked(path: Path, text: str, rewrite: Callable[[str], str], what: str) -> None:
    """Replace ``path`` with ``text`` atomically, once ``rewrite`` (read the text back, dump it
    again) gives the same text: a record that would not survive its own round trip is never
    written. ``what`` names it in the error ("the radar")."""
    if rewrite(text) != text:
        raise ConfigError(path, f"internal error: {what} would not read back unchanged")
    atomic_write_text(path, text)
