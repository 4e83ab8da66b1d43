"""The SQLite database in data/radar.db: schema migrations, reads and writes, FTS5.

One connection per Store; WAL mode and a busy timeout let readers (TUI, search)
work while a fetch writes. Each feed's items are written in one short transaction.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from radar.errors import NotFound, RadarError
from radar.feeds.config import FeedConfig
from radar.feeds.model import Item
from radar.feeds.text import split_fragment

if TYPE_CHECKING:
    from radar.store_delivery import DeliveryTables

BUSY_TIMEOUT_MS = 10_000


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def to_iso(moment: datetime | None) -> str | None:
    """Datetimes are stored as sortable ISO 8601 UTC strings: 2026-11-20T10:00:00Z."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# --- migrations ---------------------------------------------------------------------
#
# A small numbered registry in the style of lemon24/reader: plain sqlite3, no
# sqlite-utils. Each step's statements and its `_migrations` row commit together, so a
# process killed at any moment leaves the schema before the step or after it, never in
# between. Only `conn.execute` may be used inside a step: `executescript` (and so
# sqlite-utils' enable_fts) commits first, which would split the step.


@dataclass(frozen=True)
class Migration:
    """One schema step: ``apply`` runs inside the step's transaction.

    ``name`` is what `_migrations` records (``m004_operations``); ``number`` fixes the
    order. Statements use IF NOT EXISTS (and columns are checked before ALTER TABLE) so
    a database left half-migrated by radar versions before steps were transactional
    still upgrades.
    """

    number: int
    name: str
    apply: Callable[[sqlite3.Connection], None]


_M001_STATEMENTS = (
    """CREATE TABLE IF NOT EXISTS feeds (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            url TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'news',
            tags TEXT NOT NULL DEFAULT '[]',
            in_config INTEGER NOT NULL DEFAULT 1,
            title TEXT,
            site_url TEXT,
            etag TEXT,
            last_modified TEXT,
            last_fetched TEXT,
            last_ok TEXT,
            last_new_item TEXT,
            last_status TEXT,
            http_status INTEGER,
            last_error TEXT,
            error_count INTEGER NOT NULL DEFAULT 0,
            problem TEXT,
            gone INTEGER NOT NULL DEFAULT 0,
            retry_after TEXT,
            ttl_minutes INTEGER
        )""",
    """CREATE TABLE IF NOT EXISTS items (
            id INTEGER PRIMARY KEY,
            url TEXT,
            title TEXT NOT NULL DEFAULT '',
            author TEXT NOT NULL DEFAULT '',
            published TEXT,
            updated TEXT,
            first_seen TEXT NOT NULL,
            sort_date TEXT NOT NULL,
            summary TEXT NOT NULL DEFAULT '',
            content TEXT NOT NULL DEFAULT '',
            tags TEXT NOT NULL DEFAULT '[]',
            enclosures TEXT NOT NULL DEFAULT '[]',
            read INTEGER NOT NULL DEFAULT 0,
            starred INTEGER NOT NULL DEFAULT 0
        )""",
    "CREATE INDEX IF NOT EXISTS items_url ON items(url)",
    "CREATE INDEX IF NOT EXISTS items_sort_date ON items(sort_date)",
    """CREATE TABLE IF NOT EXISTS item_sources (
            item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
            feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
            guid TEXT,
            title_key TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            PRIMARY KEY (feed_id, item_id)
        )""",
    "CREATE INDEX IF NOT EXISTS item_sources_guid ON item_sources(feed_id, guid)",
    "CREATE INDEX IF NOT EXISTS item_sources_title ON item_sources(feed_id, title_key)",
    "CREATE INDEX IF NOT EXISTS item_sources_item ON item_sources(item_id)",
    # Full-text search over items, kept current by triggers (the layout sqlite-utils'
    # enable_fts made before steps were transactional, so old and new databases agree).
    """CREATE VIRTUAL TABLE IF NOT EXISTS "items_fts" USING FTS5 (
    "title", "summary", "content",
    tokenize='porter unicode61',
    content="items"
)""",
    """CREATE TRIGGER IF NOT EXISTS "items_ai" AFTER INSERT ON "items" BEGIN
  INSERT INTO "items_fts" (rowid, "title", "summary", "content") VALUES (new.rowid, new."title", new."summary", new."content");
END""",  # noqa: E501
    """CREATE TRIGGER IF NOT EXISTS "items_ad" AFTER DELETE ON "items" BEGIN
  INSERT INTO "items_fts" ("items_fts", rowid, "title", "summary", "content") VALUES('delete', old.rowid, old."title", old."summary", old."content");
END""",  # noqa: E501
    """CREATE TRIGGER IF NOT EXISTS "items_au" AFTER UPDATE ON "items" BEGIN
  INSERT INTO "items_fts" ("items_fts", rowid, "title", "summary", "content") VALUES('delete', old.rowid, old."title", old."summary", old."content");
  INSERT INTO "items_fts" (rowid, "title", "summary", "content") VALUES (new.rowid, new."title", new."summary", new."content");
END""",  # noqa: E501
    # Idempotent, unlike INSERT ... SELECT: a database half-made by an old radar may
    # already hold index rows.
    """INSERT INTO "items_fts" ("items_fts") VALUES ('rebuild')""",
)


