"""The terminal UI, driven by real keys on a real demo workspace (real SQLite, real
FAISS index, the real embedding model): a user reads, marks, searches, works the
radar and refreshes, and the UI never stops answering."""

from __future__ import annotations

import asyncio
import html
import json
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
import yaml
from feedserver import rss
from textual.pilot import Pilot
from textual.widgets import Static
from tuidemo import copy_demo, fixed_clock, session_demo

from radar.feeds.config import load_config
from radar.feeds.model import Item
from radar.session import Session
from radar.store import Store
from radar.tui.app import RadarApp
from radar.tui.screens.health import HealthScreen
from radar.tui.screens.help import HelpScreen
from radar.tui.screens.modals import MoveTechScreen
from radar.tui.screens.news import NewsScreen
from radar.tui.screens.radar import EvidenceTable, RadarScreen
from radar.tui.screens.reader import ReaderScreen
from radar.tui.screens.search import ResultTable, SearchScreen
from radar.tui.widgets.item_table import ItemTable
from radar.workspace import Workspace

pytestmark = pytest.mark.model

SIZE = (160, 48)
HANG_GUARD = 60.0
"""Seconds a wait may last before the test fails: a hang guard, not a speed claim."""


@pytest.fixture(scope="module")
def pristine_demo(tmp_path_factory: pytest.TempPathFactory, model_cache: Path) -> Workspace:
    return session_demo(tmp_path_factory)


@pytest.fixture
def demo(pristine_demo: Workspace, tmp_path: Path) -> Workspace:
    return copy_demo(pristine_demo, tmp_path / "radar-demo")


class Browser:
    """Stands in for webbrowser.open: records the links instead of opening them."""

    def __init__(self) -> None:
        self.opened: list[str] = []

    def __call__(self, url: str) -> bool:
        self.opened.append(url)
        return True


def make_app(workspace: Workspace, browser: Browser | None = None) -> RadarApp:
    return RadarApp(
        Session(workspace, clock=fixed_clock, user="tester"), open_in_browser=browser or Browser()
    )


async def settle(pilot: Pilot) -> None:
    """Let workers finish and their messages land (no sleeping)."""
    app = pilot.app
    for _ in range(4):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


async def wait_for(pilot: Pilot, condition: Callable[[], object], what: str) -> None:
    """Let the app run until `condition()` holds, for something no worker completion marks
    (a refresh blocked on a slow server); fails naming `what` after a hang guard."""
    give_up_at = time.monotonic() + HANG_GUARD
    while not condition():
        if time.monotonic() > give_up_at:
            pytest.fail(f"waited {HANG_GUARD:g} s for {what}")
        await pilot.pause(0.05)


def db_row(workspace: Workspace, item_id: int) -> sqlite3.Row:
    with sqlite3.connect(workspace.db_path) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute("SELECT * FROM items WHERE id = ?", [item_id]).fetchone()


def screen_text(app: RadarApp) -> str:
    """What the terminal shows, as plain text (from the SVG screenshot)."""
    svg = app.export_screenshot()
    texts = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    return html.unescape("".join(texts)).replace("\xa0", " ")


def news(app: RadarApp) -> NewsScreen:
    screen = app.mode_screens["news"]
    assert isinstance(screen, NewsScreen)
    return screen


# --- news ---------------------------------------------------------------------------------


async def test_a_reader_moves_through_items_marks_one_read_and_stars_another(
    demo: Workspace,
) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ItemTable)
        assert news(app).loaded and table.row_count == 169
        first, second = table.row_keys[0], table.row_keys[1]

        await pilot.press("j", "j", "k")
        assert table.current_key() == second
        await pilot.press("down", "up")
        assert table.current_key() == second

        await pilot.press("m")
        await settle(pilot)
        assert db_row(demo, int(second))["read"] == 1
        assert table.rows_by_id[int(second)].read

        await pilot.press("k", "s")
        await settle(pilot)
        assert db_row(demo, int(first))["starred"] == 1
        assert table.get_cell(first, "mark").plain == "★"

        await pilot.press("f")  # all -> unread
        await settle(pilot)
        assert second not in table.row_keys and table.row_count == 168
        await pilot.press("f")  # unread -> starred
        await settle(pilot)
        assert table.row_keys == [first]
        assert app.failures == []


