"""Small dialogs: pick one value, and add / move / edit a technology on the radar."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from radar.tui.text import one_line


def _label(text: str, classes: str = "") -> Label:
    return Label(Text(text), classes=classes)


class PickerScreen(ModalScreen[object]):
    """Choose one of a few values; escape returns CANCELLED."""

    CANCELLED = object()
    BINDINGS = [
        Binding("escape,q", "cancel", "Cancel"),
        Binding("j", "pick_down", show=False),
        Binding("k", "pick_up", show=False),
    ]

    def __init__(self, title: str, choices: Sequence[tuple[str, object]]) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.choices = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield _label(self.title_text, "dialog-title")
            yield OptionList(
                *(
                    Option(Text(one_line(label)), id=str(i))
                    for i, (label, _) in enumerate(self.choices)
                ),
                id="choices",
            )

    @on(OptionList.OptionSelected, "#choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[int(event.option.id or 0)][1])

    def action_cancel(self) -> None:
        self.dismiss(self.CANCELLED)

    def action_pick_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_pick_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()


class StopAtEnds(OptionList):
    """An option list whose cursor stops at the first and last option (no wrapping
    round from hold to adopt)."""

    def action_cursor_down(self) -> None:
        if self.highlighted is None or self.highlighted < self.option_count - 1:
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.highlighted is None or self.highlighted > 0:
            super().action_cursor_up()


@dataclass(frozen=True)
class MoveRequest:
    ring: str
    rationale: str


class MoveTechScreen(ModalScreen[MoveRequest | None]):
    """Ask for the new ring and the rationale, then confirm naming both rings (a move
    stays in the history for good); refuses an empty rationale."""

    # `q` on the ring list cancels the dialog rather than quitting the app (in the
    # rationale box it is just a letter: the Input takes it first).
    BINDINGS = [Binding("escape,q", "cancel", "Cancel")]

    def __init__(self, name: str, current_ring: str, rings: Sequence[str]) -> None:
        super().__init__(classes="dialog-screen")
        self.tech_name = name
        self.current_ring = current_ring
        self.rings = list(rings)
        self.pending: MoveRequest | None = None
        """The move shown for confirmation; enter again carries it out."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield _label(
                f"Move {one_line(self.tech_name)} (now {self.current_ring})", "dialog-title"
            )
            yield _label("Ring (↑ ↓, enter to choose):")
            yield StopAtEnds(
                *(
                    Option(
                        Text(ring + ("  (current)" if ring == self.current_ring else "")), id=ring
                    )
                    for ring in self.rings
                ),
                id="rings",
            )
            yield _label("Why? (kept in the history; required)")
            yield Input(placeholder="rationale", id="rationale")
            yield Static(id="error", classes="dialog-error")
            yield _label("enter: move · escape: cancel", "dialog-help")

    def on_mount(self) -> None:
        rings = self.query_one("#rings", OptionList)
        current = self.rings.index(self.current_ring) if self.current_ring in self.rings else 0
        rings.highlighted = current
        rings.focus()

    @on(OptionList.OptionSelected, "#rings")
    def _ring_chosen(self) -> None:
        self.pending = None
        if self._chosen_ring() == self.current_ring:
            self._error(f"{self.tech_name} is already in {self.current_ring}: choose another ring")
            self.query_one("#rings", OptionList).focus()
            return
        self._say("")
        self.query_one("#rationale", Input).focus()

    def _chosen_ring(self) -> str:
        option = self.query_one("#rings", OptionList).highlighted_option
        return option.id if option and option.id else ""

    @on(Input.Submitted, "#rationale")
    def _submit(self) -> None:
        ring = self._chosen_ring()
        rationale = self.query_one("#rationale", Input).value.strip()
        if ring == self.current_ring:
            self._error(f"{self.tech_name} is already in {ring}: choose another ring")
        elif not rationale:
            self._error("A move needs a rationale: say why.")
        elif self.pending == MoveRequest(ring, rationale):
            self.dismiss(self.pending)
        else:
            self.pending = MoveRequest(ring, rationale)
            self._say(
                f"Move {one_line(self.tech_name)} from {self.current_ring} to {ring}? "
                "It stays in the history for good. enter: confirm · escape: cancel",
                style="bold yellow",
            )

    def _say(self, message: str, style: str = "bold red") -> None:
        self.query_one("#error", Static).update(Text(message, style=style))

    def _error(self, message: str) -> None:
        self.pending = None
        self._say(message)
        self.query_one("#rationale", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class AddRequest:
    name: str
    quadrant: str
    ring: str
    rationale: str
    description: str
    owner: str = ""
    aliases: tuple[str, ...] = ()


class AddTechScreen(ModalScreen[AddRequest | None]):
    """Name, quadrant, ring, rationale (required); optional description, owner and
    aliases (comma separated)."""

    BINDINGS = [Binding("escape,q", "cancel", "Cancel")]

    def __init__(self, quadrants: Sequence[str], rings: Sequence[str]) -> None:
        super().__init__(classes="dialog-screen")
        self.quadrants = list(quadrants)
        self.rings = list(rings)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield _label("Add a technology", "dialog-title")
            yield Input(placeholder="name", id="name")
            yield Select(
                [(Text(q), q) for q in self.quadrants],
                value=self.quadrants[0],
                allow_blank=False,
                id="quadrant",
            )
            yield Select(
                [(Text(r), r) for r in self.rings],
                value=self.rings[min(2, len(self.rings) - 1)],
                allow_blank=False,
                id="ring",
            )
            yield Input(placeholder="why (required)", id="rationale")
            yield Input(placeholder="description (optional)", id="description")
            yield Input(placeholder="owner, e.g. serving-team (optional)", id="owner")
            yield Input(placeholder="aliases, comma separated (optional)", id="aliases")
            yield Static(id="error", classes="dialog-error")
            yield _label("tab: next field · enter: add · escape: cancel", "dialog-help")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Input.Submitted)
    def _submit(self) -> None:
        name = self.query_one("#name", Input).value.strip()
        rationale = self.query_one("#rationale", Input).value.strip()
        if not name:
            self._error("A technology needs a name.", "#name")
        elif not rationale:
            self._error("Adding a technology needs a rationale: say why.", "#rationale")
        else:
            self.dismiss(
                AddRequest(
                    name=name,
                    quadrant=str(self.query_one("#quadrant", Select).value),
                    ring=str(self.query_one("#ring", Select).value),
                    rationale=rationale,
                    description=self.query_one("#description", Input).value.strip(),
                    owner=self.query_one("#owner", Input).value.strip(),
                    aliases=tuple(
                        alias.strip()
                        for alias in self.query_one("#aliases", Input).value.split(",")
                        if alias.strip()
                    ),
                )
            )

    def _error(self, message: str, field: str) -> None:
        self.query_one("#error", Static).update(Text(message, style="bold red"))
        self.query_one(field, Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class EditRequest:
    description: str
    owner: str
    aliases: list[str]
    production_use: str


class EditTechScreen(ModalScreen[EditRequest | None]):
    """Description, owner, aliases (comma separated) and production use."""

    BINDINGS = [Binding("escape,q", "cancel", "Cancel")]

    def __init__(
        self,
        name: str,
        *,
        description: str,
        owner: str,
        aliases: Sequence[str],
        production_use: str,
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.tech_name = name
        self.originals = {
            "description": description,
            "owner": owner,
            "aliases": ", ".join(aliases),
            "production_use": production_use,
        }
        # An Input holds one line; a multi-line value is kept as is unless edited.
        self.values = {field: one_line(value) for field, value in self.originals.items()}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield _label(f"Edit {one_line(self.tech_name)}", "dialog-title")
            for field, value in self.values.items():
                yield _label(field.replace("_", " "))
                yield Input(value=value, id=field)
            yield _label("enter: save · escape: cancel", "dialog-help")

    def on_mount(self) -> None:
        self.query_one("#description", Input).focus()

    @on(Input.Submitted)
    def _submit(self) -> None:
        def value(field: str) -> str:
            typed = self.query_one(f"#{field}", Input).value.strip()
            return self.originals[field] if typed == self.values[field] else typed

        aliases = [alias.strip() for alias in value("aliases").split(",") if alias.strip()]
        self.dismiss(
            EditRequest(value("description"), value("owner"), aliases, value("production_use"))
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
