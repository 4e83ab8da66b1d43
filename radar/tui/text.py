"""Untrusted feed text turned into Rich ``Text`` that shows exactly its characters.

Nothing from a feed is ever parsed as markup: every string goes through
``strip_controls`` (no terminal escape sequences) and into ``Text(...)`` (no
``[bold]`` or ``[@click=...]`` interpretation). Widgets get these objects, never
markup strings built from feed text.
"""

from __future__ import annotations

import re
from datetime import datetime

from rich.text import Text

from radar.safetext import strip_controls

_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)])\s+")


def clean(text: str | None) -> str:
    """Control characters and escape sequences removed; tabs become spaces."""
    return strip_controls(text or "").replace("\t", "    ")


def one_line(text: str | None) -> str:
    return " ".join(clean(text).split())


def plain(text: str | None, style: str = "") -> Text:
    """One line of untrusted text, literal, optionally styled as a whole."""
    return Text(one_line(text), style=style, no_wrap=True, overflow="ellipsis", end="")


def joined(*parts: Text | str, separator: str = "") -> Text:
    """Concatenate Text pieces; plain ``str`` pieces are ours (labels), never feed text."""
    result = Text(end="")
    for index, part in enumerate(parts):
        if index and separator:
            result.append(separator)
        result.append(part if isinstance(part, Text) else Text(part))
    return result


def body(text: str | None) -> Text:
    """A feed item's summary or content as readable paragraphs, literally.

    Paragraphs are separated by blank lines, list items keep their own line with a
    bullet, and runs of spaces collapse; nothing in the text is interpreted."""
    paragraphs: list[Text] = []
    for block in re.split(r"\n\s*\n", clean(text).strip()):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        pieces: list[str] = []
        for line in lines:
            line = " ".join(line.split())
            if _BULLET.match(line):
                pieces.append("\n  • " + _BULLET.sub("", line, count=1))
            elif pieces and not pieces[-1].endswith(" "):
                pieces.append(" " + line)
            else:
                pieces.append(line)
        paragraphs.append(Text("".join(pieces).lstrip("\n")))
    return Text("\n\n").join(paragraphs) if paragraphs else Text("(no text)", style="dim")


def age(moment: datetime | None, now: datetime) -> str:
    """How long ago, compactly: 5m, 3h, 2d, 3w; older than a year as a date."""
    if moment is None:
        return ""
    seconds = (now - moment).total_seconds()
    if seconds < 0:
        return "now"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{max(minutes, 1)}m"
    hours = minutes // 60
    if hours < 48:
        return f"{hours}h"
    days = hours // 24
    if days < 21:
        return f"{days}d"
    if days < 365:
        return f"{days // 7}w"
    return moment.strftime("%Y-%m")
