"""One search used by the CLI, the TUI and the digest: lexical (FTS5 BM25), semantic
(FAISS over sentence embeddings) or hybrid (both, fused by reciprocal rank).

Filters are applied inside each retriever, before ranking, so a limit of 10 returns
10 results whenever 10 items match.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from radar.errors import IndexMismatch, RadarError
from radar.store import NO_FILTER, ItemFilter, Store
from radar.workspace import Workspace

if TYPE_CHECKING:
    import faiss

    from radar.embed import Embedder

MODES = ("hybrid", "semantic", "lexical")

# Tuned on SciFact's 809 train claims with `bench/scifact.py --tune` (never on its test
# split): hybrid nDCG@10 on train 0.716 -> 0.740; on test 0.715 -> 0.728.
RRF_K = 1
"""Reciprocal rank fusion constant: score = sum(weight / (RRF_K + rank)).

Small, so each retriever's first hits count most. The textbook 60 scores 0.722 on train
with the other settings here (0.740 with 1): it lets items that both lists rank middling
crowd out either list's best."""
LEXICAL_WEIGHT = 1.1
"""A touch above the semantic weight, so at equal ranks the BM25 hit goes first: lexical
weights from 1.0 to 1.5 score 0.736-0.740 on train, 0.9 and below 0.717-0.723."""
SEMANTIC_WEIGHT = 1.0
COLUMN_WEIGHTS = (3.0, 1.0, 1.0)
"""BM25 weights of title, summary and content: a title word says more about an item
than a word in its body (title x3: lexical 0.708 on train, x1: 0.700, x8: 0.704)."""
CANDIDATES = 100
"""How deep each retriever goes before fusion (50 to 400 change nDCG@10 by < 0.002)."""
COMMON_SHARE = 0.2
"""A query word found in more than this share of items is dropped from the BM25 query
when rarer words remain, as a stopword would be. FTS5 scores every item that matches
any query word, so a word in half the items makes a query cost half the collection
while adding little: its BM25 weight is near zero (FTS5 clamps it to 1e-6 above 50%).
On SciFact train, hybrid nDCG@10: no pruning 0.7404, 0.2 -> 0.7406, 0.1 -> 0.7289,
0.05 -> 0.7166 (test: 0.7278 with and without pruning at 0.2)."""
ROW_BUDGET = 15_000
"""Most rows a lexical query may score. FTS5 ranks by scoring every match (about
1.3 microseconds a row), so when the words left still match more, the query is limited
to the newest items: the window of ids that holds about this many matches (15,000 rows
is about 20 ms). Meaning search still covers everything; only large collections
(beyond 100k items) and queries of only common words reach this."""

_TOKEN = re.compile(r"\w+", re.UNICODE)

# Words that carry no topic: OR-ing them into a BM25 query only adds noise.
_STOPWORDS_TEXT = """a an and are as at be been but by can do does for from had has have how i if in
    into is it its it's of on or our so such than that the their them then there these
    they this to was we were what when where which who why will with without you your
    vs via about after also any all more most not no"""
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

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "feed": self.feed,
            "published": self.published,
            "first_seen": self.first_seen,
            "score": round(self.score, 6),
            "snippet": self.snippet,
        }


@dataclass
class SearchResult:
    hits: list[SearchHit]
    mode: str
    notes: list[str] = field(default_factory=list)
    """Things the user should know, e.g. that semantic search had no index yet."""


def query_tokens(text: str) -> list[str]:
    """A user's words, casefolded and deduplicated, without stopwords (unless that
    would leave none)."""
    tokens = list(dict.fromkeys(token.casefold() for token in _TOKEN.findall(text)))
    return [token for token in tokens if token not in STOPWORDS] or tokens


def fts_query(text: str) -> str | None:
    """A user's words as an FTS5 query: every token but stopwords, quoted, OR-ed.

    OR rather than FTS5's implicit AND, so a natural-language query still matches
    items that hold only some of its words; BM25 ranks those holding more and rarer ones.
    """
    return or_query(query_tokens(text))


def or_query(tokens: Sequence[str]) -> str | None:
    return " OR ".join(f'"{token}"' for token in tokens) or None


def rrf(ranked_lists: Sequence[tuple[float, Sequence[int]]], k: int = RRF_K) -> dict[int, float]:
    """Fuse ranked id lists: each list is (weight, ids best first)."""
    scores: dict[int, float] = {}
    for weight, ids in ranked_lists:
        for rank, item_id in enumerate(ids, start=1):
            scores[item_id] = scores.get(item_id, 0.0) + weight / (k + rank)
    return scores