def _m001_initial(conn: sqlite3.Connection) -> None:
    """Feeds, items, which feeds carried each item, and full-text search."""
    for statement in _M001_STATEMENTS:
        conn.execute(statement)


def _m002_embeddings(conn: sqlite3.Connection) -> None:
    """One vector per item, tagged with the model that made it."""
    conn.execute(
        """CREATE TABLE IF NOT EXISTS embeddings (
            item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
            fingerprint TEXT NOT NULL,
            text_hash TEXT NOT NULL,
            vector BLOB NOT NULL
        )"""
    )


def _m004_operations(conn: sqlite3.Connection) -> None:
    """Per-feed schedule (next_due) and the history of fetch runs (radar.ops.history)."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(feeds)").fetchall()}
    if "next_due" not in columns:
        conn.execute("ALTER TABLE feeds ADD COLUMN next_due TEXT")
    conn.execute(
        """CREATE TABLE IF NOT EXISTS fetch_runs (
            id INTEGER PRIMARY KEY,
            trigger TEXT NOT NULL,
            started TEXT NOT NULL,
            finished TEXT NOT NULL,
            feeds_ok INTEGER NOT NULL DEFAULT 0,
            feeds_not_modified INTEGER NOT NULL DEFAULT 0,
            feeds_failed INTEGER NOT NULL DEFAULT 0,
            feeds_deferred INTEGER NOT NULL DEFAULT 0,
            feeds_not_due INTEGER NOT NULL DEFAULT 0,
            items_new INTEGER NOT NULL DEFAULT 0,
            items_embedded INTEGER NOT NULL DEFAULT 0,
            duration_s REAL NOT NULL DEFAULT 0,
            exit_status INTEGER NOT NULL DEFAULT 0,
            ok INTEGER NOT NULL DEFAULT 0,
            notes TEXT
        )"""
    )
    conn.execute("CREATE INDEX IF NOT EXISTS fetch_runs_started ON fetch_runs(started)")


_M005_STATEMENTS = (
    """CREATE TABLE IF NOT EXISTS technologies (
            slug TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            quadrant TEXT NOT NULL DEFAULT '',
            ring TEXT NOT NULL DEFAULT '',
            retired INTEGER NOT NULL DEFAULT 0,
            description TEXT NOT NULL DEFAULT '',
            aliases TEXT NOT NULL DEFAULT '[]',
            signature TEXT NOT NULL DEFAULT ''
        )""",
    """CREATE TABLE IF NOT EXISTS item_tech (
            item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
            tech_slug TEXT NOT NULL,
            method TEXT NOT NULL,
            score REAL NOT NULL,
            PRIMARY KEY (item_id, tech_slug)
        )""",
    "CREATE INDEX IF NOT EXISTS item_tech_slug ON item_tech(tech_slug, item_id)",
    """CREATE TABLE IF NOT EXISTS releases (
            item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
            tech_slug TEXT,
            project TEXT NOT NULL,
            version TEXT NOT NULL,
            prerelease INTEGER NOT NULL DEFAULT 0
        )""",
    "CREATE INDEX IF NOT EXISTS releases_tech ON releases(tech_slug)",
    """CREATE TABLE IF NOT EXISTS tech_embeddings (
            slug TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            text_hash TEXT NOT NULL,
            vector BLOB NOT NULL,
            PRIMARY KEY (slug, fingerprint)
        )""",
)


def _m005_tech_links(conn: sqlite3.Connection) -> None:
    """News ⇄ technology links (radar.techradar.links), a mirror of data/techradar.yaml,
    parsed releases and cached technology vectors. All rebuildable from the radar file."""
    for statement in _M005_STATEMENTS:
        conn.execute(statement)


SEARCH_COLUMNS = ("title", "summary", "content", "search_terms")
"""The FTS5 columns, in order; bm25() weights in radar.search follow this order."""

_SEARCH_TERMS_SQL = """
    SELECT trim(
        COALESCE((SELECT group_concat(f.name || ' ' || COALESCE(
                     (SELECT group_concat(j.value, ' ') FROM json_each(f.tags) j), ''), ' ')
                  FROM item_sources s JOIN feeds f ON f.id = s.feed_id
                  WHERE s.item_id = items.id), '')
        || ' ' ||
        COALESCE((SELECT 'release ' || r.project || ' ' || r.version
                  FROM releases r WHERE r.item_id = items.id), '')
        || ' ' ||
        COALESCE((SELECT group_concat(t.name, ' ') FROM item_tech l
                  JOIN technologies t ON t.slug = l.tech_slug
                  WHERE l.item_id = items.id), ''))
