"""Screen 2, Search: hybrid search as you type (debounced), mode and filters one key away."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import replace

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import DataTable, Input, Static

from radar.dates import item_day
from radar.search import MODES, SearchResult, explain_text
from radar.session import KIND_CHOICES, SINCE_CHOICES, SearchFilters, Session
from radar.tui.messages import (
    ChoicesLoaded,
    ItemLoaded,
    MarksChanged,
    SearchFinished,
    SearchReady,
    WorkFailed,
)
from radar.tui.screens.base import BaseScreen, CurrentItem, ItemActions
from radar.tui.screens.modals import PickerScreen
from radar.tui.text import one_line, plain
from radar.tui.widgets.flex_table import FlexTable
from radar.tui.widgets.item_view import ItemView

DEBOUNCE_SECONDS = 0.25
RESULT_LIMIT = 50


class ResultTable(FlexTable):
    COLUMNS = (("Title", "title", None), ("Feed", "feed", 22), ("Date", "date", 15))
    BINDINGS = [Binding("enter", "select_cursor", "Read", show=True)]

    def current_id(self) -> int | None:
        key = self.current_key()
        return None if key is None else int(key)


class SearchScreen(ItemActions, BaseScreen):
    MODE = "search"
    BINDINGS = [
        Binding("ctrl+t", "cycle_mode", "Mode"),
        Binding("ctrl+f", "pick_feed", "Feed"),
        Binding("ctrl+g", "pick_tag", "Tag"),
        Binding("ctrl+n", "pick_kind", "Kind"),
        Binding("ctrl+y", "pick_since", "Since"),
        Binding("ctrl+l", "clear_filters", "No filters"),
        Binding("l", "more_like_this", "Similar"),
        Binding("b", "add_to_library", "To library", show=False),
        Binding("x", "toggle_explain", "Why"),
        Binding("ctrl+o", "toggle_sort", "Sort"),
        Binding("m", "toggle_read", "Mark read", show=False),
        Binding("s", "star", "Star", show=False),
        Binding("o", "open_link", "Open", show=False),
        Binding("escape", "focus_results", "Results", show=False),
    ]

    def __init__(self, backend: Session) -> None:
        super().__init__(backend)
        self.mode = "hybrid"
        self.sort = "relevance"
        self.explaining = False
        """Whether the info line shows why the highlighted result matched (x)."""
        self.result: SearchResult | None = None
        self.filters = SearchFilters()
        self.hits: dict[int, CurrentItem] = {}
        self.label = ""
        self._sequence = 0
        self._shown_sequence = 0
        self._similar_to: tuple[int, str] | None = None
        self._debounce: Timer | None = None
        self._previewed: int | None = None
        self._summary = ""
        self.searches_done = 0

    def compose_body(self) -> Iterable[Widget]:
        with Vertical(id="search-top"):
            yield Input(placeholder="Search by meaning and words…  (enter: results)", id="query")
            yield Static(id="search-info")
        with Horizontal(id="search-body"):
            yield ResultTable(id="results")
            yield ItemView(id="hit-preview")

    def on_mount(self) -> None:
        self.query_one("#results").border_title = "Results"
        self.query_one("#hit-preview").border_title = "Item"
        self._show_info()
        self.query_one("#query", Input).focus()
        self._warm_up()

    # --- workers ---------------------------------------------------------------------

    @work(thread=True, group="search-warm-up", exit_on_error=False)
    def _warm_up(self) -> None:
        started = time.perf_counter()
        try:
            has_index = self.backend.warm_up()
        except Exception as exc:  # noqa: BLE001
            self.post_message(WorkFailed("loading the search model", str(exc)))
            return
        self.post_message(SearchReady(has_index, time.perf_counter() - started))

    @work(thread=True, group="search", exit_on_error=False)
    def _run_search(
        self,
        sequence: int,
        text: str,
        filters: SearchFilters,
        mode: str,
        similar_to: int | None,
        sort: str = "relevance",
    ) -> None:
        started = time.perf_counter()
        label = f"more like #{similar_to}" if similar_to is not None else text
        try:
            if similar_to is not None:
                result = self.backend.similar(similar_to, filters, limit=RESULT_LIMIT)
            else:
                result = self.backend.search(
                    text, filters, mode=mode, limit=RESULT_LIMIT, sort=sort
                )
        except Exception as exc:  # noqa: BLE001 (an unusable query or index is shown, not fatal)
            self.post_message(SearchFinished(sequence, label, None, str(exc), 0.0))
            return
        self.post_message(
            SearchFinished(sequence, label, result, None, time.perf_counter() - started)
        )

    @work(thread=True, group="search-preview", exclusive=True, exit_on_error=False)
    def _read_item(self, item_id: int) -> None:
        try:
            self.post_message(ItemLoaded(self.backend.item(item_id)))
        except Exception as exc:  # noqa: BLE001
            self.post_message(WorkFailed("reading an item", str(exc)))

    # --- searching -------------------------------------------------------------------

    def search_now(self) -> None:
        """Run the search for what is in the box (or the pending 'more like this')."""
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        text = self.query_one("#query", Input).value.strip()
        similar = self._similar_to[0] if self._similar_to else None
        if not text and similar is None:
            return
        self._sequence += 1
        self._run_search(self._sequence, text, self.filters, self.mode, similar, self.sort)
        self._show_info("searching…")

    def show_similar(self, item_id: int, title: str) -> None:
        """Show items closest in meaning to one item ('more like this')."""
        self._similar_to = (item_id, title)
        query = self.query_one("#query", Input)
        with query.prevent(Input.Changed):
            query.value = ""
        self.search_now()
        self.query_one(ResultTable).focus()

    @on(Input.Changed, "#query")
    def _typed(self) -> None:
        self._similar_to = None
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(DEBOUNCE_SECONDS, self.search_now)

    @on(Input.Submitted, "#query")
    def _submitted(self) -> None:
        self.search_now()
        self.query_one(ResultTable).focus()

    def on_search_finished(self, message: SearchFinished) -> None:
        if message.sequence < self._shown_sequence:
            return
        self._shown_sequence = message.sequence
        self.searches_done += 1
        table = self.query_one(ResultTable)
        if message.result is None:
            self._show_info(f"search failed: {message.error}", error=True)
            return
        self.hits = {
            hit.id: CurrentItem(hit.id, hit.title, hit.url, False, False)
            for hit in message.result.hits
        }
        table.set_rows(
            [
                (
                    str(hit.id),
                    (
                        plain(hit.title or "(untitled)"),
                        plain(hit.feed, "dim"),
                        Text(item_day(hit.published, hit.first_seen), style="dim"),
                    ),
                )
                for hit in message.result.hits
            ]
        )
        self.result = message.result
        notes = list(message.result.notes)
        if message.result.hits and message.result.weak:
            notes.append("weak match: even the best result may not answer this")
        took = f" in {message.seconds * 1000:.0f} ms" if self.radar_app.show_timings else ""
        self._summary = f"{len(message.result.hits)} results{took}" + (
            f" · {'; '.join(notes)}" if notes else ""
        )
        self._show_info(self._summary)
        self._previewed = None
        self._preview_current()

    def on_search_ready(self, message: SearchReady) -> None:
        if message.has_index:
            took = f" ({message.seconds:.1f} s)" if self.radar_app.show_timings else ""
            self.radar_app.status = f"search model ready{took}"
        else:
            self.radar_app.status = "no search index yet: searching by words only (r builds it)"

    def _show_info(self, state: str = "", *, error: bool = False) -> None:
        info = Text(end="")
        info.append("mode ", style="dim")
        info.append(self.mode, style="bold")
        if self.sort != "relevance":
            info.append("  sort ", style="dim")
            info.append(self.sort, style="bold")
        info.append("  filters ", style="dim")
        info.append(one_line(self.filters.describe()), style="bold")
        if self._similar_to:
            info.append("  more like: ", style="dim")
            info.append(one_line(self._similar_to[1]), style="italic")
        if state:
            info.append("  · ", style="dim")
            info.append(one_line(state), style="red" if error else "")
        why = self._why()
        if why:
            info.append("\nwhy: ", style="dim")
            info.append(one_line(why))
        self.query_one("#search-info", Static).update(info)

    def _why(self) -> str:
        """The highlighted result's explanation, when x has turned explanations on."""
        if not self.explaining or self.result is None:
            return ""
        item_id = self.query_one(ResultTable).current_id()
        hit = next((h for h in self.result.hits if h.id == item_id), None)
        if hit is None:
            return ""
        shown = f"score {hit.score:.2f}"
        return f"{shown}; {explain_text(hit.explain)}" if hit.explain else shown

    # --- results ---------------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#results")
    def _highlighted(self) -> None:
        self._preview_current()
        if self.explaining:
            self._show_info(self._summary)

    def action_toggle_explain(self) -> None:
        """Show (or hide) why the highlighted result matched: ranks, cosine, words."""
        self.explaining = not self.explaining
        self._show_info(self._summary)

    def action_toggle_sort(self) -> None:
        """Order results by relevance or, among matches that are not weak, newest first."""
        self.sort = "date" if self.sort == "relevance" else "relevance"
        self._show_info()
        self.search_now()

    @on(DataTable.RowSelected, "#results")
    def _selected(self) -> None:
        item_id = self.query_one(ResultTable).current_id()
        if item_id is not None:
            self.radar_app.open_reader(item_id)

    def _preview_current(self) -> None:
        item_id = self.query_one(ResultTable).current_id()
        if item_id is not None and item_id != self._previewed:
            self._previewed = item_id
            self._read_item(item_id)

    def on_item_loaded(self, message: ItemLoaded) -> None:
        detail = message.detail
        self.hits[detail.id] = CurrentItem(
            detail.id, detail.title, detail.url, detail.read, detail.starred
        )
        if detail.id == self._previewed:
            self.query_one(ItemView).show(detail)

    def on_marks_changed(self, message: MarksChanged) -> None:
        current = self.hits.get(message.item_id)
        if current is not None:
            self.hits[message.item_id] = replace(
                current, read=message.read, starred=message.starred
            )
            if message.item_id == self._previewed:
                self._read_item(message.item_id)

    def current_item(self) -> CurrentItem | None:
        item_id = self.query_one(ResultTable).current_id()
        return None if item_id is None else self.hits.get(item_id)

    def focus_box(self) -> None:
        self.query_one("#query", Input).focus()

    def action_focus_results(self) -> None:
        self.query_one(ResultTable).focus()

    # --- mode and filters ------------------------------------------------------------

    def _set(self, **changes: object) -> None:
        self.filters = replace(self.filters, **changes)  # type: ignore[arg-type]
        self._show_info()
        self.search_now()

    def action_cycle_mode(self) -> None:
        self.mode = MODES[(MODES.index(self.mode) + 1) % len(MODES)]
        self._show_info()
        self.search_now()

    def action_clear_filters(self) -> None:
        self.filters = SearchFilters()
        self._show_info()
        self.search_now()

    def _pick(self, title: str, choices: list[tuple[str, object]], field: str) -> None:
        def chosen(value: object) -> None:
            if value is not PickerScreen.CANCELLED:
                self._set(**{field: value})

        self.app.push_screen(PickerScreen(title, choices), chosen)

    def action_pick_feed(self) -> None:
        self._pick_from_backend("feed")

    def action_pick_tag(self) -> None:
        self._pick_from_backend("tag")

    @work(thread=True, group="search-choices", exit_on_error=False)
    def _pick_from_backend(self, field: str) -> None:
        try:
            names = self.backend.feed_names() if field == "feed" else self.backend.tags()
        except Exception as exc:  # noqa: BLE001
            self.post_message(WorkFailed("reading feeds.yaml", str(exc)))
            return
        self.post_message(ChoicesLoaded(field, names))

    def on_choices_loaded(self, message: ChoicesLoaded) -> None:
        choices: list[tuple[str, object]] = [(f"any {message.field}", None)]
        choices += [(name, name) for name in message.values]
        self._pick(f"Only items with this {message.field}", choices, message.field)

    def action_pick_kind(self) -> None:
        choices: list[tuple[str, object]] = [("any kind", None)]
        choices += [(kind, kind) for kind in KIND_CHOICES]
        self._pick("Only items from feeds of this kind", choices, "kind")

    def action_pick_since(self) -> None:
        self._pick("Only items published", list(SINCE_CHOICES), "since_days")
