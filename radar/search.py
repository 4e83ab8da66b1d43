"""One search used by the CLI, the TUI and the digest: lexical (FTS5 BM25), semantic
(FAISS over sentence embeddings) or hybrid (both, fused by evidence-weighted reciprocal
rank).

Filters are applied inside each retriever, before ranking, so a limit of 10 returns
10 results whenever 10 items match.

Scores are in [0, 1] and mean, per mode:
- semantic: the cosine similarity of query and item (clamped at 0);
- lexical: the share of the query's information the item contains: the IDF-weighted
  share of query words found in it (1 = every word);
- hybrid: the fused evidence, 1 when an item is first in both lists, holds every query
  word and is identical in meaning; each list's contribution is its reciprocal rank
  weighted by that list's own evidence (word share, cosine).
A query asking for the latest (or ``recent=True``) multiplies scores by a freshness
factor, so the shown score stays in [0, 1].
"""

from __future__ import annotations

import bisect
import math
import os
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from radar.errors import ConfigError, IndexMismatch, RadarError
from radar.store import NO_FILTER, ItemFilter, ItemRelease, Store
from radar.workspace import Workspace

if TYPE_CHECKING:
    from radar.embed import Embedder
    from radar.index import VectorIndex

MODES = ("hybrid", "semantic", "lexical")

# Fusion: one rule for every collection. Constants chosen on the tune half of
# tests/data/natural_questions.yaml and SciFact train only; the figures behind each are
# in docs/PERFORMANCE.md, "Search quality" (`bench/questions.py --tune fusion`,
# `bench/scifact.py --tune`).
RRF_K = 2
"""Reciprocal rank fusion constant: a list adds weight * evidence / (RRF_K + rank); small,
so each retriever's first hits count most."""
LEXICAL_WEIGHT = 2.0
"""Above the semantic weight: lexical evidence (word share times agreement) is usually
well under 1, while cosines of good answers are 0.4-0.7."""
SEMANTIC_WEIGHT = 1.0
COVERAGE_POWER = 1.0
"""The lexical list counts in proportion to coverage ** COVERAGE_POWER (the IDF-weighted
share of the query's words an item holds): one common word of a long question counts little."""
COSINE_POWER = 1.0
"""The semantic list counts in proportion to cosine ** COSINE_POWER."""
BACKGROUND_SAMPLE = 256
"""Stored vectors (evenly spread over item ids) whose mean gives the query's background
cosine, how near an average item is; a word match counts by how far above it its cosine is."""
COLUMN_WEIGHTS = (3.0, 1.0, 1.0, 1.0)
"""BM25 weights of title, summary, content and search_terms (feed names and tags, release
project and version, linked technologies): a title word says more than a body word."""
CANDIDATES = 100
"""How deep each retriever goes before fusion; deeper changes quality little and costs time."""
COMMON_SHARE = 0.2
"""A query word in more than this share of items is dropped from the BM25 query while
rarer words remain, as a stopword would be: FTS5 scores every item matching any word, so
such a word costs a large share of the collection and adds almost nothing to BM25."""
ROW_BUDGET = 15_000
"""Most rows a lexical query may score (about 20 ms): when the words left match more, the
query covers only the newest ids holding about this many matches. Meaning search still
covers everything; only queries of common words over large collections reach this."""

WEAK_SCORE = {"semantic": 0.25, "lexical": 0.3, "hybrid": 0.15}
"""Scores below which a result is weak: a best result below its mode's value makes a
semantic or lexical search a weak match (hybrid: see `is_weak`; its value only sets what
`--sort date` lists). Set from tune questions against off-topic queries
(`bench/questions.py --weak`)."""
WEAK_NOTES = {
    "semantic": f"even the best result has a cosine below {WEAK_SCORE['semantic']}",
    "lexical": f"even the best result holds under {WEAK_SCORE['lexical']:.0%} of the query's words",
    "hybrid": f"nothing is near in meaning (cosine below {WEAK_SCORE['semantic']}) and no "
    "result holds every word of the query",
}
"""Why a search is a weak match, per mode, for the CLI and the TUI."""
RECENCY_SHARE = 0.7
"""How much of a score freshness may take away when the query asks for the latest:
score * (1 - RECENCY_SHARE + RECENCY_SHARE * freshness)."""
RECENCY_HALF_LIFE_DAYS = 2.0
"""Freshness halves for every this many days an item is older than the newest candidate."""
RECENCY_REFERENCE = 0.25
"""Items scoring at least this share of the best set the date freshness is measured from."""
SORTS = ("relevance", "date")
SCOPES = ("all", "items", "library")
"""What a search covers: news items and team library entries (`all`), or one of them."""

