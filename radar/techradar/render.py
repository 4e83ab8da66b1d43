"""The radar as a picture: an SVG file, and a text view for the terminal."""

from __future__ import annotations

import math
import textwrap
from datetime import date
from html import escape

from radar.techradar.formats.backstage import ring_colour
from radar.techradar.layout import Blip, layout, ring_bounds, sector
from radar.techradar.model import Status, TechRadar, display_name, today_utc

RADIUS = 380.0
MARGIN = 70.0
LEGEND_WIDTH = 250.0
BLIP_SIZE = 7.0


def _window(radar: TechRadar, since: date | None, today: date | None) -> tuple[date, date]:
    today = today or today_utc()
    return since or radar.recent_since(today), today


# -- SVG -----------------------------------------------------------------------


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def _marker(status: Status, x: float, y: float, colour: str) -> str:
    fill = f'fill="{colour}" stroke="#ffffff" stroke-width="1.5"'
    s = BLIP_SIZE
    if status is Status.MOVED_IN:
        points = [(x, y - s * 1.3), (x + s * 1.2, y + s * 0.9), (x - s * 1.2, y + s * 0.9)]
    elif status is Status.MOVED_OUT:
        points = [(x, y + s * 1.3), (x + s * 1.2, y - s * 0.9), (x - s * 1.2, y - s * 0.9)]
    elif status is Status.NEW:
        points = []
        for k in range(10):
            reach = s * 1.45 if k % 2 == 0 else s * 0.6
            angle = -math.pi / 2 + k * math.pi / 5
            points.append((x + reach * math.cos(angle), y + reach * math.sin(angle)))
    else:
        return f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="{_fmt(s)}" {fill}/>'
    joined = " ".join(f"{_fmt(px)},{_fmt(py)}" for px, py in points)
    return f'<polygon points="{joined}" {fill}/>'


def _svg_rings(radar: TechRadar, cx: float, cy: float) -> list[str]:
    parts = []
    bounds = ring_bounds(len(radar.rings))
    for index in reversed(range(len(radar.rings))):
        outer = bounds[index][1] * RADIUS
        shade = "#f4f4f4" if index % 2 == 0 else "#e8e8e8"
        parts.append(
            f'<circle cx="{_fmt(cx)}" cy="{_fmt(cy)}" r="{_fmt(outer)}" fill="{shade}" '
            'stroke="#bbbbbb" stroke-width="1"/>'
        )
    for index in range(len(radar.quadrants)):
        start, _ = sector(index, len(radar.quadrants))
        x = cx + RADIUS * math.cos(start)
        y = cy - RADIUS * math.sin(start)
        parts.append(
            f'<line x1="{_fmt(cx)}" y1="{_fmt(cy)}" x2="{_fmt(x)}" y2="{_fmt(y)}" '
            'stroke="#ffffff" stroke-width="3"/>'
        )
    for index, ring in enumerate(radar.rings):
        inner, outer = bounds[index]
        y = cy - (inner + outer) / 2 * RADIUS
        parts.append(
            f'<text x="{_fmt(cx)}" y="{_fmt(y + 5)}" text-anchor="middle" font-size="14" '
            f'font-weight="bold" fill="{ring_colour(index)}" opacity="0.8">'
            f"{escape(display_name(ring).upper())}</text>"
        )
    return parts


def _svg_quadrant_labels(radar: TechRadar, cx: float, cy: float) -> list[str]:
    parts = []
    for index, quadrant in enumerate(radar.quadrants):
        start, end = sector(index, len(radar.quadrants))
        middle = (start + end) / 2
        # Labels go to the corners of the square around the radar, clear of the rings.
        across, up = math.cos(middle), math.sin(middle)
        x, anchor = cx, "middle"
        if abs(across) > 0.1:
            x = cx + math.copysign(RADIUS + MARGIN - 12, across)
            anchor = "end" if across > 0 else "start"
        y = cy - math.copysign(RADIUS + 12, up) + (6 if up < 0 else 0) if abs(up) > 0.1 else cy
        parts.append(
            f'<text x="{_fmt(x)}" y="{_fmt(y)}" text-anchor="{anchor}" font-size="18" '
            f'font-weight="bold" fill="#333333">{escape(display_name(quadrant))}</text>'
        )
    return parts


Box = tuple[float, float, float, float]
LABEL_CHAR_WIDTH = 6.0
"""Approximate width of one 11px sans-serif character, for keeping labels apart."""


def _overlaps(box: Box, others: list[Box]) -> bool:
    left, top, right, bottom = box
    return any(
        left < o_right and o_left < right and top < o_bottom and o_top < bottom
        for o_left, o_top, o_right, o_bottom in others
    )


