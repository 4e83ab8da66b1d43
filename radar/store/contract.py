"""The storage contract: what radar asks of a database, as a `typing.Protocol`.

`radar.store.Store` (SQLite) implements it, and mypy checks that it does (the function at
the end). A second backend (PostgreSQL, for a team sharing one instance) would implement
the same methods; nothing here names a SQLite type, and SQLite's tricks (FTS5 and bm25,
json_each, ids assigned before an executemany) stay behind these methods. ``query``,
``transaction`` and ``conn`` are the SQLite backend's own, not part of the contract.

The feature tables added later (repository usage, the team library, delivery) are reached
through sub-objects (``usage``, ``library``, ``delivery``), declared here as properties. For
now they are typed as the SQLite classes themselves (`UsageTables`, `LibraryTables`,
`DeliveryTables`): a second backend would give each its own Protocol, listing the methods
those classes have, before implementing them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from radar.feeds.config import FeedConfig
from radar.feeds.model import Item
from radar.store.feeds import FeedRow, FeedSchedule, FeedStatusRow, FeedUnread
from radar.store.filters import NO_FILTER, ItemFilter
from radar.store.health import FeedHealthRow
from radar.store.items import (
    DatedItem,
    IngestStats,
    ItemDetail,
    ItemRow,
    ItemSource,
    ItemTitle,
    MarkTotals,
)
from radar.store.links import (
    ItemLink,
    ItemRelease,
    LinkableItem,
    LinkedItem,
    LinkRow,
    MirrorRow,
    ReleaseRow,
    StoredRelease,
    StoredReleaseOwner,
)
from radar.store.runs import RunKind, StoredRun
from radar.store.vectors import EmbeddingState

if TYPE_CHECKING:
    from radar.store.delivery import DeliveryTables
    from radar.store.library import LibraryTables
    from radar.store.usage import UsageTables

T = TypeVar("T")


class StorageBackend(Protocol):
    """Every read and write radar makes of its database, by table group."""

    # --- the whole database -----------------------------------------------------------

    def quick_check(self) -> str:
        """SQLite's quick integrity check: "ok" or what is damaged."""
        ...

    def integrity_check(self) -> str:
        """SQLite's full integrity check: "ok" or what is damaged."""
        ...

    # --- feeds (feeds.py) -------------------------------------------------------------

    def configured_feed_count(self) -> int:
        """How many feeds feeds.yaml lists."""
        ...

    def latest_fetch(self, *, configured_only: bool = False) -> datetime | None:
        """When any feed (only those feeds.yaml lists, if asked) was last fetched (None:
        never)."""
        ...

    def feed_unread_counts(self) -> list[FeedUnread]:
        """Each configured feed with its tags, last status, and total and unread items."""
        ...

    def tag_unread_counts(self) -> dict[str, int]:
        """Unread items carried by the configured feeds of each tag (an item counted once)."""
        ...

    def feed_schedules(self) -> list[FeedSchedule]:
        """Every configured feed's next due time and Retry-After."""
        ...

    def sync_feeds(self, feeds: Iterable[FeedConfig]) -> None:
        """Mirror feeds.yaml into the feeds table; feeds no longer listed keep their items."""
        ...

    def feed_row(self, name: str) -> FeedRow:
        """Every stored column of the feed named `name`; NotFound if there is none."""
        ...

    def resolve_feed(self, given: str) -> str:
        """The stored feed `given` names (case-insensitive, unique prefix); NotFound names the
        closest feeds."""
        ...

    def resolve_tag(self, given: str) -> str:
        """The tag of some stored feed that `given` names, like `resolve_feed`."""
        ...

    def feed_status(self) -> list[FeedStatusRow]:
        """Every configured feed with its fetch state and item count, by name."""
        ...

    def record_success(
        self,
        name: str,
        *,
        status: str,
        http_status: int | None,
        etag: str | None,
        last_modified: str | None,
        title: str | None = None,
        site_url: str | None = None,
        problem: str | None = None,
        ttl_minutes: int | None = None,
        new_url: str | None = None,
        got_new_items: bool = False,
        when: datetime | None = None,
        next_due: datetime | None = None,
    ) -> None:
        """Record a feed's successful fetch (or 304): validators, title, next due time."""
        ...

    def record_failure(
        self,
        name: str,
        *,
        error_kind: str,
        message: str,
        http_status: int | None = None,
        retry_after: datetime | None = None,
        gone: bool = False,
        when: datetime | None = None,
        next_due: datetime | None = None,
    ) -> None:
        """Record a feed's failed fetch: what went wrong, Retry-After, next due time."""
        ...

    # --- items and item_sources (items.py) --------------------------------------------

    def all_item_ids(self) -> list[int]:
        """Every stored item's id, ascending."""
        ...

    def item_titles_between(
        self, start: datetime, end: datetime, *, without_releases: bool = False
    ) -> list[ItemTitle]:
        """Id, title and date of the items dated in [start, end), by id; optionally leaving out
        parsed release items."""
        ...

    def items_in_range(self, start: datetime, end: datetime) -> list[DatedItem]:
        """Items dated (published, else first seen) in [start, end), oldest first."""
        ...

    def item_sources(self, item_ids: Sequence[int]) -> list[ItemSource]:
        """The feeds that carried these items, by item, in the order they first did."""
        ...

    def days_with_items(self) -> list[tuple[date, int]]:
        """Each day (by item date) that holds items and how many, newest first."""
        ...

    def mark_totals(self) -> MarkTotals:
        """How many items there are, unread and starred."""
        ...

    def count_first_seen(self, since: datetime, until: datetime) -> int:
        """How many items were first seen in [since, until)."""
        ...

    def first_item_seen(self) -> datetime | None:
        """When the first stored item was first seen (None: no items)."""
        ...

    def feed_id(self, name: str) -> int:
        """The id of the feed named `name`; NotFound if there is none."""
        ...

    def ingest(
        self,
        feed_name: str,
        items: Sequence[Item],
        *,
        now: datetime | None = None,
        explain: bool = False,
    ) -> IngestStats:
        """Store one feed's items in one transaction, de-duplicated; return what changed."""
        ...

    def list_items(
        self, filters: ItemFilter = NO_FILTER, *, limit: int | None = 50, offset: int = 0
    ) -> list[ItemRow]:
        """Items matching `filters`, newest first, each with its first feed's name."""
        ...

    def filtered_item_ids(self, filters: ItemFilter) -> list[int]:
        """Ids of every item matching `filters`."""
        ...

    def published_dates(self, item_ids: Sequence[int]) -> dict[int, str | None]:
        """Each item's publication date (stored ISO string, None: undated)."""
        ...

    def sort_dates(self, item_ids: Sequence[int]) -> dict[int, str]:
        """Each item's date as listings sort it (published, else first seen; ISO string)."""
        ...

    def count_items(self, filters: ItemFilter = NO_FILTER) -> int:
        """How many items match `filters`."""
        ...

    def mark_all(self, filters: ItemFilter, *, read: bool) -> int:
        """Mark every item matching `filters` read (or unread); returns how many changed."""
        ...

    def get_item(self, item_id: int) -> ItemDetail:
        """One item with every feed that carried it; NotFound if there is none."""
        ...

    def mark(self, item_id: int, *, read: bool | None = None, starred: bool | None = None) -> None:
        """Set read/star marks; they survive re-fetches."""
        ...

    def item_count(self) -> int:
        """How many items are stored."""
        ...

    # --- lexical search (fts.py) ------------------------------------------------------

    def fts_stems(self, tokens: Sequence[str]) -> dict[str, list[str]]:
        """Each word's index terms as the full-text tokenizer makes them (a version string
        gives several); words it drops are absent."""
        ...

    def fts_extent(self) -> tuple[int, int]:
        """(highest indexed item id, how many items are indexed); the count is a full scan."""
        ...

    def fts_top_id(self) -> int:
        """The highest indexed item id (0: none), without counting."""
        ...

    def fts_match_count(self, fts_query: str) -> int:
        """How many items an FTS5 query matches."""
        ...

    def lexical_candidates(
        self,
        fts_query: str,
        budget: int,
        *,
        weights: Sequence[float],
        min_id: int = 0,
        filters: ItemFilter | None = None,
    ) -> list[tuple[int, float]]:
        """Up to ``budget`` (item id, BM25 relevance) pairs matching an FTS5 query, best first
        (higher is better); ``weights`` per column of SEARCH_COLUMNS, ``min_id`` the lowest
        id to consider, ``filters`` applied before ranking."""
        ...

    def searchable_texts(self, item_ids: Sequence[int], content_chars: int) -> dict[int, str]:
        """Each item's title, summary, the start of its content and its search terms, as one
        text, a line each (for telling which query words an item holds, and where)."""
        ...

    def text_matches(self, fts_query: str) -> set[int]:
        """Ids of items whose indexed text matches an FTS5 query (e.g."""
        ...

    # --- item vectors (vectors.py) ----------------------------------------------------

    def embedded_count(self) -> int:
        """How many items have a stored vector (of any model)."""
        ...

    def item_vectors(self, fingerprint: str | None, item_ids: Sequence[int]) -> dict[int, bytes]:
        """Stored float32 vectors (raw bytes) of these items made by the model ``fingerprint``
        (None: whichever model made them)."""
        ...

    def embedding_states(self) -> Iterator[EmbeddingState]:
        """Every item's text fields and the hash and model of its stored vector, by id (read
        lazily: a first index of a large collection never holds every text)."""
        ...

    def unembedded_ids(self, fingerprint: str) -> list[int]:
        """Items with no vector from this model or whose text changed since (by id)."""
        ...

    def item_texts(self, item_ids: Sequence[int]) -> dict[int, tuple[str, str, str]]:
        """(title, summary, content) of these items (ids no longer stored are absent)."""
        ...

    def save_item_vectors(self, rows: Sequence[tuple[int, str, str, bytes]]) -> None:
        """Store (item id, model fingerprint, text hash, float32 bytes) rows in one
        transaction, replacing each item's previous vector."""
        ...

    def vectors_by_id(
        self, fingerprint: str, only: Sequence[int] | None = None
    ) -> list[tuple[int, bytes]]:
        """(item id, float32 bytes) of the vectors a model made, by id; ``only``: these items."""
        ...

    def embedded_ids(self, fingerprint: str) -> set[int]:
        """Ids of the items with a vector made by this model."""
        ...

    # --- links, releases, technologies mirror (links.py) ------------------------------

    def mirrored_technologies(self) -> dict[str, MirrorRow]:
        """The technologies mirror, by slug."""
        ...

    def mirror_technologies(
        self, stale: Sequence[MirrorRow], gone: Sequence[str], renamed: Sequence[str]
    ) -> None:
        """In one transaction: upsert ``stale`` rows, drop ``gone`` technologies with their
        links and cached vectors, and refresh the search terms of items whose linked
        technology was dropped or renamed."""
        ...

    def refresh_links_if_radar_changed(
        self, mirror: Sequence[MirrorRow], relink: Callable[[], T]
    ) -> T | None:
        """The one catch-up step after a hand edit or a `git pull` of the radar file: compare
        the radar as it is now (``mirror``: one row per technology) with the stored mirror,
        and only if they differ run ``relink`` (the caller's linking, which rewrites mirror
        and links)."""
        ...

    def tech_vector(self, slug: str, fingerprint: str) -> tuple[str, bytes] | None:
        """The cached description vector of a technology for a model: (text hash, float32
        bytes)."""
        ...

    def save_tech_vector(self, slug: str, fingerprint: str, text_hash: str, vector: bytes) -> None:
        """Cache a technology's description vector for a model."""
        ...

    def linkable_items(self, item_ids: Sequence[int]) -> list[LinkableItem]:
        """The text and carrying feeds of these items (unknown ids are skipped)."""
        ...

    def replace_links(
        self, item_ids: Sequence[int], links: Sequence[LinkRow], releases: Sequence[ReleaseRow]
    ) -> None:
        """In one transaction: these items' links and release rows become exactly the given
        ones."""
        ...

    def items_linked_to_any(self, slugs: Sequence[str]) -> set[int]:
        """Ids of items linked to any of these technologies."""
        ...

    def release_owners(self) -> list[StoredReleaseOwner]:
        """Every parsed release item with the technology that owns it and its project."""
        ...

    def unparsed_release_feed_items(self) -> set[int]:
        """Items of release feeds that have no parsed release row."""
        ...

    def items_for_tech(
        self,
        slug: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> list[LinkedItem]:
        """Items linked to a technology, newest first; ``since``/``until`` bound the item's
        date."""
        ...

    def technologies_for_items(self, item_ids: Sequence[int]) -> dict[int, list[str]]:
        """Slugs linked to each item, sorted (items without links are absent)."""
        ...

    def links_of_items(self, item_ids: Sequence[int]) -> dict[int, list[ItemLink]]:
        """Each item's links to technologies, by slug (items without links are absent)."""
        ...

    def releases_of_items(self, item_ids: Sequence[int]) -> dict[int, ItemRelease]:
        """The parsed release of each of these items that is one."""
        ...

    def technology_names_for_item(self, item_id: int) -> list[str]:
        """Names of the technologies an item is linked to, best link first (slug when the
        mirror lacks the technology)."""
        ...

    def mention_counts(self, since: datetime) -> dict[str, int]:
        """How many linked items dated from ``since`` each technology has, by slug."""
        ...

    def mention_dates(self, slug: str, since: datetime) -> list[datetime]:
        """The dates of the items linked to a technology, from ``since``."""
        ...

    def mentions_between(self, start: datetime, end: datetime) -> list[tuple[str, datetime]]:
        """(technology slug, item date) of every link whose item is dated in [start, end)."""
        ...

    def mention_total(self, slug: str) -> int:
        """How many items are linked to a technology."""
        ...

    def releases_of(self, slug: str) -> list[StoredRelease]:
        """A technology's release items, in no particular order."""
        ...

    def release_item_ids(self, slug: str) -> set[int]:
        """Ids of a technology's own release items."""
        ...

    # --- feature tables, as sub-objects (usage.py, library.py, delivery.py) ------------
    # Typed as the SQLite implementations for now (see the module docstring).

    @property
    def usage(self) -> UsageTables:
        """Usage snapshots of the team's repositories: what each scan found, and the
        releases already seen."""
        ...

    @property
    def library(self) -> LibraryTables:
        """The team library's search index and private item notes."""
        ...

    @property
    def delivery(self) -> DeliveryTables:
        """The outbox of digests and alerts, and the releases already alerted."""
        ...

    # --- fetch runs (runs.py) ---------------------------------------------------------

    def record_fetch_run(self, run: Mapping[str, Any], *, prune_before: datetime) -> int:
        """Insert one run (keys: RUN_COLUMNS, dates as datetimes) and drop runs started before
        ``prune_before``, in one transaction; return the new run's id."""
        ...

    def fetch_runs(self, limit: int | None = 20) -> list[StoredRun]:
        """Fetch runs, most recently started first."""
        ...

    def last_fetch_run(self, kind: RunKind = "any") -> StoredRun | None:
        """The run that finished last; ``successful``: that fetched a feed; ``tried``: that
        tried one (or failed before it could)."""
        ...

    # --- feed health (health.py) ------------------------------------------------------

    def feed_health(self, as_of: datetime) -> list[FeedHealthRow]:
        """Every configured feed's state, counting only items dated before ``as_of``."""
        ...


if TYPE_CHECKING:
    from radar.store import Store

    def _sqlite_store_implements_the_contract(store: Store) -> StorageBackend:
        return store
