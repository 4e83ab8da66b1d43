"""Measuring news linking on a labelled set (tests/data/linking_labelled.yaml).

Each labelled item names the technologies it truly mentions; precision and recall
are counted over (item, technology) pairs, overall and per technology, per split.
The semantic step needs item and technology vectors: :func:`embed_items` makes
them with the same embedder the index uses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from radar.techradar.link_rules import ItemText, Linker, TechLink, tech_text
from radar.techradar.model import TechRadar
from radar.techradar.record import load_radar
from radar.techradar.releases import match_technology, parse_release

if TYPE_CHECKING:
    import numpy as np

    from radar.embed import Embedder


@dataclass(frozen=True)
class LabelledItem:
    id: int
    split: str
    kind: str
    text: ItemText
    truth: frozenset[str]
    """Slugs of the technologies the item truly mentions."""
    trap: bool
    url: str | None = None
    feed_url: str | None = None


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    overall: Counts = field(default_factory=Counts)
    per_tech: dict[str, Counts] = field(default_factory=dict)
    false_positives: list[tuple[int, str, str]] = field(default_factory=list)
    """(item id, slug, method) of links that should not exist."""
    false_negatives: list[tuple[int, str]] = field(default_factory=list)
    trap_items_linked: int = 0
    trap_items: int = 0


def load_labelled(path: Path, root: Path) -> tuple[TechRadar, list[LabelledItem]]:
    """The radar the file names (relative to `root`) and its items, names as slugs."""
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    radar = load_radar(root / data["radar"])
    items = []
    for entry in data["items"]:
        truth = frozenset(radar.get(name).slug for name in entry.get("techs") or [])
        feed = entry.get("feed") or ""
        items.append(
            LabelledItem(
                id=int(entry["id"]),
                split=entry["split"],
                kind=entry.get("kind", "news"),
                text=ItemText(
                    title=entry["title"],
                    summary=(entry.get("summary") or "").strip(),
                    context=feed if isinstance(feed, str) else " ".join(feed),
                ),
                truth=truth,
                trap=bool(entry.get("trap")),
                url=entry.get("url"),
                feed_url=entry.get("feed_url"),
            )
        )
    return radar, items


def release_slug(radar: TechRadar, item: LabelledItem) -> str | None:
    if item.kind != "releases":
        return None
    release = parse_release(item.text.title, url=item.url, feed_url=item.feed_url)
    tech = match_technology(release, radar.technologies) if release else None
    return tech.slug if tech else None


def run(
    linker: Linker,
    radar: TechRadar,
    items: Iterable[LabelledItem],
    similarity_for: Callable[[LabelledItem], Callable[[str], float | None]] | None = None,
) -> dict[int, list[TechLink]]:
    """Link every item; `similarity_for(item)` gives its similarity function, if any."""
    return {
        item.id: linker.link(
            item.text,
            similarity_for(item) if similarity_for else None,
            release_of=release_slug(radar, item),
        )
        for item in items
    }


def score(items: Iterable[LabelledItem], predicted: dict[int, list[TechLink]]) -> Report:
    report = Report()
    for item in items:
        links = {link.slug: link for link in predicted[item.id]}
        report.trap_items += item.trap
        if item.trap and links:
            report.trap_items_linked += 1
        for slug in set(links) | item.truth:
            counts = report.per_tech.setdefault(slug, Counts())
            if slug in links and slug in item.truth:
                counts.tp += 1
                report.overall.tp += 1
            elif slug in links:
                counts.fp += 1
                report.overall.fp += 1
                report.false_positives.append((item.id, slug, links[slug].method))
            else:
                counts.fn += 1
                report.overall.fn += 1
                report.false_negatives.append((item.id, slug))
    return report


def embed_items(
    embedder: Embedder, radar: TechRadar, items: Sequence[LabelledItem]
) -> Callable[[LabelledItem], Callable[[str], float | None]]:
    """Vectors for items and technology descriptions; returns `similarity_for`."""
    from radar.embed import item_text

    item_vectors = embedder.embed(
        [item_text(i.text.title, i.text.summary, i.text.content) for i in items]
    )
    techs = radar.technologies
    tech_vectors: np.ndarray = embedder.embed([tech_text(tech) for tech in techs])
    by_slug = {tech.slug: row for tech, row in zip(techs, tech_vectors, strict=True)}
    rows = {item.id: row for item, row in zip(items, item_vectors, strict=True)}

    def similarity_for(item: LabelledItem) -> Callable[[str], float | None]:
        vector = rows[item.id]

        def similarity(slug: str) -> float | None:
            tech_vector = by_slug.get(slug)
            return None if tech_vector is None else float(vector @ tech_vector)

        return similarity

    return similarity_for