def _label_spot(name: str, x: float, y: float, taken: list[Box]) -> tuple[float, float, str]:
    """Where a blip's label goes: right of the dot unless that hides another label or
    dot, then left, above or below. Returns (x, baseline y, text-anchor)."""
    width, gap = len(name) * LABEL_CHAR_WIDTH, BLIP_SIZE + 4
    options = [
        (x + gap, y + 4, "start", (x + gap, y - 7, x + gap + width, y + 6)),
        (x - gap, y + 4, "end", (x - gap - width, y - 7, x - gap, y + 6)),
        (x, y - gap - 2, "middle", (x - width / 2, y - gap - 13, x + width / 2, y - gap)),
        (x, y + gap + 10, "middle", (x - width / 2, y + gap, x + width / 2, y + gap + 13)),
    ]
    limit = 2 * (RADIUS + MARGIN)
    for label_x, label_y, anchor, box in options:
        if box[0] >= 2 and box[2] <= limit and not _overlaps(box, taken):
            taken.append(box)
            return label_x, label_y, anchor
    label_x, label_y, anchor, box = options[0] if x < limit / 2 else options[1]
    taken.append(box)
    return label_x, label_y, anchor


def _svg_blips(blips: list[Blip], cx: float, cy: float) -> list[str]:
    spots = [(cx + blip.x * RADIUS, cy - blip.y * RADIUS) for blip in blips]
    taken: list[Box] = [
        (x - BLIP_SIZE, y - BLIP_SIZE, x + BLIP_SIZE, y + BLIP_SIZE) for x, y in spots
    ]
    parts = []
    for blip, (x, y) in zip(blips, spots, strict=True):
        tech = blip.tech
        tooltip = f"{tech.name}: {tech.ring}, {tech.quadrant}"
        if blip.status is not Status.NO_CHANGE:
            tooltip += f" ({blip.status.value})"
        label_x, label_y, anchor = _label_spot(tech.name, x, y, taken)
        parts.append(
            f'<g class="blip" data-name="{escape(tech.name)}">'
            f"<title>{escape(tooltip)}</title>"
            f"{_marker(blip.status, x, y, ring_colour(blip.ring_index))}"
            f'<text x="{_fmt(label_x)}" y="{_fmt(label_y)}" text-anchor="{anchor}" '
            'font-size="11" fill="#222222" stroke="#ffffff" stroke-width="3" '
            f'paint-order="stroke">{escape(tech.name)}</text></g>'
        )
    return parts


def _svg_legend(radar: TechRadar, x: float, y: float, since: date, today: date) -> list[str]:
    parts = [f'<text x="{_fmt(x)}" y="{_fmt(y)}" font-size="16" font-weight="bold">Legend</text>']
    y += 28
    counts = {ring: 0 for ring in radar.rings}
    for tech in radar.active():
        counts[tech.ring] += 1
    for index, ring in enumerate(radar.rings):
        parts.append(
            f'<circle cx="{_fmt(x + 8)}" cy="{_fmt(y - 4)}" r="{_fmt(BLIP_SIZE)}" '
            f'fill="{ring_colour(index)}"/>'
        )
        parts.append(
            f'<text x="{_fmt(x + 24)}" y="{_fmt(y)}" font-size="13">'
            f"{escape(display_name(ring))} ({counts[ring]})</text>"
        )
        y += 24
    y += 10
    for status, meaning in (
        (Status.NO_CHANGE, "no change"),
        (Status.NEW, "new"),
        (Status.MOVED_IN, "moved in (towards adopt)"),
        (Status.MOVED_OUT, "moved out (towards hold)"),
    ):
        parts.append(_marker(status, x + 8, y - 4, "#666666"))
        parts.append(f'<text x="{_fmt(x + 24)}" y="{_fmt(y)}" font-size="13">{meaning}</text>')
        y += 24
    parts.append(
        f'<text x="{_fmt(x)}" y="{_fmt(y + 10)}" font-size="11" fill="#555555">'
        f"changes since {since.isoformat()}</text>"
    )
    parts.append(
        f'<text x="{_fmt(x)}" y="{_fmt(y + 26)}" font-size="11" fill="#555555">'
        f"as of {today.isoformat()}</text>"
    )
    return parts


def render_svg(
    radar: TechRadar,
    *,
    title: str = "Tech radar",
    since: date | None = None,
    today: date | None = None,
) -> str:
    """A standalone SVG document: quadrants, labelled rings, a marked dot per technology."""
    since, today = _window(radar, since, today)
    cx = cy = RADIUS + MARGIN
    width = 2 * (RADIUS + MARGIN) + LEGEND_WIDTH
    height = 2 * (RADIUS + MARGIN) + 30
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_fmt(width)}" height="{_fmt(height)}" '
        f'viewBox="0 0 {_fmt(width)} {_fmt(height)}" font-family="Helvetica, Arial, sans-serif">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{_fmt(width)}" height="{_fmt(height)}" fill="#ffffff"/>',
        f'<text x="20" y="30" font-size="22" font-weight="bold">{escape(title)}</text>',
    ]
    cy += 30
    parts += _svg_rings(radar, cx, cy)
    parts += _svg_quadrant_labels(radar, cx, cy)
    parts += _svg_blips(layout(radar, since=since, today=today), cx, cy)
    parts += _svg_legend(radar, 2 * (RADIUS + MARGIN) + 10, 90, since, today)
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