"""
"""What an item's ``search_terms`` column holds: the names and tags of the feeds that
carry it, for a release the word "release", its project and version (as parsed by
radar.techradar.releases), and the names of the technologies it is linked to. Searched
by FTS5 only: never shown and never embedded, so a radar edit never forces re-embedding."""


def refresh_search_terms(conn: sqlite3.Connection, item_ids: Sequence[int] | None = None) -> None:
    """Recompute ``items.search_terms`` for these items (None: every item).

    Called by the write paths that change what it is made of (ingest credits an item to
    a feed, linking writes releases and technology links, feeds.yaml changes a feed's
    name or tags); the FTS triggers then re-index only rows whose text changed."""
    if item_ids is None:
        conn.execute(
            f"UPDATE items SET search_terms = ({_SEARCH_TERMS_SQL}) "
            f"WHERE search_terms IS NOT ({_SEARCH_TERMS_SQL})"
        )
        return
    for chunk in _chunks([str(int(i)) for i in item_ids]):
        conn.execute(
            f"UPDATE items SET search_terms = ({_SEARCH_TERMS_SQL}) "
            "WHERE id IN (SELECT value FROM json_each(?)) "
            f"AND search_terms IS NOT ({_SEARCH_TERMS_SQL})",
            [json.dumps([int(i) for i in chunk])],
        )


def _m006_search_fields(conn: sqlite3.Connection) -> None:
    """Searchable fields beyond an item's own text: ``items.search_terms`` (feed names and
    tags, release project and version, linked technologies' names) as a fourth FTS5
    column. Rebuilds the FTS index once (bounded: one pass over the items), and replaces
    the update trigger with one that fires only when indexed text changes (not on a read
    mark). Only ``execute`` statements, so the step runs inside one transaction."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(items)").fetchall()}
    if "search_terms" not in columns:
        conn.execute("ALTER TABLE items ADD COLUMN search_terms TEXT NOT NULL DEFAULT ''")
    for trigger in ("items_ai", "items_ad", "items_au"):
        conn.execute(f'DROP TRIGGER IF EXISTS "{trigger}"')
    conn.execute('DROP TABLE IF EXISTS "items_fts"')
    # Fill the new column before the FTS table and its triggers exist: an update
    # trigger deleting rows from a not-yet-built external-content index corrupts it.
    refresh_search_terms(conn)
    names = ", ".join(f'"{c}"' for c in SEARCH_COLUMNS)
    new = ", ".join(f'new."{c}"' for c in SEARCH_COLUMNS)
    old = ", ".join(f'old."{c}"' for c in SEARCH_COLUMNS)
    conn.execute(
        f"""CREATE VIRTUAL TABLE "items_fts" USING FTS5 ({names},
            tokenize='porter unicode61', content="items")"""
    )
    conn.execute(
        f"""CREATE TRIGGER "items_ai" AFTER INSERT ON "items" BEGIN
            INSERT INTO "items_fts" (rowid, {names}) VALUES (new.rowid, {new}); END"""
    )
    conn.execute(
        f"""CREATE TRIGGER "items_ad" AFTER DELETE ON "items" BEGIN
            INSERT INTO "items_fts" ("items_fts", rowid, {names})
            VALUES ('delete', old.rowid, {old}); END"""
    )
    conn.execute(
        f"""CREATE TRIGGER "items_au" AFTER UPDATE OF {names} ON "items" BEGIN
            INSERT INTO "items_fts" ("items_fts", rowid, {names})
            VALUES ('delete', old.rowid, {old});
            INSERT INTO "items_fts" (rowid, {names}) VALUES (new.rowid, {new}); END"""
    )
    conn.execute("""INSERT INTO "items_fts" ("items_fts") VALUES ('rebuild')""")