MATCHED_TEXT_CHARS = 20_000
"""How much of an item's content is read to find which query words it holds."""
PASSAGE_BREAK = re.compile(r"\n|[.!?](?=\s)")
"""Where an item's text is cut into passages: its lines (title, summary, each line or bullet
of its content, its search terms each start one) and sentences. Fusion's word share leans
on the best passage's share of the query's words (title words count with every passage),
so words scattered over unrelated bullets of a release note count less than words used
together (issue #16; measured in docs/PERFORMANCE.md, "Search quality")."""
PASSAGE_BLEND = 0.75
"""Lexical evidence = PASSAGE_BLEND * passage share + (1 - PASSAGE_BLEND) * whole share."""

_TOKEN = re.compile(r"(?:v(?=\d))?\d+(?:\.\d+)+\w*|\w+", re.UNICODE)
"""Words, and dotted versions kept whole ("v0.13.1" -> "0.13.1": an FTS5 phrase)."""
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
"""Letters and digits: how a query and a project name are compared ("hugging-face" is two
words)."""
_RECENCY_WORDS = re.compile(
    r"\b(?:latest|newest|most\s+recent|recent(?:ly)?|what\W{0,2}s\s+new|what\s+is\s+new)\b",
    re.IGNORECASE,
)
_INTENT_TOKENS = frozenset({"latest", "newest", "recent", "recently", "most"})

# Words that carry no topic: OR-ing them into a BM25 query only adds noise.
_STOPWORDS_TEXT = """a an and are as at be been but by can do does for from had has have how i if in
    into is it its it's of on or our so such than that the their them then there these
    they this to was we were what when where which who why will with without you your
    vs via about after also any all more most not no s t d ll re ve m"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


class _Unset:
    """Marks an argument the caller did not give (None is a meaningful value)."""


UNSET = _Unset()


@dataclass
class SearchHit:
    id: int
    title: str
    url: str | None
    feed: str | None
    published: str | None
    score: float
    snippet: str
    first_seen: str | None = None
    """When radar first saw the item: the date shown when the feed gave none."""
    explain: dict[str, Any] | None = None
    """Why it matched (with ``explain=True``): ranks in each list, cosine, word share,
    the query words it holds, the freshness factor."""
    source: str = "item"
    """``item`` (a news item, ``id`` is its id) or ``library`` (a team library entry)."""
    entry_id: str | None = None
    """The library entry's id (``radar library show ID``) for a library hit."""

    @property
    def is_library(self) -> bool:
        return self.source == "library"

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.entry_id if self.is_library else self.id,
            "source": self.source,
            "title": self.title,
            "url": self.url,
            "feed": self.feed,
            "published": self.published,
            "first_seen": self.first_seen,
            "score": round(self.score, 4),
            "snippet": self.snippet,
        }
        if self.explain is not None:
            data["explain"] = self.explain
        return data


@dataclass
class SearchResult:
    hits: list[SearchHit]
    mode: str
    notes: list[str] = field(default_factory=list)
    """Things the user should know, e.g. that semantic search had no index yet."""
    weak: bool = False
    """Even the best result may not answer the query (WEAK_NOTES[mode] says why)."""
    recency: bool = False
    """Freshness was part of the ranking (the query asked for the latest, or --recent)."""


def asks_for_latest(text: str) -> bool:
    """Whether a query asks for the newest items ("latest vLLM release", "what's new")."""
    return bool(_RECENCY_WORDS.search(text))


def query_tokens(text: str) -> list[str]:
    """A user's words, casefolded and deduplicated, without stopwords (unless that
    would leave none). Dotted versions stay whole, without a leading "v"; words asking
    for the latest ("latest", "newest") are intent, not topic, and are left out."""
    if asks_for_latest(text):
        text = _RECENCY_WORDS.sub(" ", text)
    tokens = list(
        dict.fromkeys(
            token.casefold().removeprefix("v") if "." in token else token.casefold()
            for token in _TOKEN.findall(text)
        )
    )
    return [t for t in tokens if t not in STOPWORDS and t not in _INTENT_TOKENS] or tokens


def fts_query(text: str) -> str | None:
    """A user's words as an FTS5 query: every token but stopwords, quoted, OR-ed.

    OR rather than FTS5's implicit AND, so a natural-language query still matches
    items that hold only some of its words; BM25 ranks those holding more and rarer ones.
    """
    return or_query(query_tokens(text))


def or_query(tokens: Sequence[str]) -> str | None:
    return " OR ".join(f'"{token}"' for token in tokens) or None


def idf(frequency: int, total: int) -> float:
    """BM25's inverse document frequency, as FTS5 computes it (floored just above 0)."""
    return max(1e-6, math.log((total - frequency + 0.5) / (frequency + 0.5)))


@dataclass
class Candidate:
    """One item's evidence from the retrievers, before fusion."""

    lexical_rank: int | None = None
    bm25: float = 0.0
    coverage: float = 0.0
    """IDF-weighted share of the query's words the item holds, in [0, 1]."""
    passage: float | None = None
    """IDF-weighted share of the query's words held within one passage (see PASSAGE_BREAK;
    None: unknown, the whole share stands in)."""
    semantic_rank: int | None = None
    cosine: float = 0.0
    matched: list[str] = field(default_factory=list)