async def test_enter_opens_the_reader_which_marks_the_item_read(demo: Workspace) -> None:
    browser = Browser()
    app = make_app(demo, browser)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ItemTable)
        await pilot.press("j", "j", "enter")
        await settle(pilot)
        item_id = int(table.row_keys[2])
        assert isinstance(app.screen, ReaderScreen) and app.screen.item_id == item_id
        title = db_row(demo, item_id)["title"]
        assert title in screen_text(app)
        assert db_row(demo, item_id)["read"] == 1

        await pilot.press("o")
        await settle(pilot)
        assert browser.opened == [db_row(demo, item_id)["url"]]

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, NewsScreen)
        assert table.rows_by_id[item_id].read


async def test_feeds_are_grouped_by_tag_with_unread_counts_and_filter_the_list(
    demo: Workspace,
) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = screen_text(app)
        assert "#arxiv" in shown and "arXiv cs.LG (demo)" in shown
        await pilot.press("h")  # focus the feed list
        await pilot.press("j", "j")  # All items -> #arxiv -> arXiv cs.CL (demo)
        await settle(pilot)
        table = app.screen.query_one(ItemTable)
        assert table.row_count == 19
        backend = Session(demo)
        assert all(
            "arXiv cs.CL (demo)" in backend.item(item_id).feeds for item_id in table.rows_by_id
        )


# --- search -------------------------------------------------------------------------------


async def test_slash_searches_by_meaning_as_you_type_and_enter_opens_the_result(
    demo: Workspace,
) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        search = app.screen
        assert isinstance(search, SearchScreen) and app.focused is search.query_one("#query")

        # No word in common with the article it should find.
        await pilot.press(*"keeping accelerator RAM from fragmenting when many chats run at once")
        await pilot.pause(0.4)  # the debounce
        await settle(pilot)
        results = search.query_one(ResultTable)
        top_three = [db_row(demo, int(key)) for key in results.row_keys[:3]]
        found = [row for row in top_three if "fragmentation" in row["title"].lower()]
        assert found, [row["title"] for row in top_three]
        target = found[0]
        assert search.searches_done >= 1

        await pilot.press("enter")  # from the box to the results
        await pilot.press(*["j"] * top_three.index(target), "enter")  # open
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen) and app.screen.item_id == target["id"]
        assert db_row(demo, target["id"])["read"] == 1
        assert app.failures == []


async def test_x_shows_why_the_highlighted_result_matched(demo: Workspace) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        search = app.screen
        assert isinstance(search, SearchScreen)
        await pilot.press(*"vllm 0.13.1")
        await pilot.press("enter")  # to the results
        await settle(pilot)
        info = search.query_one("#search-info", Static)
        assert "why:" not in str(info.render())
        await pilot.press("x")
        await settle(pilot)
        shown = str(info.render())
        assert "why:" in shown and "lexical #" in shown and "semantic" in shown
        assert "vllm" in shown  # the query word the result holds
        await pilot.press("ctrl+o")  # newest first
        await settle(pilot)
        assert search.sort == "date" and "sort date" in str(info.render())
        assert app.failures == []


async def test_the_pinned_search_picture_matches_what_the_model_finds(demo: Workspace) -> None:
    # test_tui_snapshots pins the search screen's ranking; the real model must agree
    # that the GPTQ/AWQ post is what this query is about.
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        await pilot.press(*"compressing model weights to 4 bits")
        await pilot.pause(0.4)  # the debounce
        await settle(pilot)
        keys = app.screen.query_one(ResultTable).row_keys[:3]
        titles = [db_row(demo, int(key))["title"] for key in keys]
        assert "GPTQ or AWQ? Choosing a 4-bit format for your open model" in titles, titles


async def test_mode_and_filters_are_one_key_away(demo: Workspace) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        search = app.screen
        assert isinstance(search, SearchScreen)
        await pilot.press(*"quantization")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert search.mode == "semantic"

        await pilot.press("ctrl+n")  # kind picker: any, news, docs, releases, papers
        await settle(pilot)
        await pilot.press("j", "j", "j", "j", "enter")
        await settle(pilot)
        assert search.filters.kind == "papers"
        feeds = {
            db_feed
            for key in search.query_one(ResultTable).row_keys
            for db_feed in Session(demo).item(int(key)).feeds
        }
        assert feeds and feeds <= {"arXiv cs.LG (demo)", "arXiv cs.CL (demo)"}

        await pilot.press("ctrl+l")
        await settle(pilot)
        assert search.filters.kind is None