def _m009_delivery(conn: sqlite3.Connection) -> None:
    """The delivery outbox and the releases alerted (radar.store_delivery)."""
    from radar.store_delivery import m009_delivery

    m009_delivery(conn)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "m001_initial", _m001_initial),
    Migration(2, "m002_embeddings", _m002_embeddings),
    # There never was an m003. Databases made before m004 existed recorded m005 first;
    # pending steps are found by name, so they simply get m004 now.
    Migration(4, "m004_operations", _m004_operations),
    Migration(5, "m005_tech_links", _m005_tech_links),
    Migration(6, "m006_search_fields", _m006_search_fields),
    Migration(9, "m009_delivery", _m009_delivery),
)
"""Every schema step, in the order they run.

To change the schema, append ``Migration(<last number + 1>, "m<NNN>_<what>", fn)``
where ``fn(conn)`` runs its statements with ``conn.execute`` only (never
``executescript``, never COMMIT): `migrate` wraps it and its `_migrations` row in one
transaction. Never edit or renumber a released step; databases recorded it by name.
A new step must not rely on running after a higher-numbered one.
"""


def _check_registry(steps: Sequence[Migration]) -> None:
    numbers = [step.number for step in steps]
    if numbers != sorted(set(numbers)) or len({step.name for step in steps}) != len(steps):
        raise AssertionError("MIGRATIONS must have unique names and strictly rising numbers")


_check_registry(MIGRATIONS)


def migrate(conn: sqlite3.Connection, steps: Sequence[Migration] = MIGRATIONS) -> list[str]:
    """Apply the pending steps in number order, each in its own transaction; return their names.

    A step is pending when `_migrations` has no row with its name. The check is repeated
    under the write lock, so two processes opening a new workspace at once do not both
    apply a step. ``conn`` must be in autocommit mode (``isolation_level=None``).
    """
    conn.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    done = {row[0] for row in conn.execute("SELECT name FROM _migrations").fetchall()}
    applied = []
    for step in steps:
        if step.name not in done and _apply_step(conn, step):
            applied.append(step.name)
    return applied


def _apply_step(conn: sqlite3.Connection, step: Migration) -> bool:
    """Run one step and record it, all or nothing; False if another process just did."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        recorded = conn.execute("SELECT 1 FROM _migrations WHERE name = ?", [step.name])
        if recorded.fetchone() is not None:
            conn.execute("COMMIT")
            return False
        step.apply(conn)
        conn.execute(
            "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
            [step.name, to_iso(utc_now())],
        )
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return True


# --- identity helpers ---------------------------------------------------------------

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def title_key(title: str, published: datetime | None) -> str:
    """Identity of an item with neither a reliable GUID nor a link: title + day."""
    folded = unicodedata.normalize("NFKC", title).casefold()
    words = _NON_WORD.sub(" ", folded).strip()
    day = published.strftime("%Y-%m-%d") if published else ""
    return f"{words}|{day}"


@dataclass
class IngestStats:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    linked: int = 0
    """Articles already stored from another feed, now also credited to this one."""
    new_item_ids: list[int] = field(default_factory=list)
    changed_item_ids: list[int] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    """With ``Store.ingest(explain=True)``: every incoming item taken for a known one."""


MatchRule = Literal["same GUID", "same link", "same title+day"]


@dataclass(frozen=True)
class Match:
    """An incoming item that was taken for an item already known, and the rule that said so.

    ``in_batch`` is set when the known item came earlier in the same document.
    """

    rule: MatchRule
    item_id: int
    in_batch: bool
    incoming: Item
    known_title: str
    known_url: str | None


@dataclass(frozen=True)
class ItemFilter:
    feed: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    unread: bool = False
    starred: bool = False
    tag: str | None = None
    kind: str | None = None
    item_ids: Sequence[int] | None = None
    tech: str | None = None
    """Only items linked to the technology with this slug (see radar.techradar.links)."""


NO_FILTER = ItemFilter()


class _KnownItems:
    """What the database already holds for one incoming batch, fetched in three queries."""

    COLUMNS = "i.id, i.url, i.title, i.summary, i.content"

    def __init__(self) -> None:
        self.by_guid: dict[str, dict[str, Any]] = {}
        self.by_url: dict[str, dict[str, Any]] = {}
        self.by_title: dict[str, dict[str, Any]] = {}

    @classmethod
    def load(
        cls,
        conn: sqlite3.Connection,
        feed_id: int,
        items: Sequence[Item],
        title_keys: Iterable[str],
    ) -> _KnownItems:
        known = cls()
        guids = sorted({item.guid for item in items if item.guid})
        urls = sorted({item.url for item in items if item.url})
        keys = sorted(set(title_keys))
        credited_sql = f"""SELECT {cls.COLUMNS}, s.guid, s.title_key, 1 AS credited
            FROM item_sources s JOIN items i ON i.id = s.item_id WHERE s.feed_id = ? AND"""
        for chunk in _chunks(guids):
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(f"{credited_sql} s.guid IN ({marks})", [feed_id, *chunk]):
                known.by_guid[row["guid"]] = dict(row)
        for chunk in _chunks(keys):
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(f"{credited_sql} s.title_key IN ({marks})", [feed_id, *chunk]):
                known.by_title.setdefault(row["title_key"], dict(row))
        for chunk in _chunks(urls):
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(
                f"""SELECT {cls.COLUMNS}, EXISTS (SELECT 1 FROM item_sources s
                        WHERE s.item_id = i.id AND s.feed_id = ?) AS credited
                    FROM items i WHERE i.url IN ({marks}) ORDER BY i.id DESC""",
                [feed_id, *chunk],
            )
            for row in rows:
                known.by_url[row["url"]] = dict(row)
        return known

    def find(
        self, item: Item, guid: str | None, key: str
    ) -> tuple[dict[str, Any], MatchRule] | None:
        """The known item this one is, and the rule that matched, or None for a new item."""
        if guid and guid in self.by_guid:
            row = self.by_guid[guid]
            if links_agree(row["url"], item.url) or row["title"] == item.title:
                return row, "same GUID"
        if item.url and item.url in self.by_url:
            return self.by_url[item.url], "same link"
        # Same title on the same day is the last resort, for items without a stable
        # GUID or link; two items whose links differ are two stories.
        title_row = self.by_title.get(key)
        if title_row is None or not links_agree(title_row["url"], item.url):
            return None
        return title_row, "same title+day"

    def remember(
        self, item_id: int, item: Item, guid: str | None, key: str, credited: bool
    ) -> None:
        row = {
            "id": item_id,
            "url": item.url,
            "title": item.title,
            "summary": item.summary,
            "content": item.content,
            "credited": credited,
            "in_batch": True,
        }
        if guid:
            self.by_guid.setdefault(guid, row)
        if item.url:
            self.by_url.setdefault(item.url, row)
        self.by_title.setdefault(key, row)


def links_agree(known: str | None, incoming: str | None) -> bool:
    """Whether two item links can name the same item: equal, one missing, or one the
    other's page without a fragment (a post stored before its anchor became identity)."""
    if known is None or incoming is None or known == incoming:
        return True
    known_page, known_fragment = split_fragment(known)
    incoming_page, incoming_fragment = split_fragment(incoming)
    return known_page == incoming_page and not (known_fragment and incoming_fragment)


