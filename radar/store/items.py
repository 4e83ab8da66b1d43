"""Items and the feeds that carried them: de-duplicating ingest, filters, marks."""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, TypedDict

from radar.errors import NotFound
from radar.feeds.model import Item
from radar.feeds.urls import split_fragment
from radar.store import base
from radar.store.base import StoreBase, chunks, to_iso
from radar.store.filters import NO_FILTER, ItemFilter, filter_sql
from radar.store.fts import refresh_search_terms

# --- identity helpers ---------------------------------------------------------------

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def title_key(title: str, published: datetime | None) -> str:
    """Identity of an item with neither a reliable GUID nor a link: title + day."""
    folded = unicodedata.normalize("NFKC", title).casefold()
    words = _NON_WORD.sub(" ", folded).strip()
    day = published.strftime("%Y-%m-%d") if published else ""
    return f"{words}|{day}"


class StoredEnclosure(TypedDict):
    """An item's enclosure (podcast audio, a PDF) as stored."""

    url: str
    type: str
    length: int | None


class ItemRow(TypedDict):
    """An item as listings show it: its stored columns (without the search terms, which
    are searchable only) and the name of the first feed that carried it (None: no feed
    carries it any more). Dates are ISO strings."""

    id: int
    url: str | None
    title: str
    author: str
    published: str | None
    updated: str | None
    first_seen: str
    sort_date: str
    summary: str
    content: str
    tags: list[str]
    enclosures: list[StoredEnclosure]
    read: bool
    starred: bool
    feed: str | None


class ItemDetail(ItemRow):
    """One item with every feed that carried it, in the order they first did (``feed`` is
    the first of them)."""

    feeds: list[str]


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
class DatedItem:
    """What the digest reads of an item; dates are stored ISO strings (sortable)."""

    id: int
    title: str
    url: str | None
    summary: str
    published: str | None
    first_seen: str
    sort_date: str
    starred: bool


@dataclass(frozen=True)
class ItemSource:
    """A feed that carried an item."""

    item_id: int
    feed_name: str
    feed_kind: str


@dataclass(frozen=True)
class MarkTotals:
    """Item counts across the whole database."""

    total: int
    unread: int
    starred: int


@dataclass(frozen=True)
class ItemTitle:
    """An item's id, title and date (published, else first seen)."""

    id: int
    title: str
    sort_date: datetime


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
        for chunk in chunks(guids):
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(f"{credited_sql} s.guid IN ({marks})", [feed_id, *chunk]):
                known.by_guid[row["guid"]] = dict(row)
        for chunk in chunks(keys):
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(f"{credited_sql} s.title_key IN ({marks})", [feed_id, *chunk]):
                known.by_title.setdefault(row["title_key"], dict(row))
        for chunk in chunks(urls):
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


