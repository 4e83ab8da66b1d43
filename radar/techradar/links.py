"""News ⇄ technology links in the database, kept in step with fetches and radar edits,
and the queries the CLI, TUI and digest read: items per technology, mention counts,
evidence and the latest release.

Tables (migration m005_tech_links in radar.store): ``item_tech(item_id, tech_slug,
method, score)``, ``technologies`` (a mirror of data/techradar.yaml with a signature
of what linking depends on), ``releases(item_id, tech_slug, project, version,
prerelease)`` and ``tech_embeddings`` (technology description vectors). Everything
here can be rebuilt from the items and the radar file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from radar.store import Store, from_iso, refresh_search_terms, to_iso, utc_now
from radar.techradar.linking import ItemText, Linker, Similarity, tech_text
from radar.techradar.model import Technology, TechRadar
from radar.techradar.releases import (
    match_technology,
    parse_release,
    project_key,
    release_keys,
    version_key,
)
from radar.workspace import Workspace

if TYPE_CHECKING:
    import numpy as np

    from radar.embed import Embedder

log = logging.getLogger("radar.links")
log.addHandler(logging.NullHandler())

LINKER_VERSION = "2"
"""Bump when the linking rules change: every technology is then re-linked.
2: release items take their project from the feed's configured name as a last resort."""

BATCH = 500
"""Items linked per transaction."""


@dataclass
class LinkStats:
    items: int = 0
    """Items (re-)linked."""
    links: int = 0
    """Links written for them."""
    relinked_technologies: list[str] | None = None
    semantic: bool = False
    """Whether item vectors were available for ambiguous names."""


def signature(tech: Technology) -> str:
    """What linking depends on; a change means the technology's links are redone."""
    payload = json.dumps(
        [
            LINKER_VERSION,
            tech.name,
            tech.aliases,
            tech.description,
            tech.quadrant,
            tech.alternatives,
            [link.url for link in tech.links],
        ]
    )
    return hashlib.blake2b(payload.encode(), digest_size=10).hexdigest()


# --- the mirror -----------------------------------------------------------------------


def sync_radar(store: Store, radar: TechRadar) -> list[str]:
    """Mirror the radar into ``technologies``; drop links of technologies gone from the
    file. Returns the slugs added or changed in a way that needs re-linking."""
    current = {tech.slug: tech for tech in radar.technologies}
    columns = "slug, name, quadrant, ring, retired, description, aliases, signature"
    known = {row[0]: tuple(row) for row in store.query(f"SELECT {columns} FROM technologies")}
    rows = {slug: _mirror_row(tech) for slug, tech in current.items()}
    changed = [
        slug for slug, row in rows.items() if slug not in known or known[slug][-1] != row[-1]
    ]
    gone = sorted(set(known) - set(current))
    stale = [row for slug, row in rows.items() if known.get(slug) != row]
    if not gone and not stale:
        return changed
    with store.transaction() as conn:
        renamed = [row[0] for row in stale if known.get(row[0], (None, None))[1] != row[1]]
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
            f"""INSERT INTO technologies ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(slug) DO UPDATE SET name = excluded.name,
                    quadrant = excluded.quadrant, ring = excluded.ring,
                    retired = excluded.retired, description = excluded.description,
                    aliases = excluded.aliases, signature = excluded.signature""",
            stale,
        )
        refresh_search_terms(conn, touched)
    return changed


def _mirror_row(tech: Technology) -> tuple[Any, ...]:
    return (
        tech.slug,
        tech.name,
        tech.quadrant,
        tech.ring,
        int(tech.retired),
        tech.description,
        json.dumps(tech.aliases, ensure_ascii=False),
        signature(tech),
    )


def resolve_tech(store: Store, workspace: Workspace, name: str) -> Technology:
    """The technology a user named (name, alias or slug, any case) for a `--tech`
    filter, with its links brought up to date first. Raises NotFound."""
    from radar.techradar.record import load_radar

    radar = load_radar(workspace.techradar_path)
    tech = radar.get(name)
    update_links(store, workspace, radar, embed=False)
    return tech