def fuse(candidates: dict[int, Candidate], background: float = 0.0) -> dict[int, float]:
    """Evidence-weighted reciprocal rank fusion, scaled to [0, 1].

    Each list adds weight * evidence / (RRF_K + rank). Semantic evidence is the cosine
    (** COSINE_POWER). Lexical evidence is the word share (coverage ** COVERAGE_POWER) times
    the item's agreement in meaning: where its cosine sits between `background` (the
    collection's average cosine to the query, see BACKGROUND_SAMPLE) and the best cosine,
    clamped to [0, 1]. A word match no nearer in meaning than an average item counts for
    nothing; one as near as the best semantic hit counts fully. Divided by the most an
    item can get (first in both lists with full evidence)."""
    top = (LEXICAL_WEIGHT + SEMANTIC_WEIGHT) / (RRF_K + 1)
    cosines = [c.cosine for c in candidates.values() if c.semantic_rank is not None]
    best, lowest = (max(cosines), min(cosines)) if cosines else (0.0, 0.0)
    scores = {}
    for item_id, c in candidates.items():
        total = 0.0
        if c.lexical_rank is not None:
            total += (
                LEXICAL_WEIGHT
                * lexical_share(c) ** COVERAGE_POWER
                * agreement(c, best, lowest, background)
                / (RRF_K + c.lexical_rank)
            )
        if c.semantic_rank is not None:
            total += (
                SEMANTIC_WEIGHT * max(c.cosine, 0.0) ** COSINE_POWER / (RRF_K + c.semantic_rank)
            )
        scores[item_id] = min(1.0, total / top)
    return scores


def lexical_share(candidate: Candidate) -> float:
    """The word share fusion uses: the best passage's share blended with the whole share."""
    if candidate.passage is None:
        return candidate.coverage
    return PASSAGE_BLEND * candidate.passage + (1 - PASSAGE_BLEND) * candidate.coverage


def passage_share(weights: dict[str, float], hits: Sequence[tuple[int, str]]) -> float:
    """The most IDF-weighted share of the query words (`weights`) one passage holds, given
    each word found as (passage number, word). Passage 0 is the title: it speaks for the
    whole item, so its words count with every passage."""
    whole = sum(weights.values())
    if not whole or not hits:
        return 0.0
    held: dict[int, set[str]] = {0: set()}
    for passage, word in hits:
        held.setdefault(passage, set()).add(word)
    title = held[0]
    best = max(sum(weights.get(word, 0.0) for word in words | title) for words in held.values())
    return min(1.0, best / whole)


def agreement(candidate: Candidate, best: float, lowest: float, background: float) -> float:
    """How far `candidate`'s cosine is from the background towards the best, in [0, 1].

    1 when nothing is nearer in meaning than the background (the semantic list says
    nothing), or without a semantic list. A lexical hit whose cosine is unknown (no
    stored vector) is taken to be as far as the farthest semantic candidate."""
    if best <= background:
        return 1.0
    known = candidate.semantic_rank is not None or candidate.cosine
    cosine = candidate.cosine if known else lowest
    return min(1.0, max(0.0, (cosine - background) / (best - background)))


def newest_releases_first(
    ranked: list[int], releases: dict[int, ItemRelease], text: str
) -> list[int]:
    """`ranked` with the release items of each project the query names put in version
    order, highest first, in the places they held (other items do not move), so the
    newest release of a project is its first shown, never a backport to an older line.

    A project is named by its name or its technology's slug ("vllm", "hugging face
    transformers"). Versions are ordered as PEP 440 orders them (a release candidate
    below its final release); versions it cannot read come after, by their numbers."""
    words = f" {' '.join(_WORD.findall(text.casefold()))} "
    by_project: dict[str, list[int]] = {}
    for item_id in ranked:
        release = releases.get(item_id)
        if release is None:
            continue
        names = (release["project"], release["tech_slug"] or "")
        spelled = (" ".join(_WORD.findall(name.casefold())) for name in names)
        if any(name and f" {name} " in words for name in spelled):
            by_project.setdefault(release["project"].casefold(), []).append(item_id)
    if not by_project:
        return ranked
    reordered = list(ranked)
    position = {item_id: n for n, item_id in enumerate(ranked)}
    for ids in by_project.values():
        newest = sorted(ids, key=lambda i: version_order(releases[i]["version"]), reverse=True)
        for slot, item_id in zip(sorted(position[i] for i in ids), newest, strict=True):
            reordered[slot] = item_id
    return reordered


def version_order(version: str) -> tuple[int, Any]:
    """Sort key of a release version: PEP 440 order, versions it cannot read below, by
    their numbers."""
    from packaging.version import InvalidVersion, Version

    try:
        return (1, Version(version))
    except InvalidVersion:
        return (0, tuple(int(part) for part in re.findall(r"\d+", version)))


