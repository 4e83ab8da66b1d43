"""The README's sections on how radar fits together, the TUI and the digest show
commands and keys that work: every `radar ...` line they show runs on the demo
workspace, every key they list is bound, and the pictures match what radar prints."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_tui import make_app, screen_text, settle
from textual.binding import Binding
from tuidemo import copy_demo, session_demo

from radar.cli import cli
from radar.workspace import Workspace

pytestmark = pytest.mark.model

README = Path(__file__).resolve().parents[1] / "README.md"
SECTIONS = ("How radar fits together", "The terminal UI", "The weekly digest")
NOT_RUN_HERE = {"demo"}
"""`radar demo` builds what the `demo` fixture builds through the same functions."""


def section(title: str) -> str:
    """The README's `## title` section (headings inside code blocks do not end it)."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"## {title}")
    fenced = False
    for end in range(start + 1, len(lines)):
        fenced ^= lines[end].startswith("```")
        if not fenced and lines[end].startswith("## "):
            return "\n".join(lines[start:end])
    return "\n".join(lines[start:])


def blocks(text: str, *languages: str) -> list[str]:
    pattern = r"```(?:" + "|".join(languages) + r")\n(.*?)```"
    return re.findall(pattern, text, flags=re.S)


def shown_commands() -> list[list[str]]:
    """Every radar command line of the sections, as arguments after `radar`."""
    commands = []
    for title in SECTIONS:
        for block in blocks(section(title), "sh", "cron"):
            for line in block.splitlines():
                words = shlex.split(line, comments=True)
                radar_at = [i for i, word in enumerate(words) if Path(word).name == "radar"]
                if radar_at:
                    commands.append(words[radar_at[0] + 1 :])
    return commands


@pytest.fixture(scope="module")
def pristine_demo(tmp_path_factory: pytest.TempPathFactory, model_cache: Path) -> Workspace:
    return session_demo(tmp_path_factory)


@pytest.fixture
def demo(pristine_demo: Workspace, tmp_path: Path) -> Workspace:
    return copy_demo(pristine_demo, tmp_path / "radar-demo")


def test_the_sections_show_commands_to_run():
    commands = shown_commands()
    assert ["demo"] in commands
    assert any(args[-1:] == ["digest"] for args in commands)
    assert len(commands) >= 8


def test_every_command_the_sections_show_runs_on_the_demo(demo, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # `-w radar-demo` and `-o digest.html` land here
    (tmp_path / "srv" / "www" / "radar").mkdir(parents=True)
    ran = []
    for args in shown_commands():
        if not args or args[0] in NOT_RUN_HERE or args == ["-w", "radar-demo"]:
            continue  # `radar -w radar-demo` alone opens the TUI: see the tests below
        # The cron line's workspace is the demo; its output goes under tmp_path.
        args = ["radar-demo" if arg == "/srv/team-radar" else arg for arg in args]
        args = [arg.lstrip("/") if arg.startswith("/srv/") else arg for arg in args]
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, f"radar {shlex.join(args)}: {result.output}"
        ran.append(args)
    assert (tmp_path / "digest.html").read_text().lstrip().startswith("<!")
    assert (tmp_path / "srv/www/radar/digest.html").exists()
    assert len(ran) >= 8


def bound_keys() -> set[str]:
    from radar.tui.app import RadarApp
    from radar.tui.screens.health import HealthScreen
    from radar.tui.screens.news import NewsScreen
    from radar.tui.screens.radar import RadarScreen
    from radar.tui.screens.reader import ReaderScreen
    from radar.tui.screens.search import ResultTable, SearchScreen
    from radar.tui.widgets.flex_table import FlexTable
    from radar.tui.widgets.item_table import ItemTable

    keys: set[str] = set()
    for owner in (RadarApp, NewsScreen, SearchScreen, RadarScreen, HealthScreen, ReaderScreen):
        for binding in [*owner.BINDINGS, *ItemTable.BINDINGS, *FlexTable.BINDINGS]:
            assert isinstance(binding, Binding)
            keys.update(binding.key.split(","))
    keys.update(binding.key for binding in ResultTable.BINDINGS if isinstance(binding, Binding))
    return keys


README_KEY_NAMES = {"⏎": "enter", "/": "slash", "?": "question_mark"}


def test_every_key_the_tui_section_lists_is_bound():
    table = [line for line in section("The terminal UI").splitlines() if line.startswith("| `")]
    listed = [
        README_KEY_NAMES.get(key, key)
        for row in table
        for key in re.findall(r"`([^`]+)`", row.split("|")[1])
    ]
    assert "enter" in listed and "M" in listed
    assert set(listed) - bound_keys() == set()
    footer = {
        key
        for owner in ("news", "search", "radar", "health", "reader")
        for key in footer_keys(owner)
    }
    assert footer - set(listed) == set(), "every key in a footer is in the README"


def footer_keys(screen: str) -> list[str]:
    from importlib import import_module

    module = import_module(f"radar.tui.screens.{screen}")
    owner = next(
        value
        for name, value in vars(module).items()
        if name.endswith("Screen") and getattr(value, "__module__", "") == module.__name__
    )
    return [
        key
        for binding in owner.BINDINGS
        if isinstance(binding, Binding) and binding.show
        for key in binding.key.split(",")[:1]
    ]


async def test_the_tui_capture_is_what_the_news_screen_shows(demo):
    capture = blocks(section("The terminal UI"), "text")[0].splitlines()
    app = make_app(demo)
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot)
        shown = screen_text(app)
    tabs = ["1", "News", "2", "Search", "3", "Radar", "4", "Health", "5", "Library"]
    assert capture[0].split() == ["radar", *tabs]
    assert shown.split("\n")[0].split() == ["radar", "radar", *tabs]
    for label in ("Feeds", "Items · all · 169", "Item", "All items"):
        assert label in capture[1] + capture[2] and label in shown
    titles = [line.split("││")[1][4:16] for line in capture[3:8]]
    for title in titles:
        assert title.strip(" …") in shown, title


def test_the_digest_excerpt_has_the_digests_headings_and_lines(demo):
    excerpt = blocks(section("The weekly digest"), "markdown")[0]
    result = CliRunner().invoke(
        cli, ["-w", str(demo.root), "digest", "--week", "2026-W47"], catch_exceptions=False
    )
    for line in excerpt.splitlines():
        if line.startswith("## ") or line.startswith("- Feeds failing"):
            assert line in result.stdout, line
    for section_name in ("Summary", "Radar moves", "On our radar", "Top stories", "Rising",
                         "Feed health"):  # fmt: skip
        assert section_name in section("The weekly digest")
        assert f"## {section_name}" in result.stdout
