"""The SQLite database in data/radar.db: schema migrations, reads and writes, FTS5.

One connection per Store; WAL mode and a busy timeout let readers (TUI, search)
work while a fetch writes. Each feed's items are written in one short transaction.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from radar.errors import RadarError
from radar.store.base import (
    BUSY_TIMEOUT_MS,
    DatabaseError,
    StorageError,
    from_iso,
    to_iso,
    utc_now,
)
from radar.store.feeds import FeedRow, FeedSchedule, FeedsMixin, FeedStatusRow, FeedUnread
from radar.store.filters import NO_FILTER, ItemFilter
from radar.store.fts import SEARCH_COLUMNS, FtsMixin, refresh_search_terms
from radar.store.health import FeedHealthRow, HealthMixin
from radar.store.items import (
    DatedItem,
    IngestStats,
    ItemDetail,
    ItemRow,
    ItemsMixin,
    ItemSource,
    ItemTitle,
    MarkTotals,
    Match,
    MatchRule,
    StoredEnclosure,
    links_agree,
    title_key,
)
from radar.store.links import (
    ItemLink,
    ItemRelease,
    LinkableFeed,
    LinkableItem,
    LinkedItem,
    LinkRow,
    LinksMixin,
    MirrorRow,
    ReleaseRow,
    StoredRelease,
    StoredReleaseOwner,
)
from radar.store.runs import RunsMixin, StoredRun
from radar.store.schema import MIGRATIONS, Migration, migrate
from radar.store.usage import UsageTables

if TYPE_CHECKING:
    from radar.store.delivery import DeliveryTables
    from radar.store.library import LibraryTables
from radar.store.vectors import VectorsMixin

__all__ = [
    "BUSY_TIMEOUT_MS",
    "DatabaseError",
    "StorageError",
    "MIGRATIONS",
    "NO_FILTER",
    "SEARCH_COLUMNS",
    "FeedHealthRow",
    "FeedRow",
    "FeedSchedule",
    "FeedStatusRow",
    "FeedUnread",
    "IngestStats",
    "ItemDetail",
    "ItemFilter",
    "ItemRow",
    "DatedItem",
    "ItemSource",
    "ItemTitle",
    "MarkTotals",
    "ItemLink",
    "ItemRelease",
    "LinkRow",
    "LinkableFeed",
    "LinkableItem",
    "LinkedItem",
    "MirrorRow",
    "ReleaseRow",
    "StoredEnclosure",
    "StoredRelease",
    "StoredRun",
    "StoredReleaseOwner",
    "Match",
    "MatchRule",
    "Migration",
    "Store",
    "from_iso",
    "links_agree",
    "migrate",
    "refresh_search_terms",
    "title_key",
    "to_iso",
    "utc_now",
]


class Store(FeedsMixin, ItemsMixin, FtsMixin, VectorsMixin, LinksMixin, RunsMixin, HealthMixin):
    """Typed access to data/radar.db: one facade over the table groups' mixins.

    Its public methods (listed in radar.store.contract) are what a second backend would
    implement; ``conn``, ``query`` and ``transaction`` are this backend's own, for the
    package and for tests that inspect the file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # check_same_thread off: the ingest pipeline hands the store to one worker
            # thread at a time; a Store is never used by two threads at once.
            conn = sqlite3.connect(
                path,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            raise RadarError(f"{path}: cannot open database: {exc}") from None
        self.path = path
        self.conn = conn
        try:
            migrate(conn)
        except sqlite3.DatabaseError as exc:
            raise RadarError(
                f"{path}: database is damaged or not a radar database: {exc}"
            ) from None

    @property
    def library(self) -> LibraryTables:
        """The team library's search index and private item notes (radar.store.library)."""
        from radar.store.library import LibraryTables

        return LibraryTables(self.conn)

    @property
    def delivery(self) -> DeliveryTables:
        """The outbox of digests and alerts, and the releases alerted (radar.store.delivery)."""
        from radar.store.delivery import DeliveryTables

        return DeliveryTables(self.conn)

    @property
    def usage(self) -> UsageTables:
        """Usage snapshots of the team's repositories (radar.store.usage)."""
        return UsageTables(self.conn)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def quick_check(self) -> str:
        """SQLite's quick integrity check: "ok" or what is damaged."""
        return str(self.conn.execute("PRAGMA quick_check").fetchone()[0])

    def integrity_check(self) -> str:
        """SQLite's full integrity check: "ok" or what is damaged."""
        return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])
