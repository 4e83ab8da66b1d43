"""Item ⇄ technology links, parsed releases, the technologies mirror and technology vectors.

Everything here is derived: rebuildable from the items and data/techradar.yaml (the
linking rules live in radar.techradar.link_store; this module only stores and reads).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypedDict, TypeVar, cast

from radar.store.base import StoreBase, from_iso, to_iso
from radar.store.fts import refresh_search_terms

T = TypeVar("T")

LINK_BATCH = 500
"""Item ids per statement (json_each keeps it one parameter)."""

MirrorRow = tuple[str, str, str, str, int, str, str, str]
"""A technology as mirrored: slug, name, quadrant, ring, retired, description,
aliases (JSON), signature (what linking depends on)."""

LinkRow = tuple[int, str, str, float]
"""item id, technology slug, method, score."""

ReleaseRow = tuple[int, str | None, str, str, bool]
"""item id, technology slug (None: not matched), project, version, prerelease."""

_MIRROR_COLUMNS = "slug, name, quadrant, ring, retired, description, aliases, signature"


class LinkableFeed(TypedDict):
    """A feed that carries an item, as the release parser and linking context see it."""

    name: str
    kind: str
    url: str
    site: str | None
    title: str | None
    tags: list[str]


class LinkableItem(TypedDict):
    """What linking reads of an item."""

    id: int
    title: str
    summary: str
    content: str
    url: str | None
    feeds: list[LinkableFeed]


class LinkedItem(TypedDict):
    """An item linked to a technology, with how (``method``) and how surely (``score``)."""

    id: int
    title: str
    url: str | None
    published: str | None
    first_seen: str
    method: str
    score: float


class StoredRelease(TypedDict):
    """A release item of a technology."""

    item_id: int
    project: str
    version: str
    prerelease: bool
    published: str | None
    sort_date: str
    title: str
    url: str | None


class StoredReleaseOwner(TypedDict):
    """Which technology (if any) a parsed release item belongs to, and its project."""

    item_id: int
    tech_slug: str | None
    project: str


class ItemLink(TypedDict):
    """One link of an item to a technology."""

    tech_slug: str
    method: str
    score: float


class ItemRelease(TypedDict):
    """An item's parsed release."""

    project: str
    version: str
    prerelease: bool
    tech_slug: str | None


def _id_chunks(ids: Sequence[int]) -> list[str]:
    unique = sorted({int(i) for i in ids})
    return [json.dumps(unique[s : s + LINK_BATCH]) for s in range(0, len(unique), LINK_BATCH)]


