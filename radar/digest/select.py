"""Build the structured digest: what happened in a range, organised around the team's
radar. Every format (Markdown, HTML, JSON) is rendered from the dict this returns.

Top-level keys, in order: ``range``, ``summary``, ``radar_moves``, ``on_our_radar``,
``top_stories``, ``rising``, ``feed_health``. A story (see :mod:`radar.digest.stories`)
appears once in the whole digest: a release under its own technology, any other story
under the first technology (inner ring first, then by name) that mentions it, else
among the top stories; other technologies mentioning it say where it is listed.

**Top-story score** (documented in the output as ``score_parts``)::

    score = 2 * (feeds - 1) + 3 * starred + recency

``feeds`` is how many feeds carried the story (same link or same news), ``starred``
is 1 when someone starred any of its items, and ``recency`` runs from 0 for an item
dated at the start of the range to 1 at its end. Coverage by another feed outweighs
a whole range of recency; a star outweighs one extra feed. Ties go to the newer
story, then the lower item id.

Deterministic: every list has a total order and nothing depends on the clock, so the
same database and range give byte-identical output.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from radar.digest import rising
from radar.digest.period import Period
from radar.digest.stories import (
    DigestItem,
    Story,
    group_stories,
    load_items,
    one_line,
    title_words,
)
from radar.store import Store, from_iso, to_iso
from radar.techradar.model import RETIRED, Technology, TechRadar
from radar.techradar.releases import VERSION, version_key
from radar.workspace import Workspace

if TYPE_CHECKING:
    import numpy as np

    from radar.techradar.link_store import Vectors

PER_TECHNOLOGY = 20
"""Stories listed under one technology at most."""
TOP_STORIES = 15
"""Top stories listed by default."""
FEED_WEIGHT = 2.0
STAR_WEIGHT = 3.0
ERROR_CHARS = 300


def build_digest(
    store: Store,
    workspace: Workspace,
    radar: TechRadar,
    period: Period,
    *,
    top: int = TOP_STORIES,
    stale_after: timedelta = timedelta(days=30),
    max_feed_errors: int = 3,
) -> dict[str, Any]:
    """The digest of `period` as plain data (JSON-ready, ordered)."""
    from radar.techradar.link_store import Vectors, refresh_links_if_radar_changed

    refresh_links_if_radar_changed(store, workspace, radar, embed=True)
    vectors = Vectors(store, workspace, radar)
    items = load_items(store, period.start, period.end)
    item_vectors = vectors.item_vectors([item.id for item in items]) if vectors.available else {}
    stories = group_stories(items, item_vectors)
    rings = rings_at(radar, period.last_day)
    by_slug = {tech.slug: tech for tech in radar.technologies if tech.slug in rings}

    moves = radar_moves(radar, period)
    on_radar, shown = on_our_radar(radar, rings, stories, Relevance(vectors, item_vectors))
    remaining = [story for story in stories if story.id not in shown]
    health = feed_health(store, period, stale_after, max_feed_errors)
    digest: dict[str, Any] = {
        "range": period.to_dict(),
        "summary": {},
        "radar_moves": moves,
        "on_our_radar": on_radar,
        "top_stories": top_stories(remaining, period, by_slug, top),
        "rising": {
            "window_days": period.days,
            "windows": [window.first_day.isoformat() for window in rising.trend_windows(period)],
            "technologies": rising.rising_technologies(store, radar, rings, period),
            "terms": rising.rising_terms(store, radar, period),
        },
        "feed_health": health,
        "team_library": library_additions(workspace, period.first_day, period.last_day),
    }
    reality = reality_section(store, radar)
    if reality is not None:  # only once the team's repositories were scanned
        digest["radar_vs_reality"] = reality
    digest["summary"] = summary(store, radar, rings, items, stories, moves, on_radar, health)
    return digest


def reality_section(store: Store, radar: TechRadar) -> dict[str, Any] | None:
    """Radar vs. reality from the latest `radar usage scan` (None before any scan)."""
    from radar.usage.service import digest_section

    return digest_section(store.usage, radar)


def library_additions(workspace: Workspace, first_day: date, last_day: date) -> list[Any]:
    from radar.library import additions

    return additions(workspace, first_day, last_day)


# --- 1. summary --------------------------------------------------------------------------


def summary(
    store: Store,
    radar: TechRadar,
    rings: dict[str, str],
    items: list[DigestItem],
    stories: list[Story],
    moves: list[dict[str, Any]],
    on_radar: list[dict[str, Any]],
    health: list[dict[str, Any]],
) -> dict[str, Any]:
    configured = store.configured_feed_count()
    active = {name for item in items for name in item.feed_names}
    return {
        "items": len(items),
        "stories": len(stories),
        "feeds_configured": configured,
        "feeds_active": len(active),
        "feeds_failing": sum(1 for feed in health if feed["state"] == "failing"),
        "feeds_stale": sum(1 for feed in health if feed["state"] == "stale"),
        "technologies_on_radar": len(rings),
        "technologies_moved": len({move["slug"] for move in moves}),
        "technologies_mentioned": sum(len(group["technologies"]) for group in on_radar),
        "empty": not items,
        "weeks_with_items": [] if items else weeks_with_items(store),
        "has_radar": bool(radar.technologies),
    }


WEEKS_LISTED = 8
"""Weeks with items named when a range is empty (the latest ones)."""


def weeks_with_items(store: Store, limit: int = WEEKS_LISTED) -> list[dict[str, Any]]:
    """The latest ISO weeks holding items (by the digest's date: published, else first
    seen), newest first, with their item counts and the command that shows each."""
    per_week: dict[str, int] = {}
    for day, count in store.days_with_items():
        year, week, _ = day.isocalendar()
        label = f"{year}-W{week:02d}"
        if label not in per_week and len(per_week) == limit:
            break
        per_week[label] = per_week.get(label, 0) + count
    return [
        {"week": week, "items": count, "command": f"radar digest --week {week}"}
        for week, count in per_week.items()
    ]


def rings_at(radar: TechRadar, day: date) -> dict[str, str]:
    """Slug -> ring of each technology on the radar at the end of `day` (history dated
    later is ignored, so an old week's digest shows the radar as it was then)."""
    rings = {}
    for tech in radar.technologies:
        ring = None
        for entry in tech.history:
            if entry.date <= day:
                ring = entry.ring
        if ring is not None and ring != RETIRED:
            rings[tech.slug] = ring
    return rings


# --- 2. radar moves ----------------------------------------------------------------------


def radar_moves(radar: TechRadar, period: Period) -> list[dict[str, Any]]:
    """Ring changes dated in the range (entering and leaving the radar included),
    oldest first. Same-ring history entries (review notes) are not moves."""
    moves = []
    for tech in radar.technologies:
        previous: str | None = None
        for entry in tech.history:
            if entry.ring != previous and period.contains(entry.date):
                moves.append(_move(radar, tech, previous, entry.ring, entry))
            previous = entry.ring
    moves.sort(key=lambda move: (move["date"], move["technology"].casefold(), move["to"]))
    return moves


def _move(
    radar: TechRadar, tech: Technology, before: str | None, after: str, entry: Any
) -> dict[str, Any]:
    if before is None:
        direction = "new"
    elif after == RETIRED:
        direction = "retired"
    elif before == RETIRED:
        direction = "back"
    elif before in radar.rings and after in radar.rings:
        direction = "in" if radar.rings.index(after) < radar.rings.index(before) else "out"
    else:
        direction = "moved"
    return {
        "technology": one_line(tech.name),
        "slug": tech.slug,
        "quadrant": tech.quadrant,
        "from": before,
        "to": after,
        "direction": direction,
        "date": entry.date.isoformat(),
        "by": one_line(entry.by),
        "rationale": one_line(entry.rationale),
    }


# --- 3. on our radar ---------------------------------------------------------------------


def on_our_radar(
    radar: TechRadar, rings: dict[str, str], stories: list[Story], relevance: Relevance
) -> tuple[list[dict[str, Any]], set[int]]:
    """Per ring (inner first; rings as at the end of the range), each technology with
    stories in the range: its releases (newest version first), then the rest, most
    relevant first. Returns the groups and the ids of the stories they list."""
    shown: dict[int, str] = {}
    names = {tech.slug: tech.name for tech in radar.technologies if tech.slug in rings}
    # A release is listed under its own technology, wherever else it is mentioned.
    owners = {
        story.id: names[release.tech_slug]
        for story in stories
        if (release := _release_for(story, None)) is not None and release.tech_slug in names
    }
    groups = []
    for ring in radar.rings:
        techs = sorted(
            (tech for tech in radar.technologies if rings.get(tech.slug) == ring),
            key=lambda tech: (tech.name.casefold(), tech.name),
        )
        entries = []
        for tech in techs:
            entry = _tech_entry(tech, ring, stories, relevance, shown, owners)
            if entry is not None:
                entries.append(entry)
        if entries:
            groups.append({"ring": ring, "technologies": entries})
    return groups, set(shown)


def _tech_entry(
    tech: Technology,
    ring: str,
    stories: list[Story],
    relevance: Relevance,
    shown: dict[int, str],
    owners: dict[int, str],
) -> dict[str, Any] | None:
    mine = [story for story in stories if tech.slug in story.tech_slugs]
    if not mine:
        return None
    ranked = sorted(mine, key=lambda story: _tech_order(story, tech.slug, relevance))
    listed: list[dict[str, Any]] = []
    elsewhere: list[dict[str, Any]] = []
    for story in ranked:
        under = shown.get(story.id) or owners.get(story.id, tech.name)
        if under != tech.name:
            elsewhere.append({"id": story.id, "under": under})
        elif len(listed) < PER_TECHNOLOGY:
            shown[story.id] = tech.name
            listed.append(story_dict(story))
    unlisted = len(mine) - len(listed) - len(elsewhere)
    return {
        "name": one_line(tech.name),
        "slug": tech.slug,
        "ring": ring,
        "quadrant": tech.quadrant,
        "mentions": len(mine),
        "stories": listed,
        "listed_elsewhere": elsewhere,
        "more": unlisted,
    }


class Relevance:
    """How relevant a story is to a technology: the cosine similarity of its lead item's
    stored vector to the technology's description vector when both exist (as `radar
    tech show` ranks evidence), else the score of the item's link to it."""

    def __init__(self, vectors: Vectors, item_vectors: dict[int, np.ndarray]) -> None:
        self.vectors = vectors
        self.item_vectors = item_vectors

    def __call__(self, story: Story, slug: str) -> float:
        tech_vector = self.vectors.tech_vector(slug) if self.vectors.available else None
        vector = self.item_vectors.get(story.lead.id)
        if tech_vector is not None and vector is not None and vector.shape == tech_vector.shape:
            return round(float(vector @ tech_vector), 4)
        return max((item.links[slug][1] for item in story.items if slug in item.links), default=0.0)


def _tech_order(story: Story, slug: str, relevance: Relevance) -> tuple[Any, ...]:
    """The technology's own releases first (newest version first), then by relevance,
    coverage, date."""
    release = _release_for(story, slug)
    if release is not None:
        numbers, final, pre = version_key(release.version)
        return (0, tuple(-n for n in numbers), -final, -pre, _newest_first(story), story.id)
    score = relevance(story, slug)
    return (1, -score, -len(story.feed_names), _newest_first(story), story.id)


def _newest_first(story: Story) -> tuple[int, ...]:
    return tuple(-ord(ch) for ch in story.lead.sort_date)


def _release_for(story: Story, slug: str | None) -> Any:
    for item in story.items:
        if item.release is not None and (slug is None or item.release.tech_slug == slug):
            return item.release
    return None


# --- stories as data ---------------------------------------------------------------------


def story_dict(story: Story) -> dict[str, Any]:
    lead = story.lead
    release = _release_for(story, None)
    also: list[dict[str, Any]] = []
    for name in lead.feed_names[1:]:
        also.append({"feed": name, "url": lead.url, "title": lead.title, "same": "link"})
    for echo in story.echoes:
        for name in echo.item.feed_names:
            if name not in lead.feed_names and all(a["feed"] != name for a in also):
                also.append(
                    {
                        "feed": name,
                        "url": echo.item.url,
                        "title": echo.item.title,
                        "same": echo.how,
                        "similarity": echo.similarity,
                    }
                )
    return {
        "id": lead.id,
        "title": lead.title,
        "url": lead.url,
        "date": lead.sort_date[:10],
        "dated_by": "published" if lead.published else "first_seen",
        "published": lead.published,
        "first_seen": lead.first_seen,
        "feed": lead.feed_names[0] if lead.feed_names else None,
        "also_covered_by": also,
        "starred": story.starred,
        "release": _release_dict(release, lead.title) if release is not None else None,
        "summary": lead.summary,
        "item_ids": [item.id for item in story.items],
    }


def _release_dict(release: Any, title: str) -> dict[str, Any]:
    return {
        "project": release.project,
        "version": release.version,
        "prerelease": release.prerelease,
        "title_adds": _title_adds(title, release.project),
    }


_RELEASE_NOISE = frozenset({"release", "released", "patch", "minor", "major", "version", "v"})


def _title_adds(title: str, project: str) -> bool:
    """Whether a release item's title says more than 'Patch release v5.3.1'."""
    rest = VERSION.sub(" ", title)
    words = title_words(rest) - _RELEASE_NOISE - title_words(project)
    return bool(words)


# --- 4. top stories ----------------------------------------------------------------------


def top_stories(
    stories: list[Story], period: Period, by_slug: dict[str, Technology], limit: int
) -> list[dict[str, Any]]:
    span = (period.end - period.start).total_seconds()
    scored = []
    for story in stories:
        moment = from_iso(story.lead.sort_date)
        assert moment is not None
        recency = round(min(1.0, max(0.0, (moment - period.start).total_seconds() / span)), 4)
        feeds = len(story.feed_names)
        starred = story.starred
        score = round(FEED_WEIGHT * (feeds - 1) + STAR_WEIGHT * starred + recency, 4)
        parts = {"feeds": feeds, "starred": starred, "recency": recency}
        scored.append((score, story, parts))
    scored.sort(key=lambda entry: (-entry[0], _newest_first(entry[1]), entry[1].id))
    result = []
    for score, story, parts in scored[: max(limit, 0)]:
        data = story_dict(story)
        data["score"] = score
        data["score_parts"] = parts
        data["technologies"] = sorted(
            (by_slug[slug].name for slug in story.tech_slugs if slug in by_slug),
            key=str.casefold,
        )
        result.append(data)
    return result


# --- 6. feed health ----------------------------------------------------------------------


def feed_health(
    store: Store, period: Period, stale_after: timedelta, max_feed_errors: int = 3
) -> list[dict[str, Any]]:
    """Failing feeds, then stale ones, as `radar doctor` sees them (one function,
    :func:`radar.ops.health.feed_states`, decides for both). Staleness is judged at
    the end of the range, or at the latest fetch when that is earlier: a range
    reaching into the future must not make every feed look stale."""
    from radar.ops.health import FAILING, STALE, feed_states

    latest_fetch = store.latest_fetch()
    end = min(period.end, latest_fetch) if latest_fetch is not None else period.end
    states = feed_states(store, max_feed_errors=max_feed_errors, stale_after=stale_after, as_of=end)
    failing, stale = [], []
    for feed in states:
        if feed.state not in (FAILING, STALE):
            continue
        entry: dict[str, Any] = {
            "name": one_line(feed.name),
            "kind": feed.kind,
            "state": feed.state,
            "last_status": feed.last_status,
            "http_status": feed.http_status,
            "error_count": feed.errors,
            "last_error": _clip(one_line(feed.last_error)) or None,
            "last_ok": _day(to_iso(feed.last_ok)),
            "newest_item": _day(to_iso(feed.newest_item)),
        }
        if feed.state == FAILING:
            failing.append(entry)
        else:
            entry["stale_days"] = stale_after.days
            stale.append(entry)
    return failing + stale


def _clip(text: str) -> str:
    return text if len(text) <= ERROR_CHARS else text[: ERROR_CHARS - 1] + "…"


def _day(value: str | None) -> str | None:
    return value[:10] if value else None
