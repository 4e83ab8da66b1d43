"""The reader: one item full screen, pushed over whichever screen opened it."""

from __future__ import annotations

from dataclasses import replace

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer

from radar.session import ItemDetail, Session
from radar.tui.messages import ItemLoaded, MarksChanged, WorkFailed
from radar.tui.screens.base import CurrentItem, ItemActions
from radar.tui.widgets.item_view import ItemView
from radar.tui.widgets.status import StatusLine


class ReaderScreen(ItemActions, Screen[None]):
    BINDINGS = [
        Binding("escape,backspace", "app.pop_screen", "Back"),
        Binding("m", "toggle_read", "Mark read"),
        Binding("s", "star", "Star"),
        Binding("o", "open_link", "Open"),
        Binding("l", "more_like_this", "Similar"),
        Binding("b", "add_to_library", "To library", show=False),
        Binding("j,down", "scroll(1)", "Scroll", show=False),
        Binding("k,up", "scroll(-1)", "Scroll", show=False),
        Binding("space,pagedown", "page(1)", "Page down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
    ]

    def __init__(self, backend: Session, item_id: int) -> None:
        super().__init__()
        self.backend = backend
        self.item_id = item_id
        self.detail: ItemDetail | None = None

    def compose(self) -> ComposeResult:
        yield ItemView(id="reader")
        yield StatusLine(classes="status-line")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#reader").border_title = "Reader"
        self._load()

    @work(thread=True, group="reader", exclusive=True, exit_on_error=False)
    def _load(self) -> None:
        try:
            self.post_message(ItemLoaded(self.backend.item(self.item_id)))
        except Exception as exc:  # noqa: BLE001
            self.post_message(WorkFailed("opening the item", str(exc)))

    def on_item_loaded(self, message: ItemLoaded) -> None:
        self.detail = message.detail
        self.query_one(ItemView).show(message.detail)

    def on_marks_changed(self, message: MarksChanged) -> None:
        if self.detail is not None and message.item_id == self.item_id:
            self.detail = replace(self.detail, read=message.read, starred=message.starred)
            self.query_one(ItemView).show(self.detail, from_top=False)

    def current_item(self) -> CurrentItem | None:
        detail = self.detail
        if detail is None:
            return None
        return CurrentItem(detail.id, detail.title, detail.url, detail.read, detail.starred)

    def action_scroll(self, lines: int) -> None:
        self.query_one(ItemView).scroll_relative(y=lines, animate=False)

    def action_page(self, pages: int) -> None:
        view = self.query_one(ItemView)
        view.scroll_relative(y=pages * max(view.size.height - 2, 1), animate=False)
