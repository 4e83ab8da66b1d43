"""The radar record: decisions with rationale, history that only grows, and a file
that validates strictly and always writes the same text for the same radar."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from radar.errors import ConfigError, NotFound
from radar.techradar import (
    RETIRED,
    AmbiguousName,
    Link,
    Status,
    TechRadar,
    TechRadarError,
    dump_radar,
    load_radar,
    parse_radar,
    save_radar,
)
from radar.techradar.model import match_choice, slugify

SEPT = date(2026, 9, 30)
NOV = date(2026, 11, 18)


def sample() -> TechRadar:
    radar = TechRadar()
    radar.add(
        "vLLM",
        quadrant="platforms",
        ring="assess",
        rationale="2.4x throughput on our prompts",
        by="bo",
        aliases=["vLLM", "vllm"],
        links=[Link("Docs", "https://docs.vllm.ai")],
        today=SEPT,
    )
    radar.add(
        "PyTorch",
        quadrant="languages-and-frameworks",
        ring="adopt",
        rationale="all training code",
        aliases=["PyTorch", "torch"],
        today=SEPT,
    )
    radar.add(
        "Triton Inference Server",
        quadrant="platforms",
        ring="trial",
        rationale="dynamic batching",
        aliases=["Triton"],
        today=SEPT,
    )
    radar.add(
        "OpenAI Triton",
        quadrant="languages-and-frameworks",
        ring="assess",
        rationale="kernels in Python",
        aliases=["Triton"],
        today=SEPT,
    )
    return radar


# -- decisions -----------------------------------------------------------------


def test_a_move_appends_history_with_its_rationale_and_counts_as_a_review() -> None:
    radar = sample()
    radar.move("VLLM", "trial", rationale="six weeks in staging", by="bo", today=NOV)
    vllm = radar.get("vllm")
    assert vllm.ring == "trial"
    assert [(h.date, h.ring, h.rationale) for h in vllm.history] == [
        (SEPT, "assess", "2.4x throughput on our prompts"),
        (NOV, "trial", "six weeks in staging"),
    ]
    assert vllm.last_reviewed == NOV
    assert vllm.entered == SEPT and vllm.last_moved == NOV


@pytest.mark.parametrize("why", ["", "   ", "\n\t"])
def test_a_move_without_a_rationale_is_refused_and_changes_nothing(why: str) -> None:
    radar = sample()
    before = dump_radar(radar)
    with pytest.raises(TechRadarError, match="rationale"):
        radar.move("vllm", "trial", rationale=why, today=NOV)
    assert dump_radar(radar) == before


def test_moving_to_the_same_ring_or_an_unknown_ring_is_refused() -> None:
    radar = sample()
    with pytest.raises(TechRadarError, match="already in assess"):
        radar.move("vllm", "Assess", rationale="still good", today=NOV)
    with pytest.raises(TechRadarError, match="unknown ring 'production'"):
        radar.move("vllm", "production", rationale="shipped", today=NOV)


def test_history_is_never_rewritten_backwards() -> None:
    radar = sample()
    with pytest.raises(TechRadarError, match="only ever appended"):
        radar.move("vllm", "trial", rationale="late entry", today=date(2026, 9, 1))


def test_adding_needs_a_rationale_and_a_known_quadrant_and_a_new_name() -> None:
    radar = sample()
    with pytest.raises(TechRadarError, match="rationale"):
        radar.add("JAX", quadrant="languages-and-frameworks", ring="assess", rationale=" ")
    with pytest.raises(TechRadarError, match="unknown quadrant"):
        radar.add("JAX", quadrant="databases", ring="assess", rationale="tpus")
    with pytest.raises(TechRadarError, match="already on the radar"):
        radar.add("pytorch", quadrant="tools", ring="adopt", rationale="again")


def test_free_text_rings_and_quadrants_map_onto_the_radars_names() -> None:
    quadrants = ["techniques", "platforms", "tools", "languages-and-frameworks"]
    assert match_choice("Languages & Frameworks", quadrants) == "languages-and-frameworks"
    assert match_choice("Platform", quadrants) == "platforms"
    assert match_choice("TOOLS", quadrants) == "tools"
    assert match_choice("Languages", quadrants) == "languages-and-frameworks"
    assert match_choice("Datastores", quadrants) is None
    assert slugify("Data Management") == "data-management"


def test_remove_keeps_the_technology_as_retired_with_the_reason() -> None:
    radar = sample()
    radar.remove("torch", rationale="moving to JAX", by="chen", today=NOV)
    torch = radar.get("PyTorch")
    assert torch.retired and torch.ring == "adopt"
    assert torch.history[-1].ring == RETIRED
    assert torch.history[-1].rationale == "moving to JAX"
    assert "PyTorch" not in [t.name for t in radar.active()]
    with pytest.raises(TechRadarError, match="already retired"):
        radar.remove("torch", rationale="twice", today=NOV)
    with pytest.raises(TechRadarError, match="retired"):
        radar.add("PyTorch", quadrant="tools", ring="adopt", rationale="back")
    radar.move("PyTorch", "adopt", rationale="JAX did not work out", today=NOV)
    assert not radar.get("PyTorch").retired


def test_lookups_ignore_case_and_accept_aliases_and_slugs() -> None:
    radar = sample()
    assert radar.get("TORCH").name == "PyTorch"
    assert radar.get("openai-triton").name == "OpenAI Triton"
    assert radar.get("triton inference server").name == "Triton Inference Server"
    with pytest.raises(AmbiguousName, match="OpenAI Triton, Triton Inference Server"):
        radar.get("triton")
    with pytest.raises(NotFound, match="did you mean"):
        radar.get("vLM")


def test_edit_changes_details_and_is_a_review_only_when_asked() -> None:
    radar = sample()
    changed = radar.edit(
        "vllm",
        owner="serving",
        add_aliases=["vLLM engine"],
        remove_aliases=["VLLM"],
        add_alternatives=["TGI"],
        today=NOV,
    )
    vllm = radar.get("vLLM")
    assert set(changed) == {"owner", "aliases", "alternatives"}
    assert vllm.aliases == ["vLLM engine"]
    assert vllm.last_reviewed == SEPT
    radar.edit("vllm", reviewed=True, today=NOV)
    assert radar.get("vLLM").last_reviewed == NOV
    assert len(radar.get("vLLM").history) == 1
    with pytest.raises(TechRadarError, match="nothing to change"):
        radar.edit("vllm", owner="serving")
    with pytest.raises(TechRadarError, match="no alias"):
        radar.edit("vllm", remove_aliases=["not-there"])


def test_review_marks_today_and_keeps_a_note_as_a_same_ring_entry() -> None:
    radar = sample()
    radar.review("pytorch", today=NOV)
    assert radar.get("pytorch").last_reviewed == NOV
    assert len(radar.get("pytorch").history) == 1
    radar.review("pytorch", note="still the right call", by="ana", today=NOV)
    assert radar.get("pytorch").history[-1].ring == "adopt"
    assert radar.get("pytorch").history[-1].rationale == "still the right call"


def test_status_is_derived_from_history_within_the_window() -> None:
    radar = sample()
    radar.move("vllm", "trial", rationale="staging", today=NOV)
    radar.move("OpenAI Triton", "hold", rationale="too early", today=NOV)
    since = date(2026, 11, 1)
    assert radar.status_of(radar.get("vllm"), since=since) is Status.MOVED_IN
    assert radar.status_of(radar.get("OpenAI Triton"), since=since) is Status.MOVED_OUT
    assert radar.status_of(radar.get("PyTorch"), since=since) is Status.NO_CHANGE
    assert radar.status_of(radar.get("PyTorch"), since=SEPT) is Status.NEW
    # Default window: 90 days back from today.
    assert radar.status_of(radar.get("PyTorch"), today=date(2027, 6, 1)) is Status.NO_CHANGE


def test_a_snapshot_makes_later_changes_the_recent_ones() -> None:
    radar = sample()
    radar.snapshot(today=date(2026, 11, 1))
    radar.move("vllm", "trial", rationale="staging", today=NOV)
    assert radar.recent_since(date(2026, 11, 20)) == date(2026, 11, 2)
    assert radar.status_of(radar.get("vllm"), today=date(2026, 11, 20)) is Status.MOVED_IN
    assert radar.status_of(radar.get("PyTorch"), today=date(2026, 11, 20)) is Status.NO_CHANGE
    with pytest.raises(TechRadarError, match="already a snapshot"):
        radar.snapshot(today=date(2026, 10, 1))


def test_stale_lists_active_technologies_not_reviewed_for_too_long() -> None:
    radar = sample()
    radar.review("pytorch", today=date(2027, 3, 1))
    radar.remove("OpenAI Triton", rationale="dropped", today=date(2026, 10, 1))
    stale = radar.stale(180, today=date(2027, 4, 15))
    assert [t.name for t in stale] == ["Triton Inference Server", "vLLM"]


# -- the file --------------------------------------------------------------------


def test_the_file_round_trips_exactly_and_is_sorted_by_name(tmp_path: Path) -> None:
    radar = sample()
    radar.add(
        "apache Arrow",
        quadrant="languages-and-frameworks",
        ring="adopt",
        rationale="interchange: zero-copy, {fast} [columnar] #1 'quoted' \"double\"",
        description="Columnar memory.\n\nTwo paragraphs: yes.",
        today=SEPT,
    )
    path = tmp_path / "data" / "techradar.yaml"
    save_radar(radar, path)
    text = path.read_text(encoding="utf-8")
    again = load_radar(path)
    assert dump_radar(again) == text
    assert again.get("apache arrow").description == "Columnar memory.\n\nTwo paragraphs: yes."
    names = [line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("  - name:")]
    assert names == ["apache Arrow", "OpenAI Triton", "PyTorch", "Triton Inference Server", "vLLM"]
    assert "      - {date: 2026-09-30, ring: assess, rationale: 2.4x throughput" in text


def test_a_missing_file_is_an_empty_radar_with_the_default_lists(tmp_path: Path) -> None:
    radar = load_radar(tmp_path / "nope.yaml")
    assert radar.rings == ["adopt", "trial", "assess", "hold"]
    assert radar.quadrants == ["techniques", "platforms", "tools", "languages-and-frameworks"]
    assert len(radar) == 0


def test_comments_and_custom_rings_are_read_without_trouble(tmp_path: Path) -> None:
    text = """# our radar