# --- vectors for the semantic step --------------------------------------------------


class Vectors:
    """Stored item vectors and technology description vectors in the same space.

    Available when the search index exists (its model fingerprint says which stored
    vectors are comparable). Technology vectors are cached in ``tech_embeddings``; a
    missing one is embedded only through the fast ONNX export of the model (never by
    importing sentence-transformers in the middle of a radar edit).
    """

    def __init__(
        self, store: Store, workspace: Workspace, radar: TechRadar, *, embed: bool = True
    ) -> None:
        from radar.index import read_meta

        self.embed = embed
        """Whether a missing technology vector may be computed (loads the model)."""
        self.store = store
        self.workspace = workspace
        self.meta = read_meta(workspace) if workspace.index_path.exists() else None
        self.techs = {tech.slug: tech for tech in radar.technologies}
        self._tech_vectors: dict[str, np.ndarray | None] = {}
        self._embedder: Embedder | None = None
        self._embedder_failed = False

    @property
    def available(self) -> bool:
        return self.meta is not None

    def item_vectors(self, item_ids: Sequence[int]) -> dict[int, np.ndarray]:
        import numpy as np

        if self.meta is None or not item_ids:
            return {}
        vectors: dict[int, np.ndarray] = {}
        for chunk in _chunks(list(item_ids)):
            rows = self.store.query(
                "SELECT item_id, vector FROM embeddings WHERE fingerprint = ? "
                "AND item_id IN (SELECT value FROM json_each(?))",
                [self.meta.fingerprint, json.dumps(chunk)],
            )
            for row in rows:
                vectors[int(row[0])] = np.frombuffer(row[1], dtype=np.float32)
        return vectors

    def tech_vector(self, slug: str) -> np.ndarray | None:
        if slug not in self._tech_vectors:
            self._tech_vectors[slug] = self._load_tech_vector(slug)
        return self._tech_vectors[slug]

    def _load_tech_vector(self, slug: str) -> np.ndarray | None:
        import numpy as np

        from radar.embed import text_hash

        tech = self.techs.get(slug)
        if self.meta is None or tech is None:
            return None
        digest = text_hash(tech_text(tech))
        row = self.store.conn.execute(
            "SELECT text_hash, vector FROM tech_embeddings WHERE slug = ? AND fingerprint = ?",
            [slug, self.meta.fingerprint],
        ).fetchone()
        if row is not None and row[0] == digest:
            return np.frombuffer(row[1], dtype=np.float32)
        embedder = self._fast_embedder()
        if embedder is None:
            return None
        vector = embedder.embed([tech_text(tech)])[0].astype(np.float32)
        with self.store.transaction() as conn:
            conn.execute(
                """INSERT INTO tech_embeddings (slug, fingerprint, text_hash, vector)
                   VALUES (?, ?, ?, ?) ON CONFLICT(slug, fingerprint) DO UPDATE SET
                       text_hash = excluded.text_hash, vector = excluded.vector""",
                [slug, self.meta.fingerprint, digest, vector.tobytes()],
            )
        return vector

    def _fast_embedder(self) -> Embedder | None:
        if (
            self._embedder is not None
            or self._embedder_failed
            or self.meta is None
            or not self.embed
        ):
            return self._embedder
        from radar.embed import find_export, load_embedder

        try:
            if find_export(self.workspace.models_dir, self.meta.model) is not None:
                embedder = load_embedder(
                    self.meta.model, cache_dir=self.workspace.models_dir, purpose="query"
                )
                if embedder.info.fingerprint == self.meta.fingerprint:
                    self._embedder = embedder
        except Exception:  # the semantic step is optional: rules still link
            self._embedder = None
        self._embedder_failed = self._embedder is None
        return self._embedder

    def similarity(self, item_vector: np.ndarray | None) -> Similarity | None:
        if item_vector is None:
            return None

        def closeness(slug: str) -> float | None:
            tech_vector = self.tech_vector(slug)
            if tech_vector is None or tech_vector.shape != item_vector.shape:
                return None
            return float(item_vector @ tech_vector)

        return closeness


