"""One item shown in full: title, feed, date, linked technologies, text, link."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from radar.dates import item_moment
from radar.session import ItemDetail
from radar.tui.text import body, one_line


def item_text(detail: ItemDetail, now: datetime | None = None) -> Text:
    """The item as literal text; nothing from the feed is interpreted as markup."""
    text = Text(end="")
    text.append(one_line(detail.title) or "(untitled)", style="bold")
    text.append("\n")
    meta = [
        one_line(", ".join(detail.feeds)) or "no feed",
        item_moment(detail.published, detail.first_seen),
    ]
    if detail.author:
        meta.append(one_line(detail.author))
    text.append(" · ".join(meta), style="dim")
    marks = []
    if detail.starred:
        marks.append("★ starred")
    marks.append("read" if detail.read else "unread")
    text.append("\n" + " · ".join(marks), style="yellow" if detail.starred else "dim")
    if detail.technologies:
        text.append("\nTechnologies: ", style="bold")
        text.append(one_line(", ".join(detail.technologies)), style="cyan")
    text.append("\n\n")
    text.append(body(detail.body))
    if detail.url:
        text.append("\n\nLink: ", style="bold")
        text.append(one_line(detail.url), style="underline")
    for enclosure in detail.enclosures:
        text.append("\nAttachment: ", style="bold")
        text.append(one_line(enclosure))
    return text


class ItemView(VerticalScroll):
    """A scrollable pane holding one item."""

    def compose(self) -> ComposeResult:
        yield Static(Text("Select an item to read it here.", style="dim"), classes="item-text")

    def show(self, detail: ItemDetail, *, from_top: bool = True) -> None:
        self.query_one(".item-text", Static).update(item_text(detail))
        if from_top:
            self.scroll_home(animate=False)