async def test_l_shows_more_like_this_from_the_news_list(demo: Workspace) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        item_id = app.screen.query_one(ItemTable).current_id()
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        keys = app.screen.query_one(ResultTable).row_keys
        assert keys and str(item_id) not in keys

        await pilot.press("ctrl+n", "j", "j", "j", "j", "enter")  # only papers
        await settle(pilot)
        backend = Session(demo)
        keys = app.screen.query_one(ResultTable).row_keys
        assert keys and str(item_id) not in keys
        for key in keys:
            assert set(backend.item(int(key)).feeds) & {"arXiv cs.LG (demo)", "arXiv cs.CL (demo)"}


# --- radar --------------------------------------------------------------------------------


async def open_tech(pilot: Pilot, name: str) -> RadarScreen:
    await pilot.press("3")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, RadarScreen)
    from radar.tui.screens.radar import TechTable

    table = screen.query_one(TechTable)
    steps = table.row_keys.index(name) - table.cursor_row
    await pilot.press(*(["j"] * steps if steps > 0 else ["k"] * -steps))
    assert table.current_name() == name
    return screen


def tech_in_file(workspace: Workspace, name: str) -> dict:
    data = yaml.safe_load(workspace.techradar_path.read_text(encoding="utf-8"))
    return next(tech for tech in data["technologies"] if tech["name"] == name)


async def test_moving_a_technology_records_the_rationale_in_its_history(demo: Workspace) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_tech(pilot, "vLLM")
        await pilot.press("M")
        await settle(pilot)
        assert isinstance(app.screen, MoveTechScreen)
        await pilot.press("up", "enter")  # from its ring, trial, one up: adopt
        await pilot.press(*"serves all chat traffic since November", "enter")
        await settle(pilot)
        assert "Move vLLM from trial to adopt?" in screen_text(app)
        assert tech_in_file(demo, "vLLM")["ring"] == "trial", "nothing moves before confirming"
        await pilot.press("enter")
        await settle(pilot)

        assert isinstance(app.screen, RadarScreen)
        record = tech_in_file(demo, "vLLM")
        assert record["ring"] == "adopt"
        assert record["history"][-1] == {
            "date": date(2026, 11, 22),
            "ring": "adopt",
            "rationale": "serves all chat traffic since November",
            "by": "tester",
        }
        record_text = screen.query_one("#record-text", Static).content
        assert "adopt    serves all chat traffic since November (tester)" in str(record_text)
        assert screen.query_one("#techs").get_cell("vLLM", "ring").plain == "adopt"
        assert app.failures == []


async def test_opening_an_evidence_item_goes_to_the_reader(demo: Workspace) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_tech(pilot, "LoRA/PEFT")
        await settle(pilot)
        evidence = screen.query_one(EvidenceTable)
        assert evidence.row_count, "news linking found no evidence for LoRA/PEFT"
        await pilot.press("tab", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.item_id == int(evidence.row_keys[0])
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen


async def test_a_move_without_a_rationale_is_refused(demo: Workspace) -> None:
    before = demo.techradar_path.read_text(encoding="utf-8")
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_tech(pilot, "vLLM")
        await pilot.press("M")
        await settle(pilot)
        await pilot.press("down", "enter", " ", " ", "enter")  # a ring, rationale only blanks
        await settle(pilot)
        assert isinstance(app.screen, MoveTechScreen)
        assert "needs a rationale" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, RadarScreen)
    assert demo.techradar_path.read_text(encoding="utf-8") == before


async def test_adding_and_editing_a_technology(demo: Workspace) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"SGLang", "tab", "tab", "tab")  # name, quadrant, ring, why
        await pilot.press(*"fast structured generation in our evals", "enter")
        await settle(pilot)
        added = tech_in_file(demo, "SGLang")
        assert added["ring"] == "assess" and added["quadrant"] == "techniques"
        assert added["history"][0]["rationale"] == "fast structured generation in our evals"

        await open_tech(pilot, "SGLang")
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("tab")  # description -> owner
        await pilot.press(*"serving-team", "enter")
        await settle(pilot)
        assert tech_in_file(demo, "SGLang")["owner"] == "serving-team"
        assert app.failures == []


# --- refresh ------------------------------------------------------------------------------

SLOW_FEED_HOLD = 120.0
"""Seconds the slow feed's server holds its answer unless the test lets it go; radar is
configured to wait longer, so only the app itself can decide not to wait for it."""


