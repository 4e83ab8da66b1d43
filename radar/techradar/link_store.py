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

from radar.store import LinkableFeed, LinkableItem, LinkRow, MirrorRow, ReleaseRow, Store, utc_now
from radar.techradar.link_rules import ItemText, Linker, Similarity, tech_text
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
    known = store.mirrored_technologies()
    rows = {slug: _mirror_row(tech) for slug, tech in current.items()}
    changed = [
        slug for slug, row in rows.items() if slug not in known or known[slug][-1] != row[-1]
    ]
    gone = sorted(set(known) - set(current))
    stale = [row for slug, row in rows.items() if known.get(slug) != row]
    if not gone and not stale:
        return changed
    renamed = [row[0] for row in stale if row[0] in known and known[row[0]][1] != row[1]]
    store.mirror_technologies(stale, gone, renamed)
    return changed


def _mirror_row(tech: Technology) -> MirrorRow:
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


def refresh_links_if_radar_changed(
    store: Store, workspace: Workspace, radar: TechRadar, *, embed: bool = False
) -> LinkStats | None:
    """Catch links up with the radar file when it changed behind radar's back (a hand
    edit, a `git pull`): the store compares the file's technologies with its mirror and
    only then re-links (see :func:`update_links`). Called explicitly by the commands
    that show links (tech show and list, items --tech, search --tech, the digest, the
    TUI's radar screen); the reads themselves never write. Without `embed`, no model is
    loaded. Returns None when nothing had changed."""
    mirror = [_mirror_row(tech) for tech in radar.technologies]
    return store.refresh_links_if_radar_changed(
        mirror, lambda: update_links(store, workspace, radar, embed=embed)
    )


def resolve_tech(store: Store, workspace: Workspace, name: str) -> Technology:
    """The technology a user named (name, alias or slug, any case) for a `--tech`
    filter, with its links caught up with the radar file first. Raises NotFound."""
    from radar.techradar.record import load_radar

    radar = load_radar(workspace.techradar_path)
    tech = radar.get(name)
    refresh_links_if_radar_changed(store, workspace, radar)
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
        stored = self.store.item_vectors(self.meta.fingerprint, item_ids)
        return {
            item_id: np.frombuffer(vector, dtype=np.float32) for item_id, vector in stored.items()
        }

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
        row = self.store.tech_vector(slug, self.meta.fingerprint)
        if row is not None and row[0] == digest:
            return np.frombuffer(row[1], dtype=np.float32)
        embedder = self._fast_embedder()
        if embedder is None:
            return None
        vector: np.ndarray = embedder.embed([tech_text(tech)])[0].astype(np.float32)
        self.store.save_tech_vector(slug, self.meta.fingerprint, digest, vector.tobytes())
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


def _context(feeds: list[LinkableFeed]) -> str:
    parts = []
    for feed in feeds:
        parts.append(feed.get("name") or "")
        parts.extend(feed.get("tags") or [])
    return " ".join(part for part in parts if part)


def _release(row: LinkableItem, technologies: Sequence[Technology]) -> tuple[Any, str | None]:
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
        rows = store.linkable_items(chunk)
        item_vectors = vectors.item_vectors(chunk) if vectors and vectors.available else {}
        link_rows: list[LinkRow] = []
        release_rows: list[ReleaseRow] = []
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
        store.replace_links(chunk, link_rows, release_rows)
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
        found.update(store.text_matches(query))
    found.update(store.items_linked_to_any(slugs))
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
        row["item_id"]
        for row in store.release_owners()
        if row["tech_slug"] is None
        or row["tech_slug"] in slugs
        or project_key(row["project"]) in keys
    }
    found.update(store.unparsed_release_feed_items())
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
    ids = store.all_item_ids()
    return link_items(store, radar, ids, vectors=Vectors(store, workspace, radar))


# --- reading: what the CLI, TUI and digest show -----------------------------------------


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
    return [
        dict(item) for item in store.items_for_tech(slug, since=since, until=until, limit=limit)
    ]


def technologies_for_items(store: Store, item_ids: Sequence[int]) -> dict[int, list[str]]:
    """Slugs linked to each item (items without links are absent)."""
    return store.technologies_for_items(item_ids)


def mention_counts(
    store: Store, radar: TechRadar, *, days: int = 30, now: datetime | None = None
) -> dict[str, int]:
    """Items linked to each technology dated within the last `days` days, by name."""
    since = (now or utc_now()) - timedelta(days=days)
    names = {tech.slug: tech.name for tech in radar.technologies}
    counts = store.mention_counts(since)
    return {names[slug]: count for slug, count in counts.items() if slug in names}


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
    for when in store.mention_dates(slug, first):
        monday = (when - timedelta(days=when.weekday())).date()
        if monday in counts:
            counts[monday] += 1
    return [{"week_start": day.isoformat(), "count": counts[day]} for day in starts]


def releases_of(store: Store, slug: str, *, limit: int | None = 10) -> list[dict[str, Any]]:
    """A technology's releases, newest first (by date, then version)."""
    stored = sorted(
        store.releases_of(slug),
        key=lambda row: (row["sort_date"], version_key(row["version"])),
        reverse=True,
    )
    found: list[dict[str, Any]] = [
        {
            "project": row["project"],
            "version": row["version"],
            "prerelease": row["prerelease"],
            "published": row["published"],
            "item_id": row["item_id"],
            "title": row["title"],
            "url": row["url"],
        }
        for row in stored
    ]
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
    own_releases = store.release_item_ids(slug)
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
        "mentions_total": store.mention_total(tech.slug),
    }