# --- linking ---------------------------------------------------------------------------


def _chunks(values: list[int], size: int = BATCH) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _item_rows(store: Store, item_ids: Sequence[int]) -> Iterator[dict[str, Any]]:
    for chunk in _chunks(sorted(set(item_ids))):
        rows = store.query(
            """SELECT i.id, i.title, i.summary, i.content, i.url,
                   (SELECT json_group_array(json_object('name', f.name, 'kind', f.kind,
                        'url', f.url, 'site', f.site_url, 'title', f.title,
                        'tags', json(f.tags)))
                    FROM item_sources s JOIN feeds f ON f.id = s.feed_id
                    WHERE s.item_id = i.id) AS feeds
               FROM items i WHERE i.id IN (SELECT value FROM json_each(?))""",
            [json.dumps(chunk)],
        )
        for row in rows:
            data = dict(row)
            data["feeds"] = json.loads(data["feeds"] or "[]")
            yield data


def _context(feeds: list[dict[str, Any]]) -> str:
    parts = []
    for feed in feeds:
        parts.append(feed.get("name") or "")
        parts.extend(feed.get("tags") or [])
    return " ".join(part for part in parts if part)


def _release(row: dict[str, Any], technologies: Sequence[Technology]) -> tuple[Any, str | None]:
    for feed in row["feeds"]:
        if feed.get("kind") != "releases":
            continue
        release = parse_release(
            row["title"] or "",
            url=row["url"],
            feed_url=feed.get("url"),
            feed_site=feed.get("site"),
            feed_title=feed.get("title"),
            feed_name=feed.get("name"),
        )
        if release is not None:
            tech = match_technology(release, technologies)
            return release, tech.slug if tech else None
    return None, None


def link_items(
    store: Store,
    radar: TechRadar,
    item_ids: Iterable[int],
    *,
    vectors: Vectors | None = None,
    linker: Linker | None = None,
) -> LinkStats:
    """(Re-)link the given items to every technology on the radar, replacing their
    previous links and release rows."""
    ids = sorted(set(item_ids))
    stats = LinkStats(semantic=bool(vectors and vectors.available))
    if not ids:
        return stats
    linker = linker or Linker(radar.technologies)
    for chunk in _chunks(ids):
        rows = list(_item_rows(store, chunk))
        item_vectors = vectors.item_vectors(chunk) if vectors and vectors.available else {}
        link_rows, release_rows = [], []
        for row in rows:
            release, release_of = _release(row, radar.technologies)
            similarity = vectors.similarity(item_vectors.get(row["id"])) if vectors else None
            item = ItemText(row["title"], row["summary"], row["content"], _context(row["feeds"]))
            for link in linker.link(item, similarity, release_of=release_of):
                link_rows.append((row["id"], link.slug, link.method, link.score))
            if release is not None:
                release_rows.append(
                    (row["id"], release_of, release.project, release.version, release.prerelease)
                )
        with store.transaction() as conn:
            marks = json.dumps(chunk)
            conn.execute(
                "DELETE FROM item_tech WHERE item_id IN (SELECT value FROM json_each(?))", [marks]
            )
            conn.execute(
                "DELETE FROM releases WHERE item_id IN (SELECT value FROM json_each(?))", [marks]
            )
            conn.executemany(
                "INSERT INTO item_tech (item_id, tech_slug, method, score) VALUES (?, ?, ?, ?)",
                link_rows,
            )
            conn.executemany(
                """INSERT INTO releases (item_id, tech_slug, project, version, prerelease)
                   VALUES (?, ?, ?, ?, ?)""",
                release_rows,
            )
            refresh_search_terms(conn, chunk)
        stats.items += len(rows)
        stats.links += len(link_rows)
    return stats


def _fts_phrase(name: str) -> str | None:
    tokens = re.findall(r"\w+", name.casefold())
    return '"' + " ".join(tokens) + '"' if tokens else None


