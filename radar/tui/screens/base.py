"""What every main screen shares: the backend, the tabs line, status line and footer,
the actions on "the current item" (read, star, open, more like this), and
:class:`AppActions`, what screens may ask of the app."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, cast

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer

from radar.session import Session
from radar.tui.widgets.status import ScreenTabs, StatusLine


class AppActions(Protocol):
    """What screens ask of the app; :class:`radar.tui.app.RadarApp` implements it.

    Screens see the app through this protocol, never by importing radar.tui.app: the app
    imports every screen, so the other direction would close an import circle.
    """

    show_timings: bool
    """Whether status lines say how long searches and model loads took."""
    status: str
    """The status line's text."""

    def open_reader(self, item_id: int) -> None: ...

    def open_link(self, url: str | None) -> None: ...

    def set_marks(
        self, item_id: int, *, read: bool | None = None, starred: bool | None = None
    ) -> None: ...

    def add_to_library(self, item_id: int, title: str) -> None: ...

    def show_similar(self, item_id: int, title: str) -> None: ...


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
    def radar_app(self) -> AppActions:
        return cast(AppActions, self.app)

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
    def _radar(self) -> AppActions:
        return cast(AppActions, self.app)  # type: ignore[attr-defined]

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