def is_weak(candidates: dict[int, Candidate], best_score: float, mode: str) -> bool:
    """Whether a search's best result is weak. In hybrid mode: no candidate is near in
    meaning (cosine below WEAK_SCORE["semantic"]) and none holds every word of the query.
    The fused score ranks well but tells an off-topic query apart poorly: its best word
    match is also its best by meaning, so it scores like an answer."""
    if mode != "hybrid":
        return best_score < WEAK_SCORE[mode]
    semantic = [c.cosine for c in candidates.values() if c.semantic_rank is not None]
    lexical = [c.coverage for c in candidates.values() if c.lexical_rank is not None]
    return max(semantic, default=0.0) < WEAK_SCORE["semantic"] and max(lexical, default=0.0) < 0.999


def freshness(published: dict[int, str | None], reference_ids: Sequence[int]) -> dict[int, float]:
    """Per item, 0.5 ** (days older than the newest of `reference_ids` / RECENCY_HALF_LIFE_DAYS).

    The reference is the newest of the clearly relevant items (scoring at least
    RECENCY_REFERENCE times the best), so a fresh but barely related item does not
    make every relevant one look old.
    By publication date: an undated item (its date is only when radar first saw it)
    makes no claim to be recent, so it gets 0 and is never the reference."""
    from radar.store import from_iso

    moments = {item_id: from_iso(date) for item_id, date in published.items()}
    dated = [moments[item_id] for item_id in reference_ids if moments.get(item_id)]
    if not dated:
        return {}
    newest = max(m for m in dated if m is not None)
    return {
        item_id: 0.5
        ** (max(0.0, (newest - moment).total_seconds()) / 86400 / RECENCY_HALF_LIFE_DAYS)
        if moment is not None
        else 0.0
        for item_id, moment in moments.items()
    }