def candidate_items(store: Store, technologies: Sequence[Technology]) -> set[int]:
    """Items that may mention these technologies: a full-text match of any of their
    names, items already linked to them, and release items they may own (see
    :func:`_release_candidates`)."""
    slugs = [tech.slug for tech in technologies]
    phrases = sorted({p for tech in technologies for n in tech.names if (p := _fts_phrase(n))})
    found: set[int] = set()
    for start in range(0, len(phrases), 50):
        query = " OR ".join(phrases[start : start + 50])
        found.update(
            row[0]
            for row in store.query("SELECT rowid FROM items_fts WHERE items_fts MATCH ?", [query])
        )
    found.update(
        row[0]
        for row in store.query(
            "SELECT item_id FROM item_tech WHERE tech_slug IN (SELECT value FROM json_each(?))",
            [json.dumps(slugs)],
        )
    )
    return found | _release_candidates(store, technologies)


def _release_candidates(store: Store, technologies: Sequence[Technology]) -> set[int]:
    """Release items whose owner may change with these technologies: releases not
    matched yet or matched to one of them, releases whose project is one of their
    names or repositories even when another technology holds them now (its owner
    name, say), and items of release feeds not parsed as a release (a parse that
    predates the current rules). A version-only title ("v0.12.3") never matches by
    full text, so without this a technology added after the fetch would miss them."""
    slugs = {tech.slug for tech in technologies}
    keys = set().union(*(release_keys(tech) for tech in technologies))
    found = {
        int(row[0])
        for row in store.query("SELECT item_id, tech_slug, project FROM releases")
        if row[1] is None or row[1] in slugs or project_key(row[2]) in keys
    }
    found.update(
        row[0]
        for row in store.query(
            """SELECT DISTINCT s.item_id FROM item_sources s JOIN feeds f ON f.id = s.feed_id
               WHERE f.kind = 'releases'
                 AND NOT EXISTS (SELECT 1 FROM releases r WHERE r.item_id = s.item_id)"""
        )
    )
    return found


def update_links(
    store: Store,
    workspace: Workspace,
    radar: TechRadar,
    item_ids: Iterable[int] = (),
    *,
    embed: bool = True,
) -> LinkStats:
    """Bring links up to date: re-link stored items for technologies added or changed
    since the last call (radar edits, hand edits of the file), then link `item_ids`
    (new and changed items of a fetch). Without `embed`, the semantic step uses only
    technology vectors already cached (read paths never load the model)."""
    changed = sync_radar(store, radar)
    wanted = set(item_ids)
    if changed:
        by_slug = {tech.slug: tech for tech in radar.technologies}
        wanted |= candidate_items(store, [by_slug[slug] for slug in changed])
    if not wanted:
        return LinkStats(relinked_technologies=changed)
    vectors = Vectors(store, workspace, radar, embed=embed)
    stats = link_items(store, radar, wanted, vectors=vectors)
    stats.relinked_technologies = changed
    if embed and vectors.available:
        # Cache every description vector now, so `tech show` ranks evidence without
        # loading the model.
        for tech in radar.technologies:
            vectors.tech_vector(tech.slug)
    return stats


def link_after_fetch(
    store: Store, workspace: Workspace, item_ids: Iterable[int]
) -> LinkStats | None:
    """What a fetch cycle calls after indexing: link its new and changed items (and
    catch up with radar edits). A broken radar file is logged, never fatal."""
    from radar.errors import RadarError
    from radar.techradar.record import load_radar

    try:
        radar = load_radar(workspace.techradar_path)
    except RadarError as exc:
        log.warning(
            "news not linked to technologies: %s",
            exc,
            extra={"radar_event": "links", "radar_fields": {"error": str(exc)}},
        )
        return None
    stats = update_links(store, workspace, radar, item_ids)
    if stats.items:
        # Routine, so DEBUG: a fetch's log stays one line per feed and one per run.
        log.debug(
            "linked %d items to technologies (%d links)",
            stats.items,
            stats.links,
            extra={
                "radar_event": "links",
                "radar_fields": {
                    "items": stats.items,
                    "links": stats.links,
                    "semantic": stats.semantic,
                    "relinked": stats.relinked_technologies or [],
                },
            },
        )
    return stats


