"""A row-cursor table whose one flexible column takes the width the others leave,
so long titles are cut with an ellipsis instead of pushing columns off screen."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

Cells = tuple[Text, ...]


class FlexTable(DataTable[Text]):
    COLUMNS: ClassVar[tuple[tuple[str, str, int | None], ...]] = ()
    """(label, key, width); width None marks the flexible column."""
    MIN_FLEX = 12

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row")
        self.row_keys: list[str] = []
        self._cells: dict[str, Cells] = {}
        self._flex = 30

    def on_mount(self) -> None:
        self._add_columns()

    def _add_columns(self) -> None:
        for label, key, width in self.COLUMNS:
            self.add_column(label, key=key, width=self._flex if width is None else width)

    def _flex_width(self) -> int:
        fixed = sum(width for _, _, width in self.COLUMNS if width is not None)
        padding = 2 * self.cell_padding * len(self.COLUMNS)
        scrollbar = 2
        return max(self.size.width - fixed - padding - scrollbar, self.MIN_FLEX)

    def on_resize(self) -> None:
        width = self._flex_width()
        if width != self._flex:
            self._flex = width
            self._rebuild(self.current_key())

    def set_rows(self, rows: Sequence[tuple[str, Cells]], keep: str | None = None) -> None:
        """Replace every row; the cursor stays on row `keep` if it is still there."""
        self.row_keys = [key for key, _ in rows]
        self._cells = dict(rows)
        if self.size.width:
            self._flex = self._flex_width()
        self._rebuild(keep)

    def _rebuild(self, keep: str | None) -> None:
        self.clear(columns=True)
        self._add_columns()
        for key in self.row_keys:
            self.add_row(*self._cells[key], key=key)
        if keep is not None and keep in self._cells:
            self.move_cursor(row=self.row_keys.index(keep), animate=False)

    def set_cells(self, key: str, cells: Cells) -> None:
        """Change one row in place."""
        if key not in self._cells:
            return
        self._cells[key] = cells
        for (_, column, _), cell in zip(self.COLUMNS, cells, strict=True):
            self.update_cell(key, column, cell)

    def current_key(self) -> str | None:
        row = self.cursor_row
        return self.row_keys[row] if 0 <= row < len(self.row_keys) else None
