"""Where each technology sits in the radar picture, in unit coordinates.

The centre is (0, 0) and the outer ring has radius 1, with y pointing up. Quadrants
are equal sectors, clockwise from the top left; rings are concentric bands of equal
area (adopt in the middle). A blip's spot comes from a hash of its name, so the
picture is the same on every run; spots that would overlap are re-drawn from the
next hash.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import date

from radar.techradar.model import Status, Technology, TechRadar

MIN_GAP = 0.055
"""Smallest distance between two blips' centres, as a fraction of the radius."""
EDGE_PAD = 0.03
ATTEMPTS = 80


@dataclass(frozen=True)
class Blip:
    tech: Technology
    quadrant_index: int
    ring_index: int
    status: Status
    x: float
    y: float


def ring_bounds(ring_count: int) -> list[tuple[float, float]]:
    """(inner, outer) radius of each ring, inner to outer, equal areas."""
    edges = [math.sqrt(k / ring_count) for k in range(ring_count + 1)]
    return [(edges[k], edges[k + 1]) for k in range(ring_count)]


def sector(quadrant_index: int, quadrant_count: int) -> tuple[float, float]:
    """(start, end) angle in radians of a quadrant; the first is the top-left one."""
    span = 2 * math.pi / quadrant_count
    end = math.pi - quadrant_index * span
    return end - span, end


def _unit_pair(name: str, attempt: int) -> tuple[float, float]:
    digest = hashlib.sha256(f"{name.casefold()}#{attempt}".encode()).digest()
    scale = float(1 << 64)
    return (
        int.from_bytes(digest[:8], "big") / scale,
        int.from_bytes(digest[8:16], "big") / scale,
    )


def _candidate(
    name: str, attempt: int, angles: tuple[float, float], radii: tuple[float, float]
) -> tuple[float, float]:
    u, v = _unit_pair(name, attempt)
    inner, outer = radii[0] + EDGE_PAD, radii[1] - EDGE_PAD
    if inner < EDGE_PAD * 2:
        inner = EDGE_PAD * 2
    # Area-uniform radius, so blips do not crowd the inner edge of a band.
    radius = math.sqrt(inner**2 + v * (outer**2 - inner**2))
    angle_pad = min(EDGE_PAD / max(radius, 1e-6), (angles[1] - angles[0]) / 4)
    angle = angles[0] + angle_pad + u * (angles[1] - angles[0] - 2 * angle_pad)
    return radius * math.cos(angle), radius * math.sin(angle)


def layout(radar: TechRadar, *, since: date | None = None, today: date | None = None) -> list[Blip]:
    """A blip per active technology, sorted by quadrant, ring and name."""
    blips: list[Blip] = []
    placed: list[tuple[float, float]] = []
    bounds = ring_bounds(len(radar.rings))
    techs = sorted(
        radar.active(),
        key=lambda t: (
            radar.quadrants.index(t.quadrant),
            radar.rings.index(t.ring),
            t.name.casefold(),
        ),
    )
    for tech in techs:
        quadrant_index = radar.quadrants.index(tech.quadrant)
        ring_index = radar.rings.index(tech.ring)
        angles = sector(quadrant_index, len(radar.quadrants))
        best: tuple[float, float] | None = None
        best_gap = -1.0
        for attempt in range(ATTEMPTS):
            spot = _candidate(tech.name, attempt, angles, bounds[ring_index])
            gap = min((math.dist(spot, other) for other in placed), default=math.inf)
            if gap >= MIN_GAP:
                best = spot
                break
            if gap > best_gap:
                best, best_gap = spot, gap
        assert best is not None
        placed.append(best)
        status = radar.status_of(tech, since=since, today=today)
        blips.append(Blip(tech, quadrant_index, ring_index, status, best[0], best[1]))
    return blips
