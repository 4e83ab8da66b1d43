"""Screen 5, Library: the team library by technology or tag on the left, its entries in
the middle, the chosen entry's link and notes on the right; `o` opens the link.

Also the small dialog `b` opens on any item to add it to the library with a note."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import DataTable, Input, OptionList, Static
from textual.widgets.option_list import Option

from radar.session import Session
from radar.tui.messages import WorkFailed
from radar.tui.screens.base import BaseScreen
from radar.tui.text import one_line, plain
from radar.tui.widgets.flex_table import FlexTable

if TYPE_CHECKING:
    from radar.library import Entry, Library

ALL_ENTRIES = "all"


class LibraryLoaded(Message):
    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library


def facets(library: Library) -> list[tuple[str, str]]:
    """(key, label) choices: every entry, then each technology and tag with its count."""
    choices = [(ALL_ENTRIES, f"All entries ({len(library)})")]
    for kind, label in (("tech", "technology"), ("tag", "tag")):
        counts: dict[str, int] = {}
        for entry in library:
            for value in entry.technologies if kind == "tech" else entry.tags:
                counts[value] = counts.get(value, 0) + 1
        for value in sorted(counts, key=str.casefold):
            choices.append((f"{kind}:{value}", f"{label}: {value} ({counts[value]})"))
    return choices


def select(library: Library, key: str) -> list[Entry]:
    if key.startswith("tech:"):
        return library.select(technology=key.removeprefix("tech:"))
    if key.startswith("tag:"):
        return library.select(tag=key.removeprefix("tag:"))
    return list(library)


def entry_text(entry: Entry) -> Text:
    """The entry as the right pane shows it: title, link, fields and every note."""
    text = Text(end="")
    text.append(one_line(entry.title) + "\n", style="bold")
    text.append(one_line(entry.url) + "\n", style="underline")
    fields = [
        ("type", entry.type),
        ("technologies", ", ".join(entry.technologies)),
        ("tags", ", ".join(entry.tags)),
        ("level", entry.level),
        ("status", entry.status + (f": {entry.reason}" if entry.reason else "")),
        ("added", " by ".join(p for p in (str(entry.added or ""), entry.added_by) if p)),
    ]
    for label, value in fields:
        if value:
            text.append(f"{label + ':':<14}", style="dim")
            text.append(one_line(value) + "\n")
    text.append("\nWhy it matters\n", style="bold")
    if not entry.notes:
        text.append("no note yet\n", style="dim")
    for note in entry.notes:
        text.append("• " + one_line(note.text))
        who = ", ".join(p for p in (note.by, str(note.date or "")) if p)
        text.append(f"  ({who})\n" if who else "\n", style="dim")
    return text


class LibraryTable(FlexTable):
    COLUMNS = (
        ("Type", "type", 8),
        ("Title", "title", None),
        ("Technologies", "techs", 18),
        ("Added", "added", 10),
    )

    def show_entries(self, entries: list[Entry]) -> None:
        rows = []
        for entry in entries:
            cells = (
                Text(entry.type, style="dim"),
                plain(entry.title, "dim" if entry.status == "outdated" else ""),
                plain(", ".join(entry.technologies)),
                Text(str(entry.added or ""), style="dim"),
            )
            rows.append((entry.id, cells))
        self.set_rows(rows, keep=self.current_key())


class LibraryScreen(BaseScreen):
    MODE = "library"
    BINDINGS = [
        Binding("o", "open_link", "Open"),
        Binding("g", "reload", "Reload"),
        Binding("h,left", "focus_facets", "Facets", show=False),
        Binding("right", "focus_entries", "Entries", show=False),
    ]

    def __init__(self, backend: Session) -> None:
        super().__init__(backend)
        self.library: Library | None = None
        self.facet = ALL_ENTRIES
        self.loaded = False

    def compose_body(self) -> Iterable[Widget]:
        with Horizontal(id="library-body"):
            yield OptionList(id="library-facets")
            yield LibraryTable(id="library-entries")
            with VerticalScroll(id="library-entry"):
                yield Static(id="library-entry-text")

    def on_mount(self) -> None:
        self.query_one("#library-facets").border_title = "Browse"
        self.query_one("#library-entries").border_title = "Team library"
        self.query_one("#library-entry").border_title = "Entry"
        self.query_one(LibraryTable).focus()

    def on_screen_resume(self) -> None:
        self.load()

    def action_reload(self) -> None:
        self.load()

    def action_focus_facets(self) -> None:
        self.query_one("#library-facets").focus()

    def action_focus_entries(self) -> None:
        self.query_one(LibraryTable).focus()

    @work(thread=True, group="library", exclusive=True, exit_on_error=False)
    def load(self) -> None:
        try:
            self.post_message(LibraryLoaded(self.backend.library()))
        except Exception as exc:  # noqa: BLE001
            self.post_message(WorkFailed("reading the team library", str(exc)))

    def on_library_loaded(self, message: LibraryLoaded) -> None:
        self.library = message.library
        options = facets(message.library)
        if self.facet not in {key for key, _ in options}:
            self.facet = ALL_ENTRIES
        facet_list = self.query_one("#library-facets", OptionList)
        facet_list.clear_options()
        facet_list.add_options([Option(label, id=key) for key, label in options])
        facet_list.highlighted = [key for key, _ in options].index(self.facet)
        self._show_entries()
        self.loaded = True

    def _show_entries(self) -> None:
        if self.library is None:
            return
        entries = select(self.library, self.facet)
        table = self.query_one(LibraryTable)
        table.show_entries(entries)
        table.border_title = f"Team library ({len(entries)})"
        if not entries:
            hint = "The team library is empty: press b on any item, or `radar library add`."
            self.query_one("#library-entry-text", Static).update(Text(hint, style="dim"))
        else:
            self._show_entry(table.current_key())

    def _show_entry(self, key: str | None) -> None:
        entry = self.library.find(key) if self.library is not None and key else None
        if entry is not None:
            self.query_one("#library-entry-text", Static).update(entry_text(entry))

    @on(OptionList.OptionHighlighted, "#library-facets")
    def _facet_chosen(self, event: OptionList.OptionHighlighted) -> None:
        key = event.option.id or ALL_ENTRIES
        if key != self.facet:
            self.facet = key
            self._show_entries()

    @on(DataTable.RowHighlighted, "#library-entries")
    def _entry_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_entry(event.row_key.value)

    def current_entry(self) -> Entry | None:
        key = self.query_one(LibraryTable).current_key()
        return self.library.find(key) if self.library is not None and key else None

    def action_open_link(self) -> None:
        entry = self.current_entry()
        if entry is not None:
            self.radar_app.open_link(entry.url)

    def data_changed(self) -> None:
        self.load()


class AddToLibraryScreen(ModalScreen[tuple[str, tuple[str, ...]] | None]):
    """Why it matters (required) and optional tags, for the item being added."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str) -> None:
        super().__init__(classes="dialog-screen")
        self.item_title = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("Add to the team library", style="bold"), classes="dialog-title")
            yield Static(plain(self.item_title))
            yield Input(placeholder="why it matters (required)", id="note")
            yield Input(placeholder="tags, comma separated (optional)", id="tags")
            yield Static(id="error", classes="dialog-error")
            yield Static(
                Text("tab: next field · enter: add · escape: cancel", style="dim"),
                classes="dialog-help",
            )

    def on_mount(self) -> None:
        self.query_one("#note", Input).focus()

    @on(Input.Submitted)
    def _submit(self) -> None:
        note = self.query_one("#note", Input).value.strip()
        if not note:
            self.query_one("#error", Static).update(
                Text("Say why it matters: the team reads the note.", style="bold red")
            )
            self.query_one("#note", Input).focus()
            return
        tags = tuple(
            t.strip() for t in self.query_one("#tags", Input).value.split(",") if t.strip()
        )
        self.dismiss((note, tags))

    def action_cancel(self) -> None:
        self.dismiss(None)
