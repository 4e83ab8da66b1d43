"""Searching the team library with the items' rules, so one `radar search` lists both.

Entries are ranked like items (BM25 over title and notes, cosine over an embedding of
title + notes, the same evidence-weighted fusion), so a library entry and an item with
the same score are equally good answers. The library is small: its vectors are searched
flat with numpy, no FAISS index. Before searching, the index is checked against
data/library.yaml by hash and refreshed in one step if the file changed (git pull, hand
edit); entries without a vector for the current model are embedded then, at most one
batch per search.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from radar.library.index import embed_missing, ensure_fresh
from radar.search import (
    CANDIDATES,
    Candidate,
    SearchHit,
    make_snippet,
    or_query,
    query_tokens,
)
from radar.store.library import IndexedEntry

if TYPE_CHECKING:
    from radar.search import Searcher


def _words_held(
    searcher: Searcher, tokens: list[str], texts: dict[int, str]
) -> dict[int, list[str]]:
    """Per candidate, the query words its text holds (stem prefix match, as for items)."""
    if not tokens:
        return {key: [] for key in texts}
    stems = searcher._stems(tokens)
    alternatives = "|".join(
        re.escape(stem) for stem in sorted(set(stems.values()), key=len, reverse=True)
    )
    pattern = re.compile(rf"\b(?:{alternatives})", re.IGNORECASE)
    found = {}
    for key, text in texts.items():
        seen = {match.casefold() for match in pattern.findall(text)}
        found[key] = [token for token in tokens if stems[token] in seen]
    return found


def _text_of(entry: IndexedEntry) -> str:
    return " ".join([entry.title, entry.note, *entry.tags, *entry.technologies])


def _query_vector(searcher: Searcher, text: str) -> np.ndarray:
    remembered = searcher._query_vector
    if remembered is not None and remembered[0] == text:
        return np.asarray(remembered[1], dtype=np.float32)
    vector = searcher.embedder().embed([text])[0]
    searcher._query_vector = (text, vector)
    return np.asarray(vector, dtype=np.float32)


def search_library(
    searcher: Searcher, text: str, *, limit: int, mode: str, min_score: float | None = None
) -> list[SearchHit]:
    """The best `limit` library entries for `text` as search hits (source ``library``)."""
    store = searcher.store
    ensure_fresh(searcher.workspace, store)
    if store.library.count() == 0:
        return []
    tokens = query_tokens(text)
    candidates: dict[int, Candidate] = {}
    keys: dict[str, int] = {}

    def key_of(entry_id: str) -> int:
        return keys.setdefault(entry_id, len(keys))

    if mode in ("hybrid", "lexical"):
        query = or_query(tokens)
        lexical = store.library.lexical(query, CANDIDATES) if query else []
        entries = store.library.entries([entry_id for entry_id, _ in lexical])
        held = _words_held(searcher, tokens, {key_of(e): _text_of(entries[e]) for e, _ in lexical})
        weights = searcher.idf_weights(tokens)
        for rank, (entry_id, bm25) in enumerate(lexical, start=1):
            candidate = candidates.setdefault(key_of(entry_id), Candidate())
            candidate.lexical_rank, candidate.bm25 = rank, bm25
            candidate.matched = held[key_of(entry_id)]
            candidate.coverage = searcher.coverage(weights, candidate.matched)
    semantic = mode == "semantic" or (mode == "hybrid" and searcher.workspace.index_path.exists())
    if semantic:
        embed_missing(store, searcher.embedder(), searcher.model)
        ids, matrix = store.library.vectors(searcher.model)
        if matrix is not None:
            cosines = matrix @ _query_vector(searcher, text)
            order = np.argsort(-cosines, kind="stable")[:CANDIDATES]
            for rank, position in enumerate(order, start=1):
                candidate = candidates.setdefault(key_of(ids[position]), Candidate())
                candidate.semantic_rank, candidate.cosine = rank, float(cosines[position])
            by_id = dict(zip(ids, cosines.tolist(), strict=True))
            for entry_id, key in keys.items():
                if candidates[key].semantic_rank is None and entry_id in by_id:
                    candidates[key].cosine = float(by_id[entry_id])
    elif mode == "hybrid":
        mode = "lexical"
    if not candidates:
        return []
    scores, ranking = searcher._relevance(candidates, mode)
    ranked = sorted(candidates, key=lambda key: (-ranking[key], key))
    if min_score is not None:
        ranked = [key for key in ranked if scores[key] >= min_score]
    ranked = ranked[:limit]
    id_of = {key: entry_id for entry_id, key in keys.items()}
    entries = store.library.entries([id_of[key] for key in ranked])
    hits = []
    for key in ranked:
        entry = entries[id_of[key]]
        hits.append(
            SearchHit(
                id=0,
                title=entry.title,
                url=entry.url,
                feed=None,
                published=None,
                first_seen=entry.added,
                score=scores[key],
                snippet=make_snippet(entry.note, text) if entry.note else "no note yet",
                source="library",
                entry_id=entry.id,
            )
        )
    return hits


def merge_hits(
    items: list[SearchHit], library: list[SearchHit], limit: int, *, by_date: bool = False
) -> list[SearchHit]:
    """Items and library entries in one list: each keeps its own order, and at each step
    the better head comes first (higher score, or newer with `by_date`)."""
    merged: list[SearchHit] = []
    i = j = 0

    def key(hit: SearchHit) -> float | str:
        return (hit.published or hit.first_seen or "") if by_date else hit.score

    while len(merged) < limit and (i < len(items) or j < len(library)):
        take_library = j < len(library) and (
            i >= len(items) or key(library[j]) > key(items[i])  # type: ignore[operator]
        )
        if take_library:
            merged.append(library[j])
            j += 1
        else:
            merged.append(items[i])
            i += 1
    return merged