def link_all(store: Store, workspace: Workspace, radar: TechRadar) -> LinkStats:
    """Re-link every stored item (after a change of the linking rules, or on request)."""
    sync_radar(store, radar)
    ids = [row[0] for row in store.query("SELECT id FROM items")]
    return link_items(store, radar, ids, vectors=Vectors(store, workspace, radar))


# --- reading: what the CLI, TUI and digest show -----------------------------------------

_ITEM_COLUMNS = "i.id, i.title, i.url, i.published, i.first_seen, i.sort_date"


def _evidence_item(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "title": row["title"],
        "url": row["url"],
        "published": row["published"],
        "first_seen": row["first_seen"],
    }


def items_for_tech(
    store: Store,
    slug: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Items linked to a technology, newest first, with `method` and `score` of the
    link; `since`/`until` bound the item's date (published, else first seen)."""
    sql = f"""SELECT {_ITEM_COLUMNS}, t.method, t.score FROM item_tech t
              JOIN items i ON i.id = t.item_id WHERE t.tech_slug = ?"""
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
        {**_evidence_item(row), "method": row["method"], "score": row["score"]}
        for row in store.query(sql, params)
    ]


def technologies_for_items(store: Store, item_ids: Sequence[int]) -> dict[int, list[str]]:
    """Slugs linked to each item (items without links are absent)."""
    result: dict[int, list[str]] = {}
    for chunk in _chunks(sorted(set(item_ids))):
        for row in store.query(
            """SELECT item_id, tech_slug FROM item_tech
               WHERE item_id IN (SELECT value FROM json_each(?)) ORDER BY item_id, tech_slug""",
            [json.dumps(chunk)],
        ):
            result.setdefault(int(row[0]), []).append(row[1])
    return result


def mention_counts(
    store: Store, radar: TechRadar, *, days: int = 30, now: datetime | None = None
) -> dict[str, int]:
    """Items linked to each technology dated within the last `days` days, by name."""
    since = (now or utc_now()) - timedelta(days=days)
    names = {tech.slug: tech.name for tech in radar.technologies}
    rows = store.query(
        """SELECT t.tech_slug, COUNT(*) FROM item_tech t JOIN items i ON i.id = t.item_id
           WHERE i.sort_date >= ? GROUP BY t.tech_slug""",
        [to_iso(since)],
    )
    return {names[row[0]]: int(row[1]) for row in rows if row[0] in names}


