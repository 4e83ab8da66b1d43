"""The radar picture: an SVG anyone can open, and a text view for the terminal."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

from radar.techradar import TechRadar, layout, load_radar, render_svg, render_text
from radar.techradar.layout import MIN_GAP, ring_bounds, sector

SVG = "{http://www.w3.org/2000/svg}"
DEMO = Path(__file__).resolve().parents[1] / "data" / "demo" / "techradar.yaml"
TODAY = date(2026, 11, 23)


def demo_radar() -> TechRadar:
    return load_radar(DEMO)


def test_svg_parses_and_labels_every_active_technology() -> None:
    radar = demo_radar()
    radar.remove("Feast", rationale="no longer needed", today=TODAY)
    svg = render_svg(radar, today=TODAY)
    root = ET.fromstring(svg)
    texts = [element.text for element in root.iter(f"{SVG}text")]
    for tech in radar.active():
        assert tech.name in texts
    assert "Feast" not in texts
    for label in ("Techniques", "Platforms", "Tools", "Languages & Frameworks"):
        assert label in texts
    for ring in ("ADOPT", "TRIAL", "ASSESS", "HOLD"):
        assert ring in texts
    blips = [g for g in root.iter(f"{SVG}g") if g.get("class") == "blip"]
    assert len(blips) == len(radar.active())
    # moved and new technologies are drawn as polygons (triangles, stars), others as dots
    shapes = {g.get("data-name"): (g.find(f"{SVG}polygon") is not None) for g in blips}
    assert shapes["vLLM"] and shapes["spaCy"] and shapes["TensorRT-LLM"]
    assert not shapes["PyTorch"]
    assert "Legend" in texts


def test_svg_escapes_names_that_look_like_markup() -> None:
    radar = TechRadar()
    radar.add('<script>alert("x")</script> & Co', quadrant="tools", ring="hold",
              rationale="test", today=TODAY)  # fmt: skip
    svg = render_svg(radar, today=TODAY, title="R&D <radar>")
    assert "<script>" not in svg
    root = ET.fromstring(svg)
    assert '<script>alert("x")</script> & Co' in [e.text for e in root.iter(f"{SVG}text")]
    assert root.find(f"{SVG}title") is not None


def test_the_picture_is_deterministic_and_every_blip_sits_in_its_sector() -> None:
    radar = demo_radar()
    assert render_svg(radar, today=TODAY) == render_svg(demo_radar(), today=TODAY)
    blips = layout(radar, today=TODAY)
    bounds = ring_bounds(len(radar.rings))
    for blip in blips:
        radius = math.hypot(blip.x, blip.y)
        inner, outer = bounds[blip.ring_index]
        assert inner <= radius <= outer
        start, end = sector(blip.quadrant_index, len(radar.quadrants))
        angle = math.atan2(blip.y, blip.x)
        while angle < start:
            angle += 2 * math.pi
        assert start <= angle <= end
    gaps = [math.dist((a.x, a.y), (b.x, b.y)) for a in blips for b in blips if a is not b]
    assert min(gaps) >= MIN_GAP


def test_a_crowded_radar_still_keeps_its_dots_apart() -> None:
    radar = TechRadar()
    for index in range(60):
        radar.add(f"tool-{index}", quadrant="tools", ring="trial", rationale="crowd", today=TODAY)
    blips = layout(radar, today=TODAY)
    gaps = [math.dist((a.x, a.y), (b.x, b.y)) for a in blips for b in blips if a is not b]
    assert min(gaps) >= MIN_GAP * 0.5


def test_text_view_lists_each_quadrant_with_markers_within_100_columns() -> None:
    text = render_text(demo_radar(), today=TODAY)
    for tech in demo_radar().active():
        assert tech.name in text
    assert "vLLM ▲" in text and "spaCy ▼" in text and "TensorRT-LLM ★" in text
    assert "PLATFORMS (7)" in text
    assert max(len(line) for line in text.splitlines()) <= 100
    lists_only = render_text(demo_radar(), today=TODAY, picture=False)
    assert "┼" not in lists_only and "┼" in text
    assert "no technologies yet" in render_text(TechRadar(), today=TODAY)


def test_radars_with_other_shapes_render_too() -> None:
    radar = TechRadar(rings=["use", "try", "avoid"], quadrants=["ml", "data", "infra"])
    radar.add("vLLM", quadrant="ml", ring="try", rationale="fast", today=TODAY)
    radar.add("Kafka", quadrant="data", ring="use", rationale="events", today=TODAY)
    root = ET.fromstring(render_svg(radar, today=TODAY))
    assert {"vLLM", "Kafka", "ML", "Data", "Infra"} <= {e.text for e in root.iter(f"{SVG}text")}
    assert "vLLM" in render_text(radar, today=TODAY)
