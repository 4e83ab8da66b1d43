"""Helpers shared by every command group: workspace access, output, errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from radar.safetext import strip_controls
from radar.workspace import Workspace


class AppContext:
    """What every command receives: the chosen workspace."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace


pass_app = click.make_pass_decorator(AppContext)

CommandFunction = TypeVar("CommandFunction", bound=Callable[..., Any])
"""A command's function, as decorators that add options take and return it."""


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def print_json(value: Any) -> None:
    """Print JSON to stdout (feed text stays as data; JSON escapes control characters)."""
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=_json_default))


def say(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print text that may hold untrusted feed content, with control characters removed."""
    click.echo(strip_controls(text), err=err, nl=nl)


def print_table(rows: Iterable[Mapping[str, Any]], columns: list[str]) -> None:
    """A plain aligned table for humans; untrusted text is made terminal-safe."""
    rendered = [[strip_controls(_cell(row.get(col))) for col in columns] for row in rows]
    widths = [len(col) for col in columns]
    for line in rendered:
        widths = [max(w, len(cell)) for w, cell in zip(widths, line, strict=True)]
    widths = [min(w, 60) for w in widths]
    header = "  ".join(col.upper().ljust(w) for col, w in zip(columns, widths, strict=True))
    click.echo(header.rstrip())
    for line in rendered:
        cells = [_clip(cell, w).ljust(w) for cell, w in zip(line, widths, strict=True)]
        click.echo("  ".join(cells).rstrip())


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def human_value(value: Any) -> str:
    """A value as a person reads it: yes / no for booleans, — for nothing, floats
    without noise digits."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def is_interactive() -> bool:
    """stderr is a terminal (or RADAR_FORCE_TERMINAL=1 says to treat it as one)."""
    import os

    return os.environ.get("RADAR_FORCE_TERMINAL") == "1" or sys.stderr.isatty()