def _refines(known: str | None, incoming: str | None) -> bool:
    """``incoming`` is ``known`` plus the fragment that tells its item apart."""
    return bool(known and incoming and known != incoming and split_fragment(incoming)[0] == known)


def _chunks(values: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


_INSERT_ITEM = """INSERT INTO items (id, url, title, author, published, updated, first_seen,
        sort_date, summary, content, tags, enclosures)
    VALUES (:id, :url, :title, :author, :published, :updated, :first_seen,
        :sort_date, :summary, :content, :tags, :enclosures)"""
_UPDATE_ITEM = """UPDATE items SET url = :url, title = :title, author = :author, updated = :updated,
        summary = :summary, content = :content, tags = :tags, enclosures = :enclosures
    WHERE id = :id"""
_CREDIT_ITEM = """INSERT INTO item_sources (item_id, feed_id, guid, title_key, first_seen)
    VALUES (?, ?, ?, ?, ?)
    ON CONFLICT(feed_id, item_id) DO UPDATE SET
        guid = COALESCE(excluded.guid, item_sources.guid)"""


class _PendingWrites:
    """One feed's inserts, updates and credits, decided in Python and sent in three batches.

    New items get their ids here, as SQLite would give them (the largest id + 1, since
    ``items.id`` is a plain INTEGER PRIMARY KEY); the caller holds the write lock.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.next_id: int | None = None
        self.inserts: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.credits: list[tuple[int, int, str | None, str, str]] = []

    def new_item_id(self) -> int:
        if self.next_id is None:
            row = self.conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM items").fetchone()
            self.next_id = int(row[0])
        item_id, self.next_id = self.next_id, self.next_id + 1
        return item_id

    def flush(self) -> None:
        # Items first: item_sources references them, and foreign keys are checked at once.
        if self.inserts:
            self.conn.executemany(_INSERT_ITEM, self.inserts)
        if self.updates:
            self.conn.executemany(_UPDATE_ITEM, self.updates)
        if self.credits:
            self.conn.executemany(_CREDIT_ITEM, self.credits)


class Store:
    """Typed access to data/radar.db."""

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

    def close(self) -> None:
        self.conn.close()

    @property
    def delivery(self) -> DeliveryTables:
        """The outbox of digests and alerts, and the releases alerted."""
        from radar.store_delivery import DeliveryTables

        return DeliveryTables(self.conn)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE so a writer waits for the lock up front, not mid-way.

        Inside an open transaction this joins it: the outermost one commits or rolls
        back everything, so several writes (a feed's items and its fetch state) can be
        made atomic together.
        """
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    # --- feeds ------------------------------------------------------------------------

    def sync_feeds(self, feeds: Iterable[FeedConfig]) -> None:
        """Mirror feeds.yaml into the feeds table; feeds no longer listed keep their items."""
        configured = list(feeds)
        with self.transaction() as conn:
            tags_before = {row[0]: row[1] for row in conn.execute("SELECT name, tags FROM feeds")}
            conn.execute("UPDATE feeds SET in_config = 0")
            for feed in configured:
                conn.execute(
                    """
                    INSERT INTO feeds (name, url, kind, tags, in_config) VALUES (?, ?, ?, ?, 1)
                    ON CONFLICT(name) DO UPDATE SET
                        url = excluded.url, kind = excluded.kind, tags = excluded.tags,
                        in_config = 1,
                        etag = CASE WHEN feeds.url = excluded.url THEN feeds.etag END,
                        last_modified = CASE WHEN feeds.url = excluded.url
                                             THEN feeds.last_modified END,
                        next_due = CASE WHEN feeds.url = excluded.url THEN feeds.next_due END
                    """,
                    [feed.name, feed.url, feed.kind, json.dumps(list(feed.tags))],
                )
            retagged = [
                feed.name
                for feed in configured
                if feed.name in tags_before
                and tags_before[feed.name] != json.dumps(list(feed.tags))
            ]
            for name in retagged:
                refresh_search_terms(
                    conn,
                    [
                        row[0]
                        for row in conn.execute(
                            """SELECT s.item_id FROM item_sources s JOIN feeds f
                               ON f.id = s.feed_id WHERE f.name = ?""",
                            [name],
                        )
                    ],
                )

    def feed_row(self, name: str) -> sqlite3.Row:
        row = self.conn.execute("SELECT * FROM feeds WHERE name = ?", [name]).fetchone()
        if row is None:
            raise NotFound(f"no feed named {name!r}")
        return row  # type: ignore[no-any-return]

    def resolve_feed(self, given: str) -> str:
        """The stored feed `given` names (case-insensitive, unique prefix); NotFound
        names the closest feeds."""
        from radar.matching import resolve_name

        names = [row[0] for row in self.query("SELECT name FROM feeds")]
        return resolve_name(given, names, "feed")

    def resolve_tag(self, given: str) -> str:
        """The tag of some stored feed that `given` names, like `resolve_feed`."""
        from radar.matching import resolve_name

        rows = self.query("SELECT DISTINCT j.value FROM feeds f, json_each(f.tags) j")
        return resolve_name(given, [str(row[0]) for row in rows], "tag")

    def feed_status(self) -> list[dict[str, Any]]:
        rows = self.query(
            """
            SELECT f.name, f.url, f.kind, f.last_fetched, f.last_status, f.http_status,
                   f.error_count, f.last_error, f.problem, f.gone, f.retry_after, f.last_ok,
                   f.last_new_item, f.next_due,
                   (SELECT COUNT(*) FROM item_sources s WHERE s.feed_id = f.id) AS item_count
            FROM feeds f WHERE f.in_config = 1 ORDER BY f.name COLLATE NOCASE
            """
        )
        return [dict(row) for row in rows]

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
        now = to_iso(when or utc_now())
        with self.transaction() as conn:
            conn.execute(
                """
                UPDATE feeds SET
                    last_fetched = :now, last_ok = :now, last_status = :status,
                    http_status = :http_status, error_count = 0, last_error = NULL, gone = 0,
                    retry_after = NULL,
                    etag = COALESCE(:etag, etag),
                    last_modified = COALESCE(:last_modified, last_modified),
                    title = COALESCE(:title, title), site_url = COALESCE(:site_url, site_url),
                    problem = CASE WHEN :status = 'ok' THEN :problem ELSE problem END,
                    ttl_minutes = COALESCE(:ttl, ttl_minutes),
                    url = COALESCE(:new_url, url),
                    last_new_item = CASE WHEN :got_new THEN :now ELSE last_new_item END,
                    next_due = COALESCE(:next_due, next_due)
                WHERE name = :name
                """,
                {
                    "now": now,
                    "status": status,
                    "http_status": http_status,
                    "etag": etag,
                    "last_modified": last_modified,
                    "title": title,
                    "site_url": site_url,
                    "problem": problem,
                    "ttl": ttl_minutes,
                    "new_url": new_url,
                    "got_new": 1 if got_new_items else 0,
                    "next_due": to_iso(next_due),
                    "name": name,
                },
            )

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
        with self.transaction() as conn:
            conn.execute(
                """
                UPDATE feeds SET
                    last_fetched = :now, last_status = :kind, http_status = :http_status,
                    last_error = :message, error_count = error_count + 1,
                    retry_after = :retry_after, gone = :gone,
                    next_due = COALESCE(:next_due, next_due)
                WHERE name = :name
                """,
                {
                    "now": to_iso(when or utc_now()),
                    "kind": error_kind,
                    "http_status": http_status,
                    "message": message[:2000],
                    "retry_after": to_iso(retry_after),
                    "gone": 1 if gone else 0,
                    "next_due": to_iso(next_due),
                    "name": name,
                },
            )

    # --- items ------------------------------------------------------------------------

    def ingest(
        self,
        feed_name: str,
        items: Sequence[Item],
        *,
        now: datetime | None = None,
        explain: bool = False,
    ) -> IngestStats:
        """Store one feed's items in one transaction, de-duplicated; return what changed.

        Identity within a feed: GUID (when it agrees with link or title), then the
        canonical link (shared across feeds: the same article by two feeds is one item
        credited to both), then title + publication day when the links agree. A link's
        fragment counts where parsing kept it (see radar.feeds.parse.settle_fragments).
        With ``explain``, ``stats.matches`` lists every item taken for a known one.
        """
        seen_at = to_iso(now or utc_now())
        assert seen_at is not None
        stats = IngestStats()
        feed_id = int(self.feed_row(feed_name)["id"])
        keys = [title_key(item.title, item.published) for item in items]
        guid_counts: dict[str, int] = {}
        for item in items:
            if item.guid:
                guid_counts[item.guid] = guid_counts.get(item.guid, 0) + 1
        with self.transaction() as conn:
            known = _KnownItems.load(conn, feed_id, items, keys)
            writes = _PendingWrites(conn)
            handled: set[int] = set()
            for item, key in zip(items, keys, strict=True):
                reliable_guid = item.guid if item.guid and guid_counts[item.guid] == 1 else None
                _ingest_one(
                    feed_id,
                    item,
                    reliable_guid,
                    key,
                    seen_at,
                    stats,
                    handled,
                    known,
                    writes,
                    explain,
                )
            writes.flush()
            refresh_search_terms(conn, sorted(handled))
        return stats

    def list_items(
        self, filters: ItemFilter = NO_FILTER, *, limit: int | None = 50, offset: int = 0
    ) -> list[dict[str, Any]]:
        where, params = self.filter_sql(filters)
        sql = f"""
            SELECT i.*, (SELECT f.name FROM item_sources s JOIN feeds f ON f.id = s.feed_id
                         WHERE s.item_id = i.id ORDER BY s.first_seen, f.id LIMIT 1) AS feed
            FROM items i WHERE {where}
            ORDER BY i.sort_date DESC, i.id DESC
        """
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params = [*params, limit, offset]
        return [self._item_dict(row) for row in self.query(sql, params)]

    def count_items(self, filters: ItemFilter = NO_FILTER) -> int:
        """How many items match `filters`."""
        where, params = self.filter_sql(filters)
        return int(self.query(f"SELECT COUNT(*) FROM items i WHERE {where}", params)[0][0])

    def mark_all(self, filters: ItemFilter, *, read: bool) -> int:
        """Mark every item matching `filters` read (or unread); returns how many changed."""
        where, params = self.filter_sql(filters)
        with self.transaction() as conn:
            cursor = conn.execute(
                f"UPDATE items SET read = ? WHERE read != ? AND id IN "
                f"(SELECT i.id FROM items i WHERE {where})",
                [int(read), int(read), *params],
            )
        return int(cursor.rowcount)

    def filter_sql(self, filters: ItemFilter, alias: str = "i") -> tuple[str, list[Any]]:
        """SQL condition (on items aliased `alias`) and its parameters for a filter."""
        clauses = ["1 = 1"]
        params: list[Any] = []
        feed_clauses = []
        if filters.feed:
            feed_clauses.append("f.name = ?")
            params.append(filters.feed)
        if filters.kind:
            feed_clauses.append("f.kind = ?")
            params.append(filters.kind)
        if filters.tag:
            feed_clauses.append("EXISTS (SELECT 1 FROM json_each(f.tags) WHERE value = ?)")
            params.append(filters.tag)
        if feed_clauses:
            clauses.insert(
                0,
                f"""EXISTS (SELECT 1 FROM item_sources s JOIN feeds f ON f.id = s.feed_id
                    WHERE s.item_id = {alias}.id AND {" AND ".join(feed_clauses)})""",
            )
        if filters.since:
            clauses.append(f"{alias}.sort_date >= ?")
            params.append(to_iso(filters.since))
        if filters.until:
            clauses.append(f"{alias}.sort_date < ?")
            params.append(to_iso(filters.until))
        if filters.unread:
            clauses.append(f"{alias}.read = 0")
        if filters.starred:
            clauses.append(f"{alias}.starred = 1")
        if filters.item_ids is not None:
            ids = ",".join(str(int(i)) for i in filters.item_ids) or "NULL"
            clauses.append(f"{alias}.id IN ({ids})")
        if filters.tech is not None:
            clauses.append(
                f"EXISTS (SELECT 1 FROM item_tech t WHERE t.item_id = {alias}.id "
                "AND t.tech_slug = ?)"
            )
            params.append(filters.tech)
        return " AND ".join(clauses), params

    def _item_dict(self, row: sqlite3.Row) -> dict[str, Any]:
        data = dict(row)
        data.pop("search_terms", None)  # searchable only, never shown
        for key in ("tags", "enclosures"):
            if key in data and isinstance(data[key], str):
                data[key] = json.loads(data[key])
        for key in ("read", "starred"):
            if key in data:
                data[key] = bool(data[key])
        return data

    def get_item(self, item_id: int) -> dict[str, Any]:
        row = self.conn.execute("SELECT * FROM items WHERE id = ?", [item_id]).fetchone()
        if row is None:
            raise NotFound(f"no item with id {item_id}")
        data = self._item_dict(row)
        data["feeds"] = [
            r["name"]
            for r in self.query(
                """SELECT f.name FROM item_sources s JOIN feeds f ON f.id = s.feed_id
                   WHERE s.item_id = ? ORDER BY s.first_seen, f.id""",
                [item_id],
            )
        ]
        data["feed"] = data["feeds"][0] if data["feeds"] else None
        return data

    def mark(self, item_id: int, *, read: bool | None = None, starred: bool | None = None) -> None:
        """Set read/star marks; they survive re-fetches."""
        self.get_item(item_id)
        with self.transaction() as conn:
            if read is not None:
                conn.execute("UPDATE items SET read = ? WHERE id = ?", [int(read), item_id])
            if starred is not None:
                conn.execute("UPDATE items SET starred = ? WHERE id = ?", [int(starred), item_id])

    def item_count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM items").fetchone()[0])

    def integrity_check(self) -> str:
        return str(self.conn.execute("PRAGMA integrity_check").fetchone()[0])


def _ingest_one(
    feed_id: int,
    item: Item,
    guid: str | None,
    key: str,
    seen_at: str,
    stats: IngestStats,
    handled: set[int],
    known: _KnownItems,
    writes: _PendingWrites,
    explain: bool = False,
) -> None:
    found = known.find(item, guid, key)
    existing = found[0] if found else None
    if found is not None and explain:
        row, rule = found
        stats.matches.append(
            Match(rule, int(row["id"]), bool(row.get("in_batch")), item, row["title"], row["url"])
        )
    if existing is not None and existing["id"] in handled:
        stats.unchanged += 1
        return
    fields = {
        "url": item.url,
        "title": item.title,
        "author": item.author,
        "published": to_iso(item.published),
        "updated": to_iso(item.updated),
        "summary": item.summary,
        "content": item.content,
        "tags": json.dumps(list(item.tags), ensure_ascii=False),
        "enclosures": json.dumps(
            [{"url": e.url, "type": e.type, "length": e.length} for e in item.enclosures]
        ),
    }
    if existing is None:
        item_id = writes.new_item_id()
        writes.inserts.append(
            {
                **fields,
                "id": item_id,
                "first_seen": seen_at,
                "sort_date": fields["published"] or seen_at,
            }
        )
        stats.new += 1
        stats.new_item_ids.append(item_id)
        known.remember(item_id, item, guid, key, credited=True)
    else:
        item_id = int(existing["id"])
        refined = _refines(existing["url"], item.url)
        changed = (
            existing["title"] != item.title
            or existing["summary"] != item.summary
            or existing["content"] != item.content
            or refined
        )
        if existing["credited"] and changed and (item.title or item.summary):
            url = item.url if refined else existing["url"]
            writes.updates.append({**fields, "url": url, "id": item_id})
            stats.updated += 1
            stats.changed_item_ids.append(item_id)
        elif not existing["credited"]:
            stats.linked += 1
        else:
            stats.unchanged += 1
    handled.add(item_id)
    writes.credits.append((item_id, feed_id, guid, key, seen_at))


def open_store(db_path: Path) -> Store:
    return Store(db_path)
