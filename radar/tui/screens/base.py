"""What every main screen shares: the backend, the tabs line, status line and footer,
and the actions on "the current item" (read, star, open, more like this)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer

from radar.session import Session
from radar.tui.widgets.status import ScreenTabs, StatusLine

if TYPE_CHECKING:
    from radar.tui.app import RadarApp


@dataclass(frozen=True)
class CurrentItem:
    id: int
    title: str
    url: str | None
    read: bool
    starred: bool


class BaseScreen(Screen[None]):
    """A main screen: tabs on top, the screen's own body, status line and footer."""

    MODE = ""

    def __init__(self, backend: Session) -> None:
        super().__init__()
        self.backend = backend

    @property
    def radar_app(self) -> RadarApp:
        return cast("RadarApp", self.app)

    def compose(self) -> ComposeResult:
        yield ScreenTabs(self.MODE)
        yield from self.compose_body()
        yield StatusLine(classes="status-line")
        yield Footer(compact=True)

    def compose_body(self) -> Iterable[Widget]:
        return ()

    def data_changed(self) -> None:
        """A refresh stored new items and links: re-read what the screen shows."""


class ItemActions:
    """Key actions on the screen's current item; the app does the work in workers."""

    def current_item(self) -> CurrentItem | None:
        raise NotImplementedError

    @property
    def _radar(self) -> RadarApp:
        return cast("RadarApp", self.app)  # type: ignore[attr-defined]

    def action_toggle_read(self) -> None:
        item = self.current_item()
        if item is not None:
            self._radar.set_marks(item.id, read=not item.read)

    def action_star(self) -> None:
        item = self.current_item()
        if item is not None:
            self._radar.set_marks(item.id, starred=not item.starred)

    def action_open_link(self) -> None:
        item = self.current_item()
        if item is not None:
            self._radar.open_link(item.url)

    def action_add_to_library(self) -> None:
        item = self.current_item()
        if item is not None:
            self._radar.add_to_library(item.id, item.title)

    def action_more_like_this(self) -> None:
        item = self.current_item()
        if item is not None:
            self._radar.show_similar(item.id, item.title)
