"""Screen 4, Health: per-feed status, the search index, and the last refresh."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from radar.session import Health, IndexStatus
from radar.store import FeedStatusRow
from radar.tui.messages import HealthLoaded, WorkFailed
from radar.tui.screens.base import BaseScreen
from radar.tui.text import one_line, plain
from radar.tui.widgets.flex_table import FlexTable

STATUS_STYLES = {"ok": "green", "not_modified": "green", "error": "bold red", "deferred": "yellow"}


def _when(iso: str | None) -> Text:
    return Text((iso or "never").replace("T", " ").rstrip("Z")[:16], style="" if iso else "dim")


class FeedHealthTable(FlexTable):
    COLUMNS = (
        ("Feed", "name", 28),
        ("Kind", "kind", 8),
        ("Status", "status", 18),
        ("HTTP", "http", 4),
        ("Last fetch", "fetched", 16),
        ("Last OK", "ok", 16),
        ("Items", "items", 5),
        ("Errors", "errors", 6),
        ("Problem", "problem", None),
    )

    def show_feeds(self, feeds: list[FeedStatusRow]) -> None:
        rows = []
        for feed in feeds:
            status = feed["last_status"] or "never"
            problem = feed["last_error"] or feed["problem"] or ""
            errors = feed["error_count"] or 0
            cells = (
                plain(feed["name"], "bold"),
                plain(feed["kind"] or ""),
                Text(status, style=STATUS_STYLES.get(status, "dim")),
                Text(str(feed["http_status"] or ""), style="dim"),
                _when(feed["last_fetched"]),
                _when(feed["last_ok"]),
                Text(str(feed["item_count"] or 0), justify="right"),
                Text(str(errors or ""), style="red" if errors else "", justify="right"),
                plain(str(problem), "red" if status == "error" else "yellow"),
            )
            rows.append((str(feed["name"]), cells))
        self.set_rows(rows, keep=self.current_key())


def index_text(index: IndexStatus) -> Text:
    text = Text(end="")
    rows = [
        ("index file", "present" if index.exists else "missing"),
        ("model", index.model or "-"),
        ("configured model", index.configured_model),
        ("indexed", f"{index.indexed} of {index.items} items"),
        ("embedded", str(index.embedded)),
        ("built", (index.built_at or "never").replace("T", " ").rstrip("Z")),
        ("size", f"{index.size_bytes / 1024:.0f} KiB"),
    ]
    for label, value in rows:
        text.append(f"{label + ':':<18}", style="dim")
        text.append(one_line(value) + "\n")
    if index.problem:
        text.append(one_line(index.problem), style="yellow")
    else:
        text.append("in step with the database", style="green")
    return text


class HealthScreen(BaseScreen):
    MODE = "health"
    BINDINGS = [Binding("g", "reload", "Reload")]

    def compose_body(self) -> Iterable[Widget]:
        yield FeedHealthTable(id="feed-health")
        with Horizontal(id="health-bottom"):
            with VerticalScroll(id="index-status"):
                yield Static(id="index-text")
            with VerticalScroll(id="refresh-summary"):
                yield Static(id="refresh-text")

    def on_mount(self) -> None:
        self.query_one("#feed-health").border_title = "Feeds"
        self.query_one("#index-status").border_title = "Search index"
        self.query_one("#refresh-summary").border_title = "Last refresh"
        self.query_one(FeedHealthTable).focus()

    def on_screen_resume(self) -> None:
        self.load()

    def action_reload(self) -> None:
        self.load()

    def data_changed(self) -> None:
        self.load()

    @work(thread=True, group="health", exclusive=True, exit_on_error=False)
    def load(self) -> None:
        try:
            self.post_message(HealthLoaded(self.backend.health()))
        except Exception as exc:  # noqa: BLE001
            self.post_message(WorkFailed("reading feed health", str(exc)))

    def on_health_loaded(self, message: HealthLoaded) -> None:
        health: Health = message.health
        self.query_one(FeedHealthTable).show_feeds(health.feeds)
        self.query_one("#index-text", Static).update(index_text(health.index))
        summary = Text("\n").join(Text(one_line(line)) for line in health.last_refresh)
        self.query_one("#refresh-text", Static).update(summary)