class Searcher:
    """Holds what a search needs; keep one around (as the TUI does) to keep the model warm."""

    def __init__(
        self, workspace: Workspace, store: Store, model: str, embedder: Embedder | None = None
    ) -> None:
        self.workspace = workspace
        self.store = store
        self.model = model
        self._embedder = embedder
        self._index: faiss.Index | None = None
        self._index_mtime: float | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._df: dict[str, tuple[int, int]] = {}
        """Per word: (items holding it, highest item id when counted)."""

    # --- parts -----------------------------------------------------------------------

    def embedder(self) -> Embedder:
        if self._embedder is None:
            from radar.embed import load_embedder

            self._embedder = load_embedder(
                self.model, cache_dir=self.workspace.models_dir, purpose="query"
            )
        return self._embedder

    def index(self) -> faiss.Index | None:
        """The memory-mapped index, reopened when a fetch has replaced the file."""
        from radar.index import load_index

        try:
            mtime = self.workspace.index_path.stat().st_mtime
        except FileNotFoundError:
            self._index = None
            return None
        if self._index is None or mtime != self._index_mtime:
            self._index = load_index(self.workspace)
            self._index_mtime = mtime
        return self._index

    def allowed_ids(self, filters: ItemFilter) -> list[int] | None:
        if filters == NO_FILTER:
            return None
        where, params = self.store.filter_sql(filters)
        return [
            row[0] for row in self.store.query(f"SELECT i.id FROM items i WHERE {where}", params)
        ]

    def collection_size(self) -> tuple[int, int]:
        """(highest item id, item count); the count, a full scan, is cached like df."""
        top_id = int(self.store.query("SELECT MAX(rowid) FROM items_fts_docsize")[0][0] or 0)
        cached = self._df.get("")
        if cached is None or not cached[1] <= top_id <= cached[1] * 1.1:
            count = self.store.query("SELECT COUNT(*) FROM items_fts_docsize")[0][0]
            cached = self._df[""] = (int(count), top_id)
        return top_id, cached[0]

    def document_frequency(self, token: str, top_id: int) -> int:
        """How many items hold `token`, cached until the collection grows by a tenth."""
        cached = self._df.get(token)
        if cached is not None and top_id <= cached[1] * 1.1:
            return cached[0]
        count = self.store.query(
            "SELECT COUNT(*) FROM items_fts WHERE items_fts MATCH ?", [f'"{token}"']
        )[0][0]
        self._df[token] = (int(count), top_id)
        return int(count)

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
        weights = ", ".join(str(w) for w in COLUMN_WEIGHTS)
        if filters == NO_FILTER:
            # FTS5 alone: no join to items for each of the (possibly many) matches.
            rows = self.store.query(
                f"""SELECT rowid, -bm25(items_fts, {weights}) AS relevance FROM items_fts
                    WHERE items_fts MATCH ? AND rowid >= ?
                    ORDER BY relevance DESC LIMIT ?""",
                [query, floor, k],
            )
            return [(row[0], row[1]) for row in rows]
        where, params = self.store.filter_sql(filters)
        rows = self.store.query(
            f"""SELECT i.id, -bm25(items_fts, {weights}) AS relevance
                FROM items_fts JOIN items i ON i.id = items_fts.rowid
                WHERE items_fts MATCH ? AND items_fts.rowid >= ? AND {where}
                ORDER BY relevance DESC LIMIT ?""",
            [query, floor, *params, k],
        )
        return [(row[0], row[1]) for row in rows]

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
        if isinstance(allowed, _Unset):
            allowed = self.allowed_ids(filters)
        return search_vectors(self.workspace, vector, k, allowed, index=index)

    # --- the API ---------------------------------------------------------------------

    def search(
        self,
        text: str,
        filters: ItemFilter = NO_FILTER,
        *,
        limit: int = 10,
        mode: str = "hybrid",
    ) -> SearchResult:
        if mode not in MODES:
            raise RadarError(f"unknown search mode {mode!r} (use {', '.join(MODES)})")
        if not text.strip():
            raise RadarError("empty search query")
        depth = max(CANDIDATES, limit)
        notes: list[str] = []
        lists: list[tuple[float, Sequence[int]]] = []
        meaning = None
        if mode == "hybrid" and self.workspace.index_path.exists():
            # Both retrievers at once: FTS5, onnxruntime and FAISS all release the GIL,
            # so a hybrid search costs the slower of the two, not their sum. The
            # semantic side gets its id filter from this thread (one connection user).
            allowed = self.allowed_ids(filters)
            meaning = self._pool().submit(self.semantic, text, filters, depth, allowed)
        if mode in ("hybrid", "lexical"):
            lexical = self.lexical(text, filters, depth)
            lists.append((LEXICAL_WEIGHT, [item_id for item_id, _ in lexical]))
        if mode in ("hybrid", "semantic"):
            try:
                semantic = (
                    meaning.result() if meaning is not None else self.semantic(text, filters, depth)
                )
                lists.append((SEMANTIC_WEIGHT, [item_id for item_id, _ in semantic]))
            except IndexMismatch as exc:
                if mode == "semantic" or self.workspace.index_path.exists():
                    raise
                notes.append(f"lexical results only: {exc}")
        scores = rrf(lists, RRF_K)
        ranked = sorted(scores, key=lambda item_id: (-scores[item_id], item_id))
        return SearchResult(self.hydrate(ranked, scores, limit, text), mode, notes)

    def similar(
        self, item_id: int, *, limit: int = 10, filters: ItemFilter = NO_FILTER
    ) -> SearchResult:
        """Items closest in meaning to one item, the item itself excluded."""
        from radar.index import search_vectors

        self.store.get_item(item_id)
        row = self.store.conn.execute(
            "SELECT vector FROM embeddings WHERE item_id = ?", [item_id]
        ).fetchone()
        index = self.index()
        if row is None or index is None:
            raise IndexMismatch(
                f"item {item_id} is not in the search index yet; run `radar index rebuild`"
            )
        import numpy as np

        vector = np.frombuffer(row[0], dtype=np.float32)
        hits = search_vectors(
            self.workspace, vector, limit + 1, self.allowed_ids(filters), index=index
        )
        scores = {hit_id: score for hit_id, score in hits if hit_id != item_id}
        ranked = sorted(scores, key=lambda hit_id: (-scores[hit_id], hit_id))
        return SearchResult(self.hydrate(ranked, scores, limit, ""), "semantic")

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
