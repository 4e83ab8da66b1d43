"""The team library in the terminal UI: `b` on an item adds it with a note, and screen 5
browses the library by technology or tag, shows the notes and opens the link."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.pilot import Pilot
from textual.widgets import OptionList, Static
from tuidemo import copy_demo, fixed_clock, session_demo

from radar.cli import cli
from radar.library import load_library
from radar.session import Session
from radar.tui.app import RadarApp
from radar.tui.screens.library import AddToLibraryScreen, LibraryScreen, LibraryTable
from radar.tui.widgets.item_table import ItemTable
from radar.workspace import Workspace

SIZE = (160, 48)
RUNBOOK = "Draining a GPU node before kernel upgrades"


class Browser:
    def __init__(self) -> None:
        self.opened: list[str] = []

    def __call__(self, url: str) -> bool:
        self.opened.append(url)
        return True


@pytest.fixture
def demo(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, model_cache: Path) -> Workspace:
    workspace = copy_demo(session_demo(tmp_path_factory), tmp_path / "radar-demo")
    for args in (
        [
            "https://wiki.example.com/runbooks/gpu-drain",
            "--title",
            RUNBOOK,
            "--note",
            "Cordon, wait for checkpoints, then reboot",
            "--type",
            "runbook",
            "--tag",
            "infra",
        ],
        [
            "https://arxiv.org/abs/2309.06180",
            "--title",
            "PagedAttention",
            "--note",
            "Why vLLM's KV cache wastes so little memory",
            "--tech",
            "vLLM",
            "--type",
            "paper",
        ],
    ):
        outcome = CliRunner().invoke(
            cli, ["-w", str(workspace.root), "library", "add", *args, "--by", "alice"]
        )
        assert outcome.exit_code == 0, outcome.output
    return workspace


async def settle(pilot: Pilot) -> None:
    for _ in range(4):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_b_adds_the_current_item_with_a_note(demo: Workspace) -> None:
    app = RadarApp(Session(demo, clock=fixed_clock, user="tester"), open_in_browser=Browser())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ItemTable)
        item = app.backend.item(int(table.row_keys[0]))
        await pilot.press("b")
        assert isinstance(app.screen, AddToLibraryScreen)
        await pilot.press("enter")
        assert "Say why it matters" in str(app.screen.query_one("#error", Static).render())
        await pilot.press(*"explains our serving setup")
        await pilot.press("tab", *"serving", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, AddToLibraryScreen)
        entry = load_library(demo.library_path).find(item.url or "")
        assert entry is not None and entry.title == item.title
        assert entry.note == "explains our serving setup" and entry.added_by == "tester"
        assert entry.tags == ("serving",)
        assert app.failures == []


async def test_screen_5_browses_by_technology_shows_notes_and_opens_the_link(
    demo: Workspace,
) -> None:
    browser = Browser()
    app = RadarApp(Session(demo, clock=fixed_clock, user="tester"), open_in_browser=browser)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen) and screen.loaded
        table = screen.query_one(LibraryTable)
        assert table.row_count == 2
        facets = screen.query_one("#library-facets", OptionList)
        labels = [str(facets.get_option_at_index(i).prompt) for i in range(facets.option_count)]
        assert labels == ["All entries (2)", "technology: vLLM (1)", "tag: infra (1)"]

        await pilot.press("h", "down")  # technology: vLLM
        await settle(pilot)
        assert table.row_count == 1
        shown = str(screen.query_one("#library-entry-text", Static).render())
        assert "PagedAttention" in shown and "Why vLLM's KV cache wastes so little memory" in shown
        assert "alice" in shown

        await pilot.press("right", "o")
        await settle(pilot)
        assert browser.opened == ["https://arxiv.org/abs/2309.06180"]

        await pilot.press("h", "down")  # tag: infra
        await settle(pilot)
        shown = str(screen.query_one("#library-entry-text", Static).render())
        assert RUNBOOK in shown
        assert app.failures == []