class ItemsMixin(StoreBase):
    """Reads and writes of items, item_sources and marks."""

    def all_item_ids(self) -> list[int]:
        """Every stored item's id, ascending."""
        return [int(row[0]) for row in self.query("SELECT id FROM items ORDER BY id")]

    def item_titles_between(
        self, start: datetime, end: datetime, *, without_releases: bool = False
    ) -> list[ItemTitle]:
        """Id, title and date of the items dated in [start, end), by id; optionally
        leaving out parsed release items."""
        releases = (
            "AND NOT EXISTS (SELECT 1 FROM releases r WHERE r.item_id = i.id)"
            if without_releases
            else ""
        )
        rows = self.query(
            f"""SELECT i.id, i.title, i.sort_date FROM items i
                WHERE i.sort_date >= ? AND i.sort_date < ? {releases} ORDER BY i.id""",
            [to_iso(start), to_iso(end)],
        )
        return [
            ItemTitle(int(row[0]), row[1] or "", when)
            for row in rows
            if (when := base.from_iso(row[2])) is not None
        ]

    def items_in_range(self, start: datetime, end: datetime) -> list[DatedItem]:
        """Items dated (published, else first seen) in [start, end), oldest first."""
        rows = self.query(
            """SELECT id, title, url, summary, published, first_seen, sort_date, starred
               FROM items WHERE sort_date >= ? AND sort_date < ? ORDER BY sort_date, id""",
            [to_iso(start), to_iso(end)],
        )
        return [
            DatedItem(
                id=int(row["id"]),
                title=row["title"] or "",
                url=row["url"],
                summary=row["summary"] or "",
                published=row["published"],
                first_seen=row["first_seen"],
                sort_date=row["sort_date"],
                starred=bool(row["starred"]),
            )
            for row in rows
        ]

    def item_sources(self, item_ids: Sequence[int]) -> list[ItemSource]:
        """The feeds that carried these items, by item, in the order they first did."""
        found: list[ItemSource] = []
        unique = sorted({int(i) for i in item_ids})
        for start in range(0, len(unique), 500):
            rows = self.query(
                """SELECT s.item_id, f.name, f.kind FROM item_sources s
                   JOIN feeds f ON f.id = s.feed_id
                   WHERE s.item_id IN (SELECT value FROM json_each(?))
                   ORDER BY s.item_id, s.first_seen, f.id""",
                [json.dumps(unique[start : start + 500])],
            )
            found.extend(ItemSource(int(row[0]), row[1] or "", row[2] or "") for row in rows)
        return found

    def days_with_items(self) -> list[tuple[date, int]]:
        """Each day (by item date) that holds items and how many, newest first."""
        rows = self.query(
            "SELECT substr(sort_date, 1, 10) AS day, COUNT(*) FROM items "
            "GROUP BY day ORDER BY day DESC"
        )
        return [(date.fromisoformat(row[0]), int(row[1])) for row in rows]

    def mark_totals(self) -> MarkTotals:
        """How many items there are, unread and starred."""
        row = self.query(
            "SELECT COUNT(*), COALESCE(SUM(read = 0), 0), COALESCE(SUM(starred), 0) FROM items"
        )[0]
        return MarkTotals(total=int(row[0]), unread=int(row[1]), starred=int(row[2]))

    def count_first_seen(self, since: datetime, until: datetime) -> int:
        """How many items were first seen in [since, until)."""
        rows = self.query(
            "SELECT COUNT(*) FROM items WHERE first_seen >= ? AND first_seen < ?",
            [to_iso(since), to_iso(until)],
        )
        return int(rows[0][0])

    def first_item_seen(self) -> datetime | None:
        """When the first stored item was first seen (None: no items)."""
        return base.from_iso(self.query("SELECT MIN(first_seen) FROM items")[0][0])

    def feed_id(self, name: str) -> int:
        """The id of the feed named `name`; NotFound if there is none."""
        row = self.conn.execute("SELECT id FROM feeds WHERE name = ?", [name]).fetchone()
        if row is None:
            raise NotFound(f"no feed named {name!r}")
        return int(row[0])

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
        seen_at = to_iso(now or base.utc_now())
        assert seen_at is not None
        stats = IngestStats()
        feed_id = self.feed_id(feed_name)
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
    ) -> list[ItemRow]:
        """Items matching `filters`, newest first, each with its first feed's name."""
        where, params = filter_sql(filters)
        sql = f"""
            SELECT i.*, (SELECT f.name FROM item_sources s JOIN feeds f ON f.id = s.feed_id
                         WHERE s.item_id = i.id ORDER BY s.first_seen, f.id LIMIT 1) AS feed
            FROM items i WHERE {where}
            ORDER BY i.sort_date DESC, i.id DESC
        """
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params = [*params, limit, offset]
        return [self._item_row(row, row["feed"]) for row in self.query(sql, params)]

    def filtered_item_ids(self, filters: ItemFilter) -> list[int]:
        """Ids of every item matching `filters`."""
        where, params = filter_sql(filters)
        return [
            int(row[0]) for row in self.query(f"SELECT i.id FROM items i WHERE {where}", params)
        ]

    def published_dates(self, item_ids: Sequence[int]) -> dict[int, str | None]:
        """Each item's publication date (stored ISO string, None: undated)."""
        if not item_ids:
            return {}
        id_list = ",".join(str(int(i)) for i in item_ids)
        rows = self.query(f"SELECT id, published FROM items WHERE id IN ({id_list})")
        return {int(row[0]): row[1] for row in rows}

    def sort_dates(self, item_ids: Sequence[int]) -> dict[int, str]:
        """Each item's date as listings sort it (published, else first seen; ISO string)."""
        if not item_ids:
            return {}
        id_list = ",".join(str(int(i)) for i in item_ids)
        rows = self.query(f"SELECT id, sort_date FROM items WHERE id IN ({id_list})")
        return {int(row[0]): row[1] for row in rows}

    def count_items(self, filters: ItemFilter = NO_FILTER) -> int:
        """How many items match `filters`."""
        where, params = filter_sql(filters)
        return int(self.query(f"SELECT COUNT(*) FROM items i WHERE {where}", params)[0][0])

    def mark_all(self, filters: ItemFilter, *, read: bool) -> int:
        """Mark every item matching `filters` read (or unread); returns how many changed."""
        where, params = filter_sql(filters)
        with self.transaction() as conn:
            cursor = conn.execute(
                f"UPDATE items SET read = ? WHERE read != ? AND id IN "
                f"(SELECT i.id FROM items i WHERE {where})",
                [int(read), int(read), *params],
            )
        return int(cursor.rowcount)

    def _item_row(self, row: sqlite3.Row, feed: str | None) -> ItemRow:
        return ItemRow(
            id=int(row["id"]),
            url=row["url"],
            title=row["title"],
            author=row["author"],
            published=row["published"],
            updated=row["updated"],
            first_seen=row["first_seen"],
            sort_date=row["sort_date"],
            summary=row["summary"],
            content=row["content"],
            tags=json.loads(row["tags"]),
            enclosures=json.loads(row["enclosures"]),
            read=bool(row["read"]),
            starred=bool(row["starred"]),
            feed=feed,
        )

    def get_item(self, item_id: int) -> ItemDetail:
        """One item with every feed that carried it; NotFound if there is none."""
        row = self.conn.execute("SELECT * FROM items WHERE id = ?", [item_id]).fetchone()
        if row is None:
            raise NotFound(f"no item with id {item_id}")
        feeds = [
            str(r["name"])
            for r in self.query(
                """SELECT f.name FROM item_sources s JOIN feeds f ON f.id = s.feed_id
                   WHERE s.item_id = ? ORDER BY s.first_seen, f.id""",
                [item_id],
            )
        ]
        return ItemDetail(**self._item_row(row, feeds[0] if feeds else None), feeds=feeds)

    def mark(self, item_id: int, *, read: bool | None = None, starred: bool | None = None) -> None:
        """Set read/star marks; they survive re-fetches."""
        self.get_item(item_id)
        with self.transaction() as conn:
            if read is not None:
                conn.execute("UPDATE items SET read = ? WHERE id = ?", [int(read), item_id])
            if starred is not None:
                conn.execute("UPDATE items SET starred = ? WHERE id = ?", [int(starred), item_id])

    def item_count(self) -> int:
        """How many items are stored."""
        return int(self.conn.execute("SELECT COUNT(*) FROM items").fetchone()[0])


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
