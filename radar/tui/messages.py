"""Typed messages that workers post back to the UI thread.

Workers never touch widgets; they post one of these, and a handler on the screen or
the app updates what is shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from radar.ingest import FeedOutcome
    from radar.ops.runner import CycleResult
    from radar.search import SearchResult
    from radar.session import FeedOverview, Health, ItemDetail, ItemRow, Selection, Show
    from radar.techradar import TechRadar


class WorkFailed(Message):
    """A worker hit an error; `what` says what it was doing."""

    def __init__(self, what: str, error: str) -> None:
        super().__init__()
        self.what = what
        self.error = error


class LinkNotOpened(Message):
    """No web browser could open `url`: the app copies it to the clipboard instead."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url


class FeedsLoaded(Message):
    def __init__(self, overview: FeedOverview) -> None:
        super().__init__()
        self.overview = overview


class ItemsLoaded(Message):
    def __init__(
        self, generation: int, selection: Selection, show: Show, rows: list[ItemRow]
    ) -> None:
        super().__init__()
        self.generation = generation
        self.selection = selection
        self.show = show
        self.rows = rows


class ItemLoaded(Message):
    def __init__(self, detail: ItemDetail) -> None:
        super().__init__()
        self.detail = detail


class MarksSaved(Message):
    """A worker saved an item's read/star marks (posted to the app)."""

    def __init__(self, item_id: int, read: bool, starred: bool) -> None:
        super().__init__()
        self.item_id = item_id
        self.read = read
        self.starred = starred


class MarksChanged(Message, bubble=False):
    """An item's marks changed: the app tells each screen showing items."""

    def __init__(self, item_id: int, read: bool, starred: bool) -> None:
        super().__init__()
        self.item_id = item_id
        self.read = read
        self.starred = starred


class SearchReady(Message):
    def __init__(self, has_index: bool, seconds: float) -> None:
        super().__init__()
        self.has_index = has_index
        self.seconds = seconds


class SearchFinished(Message):
    def __init__(
        self,
        sequence: int,
        label: str,
        result: SearchResult | None,
        error: str | None,
        seconds: float,
    ) -> None:
        super().__init__()
        self.sequence = sequence
        self.label = label
        self.result = result
        self.error = error
        self.seconds = seconds


class RefreshProgress(Message):
    def __init__(self, outcome: FeedOutcome, done: int, total: int) -> None:
        super().__init__()
        self.outcome = outcome
        self.done = done
        self.total = total


class RefreshFinished(Message):
    """A refresh cycle ended: `result` when it ran, else `error`; `busy` when it did
    not start because another fetch holds the workspace lock."""

    def __init__(
        self, result: CycleResult | None, error: str | None = None, *, busy: bool = False
    ) -> None:
        super().__init__()
        self.result = result
        self.error = error
        self.busy = busy


class RefreshStage(Message):
    """A refresh step without a count, in words (preparing the search model)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class IndexProgress(Message):
    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total


class RadarLoaded(Message):
    def __init__(
        self,
        radar: TechRadar,
        mentions: dict[str, int],
        select: str | None,
        usage: dict[str, tuple[int, str]] | None = None,
    ) -> None:
        super().__init__()
        self.radar = radar
        self.mentions = mentions
        self.select = select
        self.usage = usage
        """Technology name -> (repositories using it, verdict); None before any usage scan."""


class EvidenceLoaded(Message):
    def __init__(self, name: str, evidence: dict[str, Any]) -> None:
        super().__init__()
        self.name = name
        self.evidence = evidence


class RadarSaved(Message):
    """A radar change was written to data/techradar.yaml."""

    def __init__(self, name: str, summary: str) -> None:
        super().__init__()
        self.name = name
        self.summary = summary


class HealthLoaded(Message):
    def __init__(self, health: Health) -> None:
        super().__init__()
        self.health = health


class ChoicesLoaded(Message):
    """Values a filter can take (feed names, tags), read for a picker."""

    def __init__(self, field: str, values: list[str]) -> None:
        super().__init__()
        self.field = field
        self.values = values
