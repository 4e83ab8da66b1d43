"""`?`: every key, per screen, read from the bindings themselves so it never goes stale."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

Section = tuple[str, list[Iterable[BindingType]]]
COLUMNS = 3
KEY_WIDTH = 12


def _bindings(sources: Iterable[Iterable[BindingType]]) -> list[Binding]:
    found: dict[str, Binding] = {}
    for source in sources:
        for binding in source:
            if isinstance(binding, Binding) and binding.description:
                found.setdefault(binding.description, binding)
    return list(found.values())


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "app.pop_screen", "Close")]

    def __init__(self, sections: list[Section]) -> None:
        super().__init__(classes="dialog-screen")
        self.sections = sections

    def compose(self) -> ComposeResult:
        texts = [self._section(section) for section in self.sections]
        total = sum(len(text.plain.splitlines()) + 1 for text in texts)
        columns: list[list[Text]] = [[] for _ in range(COLUMNS)]
        lines = 0
        for text in texts:
            columns[min(lines * COLUMNS // total, COLUMNS - 1)].append(text)
            lines += len(text.plain.splitlines()) + 1
        with VerticalScroll(classes="dialog help"):
            yield Static(Text("Keys  (escape or ? closes)", style="bold"), classes="dialog-title")
            with Horizontal(classes="help-columns"):
                for column in columns:
                    yield Static(Text("\n").join(column), classes="help-column")

    def _section(self, section: Section) -> Text:
        title, sources = section
        text = Text(end="")
        text.append(f"{title}\n", style="bold underline")
        for binding in _bindings(sources):
            keys = ", ".join(
                self.app.get_key_display(Binding(key, binding.action))
                for key in binding.key.split(",")
            )
            text.append(f"  {keys:<{KEY_WIDTH}}", style="bold cyan")
            text.append(f"{binding.description}\n")
        return text

    def keys_text(self) -> Text:
        """Every section as one text (what the two columns show)."""
        return Text("\n").join(self._section(section) for section in self.sections)
