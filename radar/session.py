"""A workspace opened for an interactive session: what the TUI's screens read and change.

A :class:`Session` serves one long-lived front end (today the TUI) from one workspace:
the news list and its marks, the team library, search with a warm model, a refresh
cycle, radar edits and health. It calls the same domain functions as the CLI (store,
ingest, index, search, techradar) and imports no UI, so it is tested on its own.

Every method may touch SQLite, the network, the embedding model or FAISS: call them
from worker threads. Each SQLite connection is used by one thread at a time: reads and
marks share one connection behind a lock, the searcher owns another (kept alive so the
model stays warm), and a refresh opens its own for the length of the run.
"""

from __future__ import annotations

import getpass
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from radar.store import DatabaseError, FeedStatusRow, ItemFilter, Store, from_iso, utc_now
from radar.store import ItemRow as StoredItem
from radar.workspace import Workspace

if TYPE_CHECKING:
    from radar.feeds.config import Config
    from radar.ingest import FeedOutcome, RunSummary
    from radar.library import Entry, Library
    from radar.ops.runner import CycleResult
    from radar.search import Searcher, SearchResult
    from radar.techradar import Technology, TechRadar

Show = Literal["all", "unread", "starred"]
SHOW_CYCLE: tuple[Show, ...] = ("all", "unread", "starred")
ITEM_LIMIT = 1000
"""Items listed at once in the news list; older ones are reached through search."""
SINCE_CHOICES: tuple[tuple[str, int | None], ...] = (
    ("any time", None),
    ("last day", 1),
    ("last 7 days", 7),
    ("last 30 days", 30),
    ("last 90 days", 90),
)
KIND_CHOICES: tuple[str, ...] = ("news", "docs", "releases", "papers")


@dataclass(frozen=True)
class FeedCount:
    name: str
    unread: int
    total: int
    status: str | None


@dataclass(frozen=True)
class TagGroup:
    tag: str
    """A tag, or "" for feeds without one."""
    unread: int
    feeds: tuple[FeedCount, ...]


@dataclass(frozen=True)
class FeedOverview:
    unread: int
    total: int
    starred: int
    groups: tuple[TagGroup, ...]


@dataclass(frozen=True)
class Selection:
    """Which items the news list shows: everything, one tag or one feed."""

    kind: Literal["all", "tag", "feed"] = "all"
    value: str = ""

    def filter(self, show: Show) -> ItemFilter:
        return ItemFilter(
            feed=self.value if self.kind == "feed" else None,
            tag=self.value if self.kind == "tag" else None,
            unread=show == "unread",
            starred=show == "starred",
        )


ALL = Selection()


@dataclass(frozen=True)
class ItemRow:
    id: int
    title: str
    feed: str
    when: datetime | None
    read: bool
    starred: bool
    url: str | None
    undated: bool = False
    """The feed gave no date: `when` is when radar first saw the item."""


@dataclass(frozen=True)
class ItemDetail:
    id: int
    title: str
    feeds: tuple[str, ...]
    author: str
    published: datetime | None
    first_seen: datetime | None
    url: str | None
    summary: str
    content: str
    read: bool
    starred: bool
    technologies: tuple[str, ...] = ()
    enclosures: tuple[str, ...] = ()

    @property
    def feed(self) -> str:
        return self.feeds[0] if self.feeds else ""

    @property
    def when(self) -> datetime | None:
        return self.published or self.first_seen

    @property
    def body(self) -> str:
        return self.content if len(self.content) > len(self.summary) else self.summary


@dataclass(frozen=True)
class SearchFilters:
    feed: str | None = None
    tag: str | None = None
    kind: str | None = None
    since_days: int | None = None

    def describe(self) -> str:
        parts = []
        if self.feed:
            parts.append(f"feed={self.feed}")
        if self.tag:
            parts.append(f"tag={self.tag}")
        if self.kind:
            parts.append(f"kind={self.kind}")
        if self.since_days:
            parts.append(f"since={self.since_days}d")
        return ", ".join(parts) or "none"


@dataclass(frozen=True)
class IndexStatus:
    exists: bool
    model: str | None
    configured_model: str
    indexed: int
    items: int
    embedded: int
    built_at: str | None
    size_bytes: int
    problem: str | None = None


@dataclass
class Health:
    feeds: list[FeedStatusRow]
    index: IndexStatus
    last_refresh: list[str] = field(default_factory=list)


def current_user() -> str:
    """Who made a change: $RADAR_USER, else the login name ("" when neither is known)."""
    try:
        return os.environ.get("RADAR_USER") or getpass.getuser()
    except (KeyError, OSError):
        return ""