def serve_new_feeds(workspace: Workspace, server, gate: threading.Event) -> None:  # type: ignore[no-untyped-def]
    """Point feeds.yaml at the test server: one quick feed, and one that answers only
    when the test opens `gate` (so the refresh is certainly still running until then)."""
    quick = [
        {"title": f"Quick news {n}", "link": f"https://quick.example/{n}", "guid": f"q{n}",
         "pubDate": "Sun, 22 Nov 2026 10:00:00 GMT", "description": "arrives at once"}
        for n in range(3)
    ]  # fmt: skip
    slow = [
        {"title": "Slow but worth it", "link": "https://slow.example/1", "guid": "s1",
         "pubDate": "Sun, 22 Nov 2026 11:00:00 GMT", "description": "arrives late"}
    ]  # fmt: skip

    def slow_body() -> bytes:
        gate.wait(SLOW_FEED_HOLD)
        return rss(slow)

    quick_url = server.route("/quick.xml", body=rss(quick))
    slow_url = server.route("/slow.xml", body=slow_body, delay=0.5)
    workspace.feeds_path.write_text(
        f"settings: {{timeout: {SLOW_FEED_HOLD * 2:g}, deadline: {SLOW_FEED_HOLD * 2:g}}}\n"
        "feeds:\n"
        f"  - {{name: Quick, url: '{quick_url}', tags: [fast]}}\n"
        f"  - {{name: Slow, url: '{slow_url}', tags: [slow]}}\n",
        encoding="utf-8",
    )


async def test_refresh_runs_in_the_background_while_the_ui_keeps_answering(
    demo: Workspace, server
) -> None:  # type: ignore[no-untyped-def]
    gate = threading.Event()
    serve_new_feeds(demo, server, gate)
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ItemTable)
        first_keys = table.row_keys[:3]
        try:
            await pilot.press("r")
            assert app.refreshing

            # While the slow feed is still on its way, keys are answered: the cursor
            # moves (staying on its item while new ones land above it), screens switch.
            await pilot.press("j", "j")
            assert table.current_key() == first_keys[2]
            await pilot.press("3")
            assert isinstance(app.screen, RadarScreen)
            await pilot.press("4")
            assert isinstance(app.screen, HealthScreen)
            await pilot.press("1")
            await pilot.press("k")
            assert table.current_key() == first_keys[1]

            # The quick feed's items land while the slow one is still being fetched.
            await wait_for(
                pilot,
                lambda: "Quick news 0" in {row.title for row in table.rows_by_id.values()},
                "the quick feed's items to land",
            )
            assert app.refreshing, (app.status, app.failures)
            assert server.requests_to("/slow.xml"), "the slow feed was requested"
            assert "Slow but worth it" not in {row.title for row in table.rows_by_id.values()}
            assert "refreshing 1/2 · Quick: +3" in str(app.status)
        finally:
            gate.set()

        await settle(pilot)
        assert not app.refreshing
        titles = {row.title for row in table.rows_by_id.values()}
        assert {"Quick news 0", "Slow but worth it"} <= titles
        assert "2 feeds: 2 ok" in str(app.status)

        await pilot.press("4")
        await settle(pilot)
        shown = screen_text(app)
        assert "this session" in shown and "2 feeds: 2 ok" in shown
        assert app.failures == []


async def test_quitting_during_a_refresh_does_not_wait_for_slow_feeds(
    demo: Workspace, server
) -> None:  # type: ignore[no-untyped-def]
    gate = threading.Event()
    serve_new_feeds(demo, server, gate)
    app = make_app(demo)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("r")
            await wait_for(
                pilot, lambda: server.requests_to("/slow.xml"), "the slow feed to be requested"
            )
            assert app.refreshing
            await pilot.press("q")
            leaving = time.monotonic()
        # Waiting for the refresh would take SLOW_FEED_HOLD (the server holds the slow
        # feed that long and radar is configured to wait longer): a hang guard far below
        # that tells the two apart on any machine.
        assert time.monotonic() - leaving < SLOW_FEED_HOLD / 4, "quitting waited for the refresh"
        assert not app.is_running
    finally:
        gate.set()