class Searcher:
    """Holds what a search needs; keep one around (as the TUI does) to keep the model warm."""

    def __init__(
        self, workspace: Workspace, store: Store, model: str, embedder: Embedder | None = None
    ) -> None:
        self.workspace = workspace
        self.store = store
        self.model = model
        self._embedder = embedder
        self._index: VectorIndex | None = None
        self._index_stamp: tuple[int, int] | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._query_vector: tuple[str, Any] | None = None
        """The last query embedded, and its vector (for cosines of lexical-only hits)."""
        self._df: dict[str, tuple[int, int]] = {}
        """Per word: (items holding it, highest item id when counted)."""
        self._mean_vector: tuple[int, Any] | None = None
        """The mean of a sample of stored item vectors, and the highest item id then."""

    # --- parts -----------------------------------------------------------------------

    def embedder(self) -> Embedder:
        if self._embedder is None:
            from radar.embed import load_embedder

            self._embedder = load_embedder(
                self.model, cache_dir=self.workspace.models_dir, purpose="query"
            )
        return self._embedder

    def index(self) -> VectorIndex | None:
        """The memory-mapped index and its delta, reopened when a fetch has replaced
        either (a fetch that only adds a delta rewrites the meta, not the main file)."""
        from radar.index import open_index

        try:
            stamp = (
                self.workspace.index_path.stat().st_mtime_ns,
                self.workspace.index_meta_path.stat().st_mtime_ns,
            )
        except FileNotFoundError:
            self._index = None
            return None
        if self._index is None or stamp != self._index_stamp:
            self._index = open_index(self.workspace)
            self._index_stamp = stamp
        return self._index

    def allowed_ids(self, filters: ItemFilter) -> list[int] | None:
        if filters == NO_FILTER:
            return None
        return self.store.filtered_item_ids(filters)

    def collection_size(self) -> tuple[int, int]:
        """(highest item id, item count); the count, a full scan, is cached like df."""
        top_id = self.store.fts_top_id()
        cached = self._df.get("")
        if cached is None or not cached[1] <= top_id <= cached[1] * 1.1:
            top_id, count = self.store.fts_extent()
            cached = self._df[""] = (count, top_id)
        return top_id, cached[0]

    def document_frequency(self, token: str, top_id: int) -> int:
        """How many items hold `token`, cached until the collection grows by a tenth."""
        cached = self._df.get(token)
        if cached is not None and top_id <= cached[1] * 1.1:
            return cached[0]
        count = self.store.fts_match_count(f'"{token}"')
        self._df[token] = (count, top_id)
        return count

    def lexical_plan(self, text: str) -> tuple[str | None, int]:
        """The FTS5 query to run and the lowest item id it may match (0: all items).

        Words in more than COMMON_SHARE of items are dropped while rarer ones remain;
        if the words left still match more than ROW_BUDGET items, the query covers
        only the newest ids, in proportion.
        """
        tokens = query_tokens(text)
        if not tokens:
            return None, 0
        top_id, total = self.collection_size()
        if total == 0:
            return or_query(tokens), 0
        frequency = {token: self.document_frequency(token, top_id) for token in tokens}
        kept = [t for t in tokens if frequency[t] <= COMMON_SHARE * total]
        if not kept:
            kept = [min(tokens, key=lambda t: (frequency[t], tokens.index(t)))]
        matches = sum(frequency[t] for t in kept)
        floor = 0
        if matches > ROW_BUDGET:
            floor = int(top_id - top_id * ROW_BUDGET / matches)
        return or_query(kept), floor

    def lexical(self, text: str, filters: ItemFilter, k: int) -> list[tuple[int, float]]:
        """Up to ``k`` (item id, BM25 relevance) pairs, best first; higher is better."""
        query, floor = self.lexical_plan(text)
        if query is None:
            return []
        return self.store.lexical_candidates(
            query, k, weights=COLUMN_WEIGHTS, min_id=floor, filters=filters
        )

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="radar-semantic")
        return self._executor

    def semantic(
        self,
        text: str,
        filters: ItemFilter,
        k: int,
        allowed: list[int] | None | _Unset = UNSET,
    ) -> list[tuple[int, float]]:
        """Up to ``k`` (item id, cosine similarity) pairs, best first.

        `allowed` is the filter's id list when the caller already has it (None: all)."""
        from radar.index import check_model, search_vectors

        index = self.index()
        if index is None:
            raise IndexMismatch(
                "there is no search index yet; run `radar fetch` or `radar index rebuild`"
            )
        embedder = self.embedder()
        check_model(self.workspace, embedder.info)
        vector = embedder.embed([text])[0]
        self._query_vector = (text, vector)
        if isinstance(allowed, _Unset):
            allowed = self.allowed_ids(filters)
        return search_vectors(self.workspace, vector, k, allowed, index=index)

    def term_matches(self, tokens: Sequence[str], ids: Sequence[int]) -> dict[int, list[str]]:
        """Per item of `ids`, the query words it holds (in any indexed column)."""
        return {
            i: list(dict.fromkeys(w for _, w in h)) for i, h in self.term_hits(tokens, ids).items()
        }

    def term_hits(
        self, tokens: Sequence[str], ids: Sequence[int]
    ) -> dict[int, list[tuple[int, str]]]:
        """Per item of `ids`, where its text holds a query word: (passage number, word) in
        text order (passages: see PASSAGE_BREAK).

        A word counts when the item holds a word starting with the part it shares with
        its Porter stem (FTS5's own tokenizer gives the stem: "memory" -> "memori", so
        "memor"): the search is in the candidates' text, so it costs one read of ~100
        rows instead of an FTS5 seek per word and candidate."""
        found: dict[int, list[tuple[int, str]]] = {int(i): [] for i in ids}
        if not ids or not tokens:
            return found
        stems = self._stems(tokens)
        tokens_of: dict[str, list[str]] = {}
        for token, stem in stems.items():
            tokens_of.setdefault(stem, []).append(token)
        alternatives = "|".join(
            re.escape(stem) for stem in sorted(tokens_of, key=len, reverse=True)
        )
        pattern = re.compile(rf"\b(?:{alternatives})", re.IGNORECASE)
        for item_id, text in self.store.searchable_texts(ids, MATCHED_TEXT_CHARS).items():
            places = [
                (match.start(), token)
                for match in pattern.finditer(text)
                for token in tokens_of.get(match.group().casefold(), ())
            ]
            if len({token for _, token in places}) < 2:  # one word: its passage is moot
                found[item_id] = [(0, token) for _, token in places]
                continue
            starts = [cut.end() for cut in PASSAGE_BREAK.finditer(text)]
            found[item_id] = [(bisect.bisect_right(starts, at), token) for at, token in places]
        return found

    def _stems(self, tokens: Sequence[str]) -> dict[str, str]:
        """Each token cut to the prefix it shares with its FTS5 Porter stem."""
        stems = self.store.fts_stems(tokens)
        result = {}
        for token in tokens:
            parts = stems.get(token) or [token]
            # A version ("0.13.1") is several FTS5 tokens; match it as written.
            stem = token if len(parts) > 1 else parts[0]
            shared = os.path.commonprefix([token, stem]) or token
            result[token] = shared
        return result

    def idf_weights(self, tokens: Sequence[str]) -> dict[str, float]:
        """Each query word's BM25 IDF in this collection."""
        top_id, total = self.collection_size()
        return {t: idf(self.document_frequency(t, top_id), max(total, 1)) for t in tokens}

    @staticmethod
    def coverage(weights: dict[str, float], matched: Sequence[str]) -> float:
        """The IDF-weighted share of the query words (`weights`) among `matched`, in [0, 1]."""
        whole = sum(weights.values())
        return sum(weights[t] for t in matched if t in weights) / whole if whole else 0.0

    # --- the API ---------------------------------------------------------------------

    def search(
        self,
        text: str,
        filters: ItemFilter = NO_FILTER,
        *,
        limit: int = 10,
        mode: str = "hybrid",
        sort: str = "relevance",
        recent: bool = False,
        min_score: float | None = None,
        explain: bool = False,
        scope: str = "all",
    ) -> SearchResult:
        """The best `limit` items for `text`; see the module docstring for what scores mean.

        `recent` (or a query asking for the latest) makes freshness part of relevance;
        `sort="date"` lists the matches that are not weak, newest first; `min_score`
        drops results scoring below it. `scope` adds team library entries (``all``, the
        default, unless an item filter is given) or searches only them (``library``)."""
        if scope not in SCOPES:
            raise RadarError(f"unknown search scope {scope!r} (use {', '.join(SCOPES)})")
        if scope == "library":
            if not text.strip():
                raise RadarError("the search query is empty")
            return self._library_only(text, limit=limit, mode=mode, min_score=min_score)
        result = self._search_items(
            text,
            filters,
            limit=limit,
            mode=mode,
            sort=sort,
            recent=recent,
            min_score=min_score,
            explain=explain,
        )
        if scope == "all" and filters == NO_FILTER:
            from radar.library.search import merge_hits

            try:
                library = self.library_hits(text, limit=limit, mode=mode, min_score=min_score)
            except ConfigError as exc:
                # A library.yaml mid-merge or mistyped must not hide the news.
                result.notes.append(f"library entries left out: {exc}")
                library = []
            result.hits = merge_hits(result.hits, library, limit, by_date=sort == "date")
        return result

    def _library_only(
        self, text: str, *, limit: int, mode: str, min_score: float | None
    ) -> SearchResult:
        if mode not in MODES:
            raise RadarError(f"unknown search mode {mode!r} (use {', '.join(MODES)})")
        hits = self.library_hits(text, limit=limit, mode=mode, min_score=min_score)
        weak = not hits or hits[0].score < WEAK_SCORE[mode]
        return SearchResult(hits, mode, weak=weak)

    def library_hits(
        self, text: str, *, limit: int, mode: str, min_score: float | None = None
    ) -> list[SearchHit]:
        """Team library entries for `text`, best first (radar/library/search.py ranks them
        with the same fusion as items, so scores mean the same)."""
        from radar.library.search import search_library

        return search_library(self, text, limit=limit, mode=mode, min_score=min_score)

    def _search_items(
        self,
        text: str,
        filters: ItemFilter = NO_FILTER,
        *,
        limit: int = 10,
        mode: str = "hybrid",
        sort: str = "relevance",
        recent: bool = False,
        min_score: float | None = None,
        explain: bool = False,
    ) -> SearchResult:
        if mode not in MODES:
            raise RadarError(f"unknown search mode {mode!r} (use {', '.join(MODES)})")
        if sort not in SORTS:
            raise RadarError(f"unknown sort {sort!r} (use {', '.join(SORTS)})")
        if not text.strip():
            raise RadarError("the search query is empty")
        depth = max(CANDIDATES, limit)
        notes: list[str] = []
        candidates: dict[int, Candidate] = {}
        tokens = query_tokens(text)
        meaning = None
        if mode == "hybrid" and self.workspace.index_path.exists():
            # Both retrievers at once: FTS5, onnxruntime and FAISS all release the GIL,
            # so a hybrid search costs the slower of the two, not their sum. The
            # semantic side gets its id filter from this thread (one connection user).
            allowed = self.allowed_ids(filters)
            meaning = self._pool().submit(self.semantic, text, filters, depth, allowed)
        if mode in ("hybrid", "lexical"):
            lexical = self.lexical(text, filters, depth)
            places = self.term_hits(tokens, [item_id for item_id, _ in lexical])
            weights = self.idf_weights(tokens)
            for rank, (item_id, bm25) in enumerate(lexical, start=1):
                candidate = candidates.setdefault(item_id, Candidate())
                candidate.lexical_rank, candidate.bm25 = rank, bm25
                held = {word for _, word in places[item_id]}
                candidate.matched = [t for t in tokens if t in held]
                candidate.coverage = self.coverage(weights, candidate.matched)
                candidate.passage = passage_share(weights, places[item_id])
        if mode in ("hybrid", "semantic"):
            try:
                semantic = (
                    meaning.result() if meaning is not None else self.semantic(text, filters, depth)
                )
                for rank, (item_id, cosine) in enumerate(semantic, start=1):
                    candidate = candidates.setdefault(item_id, Candidate())
                    candidate.semantic_rank, candidate.cosine = rank, cosine
            except IndexMismatch as exc:
                if mode == "semantic" or self.workspace.index_path.exists():
                    raise
                notes.append(f"lexical results only: {exc}")
                mode = "lexical"
        if mode == "hybrid":
            self._fill_cosines(text, candidates)
        scores, order = self._relevance(candidates, mode, text)
        recency = recent or asks_for_latest(text)
        fresh: dict[int, float] = {}
        if recency and candidates:
            best = max(order.values())
            relevant = [i for i in candidates if order[i] >= RECENCY_REFERENCE * best]
            fresh = self._freshness(list(candidates), relevant)
            for item_id, factor in fresh.items():
                boost = 1 - RECENCY_SHARE + RECENCY_SHARE * factor
                scores[item_id] *= boost
                order[item_id] *= boost
        ranked = sorted(candidates, key=lambda item_id: (-order[item_id], item_id))
        if recency and sort == "relevance":
            ranked = self._newest_releases_first(ranked, scores, text)
        weak = not ranked or is_weak(candidates, scores[ranked[0]], mode)
        floor = min_score
        if sort == "date":
            floor = max(floor or 0.0, WEAK_SCORE[mode])
        if floor is not None:
            ranked = [item_id for item_id in ranked if scores[item_id] >= floor]
        if sort == "date":
            ranked = self._newest_first(ranked)
        hits = self.hydrate(ranked, scores, limit, text)
        if explain:
            self._explain(hits, candidates, tokens, fresh)
        return SearchResult(hits, mode, notes, weak=weak, recency=recency)

    def _fill_cosines(self, text: str, candidates: dict[int, Candidate]) -> None:
        """Cosines of lexical candidates beyond the semantic list, from stored vectors, so
        fusion can tell an incidental word match (far in meaning) from a real one."""
        remembered = self._query_vector
        missing = [i for i, c in candidates.items() if c.semantic_rank is None]
        if not missing or remembered is None or remembered[0] != text:
            return
        import numpy as np

        query = np.asarray(remembered[1], dtype=np.float32)
        for item_id, blob in self.store.item_vectors(None, missing).items():
            vector = np.frombuffer(blob, dtype=np.float32)
            if vector.shape == query.shape:
                candidates[item_id].cosine = float(vector @ query)

    def background_cosine(self, text: str | None = None) -> float:
        """The cosine of the last query embedded (it must be `text` when given) to the mean
        item vector: the expected cosine of an average item. 0 when either is unknown."""
        remembered = self._query_vector
        if remembered is None or (text is not None and remembered[0] != text):
            return 0.0
        import numpy as np

        mean = self._collection_mean()
        query = np.asarray(remembered[1], dtype=np.float32)
        if mean is None or mean.shape != query.shape:
            return 0.0
        return float(mean @ query)

    def _collection_mean(self) -> Any:
        """Mean of up to BACKGROUND_SAMPLE stored vectors at evenly spread item ids (the
        same ones every time), kept until the collection grows by a tenth."""
        import numpy as np

        top_id = self.store.fts_top_id()
        cached = self._mean_vector
        if cached is not None and cached[0] <= top_id <= cached[0] * 1.1:
            return cached[1]
        ids = np.unique(np.linspace(1, max(top_id, 1), BACKGROUND_SAMPLE).astype(int)).tolist()
        vectors = [
            np.frombuffer(b, dtype=np.float32) for b in self.store.item_vectors(None, ids).values()
        ]
        shape = vectors[0].shape if vectors else None
        same = [v for v in vectors if v.shape == shape]
        mean = np.mean(same, axis=0) if same else None
        self._mean_vector = (top_id, mean)
        return mean

    def _relevance(
        self, candidates: dict[int, Candidate], mode: str, text: str | None = None
    ) -> tuple[dict[int, float], dict[int, float]]:
        """(shown score, ranking value) per candidate for `mode` (`text`: the query, to
        check the remembered query vector is its own; the library passes none)."""
        if mode == "hybrid":
            scores = fuse(candidates, self.background_cosine(text))
            return scores, dict(scores)
        if mode == "semantic":
            scores = {i: min(1.0, max(0.0, c.cosine)) for i, c in candidates.items()}
            return scores, {i: c.cosine for i, c in candidates.items()}
        best = max((c.bm25 for c in candidates.values()), default=1.0) or 1.0
        return (
            {i: c.coverage for i, c in candidates.items()},
            {i: c.bm25 / best for i, c in candidates.items()},
        )

    def _newest_releases_first(
        self, ranked: list[int], scores: dict[int, float], text: str
    ) -> list[int]:
        """The releases of projects the query names in version order (see
        `newest_releases_first`); each place keeps its score, so scores stay best first."""
        reordered = newest_releases_first(ranked, self.store.releases_of_items(ranked), text)
        if reordered != ranked:
            held = [scores[item_id] for item_id in ranked]
            scores.update(zip(reordered, held, strict=True))
        return reordered

    def _freshness(self, ids: list[int], reference_ids: list[int]) -> dict[int, float]:
        return freshness(self.store.published_dates(ids), reference_ids)

    def _newest_first(self, ids: list[int]) -> list[int]:
        if not ids:
            return ids
        dates = self.store.sort_dates(ids)
        return sorted(ids, key=lambda item_id: (dates.get(item_id) or "", item_id), reverse=True)

    def _explain(
        self,
        hits: list[SearchHit],
        candidates: dict[int, Candidate],
        tokens: list[str],
        fresh: dict[int, float],
    ) -> None:
        missing = [hit.id for hit in hits if candidates[hit.id].lexical_rank is None]
        extra = self.term_hits(tokens, missing)
        weights = self.idf_weights(tokens)
        for hit in hits:
            c = candidates[hit.id]
            found = extra.get(hit.id, [])
            matched = (
                c.matched
                if c.lexical_rank is not None
                else list(dict.fromkeys(w for _, w in found))
            )
            passage = c.passage if c.lexical_rank is not None else None
            if passage is None:
                passage = passage_share(weights, found)
            hit.explain = {
                "lexical_rank": c.lexical_rank,
                "semantic_rank": c.semantic_rank,
                "cosine": round(c.cosine, 4) if c.semantic_rank is not None or c.cosine else None,
                "word_share": round(self.coverage(weights, matched), 4),
                "passage_share": round(passage, 4),
                "matched": matched,
                "query_words": tokens,
                "freshness": round(fresh[hit.id], 4) if hit.id in fresh else None,
            }

    def similar(
        self,
        item_id: int,
        *,
        limit: int = 10,
        filters: ItemFilter = NO_FILTER,
        min_score: float | None = None,
    ) -> SearchResult:
        """Items closest in meaning to one item, the item itself excluded; scores are
        cosine similarities, as in semantic search."""
        from radar.index import search_vectors

        self.store.get_item(item_id)
        stored = self.store.item_vectors(None, [item_id]).get(item_id)
        index = self.index()
        if stored is None or index is None:
            raise IndexMismatch(
                f"item {item_id} is not in the search index yet; run `radar index rebuild`"
            )
        import numpy as np

        vector = np.frombuffer(stored, dtype=np.float32)
        hits = search_vectors(
            self.workspace, vector, limit + 1, self.allowed_ids(filters), index=index
        )
        scores = {hit_id: min(1.0, max(0.0, score)) for hit_id, score in hits if hit_id != item_id}
        ranked = sorted(scores, key=lambda hit_id: (-scores[hit_id], hit_id))
        weak = not ranked or scores[ranked[0]] < WEAK_SCORE["semantic"]
        if min_score is not None:
            ranked = [hit_id for hit_id in ranked if scores[hit_id] >= min_score]
        return SearchResult(self.hydrate(ranked, scores, limit, ""), "semantic", weak=weak)

    def hydrate(
        self, ranked: list[int], scores: dict[int, float], limit: int, text: str
    ) -> list[SearchHit]:
        """Turn ids into hits; ids the database no longer has are dropped here."""
        hits: list[SearchHit] = []
        for start in range(0, len(ranked), limit):
            chunk = ranked[start : start + limit]
            rows = {
                row["id"]: row
                for row in self.store.list_items(ItemFilter(item_ids=chunk), limit=None)
            }
            for item_id in chunk:
                row = rows.get(item_id)
                if row is not None:
                    hits.append(
                        SearchHit(
                            id=item_id,
                            title=row["title"],
                            url=row["url"],
                            feed=row["feed"],
                            published=row["published"],
                            first_seen=row["first_seen"],
                            score=scores[item_id],
                            snippet=make_snippet(row["summary"] or row["content"], text),
                        )
                    )
            if len(hits) >= limit:
                break
        return hits[:limit]