def weekly_mentions(
    store: Store, slug: str, *, weeks: int = 12, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Linked items per ISO week (Monday to Sunday, UTC) for the last `weeks` weeks,
    oldest first, the current week last."""
    moment = (now or utc_now()).astimezone(UTC)
    this_monday = (moment - timedelta(days=moment.weekday())).date()
    starts = [this_monday - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
    first = datetime.combine(starts[0], datetime.min.time(), tzinfo=UTC)
    counts = dict.fromkeys(starts, 0)
    for row in store.query(
        """SELECT i.sort_date FROM item_tech t JOIN items i ON i.id = t.item_id
           WHERE t.tech_slug = ? AND i.sort_date >= ?""",
        [slug, to_iso(first)],
    ):
        when = from_iso(row[0])
        if when is None:
            continue
        monday = (when - timedelta(days=when.weekday())).date()
        if monday in counts:
            counts[monday] += 1
    return [{"week_start": day.isoformat(), "count": counts[day]} for day in starts]


def releases_of(store: Store, slug: str, *, limit: int | None = 10) -> list[dict[str, Any]]:
    """A technology's releases, newest first (by date, then version)."""
    rows = store.query(
        f"""SELECT {_ITEM_COLUMNS}, r.project, r.version, r.prerelease FROM releases r
            JOIN items i ON i.id = r.item_id WHERE r.tech_slug = ?""",
        [slug],
    )
    found = [
        {
            "project": row["project"],
            "version": row["version"],
            "prerelease": bool(row["prerelease"]),
            "published": row["published"],
            "item_id": row["id"],
            "title": row["title"],
            "url": row["url"],
            "_sort": (row["sort_date"], version_key(row["version"])),
        }
        for row in rows
    ]
    found.sort(key=lambda release: release["_sort"], reverse=True)
    for release in found:
        del release["_sort"]
    return found[:limit] if limit is not None else found


def latest_release(store: Store, slug: str) -> dict[str, Any] | None:
    """The newest final release (a pre-release only when there is no final one), with
    `latest_prerelease` when a newer pre-release exists."""
    found = releases_of(store, slug, limit=None)
    if not found:
        return None
    finals = [release for release in found if not release["prerelease"]]
    latest = dict(finals[0] if finals else found[0])
    newer_pre = found[0] if found[0]["prerelease"] and finals else None
    latest["latest_prerelease"] = newer_pre["version"] if newer_pre else None
    return latest


def relevant_items(
    store: Store, vectors: Vectors | None, slug: str, *, limit: int = 5
) -> tuple[list[dict[str, Any]], str]:
    """Linked items most relevant to the technology: by similarity of their stored
    vectors to its description, else by link score then date. The technology's own
    release announcements (shown as its latest release) come after everything else.
    Returns the items and how they were ranked ('semantic' or 'link-score')."""
    linked = items_for_tech(store, slug)
    if not linked:
        return [], "link-score"
    own_releases = {
        row[0] for row in store.query("SELECT item_id FROM releases WHERE tech_slug = ?", [slug])
    }
    tech_vector = vectors.tech_vector(slug) if vectors and vectors.available else None
    ranking = "link-score"
    relevance: dict[int, float] = {}
    if tech_vector is not None and vectors is not None:
        item_vectors = vectors.item_vectors([item["id"] for item in linked])
        relevance = {
            item_id: round(float(vector @ tech_vector), 4)
            for item_id, vector in item_vectors.items()
        }
        ranking = "semantic" if relevance else ranking

    def order(item: dict[str, Any]) -> tuple[Any, ...]:
        release_last = item["id"] in own_releases
        if ranking == "semantic":
            return (release_last, -relevance.get(item["id"], -1.0), -item["id"])
        return (release_last, -item["score"], _negated(item["published"]))

    ranked = sorted(linked, key=order)[:limit]
    if ranking == "semantic":
        return [{**_strip(i), "relevance": relevance.get(i["id"])} for i in ranked], ranking
    return [_strip(item) for item in ranked], ranking


def _negated(published: str | None) -> tuple[int, ...]:
    """Sorts ISO dates newest first (undated last) inside an ascending sort."""
    return tuple(-ord(ch) for ch in published) if published else (1,)


def _strip(item: dict[str, Any]) -> dict[str, Any]:
    return {key: item[key] for key in ("id", "title", "url", "published")}


def no_evidence() -> dict[str, Any]:
    """The evidence of a workspace that has fetched nothing yet."""
    return {
        "recent": [],
        "relevant": [],
        "relevant_by": "link-score",
        "weekly_mentions": [],
        "latest_release": None,
        "mentions_total": 0,
    }


def evidence(
    store: Store,
    workspace: Workspace,
    radar: TechRadar,
    tech: Technology,
    *,
    limit: int = 5,
    now: datetime | None = None,
    embed: bool = False,
) -> dict[str, Any]:
    """What `radar tech show` prints: recent and relevant items, weekly counts for 12
    weeks and the latest release. Relevance uses the description vector cached by the
    last fetch or radar edit; only with `embed` may a missing one load the model."""
    vectors = Vectors(store, workspace, radar, embed=embed)
    relevant, ranking = relevant_items(store, vectors, tech.slug, limit=limit)
    return {
        "recent": [_strip(item) for item in items_for_tech(store, tech.slug, limit=limit)],
        "relevant": relevant,
        "relevant_by": ranking,
        "weekly_mentions": weekly_mentions(store, tech.slug, now=now),
        "latest_release": latest_release(store, tech.slug),
        "mentions_total": int(
            store.query("SELECT COUNT(*) FROM item_tech WHERE tech_slug = ?", [tech.slug])[0][0]
        ),
    }
