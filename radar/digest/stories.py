"""The range's items, gathered into stories: one story per piece of news however
many feeds carried it.

Two levels of sameness:

* **Same link.** Ingest already stores an article that several feeds link to (after
  dropping ``utm_*``) as one item credited to each feed (``item_sources``).
* **Same news, different words and links** (near-duplicates). With stored vectors
  (the search index's model), two items are the same story when

  - their cosine similarity is at least :data:`SAME_STORY_COSINE` (0.85), or
  - it is at least :data:`SAME_VERSION_COSINE` (0.70) and both titles name the same
    version number ("PyTorch 2.10 release: ..." / "PyTorch 2.10 is out: ...").

  Measured on the demo data (title + summary + content vectors of the bundled
  model): the two real near-duplicate pairs score 0.863 (Polars GPU engine) and
  0.733 (PyTorch 2.10); the closest pairs that are *different* news score 0.821
  (two articles on constrained decoding), 0.763 (two spaCy posts), 0.759 (two Ray
  Data posts) and 0.749 (two speculative-decoding posts two days apart), so a
  meaning-only cut-off low enough for the PyTorch pair would merge three different
  stories, while a shared version number is what an echoed announcement keeps.
  Without vectors, titles decide (:func:`similar_titles`).

Never merged by meaning: items that share a feed (a feed does not post the same news
twice; two papers on one topic in one arXiv listing are different papers) and
release items (consecutive release notes of one project read alike, 0.97 and up).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from radar.safetext import strip_controls
from radar.search import STOPWORDS
from radar.store import Store, from_iso
from radar.techradar.releases import VERSION

if TYPE_CHECKING:
    import numpy as np

SAME_STORY_COSINE = 0.85
"""Cosine similarity at which two items from different feeds are the same story."""
SAME_VERSION_COSINE = 0.70
"""...enough when both titles also name the same version number."""
TITLE_JACCARD = 0.6
"""Without vectors: share of distinct title words two titles must have in common."""
SUMMARY_CHARS = 220
"""Summaries are cut to about this many characters (at a word boundary)."""

_URL_UNSAFE = str.maketrans({ch: f"%{ord(ch):02X}" for ch in '"<>\\^`{|}'})
"""Characters never valid in a URL that could end an attribute, a Markdown link or an
autolink early: percent-encoded."""
TITLE_WORD = re.compile(r"[^\W_]+(?:[.'’+-][^\W_]+)*", re.UNICODE)
"""A word of a title: letters and digits, kept whole across an inner . ' + or - (gpt-4, 2.0)."""


@dataclass(frozen=True)
class Source:
    """A feed that carried an item."""

    name: str
    kind: str


@dataclass(frozen=True)
class ReleaseInfo:
    project: str
    version: str
    prerelease: bool
    tech_slug: str | None


@dataclass
class DigestItem:
    """One stored item of the range, with what the digest needs to know about it."""

    id: int
    title: str
    url: str | None
    summary: str
    sort_date: str
    published: str | None
    starred: bool
    first_seen: str | None = None
    sources: list[Source] = field(default_factory=list)
    release: ReleaseInfo | None = None
    links: dict[str, tuple[str, float]] = field(default_factory=dict)
    """Technology slug -> (method, score) of the item's link to it."""

    @property
    def when(self) -> datetime:
        moment = from_iso(self.sort_date)
        assert moment is not None
        return moment

    @property
    def feed_names(self) -> list[str]:
        return [source.name for source in self.sources]


@dataclass(frozen=True)
class Echo:
    """Another item found to be the same story as a story's lead."""

    item: DigestItem
    how: str
    """'meaning' (vectors) or 'title' (title words)."""
    similarity: float


@dataclass
class Story:
    """A piece of news: its lead item and the other items that carried the same news."""

    lead: DigestItem
    echoes: list[Echo] = field(default_factory=list)

    @property
    def items(self) -> list[DigestItem]:
        return [self.lead, *(echo.item for echo in self.echoes)]

    @property
    def id(self) -> int:
        return self.lead.id

    @property
    def feed_names(self) -> list[str]:
        """Every feed that carried the story, the lead's first feed first."""
        names: list[str] = []
        for item in self.items:
            for name in item.feed_names:
                if name not in names:
                    names.append(name)
        return names

    @property
    def starred(self) -> bool:
        return any(item.starred for item in self.items)

    @property
    def tech_slugs(self) -> set[str]:
        return {slug for item in self.items for slug in item.links}


# --- loading ---------------------------------------------------------------------------


def load_items(store: Store, start: datetime, end: datetime) -> list[DigestItem]:
    """Items dated in ``[start, end)``, oldest first, with feeds, releases and links."""
    items = {
        row.id: DigestItem(
            id=row.id,
            title=one_line(row.title) or "(untitled)",
            url=safe_http_url(row.url),
            summary=short_summary(row.summary),
            sort_date=row.sort_date,
            published=row.published,
            first_seen=row.first_seen,
            starred=row.starred,
        )
        for row in store.items_in_range(start, end)
    }
    ids = list(items)
    for source in store.item_sources(ids):
        items[source.item_id].sources.append(Source(one_line(source.feed_name), source.feed_kind))
    for item_id, release in store.releases_of_items(ids).items():
        items[item_id].release = ReleaseInfo(
            one_line(release["project"]),
            one_line(release["version"]),
            release["prerelease"],
            release["tech_slug"],
        )
    for item_id, links in store.links_of_items(ids).items():
        for link in links:
            items[item_id].links[link["tech_slug"]] = (link["method"], link["score"])
    return list(items.values())


