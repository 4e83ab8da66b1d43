"""Feeds on the left, grouped by tag, each with its unread count."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from radar.session import ALL, FeedOverview, Selection
from radar.tui.text import one_line

COUNT_WIDTH = 5


class FeedList(OptionList):
    """Options: all items, then per tag a heading and its feeds. Highlighting one filters."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.selections: dict[str, Selection] = {}

    @staticmethod
    def _line(label: str, unread: int, style: str, indent: int = 0) -> Table:
        """One option: the label cut to the width available, the unread count right-aligned
        (a grid, so it fits whatever width the list has, scrollbar or not)."""
        grid = Table.grid(expand=True)
        grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        grid.add_column(justify="right", width=COUNT_WIDTH, no_wrap=True)
        count = Text(str(unread) if unread else "·", style="bold" if unread else "dim")
        grid.add_row(Text(" " * indent) + Text(one_line(label), style=style), count)
        return grid

    def show_overview(self, overview: FeedOverview) -> None:
        """Rebuild the options, keeping the highlighted one where it still exists."""
        highlighted = self.highlighted_option.id if self.highlighted_option else "all"
        options = [Option(self._line("All items", overview.unread, "bold"), id="all")]
        self.selections = {"all": ALL}
        for group in overview.groups:
            tag_id = f"tag:{group.tag}"
            label = f"#{group.tag}" if group.tag else "untagged"
            options.append(Option(self._line(label, group.unread, "bold magenta"), id=tag_id))
            self.selections[tag_id] = Selection("tag", group.tag) if group.tag else ALL
            for feed in group.feeds:
                feed_id = f"feed:{group.tag}:{feed.name}"
                style = "red" if feed.status == "error" else ("" if feed.unread else "dim")
                options.append(Option(self._line(feed.name, feed.unread, style, 2), id=feed_id))
                self.selections[feed_id] = Selection("feed", feed.name)
        self.set_options(options)
        ids = [option.id for option in options]
        self.highlighted = ids.index(highlighted) if highlighted in ids else 0

    def current_selection(self) -> Selection:
        option = self.highlighted_option
        return self.selections.get(option.id or "all", ALL) if option else ALL