SERVING_NEWS = [
    {"title": "Serving Llama with vLLM: what prefix caching saved us", "guid": "sv1",
     "link": "https://serving.example/vllm-prefix-caching",
     "pubDate": "Sun, 22 Nov 2026 09:00:00 GMT",
     "description": "We moved our chat traffic to vLLM and measured the cache hit rate."},
    {"title": "Allotment diary: the last tomatoes of November", "guid": "sv2",
     "link": "https://serving.example/tomatoes",
     "pubDate": "Sun, 22 Nov 2026 09:30:00 GMT",
     "description": "Green ones ripen on a windowsill."},
]  # fmt: skip


def fetch_runs(workspace: Workspace) -> list[sqlite3.Row]:
    with sqlite3.connect(workspace.db_path) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute("SELECT * FROM fetch_runs ORDER BY id").fetchall()


def linked_slugs(workspace: Workspace, title: str) -> set[str]:
    with sqlite3.connect(workspace.db_path) as conn:
        rows = conn.execute(
            "SELECT t.tech_slug FROM item_tech t JOIN items i ON i.id = t.item_id "
            "WHERE i.title = ?",
            [title],
        ).fetchall()
    return {row[0] for row in rows}


def subscribe_to_serving_news(workspace: Workspace, server) -> None:  # type: ignore[no-untyped-def]
    """feeds.yaml with one feed, served now, holding SERVING_NEWS."""
    url = server.route("/serving.xml", body=rss(SERVING_NEWS))
    workspace.feeds_path.write_text(
        f"feeds:\n  - {{name: Serving, url: '{url}', tags: [serving]}}\n", encoding="utf-8"
    )


async def test_a_refresh_is_a_recorded_fetch_run_that_links_news_to_technologies(
    demo: Workspace, server
) -> None:  # type: ignore[no-untyped-def]
    subscribe_to_serving_news(demo, server)
    runs_before = len(fetch_runs(demo))
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert not app.refreshing and app.failures == []
        assert "1 feeds: 1 ok" in str(app.status) and "2 new items" in str(app.status)

        # Straight from the database, before any radar read could catch links up.
        runs = fetch_runs(demo)
        assert len(runs) == runs_before + 1, "the refresh is in `radar runs`"
        run = runs[-1]
        assert (run["trigger"], run["ok"], run["feeds_ok"], run["items_new"]) == ("tui", 1, 1, 2)
        assert run["started"].startswith("2026-11-22T12:00"), "on the app's clock"
        assert linked_slugs(demo, SERVING_NEWS[0]["title"]) == {"vllm"}
        assert linked_slugs(demo, SERVING_NEWS[1]["title"]) == set()

        # The radar screen counts the new mention in the 30 days before the app's clock.
        await pilot.press("3")
        await settle(pilot)
        radar_screen = app.screen
        assert isinstance(radar_screen, RadarScreen)
        assert radar_screen.mentions.get("vLLM", 0) >= 1
    assert app.failures == []


async def test_a_refresh_while_another_fetch_holds_the_lock_only_tells_the_user(
    demo: Workspace, server
) -> None:  # type: ignore[no-untyped-def]
    from radar.lock import WorkspaceLock

    subscribe_to_serving_news(demo, server)
    runs_before = len(fetch_runs(demo))
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with WorkspaceLock(demo.lock_path):  # as `radar fetch` in another terminal holds it
            await pilot.press("r")
            await settle(pilot)
            assert not app.refreshing
            assert "another radar fetch is running" in str(app.status)
            assert "another radar fetch is running" in screen_text(app), "a notification"
            assert app.failures == [], "busy is not an error"
            assert not server.requests_to("/serving.xml")

        await pilot.press("r")  # once the other fetch is done, a refresh runs
        await settle(pilot)
        assert "1 feeds: 1 ok" in str(app.status), (app.status, app.failures)
    assert len(fetch_runs(demo)) == runs_before + 1


# --- untrusted text -----------------------------------------------------------------------

HOSTILE = ["[bold red]x[/]", "[@click=app.quit]y[/]", "[link=https://evil.example]z[/link]"]


