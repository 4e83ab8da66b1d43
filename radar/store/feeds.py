"""The feeds table: feeds.yaml mirrored, and each feed's fetch state."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict, cast

from radar.errors import NotFound
from radar.feeds.config import FeedConfig
from radar.store import base
from radar.store.base import StoreBase, from_iso, to_iso
from radar.store.fts import refresh_search_terms


@dataclass(frozen=True)
class FeedSchedule:
    """When a configured feed is next due, and the Retry-After it must respect."""

    name: str
    next_due: datetime | None
    retry_after: datetime | None


@dataclass(frozen=True)
class FeedUnread:
    """A configured feed's item counts, for the TUI's feed list."""

    name: str
    tags: tuple[str, ...]
    last_status: str | None
    total: int
    unread: int


class FeedRow(TypedDict):
    """Every stored column of a feed: feeds.yaml's entry (``tags`` as stored JSON text,
    ``in_config`` and ``gone`` as 0/1) and its fetch state; dates are ISO strings."""

    id: int
    name: str
    url: str
    kind: str
    tags: str
    in_config: int
    title: str | None
    site_url: str | None
    etag: str | None
    last_modified: str | None
    last_fetched: str | None
    last_ok: str | None
    last_new_item: str | None
    last_status: str | None
    http_status: int | None
    last_error: str | None
    error_count: int
    problem: str | None
    gone: int
    retry_after: str | None
    ttl_minutes: int | None
    next_due: str | None


class FeedStatusRow(TypedDict):
    """A configured feed's fetch state and how many items it carried (``gone`` as 0/1);
    dates are ISO strings."""

    name: str
    url: str
    kind: str
    last_fetched: str | None
    last_status: str | None
    http_status: int | None
    error_count: int
    last_error: str | None
    problem: str | None
    gone: int
    retry_after: str | None
    last_ok: str | None
    last_new_item: str | None
    next_due: str | None
    item_count: int


class FeedsMixin(StoreBase):
    """Reads and writes of the feeds table."""

    def configured_feed_count(self) -> int:
        """How many feeds feeds.yaml lists."""
        return int(self.query("SELECT COUNT(*) FROM feeds WHERE in_config = 1")[0][0])

    def latest_fetch(self, *, configured_only: bool = False) -> datetime | None:
        """When any feed (only those feeds.yaml lists, if asked) was last fetched (None: never)."""
        where = " WHERE in_config = 1" if configured_only else ""
        return from_iso(self.query(f"SELECT MAX(last_fetched) FROM feeds{where}")[0][0])

    def feed_unread_counts(self) -> list[FeedUnread]:
        """Each configured feed with its tags, last status, and total and unread items."""
        rows = self.query(
            """
            SELECT f.name, f.tags, f.last_status,
                   COUNT(i.id) AS total,
                   COALESCE(SUM(i.read = 0), 0) AS unread
            FROM feeds f
            LEFT JOIN item_sources s ON s.feed_id = f.id
            LEFT JOIN items i ON i.id = s.item_id
            WHERE f.in_config = 1
            GROUP BY f.id ORDER BY f.name COLLATE NOCASE
            """
        )
        return [
            FeedUnread(
                name=row["name"],
                tags=tuple(str(tag) for tag in json.loads(row["tags"] or "[]")),
                last_status=row["last_status"],
                total=int(row["total"]),
                unread=int(row["unread"]),
            )
            for row in rows
        ]

    def tag_unread_counts(self) -> dict[str, int]:
        """Unread items carried by the configured feeds of each tag (an item counted once)."""
        rows = self.query(
            """
            SELECT t.value AS tag, COUNT(DISTINCT CASE WHEN i.read = 0 THEN i.id END) AS unread
            FROM feeds f, json_each(f.tags) t
            JOIN item_sources s ON s.feed_id = f.id
            JOIN items i ON i.id = s.item_id
            WHERE f.in_config = 1 GROUP BY t.value
            """
        )
        return {row["tag"]: int(row["unread"]) for row in rows}

    def feed_schedules(self) -> list[FeedSchedule]:
        """Every configured feed's next due time and Retry-After."""
        rows = self.query("SELECT name, next_due, retry_after FROM feeds WHERE in_config = 1")
        return [
            FeedSchedule(row["name"], from_iso(row["next_due"]), from_iso(row["retry_after"]))
            for row in rows
        ]

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

    def feed_row(self, name: str) -> FeedRow:
        """Every stored column of the feed named `name`; NotFound if there is none."""
        row = self.conn.execute("SELECT * FROM feeds WHERE name = ?", [name]).fetchone()
        if row is None:
            raise NotFound(f"no feed named {name!r}")
        return cast(FeedRow, dict(row))  # SELECT * gives exactly FeedRow's columns

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

    def feed_status(self) -> list[FeedStatusRow]:
        """Every configured feed with its fetch state and item count, by name."""
        rows = self.query(
            """
            SELECT f.name, f.url, f.kind, f.last_fetched, f.last_status, f.http_status,
                   f.error_count, f.last_error, f.problem, f.gone, f.retry_after, f.last_ok,
                   f.last_new_item, f.next_due,
                   (SELECT COUNT(*) FROM item_sources s WHERE s.feed_id = f.id) AS item_count
            FROM feeds f WHERE f.in_config = 1 ORDER BY f.name COLLATE NOCASE
            """
        )
        return [cast(FeedStatusRow, dict(row)) for row in rows]

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
        now = to_iso(when or base.utc_now())
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
        """Record a feed's failed fetch: what went wrong, Retry-After, next due time."""
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
                    "now": to_iso(when or base.utc_now()),
                    "kind": error_kind,
                    "http_status": http_status,
                    "message": message[:2000],
                    "retry_after": to_iso(retry_after),
                    "gone": 1 if gone else 0,
                    "next_due": to_iso(next_due),
                    "name": name,
                },
            )
