"""Screen 1, News: feeds by tag on the left, items in the middle, the item on the right."""

from __future__ import annotations

from collections.abc import Iterable

from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import DataTable, OptionList

from radar.session import ALL, SHOW_CYCLE, Selection, Session, Show
from radar.tui.messages import FeedsLoaded, ItemLoaded, ItemsLoaded, MarksChanged, WorkFailed
from radar.tui.screens.base import BaseScreen, CurrentItem, ItemActions
from radar.tui.widgets.feed_list import FeedList
from radar.tui.widgets.item_table import ItemTable
from radar.tui.widgets.item_view import ItemView

SHOW_LABELS: dict[Show, str] = {"all": "all", "unread": "unread", "starred": "starred"}


class NewsScreen(ItemActions, BaseScreen):
    MODE = "news"
    BINDINGS = [
        Binding("m", "toggle_read", "Mark read"),
        Binding("s", "star", "Star"),
        Binding("o", "open_link", "Open"),
        Binding("f", "cycle_show", "Filter"),
        Binding("l", "more_like_this", "Similar"),
        Binding("b", "add_to_library", "To library", show=False),
        Binding("h,left", "focus_feeds", "Feeds", show=False),
        Binding("right", "focus_items", "Items", show=False),
    ]

    def __init__(self, backend: Session) -> None:
        super().__init__(backend)
        self.selection: Selection = ALL
        self.show: Show = "all"
        self._generation = 0
        self._previewed: int | None = None
        self.loaded = False
        """True once the first item list has been shown (used by benchmarks and tests)."""

    def compose_body(self) -> Iterable[Widget]:
        with Horizontal(id="news-body"):
            yield FeedList(id="feeds")
            yield ItemTable(id="items")
            yield ItemView(id="preview")

    def on_mount(self) -> None:
        self.query_one("#feeds").border_title = "Feeds"
        self._title_items()
        self.query_one("#preview").border_title = "Item"
        self.query_one(ItemTable).focus()
        self.reload()

    # --- loading ---------------------------------------------------------------------

    def reload(self) -> None:
        """Re-read feeds and items (after marks or a refresh), keeping the cursor."""
        self.load_feeds()
        self.load_items()

    @work(thread=True, group="news-feeds", exclusive=True, exit_on_error=False)
    def load_feeds(self) -> None:
        try:
            self.post_message(FeedsLoaded(self.backend.feed_overview()))
        except Exception as exc:  # noqa: BLE001 (shown to the user, never fatal)
            self.post_message(WorkFailed("reading feeds", str(exc)))

    def load_items(self) -> None:
        self._generation += 1
        self._read_items(self._generation, self.selection, self.show)

    @work(thread=True, group="news-items", exit_on_error=False)
    def _read_items(self, generation: int, selection: Selection, show: Show) -> None:
        try:
            rows = self.backend.items(selection, show)
        except Exception as exc:  # noqa: BLE001
            self.post_message(WorkFailed("reading items", str(exc)))
            return
        self.post_message(ItemsLoaded(generation, selection, show, rows))

    @work(thread=True, group="news-preview", exclusive=True, exit_on_error=False)
    def _read_item(self, item_id: int) -> None:
        try:
            self.post_message(ItemLoaded(self.backend.item(item_id)))
        except Exception as exc:  # noqa: BLE001
            self.post_message(WorkFailed("reading an item", str(exc)))

    def on_feeds_loaded(self, message: FeedsLoaded) -> None:
        self.query_one(FeedList).show_overview(message.overview)

    def on_items_loaded(self, message: ItemsLoaded) -> None:
        if message.generation != self._generation:
            return
        table = self.query_one(ItemTable)
        table.show_rows(message.rows, self.backend.now(), keep=table.current_id())
        self.loaded = True
        self._title_items(len(message.rows))
        self._preview_current()

    def on_item_loaded(self, message: ItemLoaded) -> None:
        if message.detail.id == self._previewed:
            self.query_one(ItemView).show(message.detail)

    def on_marks_changed(self, message: MarksChanged) -> None:
        self.query_one(ItemTable).update_marks(
            message.item_id, read=message.read, starred=message.starred
        )
        self.load_feeds()
        if message.item_id == self._previewed:
            self._read_item(message.item_id)

    # --- reacting to the user --------------------------------------------------------

    def _title_items(self, count: int | None = None) -> None:
        shown = f" · {count}" if count is not None else ""
        self.query_one("#items").border_title = f"Items · {SHOW_LABELS[self.show]}{shown}"

    @on(OptionList.OptionHighlighted, "#feeds")
    def _feed_highlighted(self) -> None:
        selection = self.query_one(FeedList).current_selection()
        if selection != self.selection:
            self.selection = selection
            self.load_items()

    @on(DataTable.RowHighlighted, "#items")
    def _item_highlighted(self) -> None:
        self._preview_current()

    @on(DataTable.RowSelected, "#items")
    def _item_selected(self) -> None:
        item = self.current_item()
        if item is not None:
            self.radar_app.open_reader(item.id)

    def _preview_current(self) -> None:
        item_id = self.query_one(ItemTable).current_id()
        if item_id is not None and item_id != self._previewed:
            self._previewed = item_id
            self._read_item(item_id)

    def current_item(self) -> CurrentItem | None:
        row = self.query_one(ItemTable).current_row()
        if row is None:
            return None
        return CurrentItem(row.id, row.title, row.url, row.read, row.starred)

    def action_cycle_show(self) -> None:
        self.show = SHOW_CYCLE[(SHOW_CYCLE.index(self.show) + 1) % len(SHOW_CYCLE)]
        self._title_items()
        self.load_items()

    def action_focus_feeds(self) -> None:
        self.query_one(FeedList).focus()

    def action_focus_items(self) -> None:
        self.query_one(ItemTable).focus()
