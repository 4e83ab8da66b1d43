"""Render the structured digest (:func:`radar.digest.select.build_digest`) as Markdown,
HTML or JSON: one renderer per format, Markdown and HTML from Jinja2 templates in
``radar/digest/templates``.

Feed text is untrusted everywhere:

* **HTML** is rendered with autoescaping, so titles, names, errors and rationales are
  text, never markup; summaries additionally go through nh3 with no tags allowed
  (text that looks like markup is reduced to its words). Links are only ever
  absolute http(s) URLs (checked when the digest is built), with
  ``rel="noopener noreferrer"``. The page is self-contained (inline CSS and SVG, no
  images, fonts or scripts) and its Content-Security-Policy forbids scripts and
  fetches, should anything slip through.
* **Markdown**: characters that would make feed text a link, an image, HTML, code
  or emphasis (``\\ ` * _ [ ] < > ~ &``) are backslash-escaped, and ``://`` and
  ``www.`` are broken up so GitHub-style autolinking does not turn a title into a
  link either.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import TYPE_CHECKING, Any

from radar.safetext import strip_controls

if TYPE_CHECKING:
    import jinja2

FORMATS = ("md", "html", "json")
SPARK_BARS = "▁▂▃▄▅▆▇█"

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>~&])")
_MD_AUTOLINK = re.compile(r"(?i)(://|\bwww\.)")
_BLANK_RUNS = re.compile(r"\n{3,}")


def render_digest(digest: dict[str, Any], fmt: str) -> str:
    """The digest in `fmt` (md, html or json), ending with a newline."""
    if fmt == "json":
        return render_json(digest)
    if fmt == "md":
        text = _environment("md").get_template("digest.md.j2").render(d=digest)
        return _BLANK_RUNS.sub("\n\n", text)
    if fmt == "html":
        return _environment("html").get_template("digest.html.j2").render(d=digest)
    raise ValueError(f"unknown digest format {fmt!r} (formats: {', '.join(FORMATS)})")


def render_json(digest: dict[str, Any]) -> str:
    return json.dumps(digest, ensure_ascii=False, indent=2) + "\n"


@cache
def _environment(fmt: str) -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("radar.digest", "templates"),
        autoescape=fmt == "html",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        md=md_text,
        md_url=md_url,
        sparkline=sparkline,
        svg_points=svg_points,
        clean=clean_summary,
        plural=plural,
        ring_name=ring_name,
        human_day=human_day,
    )
    return env


# --- Markdown ----------------------------------------------------------------------------


def md_text(text: Any) -> str:
    """Feed text as literal Markdown: one line, nothing that renders as a link or HTML."""
    flat = " ".join(strip_controls(str(text if text is not None else "")).split())
    escaped = _MD_SPECIAL.sub(r"\\\1", flat)
    return _MD_AUTOLINK.sub(lambda m: m.group(1).replace(":", "\\:").replace(".", "\\."), escaped)


def md_url(url: str) -> str:
    """A link destination that cannot end the link early: parentheses and angle
    brackets percent-encoded (URLs reaching here are http(s) without whitespace)."""
    table = {"(": "%28", ")": "%29", "<": "%3C", ">": "%3E", "\\": "%5C"}
    return "".join(table.get(ch, ch) for ch in url)


def sparkline(counts: list[int]) -> str:
    """▁▂▃▄▅▆▇█ scaled to the largest count; zero is the lowest bar."""
    top = max(counts, default=0)
    if top <= 0:
        return SPARK_BARS[0] * len(counts)
    bars = []
    for count in counts:
        level = 0 if count <= 0 else max(1, round(count / top * (len(SPARK_BARS) - 1)))
        bars.append(SPARK_BARS[level])
    return "".join(bars)


# --- HTML --------------------------------------------------------------------------------


def svg_points(counts: list[int], width: int = 96, height: int = 24, pad: int = 3) -> str:
    """`points` of an SVG polyline for counts, oldest left (numbers only)."""
    top = max(max(counts, default=0), 1)
    step = (width - 2 * pad) / max(len(counts) - 1, 1)
    points = []
    for index, count in enumerate(counts):
        x = pad + index * step
        y = height - pad - (height - 2 * pad) * count / top
        points.append(f"{x:.1f},{y:.1f}")
    return " ".join(points)


def clean_summary(text: Any) -> Any:
    """A summary for HTML: nh3 with no tags allowed, so any markup left in feed text
    becomes plain words and everything else is escaped."""
    import nh3
    from markupsafe import Markup

    plain = " ".join(strip_controls(str(text or "")).split())
    return Markup(nh3.clean(plain, tags=set(), attributes={}, strip_comments=True))


# --- shared ------------------------------------------------------------------------------


def plural(count: int, singular: str, many: str | None = None) -> str:
    word = singular if count == 1 else (many or singular + "s")
    return f"{count} {word}"


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def human_day(iso_day: str) -> str:
    """'2026-11-16' as 'Mon 16 Nov 2026' (fixed English names, whatever the locale)."""
    from datetime import date

    day = date.fromisoformat(iso_day)
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def ring_name(ring: str | None) -> str:
    if not ring:
        return "new"
    from radar.techradar.model import display_name

    return display_name(ring)
