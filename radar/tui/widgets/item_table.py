"""The list of items: marker, title, feed, age. Unread rows bold, starred marked ★."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from rich.text import Text
from textual.binding import Binding

from radar.session import ItemRow
from radar.tui.text import age, plain
from radar.tui.widgets.flex_table import Cells, FlexTable


class ItemTable(FlexTable):
    """Rows keyed by item id; the screen gives it rows and the current time."""

    COLUMNS = ((" ", "mark", 1), ("Title", "title", None), ("Feed", "feed", 22), ("Age", "age", 8))
    BINDINGS = [Binding("enter", "select_cursor", "Read", show=True)]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows_by_id: dict[int, ItemRow] = {}
        self._now = datetime.now()

    def show_rows(self, rows: Sequence[ItemRow], now: datetime, keep: int | None = None) -> None:
        """Replace the rows, keeping the cursor on item `keep` when it is still listed."""
        self._now = now
        self.rows_by_id = {row.id: row for row in rows}
        self.set_rows(
            [(str(row.id), self._cells_of(row)) for row in rows],
            keep=None if keep is None else str(keep),
        )

    def _cells_of(self, row: ItemRow) -> Cells:
        style = "dim" if row.read else "bold"
        if row.starred:
            mark = Text("★", style="yellow")
        else:
            mark = Text(" " if row.read else "●", style="cyan")
        return (
            mark,
            plain(row.title or "(untitled)", style),
            plain(row.feed, "dim" if row.read else ""),
            Text(("seen " if row.undated else "") + age(row.when, self._now), style="dim", end=""),
        )

    def update_marks(self, item_id: int, *, read: bool, starred: bool) -> None:
        row = self.rows_by_id.get(item_id)
        if row is None:
            return
        row = replace(row, read=read, starred=starred)
        self.rows_by_id[item_id] = row
        self.set_cells(str(item_id), self._cells_of(row))

    def current_id(self) -> int | None:
        key = self.current_key()
        return None if key is None else int(key)

    def current_row(self) -> ItemRow | None:
        item_id = self.current_id()
        return None if item_id is None else self.rows_by_id.get(item_id)
