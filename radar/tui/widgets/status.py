"""The line of screen names at the top and the status line above the footer."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from radar.tui.text import plain

SCREEN_NAMES: tuple[tuple[str, str], ...] = (
    ("news", "News"),
    ("search", "Search"),
    ("radar", "Radar"),
    ("health", "Health"),
    ("library", "Library"),
)


class ScreenTabs(Static):
    """`1 News  2 Search  3 Radar  4 Health  5 Library`, the current one highlighted."""

    def __init__(self, current: str) -> None:
        super().__init__(self._label(current), classes="screen-tabs")

    @staticmethod
    def _label(current: str) -> Text:
        label = Text(" radar ", style="bold reverse")
        for number, (mode, name) in enumerate(SCREEN_NAMES, start=1):
            label.append("  ")
            style = "bold reverse" if mode == current else "dim"
            label.append(f" {number} {name} ", style=style)
        return label


class StatusLine(Static):
    """Mirrors the app's `status` (refresh progress, model loading, last outcome)."""

    def on_mount(self) -> None:
        self.watch(self.app, "status", self._show, init=True)

    def _show(self, status: str) -> None:
        # Status lines name feeds and quote errors: shown literally, one line.
        self.update(plain(status))