# -- text ----------------------------------------------------------------------

PICTURE_WIDTH = 53
PICTURE_HEIGHT = 23
MARK = {Status.NO_CHANGE: "●", Status.NEW: "★", Status.MOVED_IN: "▲", Status.MOVED_OUT: "▼"}


SELECTED_MARK = "◉"
"""The mark of the selected technology in the picture (the TUI's current row)."""


def render_picture(radar: TechRadar, blips: list[Blip], selected: str | None = None) -> list[str]:
    """A small character drawing: ring circles, quadrant axes and a mark per blip; the
    `selected` technology's mark is ◉, drawn last so no neighbour hides it."""
    grid = [[" "] * PICTURE_WIDTH for _ in range(PICTURE_HEIGHT)]
    half_w, half_h = (PICTURE_WIDTH - 1) / 2, (PICTURE_HEIGHT - 1) / 2
    edges = [outer for _, outer in ring_bounds(len(radar.rings))]

    def reach(col: float, row: float) -> float:
        return math.hypot((col - half_w) / half_w, (half_h - row) / half_h)

    for row in range(PICTURE_HEIGHT):
        for col in range(PICTURE_WIDTH):
            corners = [reach(col + dx, row + dy) for dx in (-0.5, 0.5) for dy in (-0.5, 0.5)]
            # A ring passes through the cell when its corners lie on both sides of it.
            if any(min(corners) <= edge < max(corners) for edge in edges):
                grid[row][col] = "·"
    if len(radar.quadrants) == 4:
        for row in range(PICTURE_HEIGHT):
            grid[row][int(half_w)] = "│"
        for col in range(PICTURE_WIDTH):
            grid[int(half_h)][col] = "─"
        grid[int(half_h)][int(half_w)] = "┼"
    chosen = [blip for blip in blips if blip.tech.name == selected]
    for blip in [blip for blip in blips if blip.tech.name != selected] + chosen:
        col = round(half_w + blip.x * half_w)
        row = round(half_h - blip.y * half_h)
        grid[row][col] = SELECTED_MARK if blip.tech.name == selected else MARK[blip.status]
    return ["".join(line).rstrip() for line in grid]


def render_text(
    radar: TechRadar,
    *,
    since: date | None = None,
    today: date | None = None,
    width: int = 100,
    picture: bool = True,
    selected: str | None = None,
) -> str:
    """A terminal view: per quadrant, each ring's technologies with ★ ▲ ▼ markers;
    `selected` names a technology marked ◉ in the picture."""
    since, today = _window(radar, since, today)
    blips = layout(radar, since=since, today=today)
    legend = "★ new   ▲ moved in (towards adopt)   ▼ moved out (towards hold)"
    if picture and any(blip.tech.name == selected for blip in blips):
        legend += f"   {SELECTED_MARK} {selected}"
    lines = [
        f"Tech radar · {len(blips)} technologies · as of {today.isoformat()} · "
        f"changes since {since.isoformat()}",
        legend,
    ]
    if picture and blips:
        lines.append("")
        corner = [display_name(q) for q in radar.quadrants]
        if len(corner) == 4:
            lines.append(_two_sides(corner[0], corner[1], PICTURE_WIDTH))
        lines += render_picture(radar, blips, selected)
        if len(corner) == 4:
            lines.append(_two_sides(corner[3], corner[2], PICTURE_WIDTH))
    ring_width = max((len(ring) for ring in radar.rings), default=5) + 2
    for index, quadrant in enumerate(radar.quadrants):
        in_quadrant = [blip for blip in blips if blip.quadrant_index == index]
        lines += ["", f"{display_name(quadrant).upper()} ({len(in_quadrant)})"]
        for ring_index, ring in enumerate(radar.rings):
            names = [
                f"{blip.tech.name}{' ' + blip.status.symbol if blip.status.symbol else ''}"
                for blip in in_quadrant
                if blip.ring_index == ring_index
            ]
            if not names:
                continue
            lines += textwrap.wrap(
                ", ".join(names),
                width=width,
                initial_indent=f"  {ring.ljust(ring_width)}",
                subsequent_indent=" " * (ring_width + 2),
                break_on_hyphens=False,
            )
    if not blips:
        lines += ["", "(no technologies yet: add one with `radar tech add`)"]
    return "\n".join(lines) + "\n"


def _two_sides(left: str, right: str, width: int) -> str:
    gap = max(width - len(left) - len(right), 1)
    return f"{left}{' ' * gap}{right}"