class Session:
    """One workspace as an interactive front end uses it. Blocking: call from worker threads."""

    def __init__(
        self,
        workspace: Workspace,
        *,
        clock: Callable[[], datetime] = utc_now,
        user: str | None = None,
    ) -> None:
        self.workspace = workspace
        self.clock = clock
        """The app's "now": item ages, search's --since, radar dates, mention counts and
        evidence weeks, refresh timestamps. Tests pin it."""
        self.user = current_user() if user is None else user
        self.last_run: RunSummary | None = None
        self._store: Store | None = None
        self._store_lock = threading.Lock()
        self._searcher: Searcher | None = None
        self._search_lock = threading.Lock()
        self._radar_lock = threading.Lock()
        self._refresh_lock = threading.Lock()

    # --- plumbing ----------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.clock().date()

    @contextmanager
    def store(self) -> Iterator[Store]:
        """The shared reading connection, held by one thread at a time."""
        with self._store_lock:
            if self._store is None:
                self._store = Store(self.workspace.db_path)
            yield self._store

    def config(self) -> Config:
        from radar.feeds.config import load_config

        return load_config(self.workspace.feeds_path)

    def close(self) -> None:
        with self._store_lock:
            if self._store is not None:
                self._store.close()
                self._store = None
        with self._search_lock:
            if self._searcher is not None:
                self._searcher.store.close()
                self._searcher = None

    # --- news --------------------------------------------------------------------------

    def feed_overview(self) -> FeedOverview:
        """Feeds grouped by tag, with unread counts (a feed appears under each of its tags)."""
        with self.store() as store:
            feeds = store.feed_unread_counts()
            tag_unread = store.tag_unread_counts()
            totals = store.mark_totals()
        by_tag: dict[str, list[FeedCount]] = {}
        for feed in feeds:
            count = FeedCount(feed.name, feed.unread, feed.total, feed.last_status)
            for tag in feed.tags or ("",):
                by_tag.setdefault(tag, []).append(count)
        groups = tuple(
            TagGroup(
                tag,
                tag_unread.get(tag, sum(feed.unread for feed in feeds)),
                tuple(feeds),
            )
            for tag, feeds in sorted(by_tag.items(), key=lambda pair: (pair[0] == "", pair[0]))
        )
        return FeedOverview(totals.unread, totals.total, totals.starred, groups)

    def items(self, selection: Selection = ALL, show: Show = "all") -> list[ItemRow]:
        with self.store() as store:
            rows = store.list_items(selection.filter(show), limit=ITEM_LIMIT)
        return [_item_row(row) for row in rows]

    # --- the team library (radar/library) ---------------------------------------------

    def library(self) -> Library:
        from radar.library import load_workspace_library

        return load_workspace_library(self.workspace)

    def add_to_library(self, item_id: int, note: str, tags: tuple[str, ...] = ()) -> Entry:
        from radar.library import add_from_item

        entry, _ = add_from_item(
            self.workspace, item_id, note, by=self.user, today=self.today(), tags=tags
        )
        return entry

    def item(self, item_id: int) -> ItemDetail:
        with self.store() as store:
            data = store.get_item(item_id)
            technologies = _linked_technologies(store, item_id)
        return ItemDetail(
            id=int(data["id"]),
            title=data["title"] or "",
            feeds=tuple(data["feeds"]),
            author=data["author"] or "",
            published=from_iso(data["published"]),
            first_seen=from_iso(data["first_seen"]),
            url=data["url"],
            summary=data["summary"] or "",
            content=data["content"] or "",
            read=bool(data["read"]),
            starred=bool(data["starred"]),
            technologies=technologies,
            enclosures=tuple(
                str(enclosure.get("url", "")) for enclosure in data.get("enclosures") or []
            ),
        )

    def mark(self, item_id: int, *, read: bool | None = None, starred: bool | None = None) -> None:
        """Set read/star marks through the store, as `radar items mark` does."""
        with self.store() as store:
            store.mark(item_id, read=read, starred=starred)

    def feed_names(self) -> list[str]:
        return [feed.name for feed in self.config().feeds]

    def tags(self) -> list[str]:
        return sorted({tag for feed in self.config().feeds for tag in feed.tags})

    # --- search ------------------------------------------------------------------------

    @contextmanager
    def searcher(self) -> Iterator[Searcher]:
        """The one Searcher, created on first use and kept so its model stays loaded."""
        with self._search_lock:
            if self._searcher is None:
                from radar.search import Searcher

                self._searcher = Searcher(
                    self.workspace, Store(self.workspace.db_path), self.config().settings.model
                )
            yield self._searcher

    def warm_up(self) -> bool:
        """Load the query model and the index ahead of the first search; False if no index."""
        with self.searcher() as searcher:
            if searcher.index() is None:
                return False
            searcher.embedder()
            return True

    def _item_filter(self, filters: SearchFilters) -> ItemFilter:
        since = self.now() - timedelta(days=filters.since_days) if filters.since_days else None
        return ItemFilter(feed=filters.feed, tag=filters.tag, kind=filters.kind, since=since)

    def search(
        self,
        text: str,
        filters: SearchFilters,
        *,
        mode: str = "hybrid",
        limit: int = 50,
        sort: str = "relevance",
    ) -> SearchResult:
        """The CLI's search, with each hit's explanation (the x key shows it)."""
        with self.searcher() as searcher:
            return searcher.search(
                text,
                self._item_filter(filters),
                limit=limit,
                mode=mode,
                sort=sort,
                explain=True,
                scope="items",
            )

    def similar(
        self, item_id: int, filters: SearchFilters | None = None, *, limit: int = 50
    ) -> SearchResult:
        item_filter = self._item_filter(filters or SearchFilters())
        with self.searcher() as searcher:
            return searcher.similar(item_id, limit=limit, filters=item_filter)

    # --- refresh -----------------------------------------------------------------------

    def refresh(
        self,
        progress: Callable[[FeedOutcome, int, int], None],
        index_progress: Callable[[int, int], None] | None = None,
        stage: Callable[[str], None] | None = None,
    ) -> CycleResult:
        """One cycle as `radar fetch --all` runs it: fetch every feed, embed and index
        what came in, link it to technologies and record the run in ``fetch_runs``
        (trigger ``tui``). Runs on a connection of its own under the workspace's fetch
        lock; raises LockBusy when another fetch (CLI, watch, another TUI) holds it."""
        from radar.errors import LockBusy
        from radar.ops.runner import run_cycle

        if not self._refresh_lock.acquire(blocking=False):
            raise LockBusy("a refresh is already running")
        try:
            config = self.config()
            self.workspace.ensure_data_dir()
            with self._fetch_lock(), Store(self.workspace.db_path) as store:
                result = run_cycle(
                    store,
                    self.workspace,
                    config,
                    trigger="tui",
                    all_feeds=True,
                    progress=progress,
                    embed_progress=index_progress,
                    stage=stage,
                    clock=self.clock,
                )
            self.last_run = result.summary
            return result
        finally:
            self._refresh_lock.release()

    @contextmanager
    def _fetch_lock(self) -> Iterator[None]:
        """The workspace lock `radar fetch` and `radar watch` take, without waiting; its
        LockBusy says what to do in the TUI (the CLI's says --wait)."""
        from radar.errors import LockBusy
        from radar.lock import WorkspaceLock

        lock = WorkspaceLock(self.workspace.lock_path)
        try:
            lock.acquire()
        except LockBusy:
            raise LockBusy(
                f"another radar fetch is running in this workspace (pid {lock.holder()}); "
                "refresh again when it has finished"
            ) from None
        try:
            yield
        finally:
            lock.release()

    # --- tech radar --------------------------------------------------------------------

    def radar(self) -> TechRadar:
        from radar.techradar import load_workspace_radar

        return load_workspace_radar(self.workspace)

    def refresh_links(self) -> None:
        """Catch links up with a radar file edited outside radar (the radar screen's load)."""
        from radar.techradar import refresh_links

        refresh_links(self.workspace)

    def usage_summary(self) -> dict[str, tuple[int, str]] | None:
        """Per technology: how many scanned repositories use it, and its radar-vs-reality
        verdict (radar.usage.report); None when no repository was ever scanned."""
        from radar.usage.service import current_report

        report = current_report(self.workspace, self.radar())
        if report is None:
            return None
        return {tech.name: (len(tech.repos), tech.verdict) for tech in report.technologies}

    def mention_counts(self) -> dict[str, int]:
        """Items per technology in the 30 days before the backend's clock."""
        from radar.techradar import mention_counts

        return mention_counts(self.workspace, now=self.now())

    def evidence(self, name: str) -> dict[str, Any]:
        """A technology's evidence; its weekly counts end in the backend clock's week."""
        from radar.techradar import evidence

        radar = self.radar()
        return evidence(self.workspace, radar.get(name), now=self.now())

    def _change_radar(self, change: Callable[[TechRadar], Technology]) -> Technology:
        """Load, change and save the radar file, then let the rest of radar catch up."""
        from radar.techradar import radar_changed, save_radar

        with self._radar_lock:
            radar = self.radar()
            changed = change(radar)
            self.workspace.ensure_data_dir()
            save_radar(radar, self.workspace.techradar_path)
            radar_changed(self.workspace, radar, [changed.name])
            return changed

    def move_tech(self, name: str, ring: str, rationale: str) -> Technology:
        return self._change_radar(
            lambda radar: radar.move(
                name, ring, rationale=rationale, by=self.user, today=self.today()
            )
        )

    def add_tech(
        self,
        name: str,
        *,
        quadrant: str,
        ring: str,
        rationale: str,
        description: str = "",
        owner: str = "",
        aliases: Sequence[str] = (),
    ) -> Technology:
        return self._change_radar(
            lambda radar: radar.add(
                name,
                quadrant=quadrant,
                ring=ring,
                rationale=rationale,
                by=self.user,
                description=description,
                owner=owner,
                aliases=aliases,
                today=self.today(),
            )
        )

    def edit_tech(
        self,
        name: str,
        *,
        description: str,
        owner: str,
        aliases: list[str],
        production_use: str,
    ) -> Technology:
        def change(radar: TechRadar) -> Technology:
            tech = radar.get(name)
            wanted = {alias.casefold(): alias for alias in aliases}
            radar.edit(
                tech.name,
                description=description,
                owner=owner,
                production_use=production_use,
                add_aliases=[a for key, a in wanted.items() if key not in _folded(tech.aliases)],
                remove_aliases=[a for a in tech.aliases if a.casefold() not in wanted],
                today=self.today(),
            )
            return tech

        return self._change_radar(change)

    # --- health ------------------------------------------------------------------------

    def health(self) -> Health:
        with self.store() as store:
            feeds = store.feed_status()
            items = store.item_count()
            embedded = store.embedded_count()
            latest = store.latest_fetch(configured_only=True)
        return Health(
            feeds, self._index_status(items, embedded), self._refresh_lines(feeds, latest)
        )

    def _index_status(self, items: int, embedded: int) -> IndexStatus:
        from radar.errors import RadarError
        from radar.index import read_meta

        configured = self.config().settings.model
        path = self.workspace.index_path
        size = path.stat().st_size if path.exists() else 0
        try:
            meta = read_meta(self.workspace)
        except RadarError as exc:
            return IndexStatus(
                path.exists(), None, configured, 0, items, embedded, None, size, str(exc)
            )
        problem = None
        if meta is None:
            problem = "no search index yet; refresh (r) builds it"
        elif meta.model != configured:
            problem = f"built with {meta.model}, feeds.yaml asks for {configured}"
        elif meta.count != items:
            problem = f"{items - meta.count} items not indexed yet"
        return IndexStatus(
            exists=path.exists(),
            model=meta.model if meta else None,
            configured_model=configured,
            indexed=meta.count if meta else 0,
            items=items,
            embedded=embedded,
            built_at=meta.built_at if meta else None,
            size_bytes=size,
            problem=problem,
        )

    def _refresh_lines(self, feeds: list[FeedStatusRow], latest: datetime | None) -> list[str]:
        run = self.last_run
        if run is not None:
            lines = [f"this session, {run.started:%Y-%m-%d %H:%M} UTC: {run.line()}"]
            for outcome in run.outcomes:
                if outcome.status == "error":
                    lines.append(f"failed: {outcome.name}: {outcome.error_kind}: {outcome.error}")
            return lines
        if latest is None:
            return ["never refreshed: press r to fetch every feed"]
        statuses: dict[str, int] = {}
        for feed in feeds:
            statuses[feed["last_status"] or "never"] = (
                statuses.get(feed["last_status"] or "never", 0) + 1
            )
        counts = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
        return [f"last fetch {latest:%Y-%m-%d %H:%M:%S} UTC: {len(feeds)} feeds: {counts}"]


def _folded(values: list[str]) -> set[str]:
    return {value.casefold() for value in values}


def _item_row(row: StoredItem) -> ItemRow:
    return ItemRow(
        id=int(row["id"]),
        title=row["title"] or "",
        feed=row["feed"] or "",
        when=from_iso(row["published"] or row["first_seen"]),
        read=bool(row["read"]),
        starred=bool(row["starred"]),
        url=row["url"],
        undated=not row["published"],
    )


def _linked_technologies(store: Store, item_id: int) -> tuple[str, ...]:
    """Technologies linked to an item by news linking (the item_tech table), best first;
    nothing when this database has no links yet."""
    try:
        return tuple(store.technology_names_for_item(item_id))
    except DatabaseError:
        return ()
