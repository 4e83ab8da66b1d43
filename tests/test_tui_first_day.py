"""The TUI on a new user's first day: moves start where the technology is and ask
before they happen, adding a technology takes its owner and aliases, the radar picture
shows which technology is selected, evidence says why it is listed, dates of undated
items read "seen", and a link opens even with no browser around."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from test_tui import make_app, screen_text, settle
from textual.widgets import OptionList, Static
from tuidemo import copy_demo, session_demo

from radar.tui.app import RadarApp
from radar.tui.screens.modals import MoveTechScreen
from radar.tui.screens.radar import EvidenceTable, RadarScreen, TechTable
from radar.workspace import Workspace

pytestmark = pytest.mark.model

SIZE = (160, 48)


@pytest.fixture(scope="module")
def pristine_demo(tmp_path_factory: pytest.TempPathFactory, model_cache: Path) -> Workspace:
    return session_demo(tmp_path_factory)


@pytest.fixture
def demo(pristine_demo: Workspace, tmp_path: Path) -> Workspace:
    return copy_demo(pristine_demo, tmp_path / "radar-demo")


def tech_in_file(workspace: Workspace, name: str) -> dict:
    data = yaml.safe_load(workspace.techradar_path.read_text(encoding="utf-8"))
    return next(tech for tech in data["technologies"] if tech["name"] == name)


async def radar_on(pilot, name: str) -> RadarScreen:  # type: ignore[no-untyped-def]
    await pilot.press("3")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, RadarScreen)
    table = screen.query_one(TechTable)
    table.move_cursor(row=table.get_row_index(name))
    await settle(pilot)
    return screen


def highlighted_ring(app: RadarApp) -> str:
    option = app.screen.query_one("#rings", OptionList).highlighted_option
    assert option is not None and option.id
    return option.id


async def test_the_move_dialog_starts_on_the_current_ring_and_stops_at_the_ends(demo):
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await radar_on(pilot, "vLLM")  # in trial
        await pilot.press("M")
        await settle(pilot)
        assert isinstance(app.screen, MoveTechScreen)
        assert highlighted_ring(app) == "trial"
        await pilot.press("up", "up", "up")
        assert highlighted_ring(app) == "adopt", "no wrapping round to hold"
        await pilot.press("down", "down", "down", "down", "down")
        assert highlighted_ring(app) == "hold", "no wrapping round to adopt"


async def test_a_move_is_confirmed_naming_both_rings_and_escape_leaves_the_file_alone(demo):
    before = demo.techradar_path.read_text(encoding="utf-8")
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await radar_on(pilot, "vLLM")
        await pilot.press("M")
        await settle(pilot)
        await pilot.press("enter")  # its own ring
        assert "already in trial" in screen_text(app)
        await pilot.press("down", "down", "enter", *"too many incidents", "enter")
        await settle(pilot)
        assert "Move vLLM from trial to hold?" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, RadarScreen)
    assert demo.techradar_path.read_text(encoding="utf-8") == before


async def test_adding_a_technology_records_its_owner_and_aliases(demo):
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"SGLang", "tab", "tab", "tab")  # name, quadrant, ring, why
        await pilot.press(*"fast structured generation", "tab", "tab")  # skip description
        await pilot.press(*"serving-team", "tab", *"sglang, SG Lang", "enter")
        await settle(pilot)
        added = tech_in_file(demo, "SGLang")
        assert added["owner"] == "serving-team"
        assert added["aliases"] == ["sglang", "SG Lang"]
        assert app.failures == []


async def test_the_radar_picture_marks_the_selected_technology(demo):
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await radar_on(pilot, "vLLM")
        picture = str(screen.query_one("#picture-text", Static).content)
        assert "◉ vLLM" in picture
        assert picture.count("◉") == 2, "one mark in the drawing, one in the legend"
        table = screen.query_one(TechTable)
        table.move_cursor(row=table.get_row_index("DuckDB"))
        await settle(pilot)
        picture = str(screen.query_one("#picture-text", Static).content)
        assert "◉ DuckDB" in picture and "◉ vLLM" not in picture


async def test_the_evidence_list_says_which_entries_are_recent_and_which_relevant(demo):
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await radar_on(pilot, "LoRA/PEFT")
        evidence = screen.query_one(EvidenceTable)
        assert evidence.row_count
        why = {evidence.get_cell(key, "why").plain for key in evidence.row_keys}
        assert why <= {"recent", "relevant", "both"} and why


async def test_undated_items_read_seen_in_the_item_list_and_the_item(demo):
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = screen_text(app)
        assert "seen 6h" in shown  # first seen at 06:00, the clock says 12:00
        assert "Glossary: TTFT" in shown


async def test_with_no_browser_o_copies_the_link_and_shows_it(demo):
    app = RadarApp(make_app(demo).backend, open_in_browser=lambda url: False, show_timings=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert app.clipboard.startswith("https://")
        shown = screen_text(app)
        assert "No web browser here" in shown
        assert app.clipboard[:30] in shown, "the link is shown too"
        assert app.failures == []