rings: [use, try, avoid]   # three rings
quadrants: [ml, data]
technologies:
  # the serving engine
  - name: vLLM
    quadrant: ml
    ring: try
    history:
      - {date: 2026-10-01, ring: try, rationale: fast}
"""
    radar = parse_radar(text, tmp_path / "r.yaml")
    assert radar.rings == ["use", "try", "avoid"]
    assert radar.get("vllm").ring == "try"


GOOD_TECH = """  - name: vLLM
    quadrant: platforms
    ring: trial
    history:
      - {date: 2026-09-30, ring: assess, rationale: fast}
      - {date: 2026-11-18, ring: trial, rationale: staging}
"""


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        ("technologies: [\n  - name: x\n", 2, None, "not valid YAML"),
        (
            "technologies:\n" + GOOD_TECH.replace("ring: trial\n", "ring: prod\n"),
            4,
            "technologies[0].ring",
            "unknown ring 'prod'",
        ),
        (
            "technologies:\n" + GOOD_TECH.replace("platforms", "databases"),
            3,
            "technologies[0].quadrant",
            "unknown quadrant",
        ),
        (
            "technologies:\n" + GOOD_TECH + GOOD_TECH.replace("vLLM", "VLLM"),
            8,
            "technologies[1].name",
            "duplicate technology 'VLLM'",
        ),
        (
            "technologies:\n" + GOOD_TECH.replace(", rationale: staging", ""),
            7,
            "technologies[0].history[1].rationale",
            "needs a rationale",
        ),
        (
            "technologies:\n" + GOOD_TECH.replace("rationale: staging", "rationale: ''"),
            7,
            "technologies[0].history[1].rationale",
            "must not be empty",
        ),
        (
            "technologies:\n" + GOOD_TECH + "    aliases: vllm\n",
            8,
            "technologies[0].aliases",
            "must be a list",
        ),
        (
            "technologies:\n" + GOOD_TECH + "    retired: 'yes'\n",
            8,
            "technologies[0].retired",
            "true or false",
        ),
        (
            "technologies:\n" + GOOD_TECH + "    last_reviewed: soon\n",
            8,
            "technologies[0].last_reviewed",
            "must be a date",
        ),
        (
            "technologies:\n" + GOOD_TECH + "    ownr: me\n",
            8,
            "technologies[0].ownr",
            "unknown field",
        ),
        (
            "technologies:\n" + GOOD_TECH.replace("ring: trial\n", "ring: adopt\n"),
            4,
            "technologies[0].ring",
            "latest history entry says 'trial'",
        ),
        (
            "technologies:\n" + GOOD_TECH.replace("2026-11-18", "2026-08-01"),
            7,
            "technologies[0].history[1].date",
            "before the entry above",
        ),
        ("rings: [Adopt, trial]\n", 1, "rings[0]", "lower-case slug"),
        (
            "technologies:\n" + GOOD_TECH.replace("name: vLLM", "name: [a, b]"),
            2,
            "technologies[0].name",
            "expected a single value",
        ),
        (
            "technologies:\n" + GOOD_TECH.replace("name: vLLM", "name: true"),
            2,
            "technologies[0].name",
            "must be text",
        ),
        ("technologies:\n  - name: x\n", 2, "technologies[0].quadrant", "is required"),
        ("- just a list\n", 1, None, "top level must be a mapping"),
    ],
)
def test_invalid_files_name_the_line_and_field(
    tmp_path: Path, text: str, line: int, field: str | None, message: str
) -> None:
    path = tmp_path / "techradar.yaml"
    with pytest.raises(ConfigError) as caught:
        parse_radar(text, path)
    error = caught.value
    assert message in error.message
    assert error.line == line
    assert error.field == field
    assert str(path) in str(error)


def test_demo_radar_is_valid_and_has_recent_moves() -> None:
    path = Path(__file__).resolve().parents[1] / "data" / "demo" / "techradar.yaml"
    radar = load_radar(path)
    assert len(radar.active()) >= 20
    assert radar.get("torch").aliases[:2] == ["PyTorch", "torch"]
    today = date(2026, 11, 23)
    recent = {t.name: radar.status_of(t, today=today) for t in radar.active()}
    assert recent["vLLM"] is Status.MOVED_IN
    assert recent["spaCy"] is Status.MOVED_OUT
    assert recent["TensorRT-LLM"] is Status.NEW
    for tech in radar:
        assert all(h.rationale for h in tech.history)
        assert all(date(2026, 9, 1) <= h.date <= date(2026, 11, 30) for h in tech.history)
    assert dump_radar(radar) == path.read_text(encoding="utf-8")


def test_the_domain_never_imports_a_ui_library() -> None:
    import subprocess
    import sys

    code = (
        "import sys, radar.techradar\n"
        "bad = [m for m in ('click', 'textual', 'typer', 'torch') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
