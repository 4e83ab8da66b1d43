"""Schema migrations: a numbered registry; each step and its `_migrations` row commit together."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from radar.store import base
from radar.store.fts import SEARCH_COLUMNS, refresh_search_terms
from radar.store.usage import m007_usage

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
    """News ⇄ technology links (radar.techradar.link_store), a mirror of data/techradar.yaml,
    parsed releases and cached technology vectors. All rebuildable from the radar file."""
    for statement in _M005_STATEMENTS:
        conn.execute(statement)


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


def _m008_library(conn: sqlite3.Connection) -> None:
    from radar.store.library import m008_library

    m008_library(conn)


def _m009_delivery(conn: sqlite3.Connection) -> None:
    """The delivery outbox and the releases alerted (radar.store.delivery)."""
    from radar.store.delivery import m009_delivery

    m009_delivery(conn)


def _m010_changed_text_marks(conn: sqlite3.Connection) -> None:
    """An item whose title, summary or content changes loses its vector's text hash, so an
    index sync finds what to re-embed in SQL instead of hashing every item's text."""
    conn.execute(
        """CREATE TRIGGER IF NOT EXISTS "items_text_changed"
            AFTER UPDATE OF title, summary, content ON "items"
            WHEN old.title IS NOT new.title OR old.summary IS NOT new.summary
                OR old.content IS NOT new.content
            BEGIN UPDATE embeddings SET text_hash = '' WHERE item_id = new.id; END"""
    )


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "m001_initial", _m001_initial),
    Migration(2, "m002_embeddings", _m002_embeddings),
    # There never was an m003. Databases made before m004 existed recorded m005 first;
    # pending steps are found by name, so they simply get m004 now.
    Migration(4, "m004_operations", _m004_operations),
    Migration(5, "m005_tech_links", _m005_tech_links),
    Migration(6, "m006_search_fields", _m006_search_fields),
    Migration(7, "m007_usage", m007_usage),
    Migration(8, "m008_library", _m008_library),
    Migration(9, "m009_delivery", _m009_delivery),
    Migration(10, "m010_changed_text_marks", _m010_changed_text_marks),
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
            [step.name, base.to_iso(base.utc_now())],
        )
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return True
