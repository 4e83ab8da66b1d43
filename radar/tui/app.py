"""The Textual app: five screens switched with 1-5, a reader, help, command palette.

Everything slow (network, SQLite, the embedding model, FAISS) runs in thread workers
(the refresh in a daemon thread) that post typed messages (:mod:`radar.tui.messages`);
handlers here and on the screens update widgets. The app owns the work that outlives a
screen: refresh and index, marking items, opening links.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import importlib
import threading
import time
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, cast
from urllib.parse import urlsplit

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer

from radar.session import Session
from radar.tui.messages import (
    IndexProgress,
    LinkNotOpened,
    MarksChanged,
    MarksSaved,
    RefreshFinished,
    RefreshProgress,
    RefreshStage,
    WorkFailed,
)
from radar.tui.screens.base import AppActions, BaseScreen
from radar.tui.screens.help import HelpScreen, Section
from radar.tui.screens.news import NewsScreen
from radar.tui.screens.reader import ReaderScreen
from radar.tui.text import one_line
from radar.tui.widgets.status import SCREEN_NAMES

if TYPE_CHECKING:
    from radar.ingest import FeedOutcome
    from radar.tui.screens.search import SearchScreen

SCREEN_MODULES: dict[str, tuple[str, str]] = {
    "news": ("radar.tui.screens.news", "NewsScreen"),
    "search": ("radar.tui.screens.search", "SearchScreen"),
    "radar": ("radar.tui.screens.radar", "RadarScreen"),
    "health": ("radar.tui.screens.health", "HealthScreen"),
    "library": ("radar.tui.screens.library", "LibraryScreen"),
}
"""Each mode's screen, imported when first shown: the tech radar and search modules
stay out of the first paint."""


def screen_type(mode: str) -> type[BaseScreen]:
    module, name = SCREEN_MODULES[mode]
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


NEWS_RELOAD_DELAY = 0.2
"""While a refresh lands items, the news list re-reads at most this often (seconds)."""


class RadarApp(App[None]):
    CSS_PATH = "radar.tcss"
    TITLE = "radar"
    DEFAULT_MODE = "news"
    ENABLE_COMMAND_PALETTE = True
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-medium"), (140, "-wide")]
    """Screen classes by terminal width: radar.tcss drops side panes on small terminals."""
    BINDINGS: ClassVar[list[Binding]] = [  # type: ignore[assignment]
        Binding("1", "show('news')", "News"),
        Binding("2", "show('search')", "Search"),
        Binding("3", "show('radar')", "Radar"),
        Binding("4", "show('health')", "Health"),
        Binding("5", "show('library')", "Library"),
        Binding("slash", "focus_search", "Find"),
        Binding("r", "refresh_feeds", "Refresh"),
        Binding("question_mark", "help", "Keys"),
        Binding("q", "quit", "Quit"),
    ]

    status: reactive[str] = reactive("")

    def __init__(
        self,
        backend: Session,
        *,
        open_in_browser: Callable[[str], bool] | None = None,
        show_timings: bool = True,
    ) -> None:
        super().__init__()
        self.backend = backend
        self.show_timings = show_timings
        """Show how long searches and model loading took (snapshot tests turn it off)."""
        self.sub_title = str(backend.workspace.root)
        self.open_in_browser = open_in_browser or _web_browser
        self.mode_screens: dict[str, BaseScreen] = {}
        self.failures: list[str] = []
        """Errors shown to the user this session (tests assert there were none)."""
        self.refreshing = False
        self._news_reload: Timer | None = None
        for mode in SCREEN_MODULES:
            self.add_mode(mode, partial(self._make_screen, mode))

    def _make_screen(self, mode: str) -> Screen[None]:
        screen = screen_type(mode)(self.backend)
        self.mode_screens[mode] = screen
        return screen

    def on_unmount(self) -> None:
        self.backend.close()

    # --- switching screens -----------------------------------------------------------

    async def action_show(self, mode: str) -> None:
        await self.switch_mode(mode)

    async def action_focus_search(self) -> None:
        await self.switch_mode("search")
        search = cast("SearchScreen", self.mode_screens["search"])
        while self.screen is not search and len(self.screen_stack) > 1:
            await self.pop_screen()
        search.focus_box()

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        from radar.tui.screens.radar import EvidenceTable
        from radar.tui.screens.search import ResultTable
        from radar.tui.widgets.flex_table import FlexTable
        from radar.tui.widgets.item_table import ItemTable

        palette = [Binding("ctrl+p", "command_palette", "Command palette")]
        widget_keys: dict[str, list[Iterable[BindingType]]] = {
            "news": [ItemTable.BINDINGS, FlexTable.BINDINGS],
            "search": [ResultTable.BINDINGS, FlexTable.BINDINGS],
            "radar": [EvidenceTable.BINDINGS, FlexTable.BINDINGS],
            "health": [FlexTable.BINDINGS],
            "library": [FlexTable.BINDINGS],
        }
        sections: list[Section] = [("Everywhere", [self.BINDINGS, palette])]
        for number, (mode, name) in enumerate(SCREEN_NAMES, start=1):
            sources = [screen_type(mode).BINDINGS, *widget_keys[mode]]
            sections.append((f"{number} {name}", sources))
        sections.append(("Reader", [ReaderScreen.BINDINGS]))
        self.push_screen(HelpScreen(sections))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The command palette: Textual's own commands, every screen, every global
        action, and every screen's actions ("News: Star", "Radar: Move", ...)."""
        yield from super().get_system_commands(screen)
        for number, (mode, name) in enumerate(SCREEN_NAMES, start=1):
            yield SystemCommand(
                f"Go to {name}",
                f"Show the {name} screen ({number})",
                partial(self.action_show, mode),
            )
        yield SystemCommand("Search box", "Focus the search box (/)", self.action_focus_search)
        yield SystemCommand(
            "Refresh all feeds", "Fetch every feed in the background (r)", self.action_refresh_feeds
        )
        yield SystemCommand("All keys", "Every key on every screen (?)", self.action_help)
        if isinstance(screen, ReaderScreen):
            yield from self._screen_commands("Reader", ReaderScreen.BINDINGS, None)
        for mode, name in SCREEN_NAMES:
            yield from self._screen_commands(name, screen_type(mode).BINDINGS, mode)

    def _screen_commands(
        self, name: str, bindings: Iterable[object], mode: str | None
    ) -> Iterable[SystemCommand]:
        """'News: Star' and the like; choosing one goes to that screen and does it."""
        for binding in bindings:
            if (
                isinstance(binding, Binding)
                and binding.description
                and not binding.action.startswith("app.")
            ):
                key = self.get_key_display(Binding(binding.key.split(",")[0], binding.action))
                yield SystemCommand(
                    f"{name}: {binding.description}",
                    f"{binding.description} on the {name} screen (key {key})",
                    partial(self._run_on, mode, binding.action),
                )

    async def _run_on(self, mode: str | None, action: str) -> None:
        """Run a screen's action: on that mode's screen, or (None) on the current one."""
        if mode is None:
            await self.run_action(action, self.screen)
            return
        await self.switch_mode(mode)
        await self.run_action(action, self.mode_screens[mode])

    # --- items: reader, marks, links, more like this ---------------------------------

    def open_reader(self, item_id: int) -> None:
        self.push_screen(ReaderScreen(self.backend, item_id))
        self.set_marks(item_id, read=True)

    def set_marks(
        self, item_id: int, *, read: bool | None = None, starred: bool | None = None
    ) -> None:
        self._save_marks(item_id, read, starred)

    @work(thread=True, group="marks", exit_on_error=False)
    def _save_marks(self, item_id: int, read: bool | None, starred: bool | None) -> None:
        try:
            self.backend.mark(item_id, read=read, starred=starred)
            detail = self.backend.item(item_id)
        except Exception as exc:  # noqa: BLE001
            self.post_message(WorkFailed("saving marks", str(exc)))
            return
        self.post_message(MarksSaved(item_id, detail.read, detail.starred))

    def on_marks_saved(self, message: MarksSaved) -> None:
        targets: list[Screen[Any]] = list(self.mode_screens.values())
        if self.screen not in targets:
            targets.append(self.screen)
        for screen in targets:
            screen.post_message(MarksChanged(message.item_id, message.read, message.starred))

    def open_link(self, url: str | None) -> None:
        if not url:
            self.notify("This item has no link.", severity="warning")
            return
        if urlsplit(url).scheme not in ("http", "https"):
            self.notify("Only http(s) links are opened.", severity="warning")
            return
        self._open_link(url)

    @work(thread=True, group="browser", exit_on_error=False)
    def _open_link(self, url: str) -> None:
        # webbrowser.open may block while it starts a browser, so never on the UI thread.
        try:
            opened = self.open_in_browser(url)
        except Exception as exc:  # noqa: BLE001
            self.post_message(WorkFailed("opening the link", str(exc)))
            return
        if not opened:
            self.post_message(LinkNotOpened(url))

    def on_link_not_opened(self, message: LinkNotOpened) -> None:
        """Over SSH or in a container there is often no browser: put the link on the
        terminal's clipboard (OSC 52, which most terminals honour) and show it."""
        self.copy_to_clipboard(message.url)
        self.notify(
            f"No web browser here; the link is copied to the clipboard:\n{one_line(message.url)}",
            title="Link",
            markup=False,
            timeout=12,
        )

    def add_to_library(self, item_id: int, title: str) -> None:
        """Ask why the item matters, then add it to the team library (data/library.yaml)."""
        from radar.tui.screens.library import AddToLibraryScreen

        def chosen(answer: tuple[str, tuple[str, ...]] | None) -> None:
            if answer is not None:
                self._add_to_library(item_id, *answer)

        self.push_screen(AddToLibraryScreen(title), chosen)

    @work(thread=True, group="library-add", exit_on_error=False)
    def _add_to_library(self, item_id: int, note: str, tags: tuple[str, ...]) -> None:
        try:
            entry = self.backend.add_to_library(item_id, note, tags)
        except Exception as exc:  # noqa: BLE001
            self.post_message(WorkFailed("adding to the team library", str(exc)))
            return
        self.call_from_thread(self._added_to_library, entry.id, entry.title)

    def _added_to_library(self, entry_id: str, title: str) -> None:
        self.notify(f"Added to the team library ({entry_id}): {one_line(title)}", markup=False)
        library = self.mode_screens.get("library")
        if library is not None:
            library.data_changed()

    def show_similar(self, item_id: int, title: str) -> None:
        self.call_later(self._show_similar, item_id, title)

    async def _show_similar(self, item_id: int, title: str) -> None:
        await self.switch_mode("search")
        search = cast("SearchScreen", self.mode_screens["search"])
        while self.screen is not search and len(self.screen_stack) > 1:
            await self.pop_screen()
        search.show_similar(item_id, title)

    # --- refresh -----------------------------------------------------------------------

    def action_refresh_feeds(self) -> None:
        if self.refreshing:
            self.notify("A refresh is already running.")
            return
        self.refreshing = True
        self.status = "refreshing all feeds…"
        self._refresh()

    @work(group="refresh", exit_on_error=False)
    async def _refresh(self) -> None:
        # A daemon thread rather than a thread worker, so that quitting mid-refresh
        # exits at once instead of waiting for slow feeds. Ingest transactions and the
        # index's atomic writes mean an abandoned run leaves nothing half-written.
        await in_daemon_thread(self._refresh_and_index)

    def _refresh_and_index(self) -> None:
        """One fetch cycle as `radar fetch --all` runs it (blocking): fetch every feed,
        index and link what came in, record the run."""
        from radar.errors import LockBusy

        def progress(outcome: FeedOutcome, done: int, total: int) -> None:
            self.post_message(RefreshProgress(outcome, done, total))

        def index_progress(done: int, total: int) -> None:
            self.post_message(IndexProgress(done, total))

        def stage(text: str) -> None:
            self.post_message(RefreshStage(text))

        started = time.monotonic()
        try:
            result = self.backend.refresh(progress, index_progress, stage)
        except LockBusy as exc:
            self.post_message(RefreshFinished(None, str(exc), busy=True))
            return
        except Exception as exc:  # noqa: BLE001
            self.post_message(RefreshFinished(None, str(exc)))
            return
        result.seconds = time.monotonic() - started
        self.post_message(RefreshFinished(result))

    def on_refresh_progress(self, message: RefreshProgress) -> None:
        outcome = message.outcome
        result = {"ok": f"+{outcome.new}", "not_modified": "not modified"}.get(
            outcome.status, outcome.error_kind or outcome.status
        )
        self.status = f"refreshing {message.done}/{message.total} · {outcome.name}: {result}"
        if outcome.new or outcome.updated:
            self._reload_news_soon()

    def _reload_news_soon(self) -> None:
        if self._news_reload is None:
            self._news_reload = self.set_timer(NEWS_RELOAD_DELAY, self._reload_news)

    def _reload_news(self) -> None:
        self._news_reload = None
        news = self.mode_screens.get("news")
        if isinstance(news, NewsScreen):
            news.reload()

    def on_refresh_stage(self, message: RefreshStage) -> None:
        self.status = f"{message.text}…"

    def on_index_progress(self, message: IndexProgress) -> None:
        self.status = f"embedding {message.done}/{message.total} new items…"

    def on_refresh_finished(self, message: RefreshFinished) -> None:
        self.refreshing = False
        result = message.result
        if result is None:
            if message.busy:
                self.status = f"refresh not started: {message.error}"
                self.notify(one_line(message.error or ""), title="radar", severity="warning")
            else:
                self.status = f"refresh failed: {message.error}"
                self._failed("refresh", message.error or "")
            return
        if result.index_error:
            indexed = f"search index not updated: {result.index_error}"
        elif result.embedded:
            indexed = f"{result.embedded} newly indexed"
        else:
            indexed = "index up to date"
        from radar.ops.runner import failure_hint, run_line

        line = run_line(result.summary, result.seconds, result.embedded, with_cause=False)
        hint = failure_hint(result.summary)
        self.status = f"refreshed: {line} · {indexed}" + (f" · {hint}" if hint else "")
        if hint:
            self.notify(hint, title="radar", severity="warning")
        self._reload_news()
        for mode in ("health", "radar"):
            screen = self.mode_screens.get(mode)
            if screen is not None:
                screen.data_changed()

    # --- errors ----------------------------------------------------------------------

    def on_work_failed(self, message: WorkFailed) -> None:
        self._failed(message.what, message.error)

    def _failed(self, what: str, error: str) -> None:
        message = one_line(f"{what}: {error}")
        self.failures.append(message)
        self.notify(message, title="radar", severity="error", markup=False, timeout=8)


def in_daemon_thread(work: Callable[[], object]) -> asyncio.Future[object]:
    """Run blocking `work` on a daemon thread; await the returned future for its end."""
    done: concurrent.futures.Future[object] = concurrent.futures.Future()

    def run() -> None:
        # Whoever awaited may have gone (the app quit): then the outcome is dropped.
        with contextlib.suppress(concurrent.futures.InvalidStateError):
            try:
                result = work()
            except BaseException as exc:  # noqa: BLE001 (handed to whoever awaits)
                done.set_exception(exc)
            else:
                done.set_result(result)

    threading.Thread(target=run, name="radar-refresh", daemon=True).start()
    return asyncio.wrap_future(done)


def _web_browser(url: str) -> bool:
    import webbrowser

    return webbrowser.open(url)


if TYPE_CHECKING:
    # mypy checks here that the app gives screens everything AppActions promises.
    _implements_actions: type[AppActions] = RadarApp