def explain_text(explain: dict[str, Any]) -> str:
    """One line saying why a hit matched: its rank in each list, cosine, the query words
    it holds (all told and in its best passage) and its freshness (for the CLI's
    --explain and the TUI's x key)."""

    def rank(value: int | None) -> str:
        return f"#{value}" if value is not None else "-"

    parts = [
        f"lexical {rank(explain['lexical_rank'])}",
        f"semantic {rank(explain['semantic_rank'])}",
    ]
    if explain["cosine"] is not None:
        parts.append(f"cosine {explain['cosine']:.2f}")
    matched = ", ".join(explain["matched"]) or "none"
    share = f"share {explain['word_share']:.2f}"
    if explain.get("passage_share") is not None:
        share += f", in one passage {explain['passage_share']:.2f}"
    parts.append(f"words {matched} ({share})")
    if explain["freshness"] is not None:
        parts.append(f"freshness {explain['freshness']:.2f}")
    return "; ".join(parts)


def make_snippet(body: str, query: str, width: int = 200) -> str:
    """About `width` characters of `body`, around the first query word it contains."""
    body = " ".join(body.split())
    if len(body) <= width:
        return body
    start = 0
    lowered = body.casefold()
    for token in _TOKEN.findall(query.casefold()):
        if len(token) > 2 and (position := lowered.find(token)) >= 0:
            start = max(0, position - width // 4)
            break
    snippet = body[start : start + width]
    if start > 0:
        snippet = "…" + snippet[snippet.find(" ") + 1 :]
    if start + width < len(body):
        snippet = snippet[: snippet.rfind(" ")] + "…"
    return snippet