def one_line(text: str | None) -> str:
    """Feed text for display: control characters gone, whitespace runs as one space."""
    return " ".join(strip_controls(text or "").split())


def short_summary(text: str, limit: int = SUMMARY_CHARS) -> str:
    text = one_line(text)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:.-–—")
    return cut + "…"


def safe_http_url(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) URL with a host, else None: only such
    links reach a digest (no javascript:, data:, file: or relative links). Quotes,
    angle brackets and the like are percent-encoded."""
    if not url:
        return None
    url = url.strip()
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url.translate(_URL_UNSAFE)


# --- grouping --------------------------------------------------------------------------


def title_words(title: str) -> set[str]:
    folded = unicodedata.normalize("NFKC", title).casefold()
    return {word for word in TITLE_WORD.findall(folded) if word not in STOPWORDS}


def title_versions(title: str) -> set[str]:
    return {match.group(1).casefold() for match in VERSION.finditer(title)}


def similar_titles(first: str, second: str) -> float:
    """Share of distinct title words in common (Jaccard), 0 when fewer than 3 shared."""
    a, b = title_words(first), title_words(second)
    shared = a & b
    if len(shared) < 3:
        return 0.0
    return len(shared) / len(a | b)


class Grouper:
    """Decides whether two items are the same story (see the module docstring), and
    which earlier items are worth asking about: close vectors or shared title words,
    found with one matrix product and an inverted index instead of every pair."""

    def __init__(self, items: Sequence[DigestItem], vectors: dict[int, np.ndarray]) -> None:
        import numpy as np

        self.items = items
        self.vectors = vectors
        with_vector = [
            index for index, item in enumerate(items) if vectors.get(item.id) is not None
        ]
        dims = {vectors[items[index].id].shape for index in with_vector}
        self.similar: dict[int, list[int]] = {}
        if with_vector and len(dims) == 1:
            matrix = np.stack([vectors[items[index].id] for index in with_vector])
            close = (matrix @ matrix.T) >= SAME_VERSION_COSINE
            for row, index in enumerate(with_vector):
                self.similar[index] = [with_vector[col] for col in np.flatnonzero(close[row])]
        self.words = [title_words(item.title) for item in items]
        self.postings: dict[str, list[int]] = {}

    def candidates(self, index: int) -> list[int]:
        """Earlier items (by position) that may be the same story as item `index`;
        call in order of `index`."""
        found = {other for other in self.similar.get(index, []) if other < index}
        shared: dict[int, int] = {}
        for word in self.words[index]:
            for other in self.postings.setdefault(word, []):
                shared[other] = shared.get(other, 0) + 1
            self.postings[word].append(index)
        found.update(other for other, count in shared.items() if count >= 3)
        return sorted(found)

    def same_story(self, first: DigestItem, second: DigestItem) -> Echo | None:
        if first.release is not None or second.release is not None:
            return None
        if set(first.feed_names) & set(second.feed_names):
            return None
        a, b = self.vectors.get(first.id), self.vectors.get(second.id)
        if a is not None and b is not None and a.shape == b.shape:
            cosine = round(float(a @ b), 4)
            shared_version = bool(title_versions(first.title) & title_versions(second.title))
            if cosine >= SAME_STORY_COSINE or (shared_version and cosine >= SAME_VERSION_COSINE):
                return Echo(second, "meaning", cosine)
            return None
        overlap = round(similar_titles(first.title, second.title), 4)
        return Echo(second, "title", overlap) if overlap >= TITLE_JACCARD else None


def group_stories(items: Sequence[DigestItem], vectors: dict[int, np.ndarray]) -> list[Story]:
    """Gather items (oldest first) into stories: each item joins the earliest-started
    story holding an item it matches, else starts its own. The lead of a story is its
    item carried by the most feeds (then the earliest)."""
    grouper = Grouper(items, vectors)
    groups: list[list[Echo | DigestItem]] = []
    group_of: list[int] = []
    for index, item in enumerate(items):
        best: tuple[int, Echo] | None = None
        for other in grouper.candidates(index):
            if best is not None and group_of[other] >= best[0]:
                continue
            echo = grouper.same_story(items[other], item)
            if echo is not None:
                best = (group_of[other], echo)
        if best is None:
            group_of.append(len(groups))
            groups.append([item])
        else:
            group_of.append(best[0])
            groups[best[0]].append(best[1])
    return [_story(group) for group in groups]


def _story(group: list[Echo | DigestItem]) -> Story:
    first = group[0]
    assert isinstance(first, DigestItem)
    members: list[Echo] = [Echo(first, "lead", 1.0)] + [m for m in group[1:] if isinstance(m, Echo)]
    lead = min(members, key=lambda m: (-len(m.item.sources), m.item.sort_date, m.item.id))
    if lead.item is first:
        return Story(first, members[1:])
    # The echo that becomes the lead keeps its similarity on the old lead instead.
    echoes = [Echo(first, lead.how, lead.similarity)]
    echoes += [m for m in members[1:] if m is not lead]
    return Story(lead.item, echoes)
