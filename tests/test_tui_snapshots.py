"""What each screen shows, as SVG snapshots (pytest-textual-snapshot).

Deterministic: the demo workspace is built with a pinned clock, the app's clock is
pinned, the terminal is 160x48, timings are hidden and the text cursor does not blink.
Evidence, mention counts and the ranking of search results come from a fixed stand-in
so these pictures change when the TUI changes, not when news linking is tuned or when
another CPU's int8 kernels swap two near-tied results (whether search finds the right
items is tested with the real model in test_search.py and test_tui.py). Update with
`--snapshot-update` after looking at the differences.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input
from tuidemo import copy_demo, fixed_clock, session_demo

from radar.search import SearchResult
from radar.session import SearchFilters, Session
from radar.techradar import Technology
from radar.tui.app import RadarApp
from radar.workspace import Workspace

pytestmark = pytest.mark.model

SIZE = (160, 48)


QUANTISATION_RESULTS = (
    "GPTQ or AWQ? Choosing a 4-bit format for your open model",
    "Outlier-aware int4 weight quantization without calibration data",
    "Int4 weight-only quantization with torchao",
    "Choosing a quantization format for serving: int8, FP8, GPTQ and AWQ",
    "Space-efficient embedding storage: product quantization versus float16",
    "Quantized language models forget languages unevenly",
    "Weekly roundup: quantization, adapters and the price of long context",
)
"""What the search screen lists, in this order, whatever is typed: demo items a
quantisation query finds, ranked once and pinned."""


class StillBackend(Session):
    """The demo backend with evidence, mention counts and search rankings that never move."""

    def mention_counts(self) -> dict[str, int]:
        return {"vLLM": 7, "PyTorch": 5, "LoRA/PEFT": 3, "Polars": 2}

    def evidence(self, name: str) -> dict[str, Any]:
        tech: Technology = self.radar().get(name)
        with self.store() as store:
            rows = store.query(
                "SELECT id, title, url, published FROM items WHERE title LIKE ? "
                "OR summary LIKE ? ORDER BY sort_date DESC, id DESC LIMIT 6",
                [f"%{tech.name.split('/')[0]}%"] * 2,
            )
        return {"recent": [dict(row) for row in rows], "relevant": [], "weekly_mentions": []}

    def search(
        self,
        text: str,
        filters: SearchFilters,
        *,
        mode: str = "hybrid",
        limit: int = 50,
        sort: str = "relevance",
    ) -> SearchResult:
        """The pinned ranking, shown through the real search's hit rows and snippets."""
        with self.store() as store:
            ids = {
                row["title"]: row["id"]
                for row in store.query(
                    "SELECT id, title FROM items WHERE title IN (SELECT value FROM json_each(?))",
                    [json.dumps(QUANTISATION_RESULTS)],
                )
            }
        ranked = [ids[title] for title in QUANTISATION_RESULTS]
        scores = {item_id: 1.0 / (rank + 1) for rank, item_id in enumerate(ranked)}
        with self.searcher() as searcher:
            return SearchResult(searcher.hydrate(ranked, scores, limit, text), mode)


@pytest.fixture(scope="module")
def pristine_demo(tmp_path_factory: pytest.TempPathFactory, model_cache: Path) -> Workspace:
    return session_demo(tmp_path_factory)


@pytest.fixture
def app(pristine_demo: Workspace, tmp_path: Path) -> RadarApp:
    workspace = copy_demo(pristine_demo, tmp_path / "radar-demo")
    backend = StillBackend(workspace, clock=fixed_clock, user="tester")
    return RadarApp(backend, open_in_browser=lambda url: True, show_timings=False)


async def settle(pilot: Pilot) -> None:
    for _ in range(4):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await pilot.pause()


def keys(*pressed: str):  # type: ignore[no-untyped-def]
    """A run_before that presses keys, letting workers finish after each."""

    async def run(pilot: Pilot) -> None:
        await settle(pilot)
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)

    return run


def test_news_screen(snap_compare, app: RadarApp) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("j", "j"))


def test_reader(snap_compare, app: RadarApp) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("j", "s", "enter"))


def test_search_screen(snap_compare, app: RadarApp) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot) -> None:
        await keys("slash")(pilot)
        await pilot.press(*"compressing model weights to 4 bits")
        await pilot.pause(0.4)
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_radar_screen(snap_compare, app: RadarApp) -> None:  # type: ignore[no-untyped-def]
    steps = ["3", *["j"] * 6]  # to vLLM
    assert snap_compare(app, terminal_size=SIZE, run_before=keys(*steps))


def test_move_dialog(snap_compare, app: RadarApp) -> None:  # type: ignore[no-untyped-def]
    steps = ["3", *["j"] * 6, "M", "enter", "enter"]  # empty rationale: refused
    assert snap_compare(app, terminal_size=SIZE, run_before=keys(*steps))


def test_health_screen(snap_compare, app: RadarApp) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("4"))


def test_help(snap_compare, app: RadarApp) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app, terminal_size=SIZE, run_before=keys("question_mark"))