async def test_hostile_titles_are_shown_literally_and_trigger_nothing(
    demo: Workspace, server
) -> None:  # type: ignore[no-untyped-def]
    items = [
        {"title": html.escape(title), "link": f"https://h.example/{n}", "guid": f"h{n}",
         "pubDate": "Sun, 22 Nov 2026 11:0{n}:00 GMT", "description": html.escape(title)}
        for n, title in enumerate(HOSTILE)
    ]  # fmt: skip
    url = server.route("/hostile.xml", body=rss(items, title="[blink]evil[/blink]"))
    demo.feeds_path.write_text(f"feeds:\n  - {{name: '[red]Hostile[/]', url: '{url}'}}\n")

    def fetch_hostile_feed() -> None:
        from radar.ingest import run_fetch

        with Store(demo.db_path) as store:
            run_fetch(store, load_config(demo.feeds_path))
            escape = Item(
                guid="esc", url="https://h.example/esc", title="\x1b[2Jcleared? \x1b]0;pwned\x07no"
            )
            store.ingest("[red]Hostile[/]", [escape])

    await asyncio.to_thread(fetch_hostile_feed)  # run_fetch runs its own event loop

    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("h", "j", "j")  # the untagged group, then the hostile feed
        await settle(pilot)
        table = app.screen.query_one(ItemTable)
        titles = {table.get_cell(key, "title").plain for key in table.row_keys}
        assert set(HOSTILE) <= titles
        assert "cleared? no" in titles

        shown = screen_text(app)
        for title in HOSTILE:
            assert title in shown
        assert "[red]Hostile[/]" in shown
        assert "\x1b" not in shown and "pwned" not in shown

        # Reading and clicking on the would-be link does nothing but select it.
        await pilot.press("right")
        row = table.row_keys.index(
            next(k for k in table.row_keys if "@click" in table.get_cell(k, "title").plain)
        )
        await pilot.click(ItemTable, offset=(10, row + 2))  # border, header
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, ReaderScreen)
        assert "[@click=app.quit]y[/]" in screen_text(app)
        assert app.return_code is None


# --- help, palette, start -----------------------------------------------------------------


async def test_question_mark_lists_every_key_and_the_palette_runs_actions(demo: Workspace) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        keys = app.screen.keys_text().plain
        for words in (
            "m           Mark read",
            "M           Move",
            "^t          Mode",
            "r           Refresh",
            "q           Quit",
            "esc, ⌫      Back",
        ):
            assert words in keys
        await pilot.press("escape")
        await settle(pilot)

        commands = {command.title for command in app.get_system_commands(app.screen)}
        wanted = {"Go to Radar", "Refresh all feeds", "News: Star", "Radar: Move", "Search: Mode"}
        assert wanted <= commands

        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"Go to Health")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HealthScreen)

        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


def test_starting_the_tui_imports_neither_torch_nor_sentence_transformers(demo: Workspace) -> None:
    script = f"""
import asyncio, json, sys, time
from pathlib import Path
from radar.tui.app import RadarApp
from radar.session import Session
from radar.workspace import Workspace

HEAVY = ["torch", "sentence_transformers", "transformers", "onnxruntime", "faiss"]

async def main():
    app = RadarApp(Session(Workspace(Path({str(demo.root)!r}))))
    async with app.run_test() as pilot:
        give_up_at = time.monotonic() + {HANG_GUARD}
        while not app.mode_screens["news"].loaded:
            if time.monotonic() > give_up_at:
                sys.exit("the news list never loaded")
            await pilot.pause(0.01)
        at_start = [name for name in HEAVY if name in sys.modules]
        await pilot.press("3")
        await pilot.press("4")
        await app.workers.wait_for_complete()
        later = [name for name in HEAVY if name in sys.modules]
    print(json.dumps([at_start, later]))

asyncio.run(main())
"""
    output = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert output.returncode == 0, output.stderr
    at_start, after_radar_and_health = json.loads(output.stdout.strip().splitlines()[-1])
    assert at_start == []  # no model, no FAISS until a screen needs them
    assert "torch" not in after_radar_and_health
    assert "sentence_transformers" not in after_radar_and_health


def test_radar_with_no_command_opens_the_tui(
    demo: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    import radar.cli.tui_cmd
    from radar.cli import cli

    opened: list[Path] = []
    monkeypatch.setattr(
        radar.cli.tui_cmd, "run_tui", lambda workspace: opened.append(workspace.root)
    )
    result = CliRunner().invoke(cli, ["--workspace", str(demo.root)])
    assert result.exit_code == 0 and opened == [demo.root]
    result = CliRunner().invoke(cli, ["--workspace", str(demo.root), "tui"])
    assert result.exit_code == 0 and opened == [demo.root, demo.root]
    help_text = CliRunner().invoke(cli, ["--help"]).output
    assert "tui" in help_text