class LinksMixin(StoreBase):
    """Reads and writes of item_tech, releases, technologies and tech_embeddings."""

    # --- the technologies mirror ----------------------------------------------------

    def mirrored_technologies(self) -> dict[str, MirrorRow]:
        """The technologies mirror, by slug."""
        rows = self.query(f"SELECT {_MIRROR_COLUMNS} FROM technologies")
        return {row[0]: cast(MirrorRow, tuple(row)) for row in rows}

    def mirror_technologies(
        self, stale: Sequence[MirrorRow], gone: Sequence[str], renamed: Sequence[str]
    ) -> None:
        """In one transaction: upsert ``stale`` rows, drop ``gone`` technologies with their
        links and cached vectors, and refresh the search terms of items whose linked
        technology was dropped or renamed."""
        with self.transaction() as conn:
            touched = [
                row[0]
                for row in conn.execute(
                    "SELECT DISTINCT item_id FROM item_tech WHERE tech_slug IN "
                    "(SELECT value FROM json_each(?))",
                    [json.dumps([*gone, *renamed])],
                )
            ]
            for slug in gone:
                conn.execute("DELETE FROM technologies WHERE slug = ?", [slug])
                conn.execute("DELETE FROM item_tech WHERE tech_slug = ?", [slug])
                conn.execute("UPDATE releases SET tech_slug = NULL WHERE tech_slug = ?", [slug])
                conn.execute("DELETE FROM tech_embeddings WHERE slug = ?", [slug])
            conn.executemany(
                f"""INSERT INTO technologies ({_MIRROR_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(slug) DO UPDATE SET name = excluded.name,
                        quadrant = excluded.quadrant, ring = excluded.ring,
                        retired = excluded.retired, description = excluded.description,
                        aliases = excluded.aliases, signature = excluded.signature""",
                stale,
            )
            refresh_search_terms(conn, touched)

    def refresh_links_if_radar_changed(
        self, mirror: Sequence[MirrorRow], relink: Callable[[], T]
    ) -> T | None:
        """The one catch-up step after a hand edit or a `git pull` of the radar file:
        compare the radar as it is now (``mirror``: one row per technology) with the
        stored mirror, and only if they differ run ``relink`` (the caller's linking,
        which rewrites mirror and links). Bounded: one read of the mirror when nothing
        changed; reads never write otherwise."""
        stored = self.mirrored_technologies()
        if stored == {row[0]: tuple(row) for row in mirror}:
            return None
        return relink()

    # --- technology vectors -----------------------------------------------------------

    def tech_vector(self, slug: str, fingerprint: str) -> tuple[str, bytes] | None:
        """The cached description vector of a technology for a model: (text hash, float32 bytes)."""
        row = self.conn.execute(
            "SELECT text_hash, vector FROM tech_embeddings WHERE slug = ? AND fingerprint = ?",
            [slug, fingerprint],
        ).fetchone()
        return None if row is None else (str(row[0]), bytes(row[1]))

    def save_tech_vector(self, slug: str, fingerprint: str, text_hash: str, vector: bytes) -> None:
        """Cache a technology's description vector for a model."""
        with self.transaction() as conn:
            conn.execute(
                """INSERT INTO tech_embeddings (slug, fingerprint, text_hash, vector)
                   VALUES (?, ?, ?, ?) ON CONFLICT(slug, fingerprint) DO UPDATE SET
                       text_hash = excluded.text_hash, vector = excluded.vector""",
                [slug, fingerprint, text_hash, vector],
            )

    # --- linking ----------------------------------------------------------------------

    def linkable_items(self, item_ids: Sequence[int]) -> list[LinkableItem]:
        """The text and carrying feeds of these items (unknown ids are skipped)."""
        found: list[LinkableItem] = []
        for chunk in _id_chunks(item_ids):
            rows = self.query(
                """SELECT i.id, i.title, i.summary, i.content, i.url,
                       (SELECT json_group_array(json_object('name', f.name, 'kind', f.kind,
                            'url', f.url, 'site', f.site_url, 'title', f.title,
                            'tags', json(f.tags)))
                        FROM item_sources s JOIN feeds f ON f.id = s.feed_id
                        WHERE s.item_id = i.id) AS feeds
                   FROM items i WHERE i.id IN (SELECT value FROM json_each(?))""",
                [chunk],
            )
            for row in rows:
                found.append(
                    LinkableItem(
                        id=int(row["id"]),
                        title=row["title"],
                        summary=row["summary"],
                        content=row["content"],
                        url=row["url"],
                        feeds=json.loads(row["feeds"] or "[]"),
                    )
                )
        return found

    def replace_links(
        self, item_ids: Sequence[int], links: Sequence[LinkRow], releases: Sequence[ReleaseRow]
    ) -> None:
        """In one transaction: these items' links and release rows become exactly the given ones."""
        with self.transaction() as conn:
            marks = json.dumps(sorted({int(i) for i in item_ids}))
            conn.execute(
                "DELETE FROM item_tech WHERE item_id IN (SELECT value FROM json_each(?))", [marks]
            )
            conn.execute(
                "DELETE FROM releases WHERE item_id IN (SELECT value FROM json_each(?))", [marks]
            )
            conn.executemany(
                "INSERT INTO item_tech (item_id, tech_slug, method, score) VALUES (?, ?, ?, ?)",
                links,
            )
            conn.executemany(
                """INSERT INTO releases (item_id, tech_slug, project, version, prerelease)
                   VALUES (?, ?, ?, ?, ?)""",
                [(i, slug, p, v, int(pre)) for i, slug, p, v, pre in releases],
            )
            refresh_search_terms(conn, list(item_ids))

    def items_linked_to_any(self, slugs: Sequence[str]) -> set[int]:
        """Ids of items linked to any of these technologies."""
        rows = self.query(
            "SELECT item_id FROM item_tech WHERE tech_slug IN (SELECT value FROM json_each(?))",
            [json.dumps(list(slugs))],
        )
        return {int(row[0]) for row in rows}

    def release_owners(self) -> list[StoredReleaseOwner]:
        """Every parsed release item with the technology that owns it and its project."""
        return [
            StoredReleaseOwner(item_id=int(row[0]), tech_slug=row[1], project=row[2])
            for row in self.query("SELECT item_id, tech_slug, project FROM releases")
        ]

    def unparsed_release_feed_items(self) -> set[int]:
        """Items of release feeds that have no parsed release row."""
        rows = self.query(
            """SELECT DISTINCT s.item_id FROM item_sources s JOIN feeds f ON f.id = s.feed_id
               WHERE f.kind = 'releases'
                 AND NOT EXISTS (SELECT 1 FROM releases r WHERE r.item_id = s.item_id)"""
        )
        return {int(row[0]) for row in rows}

    # --- reading -------------------------------------------------------------------------

    def items_for_tech(
        self,
        slug: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> list[LinkedItem]:
        """Items linked to a technology, newest first; ``since``/``until`` bound the item's date."""
        sql = """SELECT i.id, i.title, i.url, i.published, i.first_seen, t.method, t.score
                 FROM item_tech t JOIN items i ON i.id = t.item_id WHERE t.tech_slug = ?"""
        params: list[Any] = [slug]
        if since is not None:
            sql += " AND i.sort_date >= ?"
            params.append(to_iso(since))
        if until is not None:
            sql += " AND i.sort_date < ?"
            params.append(to_iso(until))
        sql += " ORDER BY i.sort_date DESC, i.id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [
            LinkedItem(
                id=int(row["id"]),
                title=row["title"],
                url=row["url"],
                published=row["published"],
                first_seen=row["first_seen"],
                method=row["method"],
                score=float(row["score"]),
            )
            for row in self.query(sql, params)
        ]

    def technologies_for_items(self, item_ids: Sequence[int]) -> dict[int, list[str]]:
        """Slugs linked to each item, sorted (items without links are absent)."""
        result: dict[int, list[str]] = {}
        for chunk in _id_chunks(item_ids):
            for row in self.query(
                """SELECT item_id, tech_slug FROM item_tech
                   WHERE item_id IN (SELECT value FROM json_each(?))
                   ORDER BY item_id, tech_slug""",
                [chunk],
            ):
                result.setdefault(int(row[0]), []).append(row[1])
        return result

    def links_of_items(self, item_ids: Sequence[int]) -> dict[int, list[ItemLink]]:
        """Each item's links to technologies, by slug (items without links are absent)."""
        result: dict[int, list[ItemLink]] = {}
        for chunk in _id_chunks(item_ids):
            for row in self.query(
                """SELECT item_id, tech_slug, method, score FROM item_tech
                   WHERE item_id IN (SELECT value FROM json_each(?))
                   ORDER BY item_id, tech_slug""",
                [chunk],
            ):
                result.setdefault(int(row[0]), []).append(
                    ItemLink(tech_slug=row[1], method=row[2], score=float(row[3]))
                )
        return result

    def releases_of_items(self, item_ids: Sequence[int]) -> dict[int, ItemRelease]:
        """The parsed release of each of these items that is one."""
        result: dict[int, ItemRelease] = {}
        for chunk in _id_chunks(item_ids):
            for row in self.query(
                """SELECT item_id, project, version, prerelease, tech_slug FROM releases
                   WHERE item_id IN (SELECT value FROM json_each(?))""",
                [chunk],
            ):
                result[int(row[0])] = ItemRelease(
                    project=row[1], version=row[2], prerelease=bool(row[3]), tech_slug=row[4]
                )
        return result

    def technology_names_for_item(self, item_id: int) -> list[str]:
        """Names of the technologies an item is linked to, best link first (slug when the
        mirror lacks the technology)."""
        rows = self.query(
            """SELECT COALESCE(t.name, l.tech_slug) AS name FROM item_tech l
               LEFT JOIN technologies t ON t.slug = l.tech_slug
               WHERE l.item_id = ? ORDER BY l.score DESC, name""",
            [item_id],
        )
        return list(dict.fromkeys(str(row["name"]) for row in rows))

    def mention_counts(self, since: datetime) -> dict[str, int]:
        """How many linked items dated from ``since`` each technology has, by slug."""
        rows = self.query(
            """SELECT t.tech_slug, COUNT(*) FROM item_tech t JOIN items i ON i.id = t.item_id
               WHERE i.sort_date >= ? GROUP BY t.tech_slug""",
            [to_iso(since)],
        )
        return {row[0]: int(row[1]) for row in rows}

    def mention_dates(self, slug: str, since: datetime) -> list[datetime]:
        """The dates of the items linked to a technology, from ``since``."""
        rows = self.query(
            """SELECT i.sort_date FROM item_tech t JOIN items i ON i.id = t.item_id
               WHERE t.tech_slug = ? AND i.sort_date >= ?""",
            [slug, to_iso(since)],
        )
        return [when for row in rows if (when := from_iso(row[0])) is not None]

    def mentions_between(self, start: datetime, end: datetime) -> list[tuple[str, datetime]]:
        """(technology slug, item date) of every link whose item is dated in [start, end)."""
        rows = self.query(
            """SELECT t.tech_slug, i.sort_date FROM item_tech t JOIN items i ON i.id = t.item_id
               WHERE i.sort_date >= ? AND i.sort_date < ?""",
            [to_iso(start), to_iso(end)],
        )
        return [(row[0], when) for row in rows if (when := from_iso(row[1])) is not None]

    def mention_total(self, slug: str) -> int:
        """How many items are linked to a technology."""
        rows = self.query("SELECT COUNT(*) FROM item_tech WHERE tech_slug = ?", [slug])
        return int(rows[0][0])

    def releases_of(self, slug: str) -> list[StoredRelease]:
        """A technology's release items, in no particular order."""
        rows = self.query(
            """SELECT i.id, i.title, i.url, i.published, i.sort_date,
                      r.project, r.version, r.prerelease
               FROM releases r JOIN items i ON i.id = r.item_id WHERE r.tech_slug = ?""",
            [slug],
        )
        return [
            StoredRelease(
                item_id=int(row["id"]),
                project=row["project"],
                version=row["version"],
                prerelease=bool(row["prerelease"]),
                published=row["published"],
                sort_date=row["sort_date"],
                title=row["title"],
                url=row["url"],
            )
            for row in rows
        ]

    def release_item_ids(self, slug: str) -> set[int]:
        """Ids of a technology's own release items."""
        rows = self.query("SELECT item_id FROM releases WHERE tech_slug = ?", [slug])
        return {int(row[0]) for row in rows}
