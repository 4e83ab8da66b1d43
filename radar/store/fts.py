"""Full-text search (FTS5) and the ``search_terms`` column it indexes beside an item's text."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Sequence

from radar.store.base import StoreBase, chunks
from radar.store.filters import ItemFilter, filter_sql

SEARCH_COLUMNS = ("title", "summary", "content", "search_terms")
"""The FTS5 columns, in order; bm25() weights in radar.search follow this order."""

_SEARCH_TERMS_SQL = """
    SELECT trim(
        COALESCE((SELECT group_concat(f.name || ' ' || COALESCE(
                     (SELECT group_concat(j.value, ' ') FROM json_each(f.tags) j), ''), ' ')
                  FROM item_sources s JOIN feeds f ON f.id = s.feed_id
                  WHERE s.item_id = items.id), '')
        || ' ' ||
        COALESCE((SELECT 'release ' || r.project || ' ' || r.version
                  FROM releases r WHERE r.item_id = items.id), '')
        || ' ' ||
        COALESCE((SELECT group_concat(t.name, ' ') FROM item_tech l
                  JOIN technologies t ON t.slug = l.tech_slug
                  WHERE l.item_id = items.id), ''))
"""
"""What an item's ``search_terms`` column holds: the names and tags of the feeds that
carry it, for a release the word "release", its project and version (as parsed by
radar.techradar.releases), and the names of the technologies it is linked to. Searched
by FTS5 only: never shown and never embedded, so a radar edit never forces re-embedding."""


def refresh_search_terms(conn: sqlite3.Connection, item_ids: Sequence[int] | None = None) -> None:
    """Recompute ``items.search_terms`` for these items (None: every item).

    Called by the write paths that change what it is made of (ingest credits an item to
    a feed, linking writes releases and technology links, feeds.yaml changes a feed's
    name or tags); the FTS triggers then re-index only rows whose text changed."""
    if item_ids is None:
        conn.execute(
            f"UPDATE items SET search_terms = ({_SEARCH_TERMS_SQL}) "
            f"WHERE search_terms IS NOT ({_SEARCH_TERMS_SQL})"
        )
        return
    for chunk in chunks([str(int(i)) for i in item_ids]):
        conn.execute(
            f"UPDATE items SET search_terms = ({_SEARCH_TERMS_SQL}) "
            "WHERE id IN (SELECT value FROM json_each(?)) "
            f"AND search_terms IS NOT ({_SEARCH_TERMS_SQL})",
            [json.dumps([int(i) for i in chunk])],
        )


class _PorterStems:
    """FTS5's own tokenizer, run on words in a private in-memory database: the stems
    lexical search matches on, so highlighting agrees with matching."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def stems(self, tokens: Sequence[str]) -> dict[str, list[str]]:
        with self._lock:
            if self._conn is None:
                conn = sqlite3.connect(":memory:", check_same_thread=False)
                conn.execute(
                    "CREATE VIRTUAL TABLE words USING fts5(word, tokenize='porter unicode61')"
                )
                conn.execute("CREATE VIRTUAL TABLE stems USING fts5vocab(words, 'instance')")
                self._conn = conn
            conn = self._conn
            conn.execute("DELETE FROM words")
            conn.executemany(
                "INSERT INTO words (rowid, word) VALUES (?, ?)", list(enumerate(tokens))
            )
            found: dict[str, list[str]] = {}
            for doc, term in conn.execute("SELECT doc, term FROM stems ORDER BY doc, offset"):
                found.setdefault(tokens[doc], []).append(term)
        return found


_PORTER = _PorterStems()


class FtsMixin(StoreBase):
    """Lexical search over items (FTS5)."""

    def fts_stems(self, tokens: Sequence[str]) -> dict[str, list[str]]:
        """Each word's index terms as the full-text tokenizer makes them (a version
        string gives several); words it drops are absent."""
        return _PORTER.stems(tokens)

    def fts_extent(self) -> tuple[int, int]:
        """(highest indexed item id, how many items are indexed); the count is a full scan."""
        top = int(self.query("SELECT MAX(rowid) FROM items_fts_docsize")[0][0] or 0)
        return top, int(self.query("SELECT COUNT(*) FROM items_fts_docsize")[0][0])

    def fts_top_id(self) -> int:
        """The highest indexed item id (0: none), without counting."""
        return int(self.query("SELECT MAX(rowid) FROM items_fts_docsize")[0][0] or 0)

    def fts_match_count(self, fts_query: str) -> int:
        """How many items an FTS5 query matches."""
        rows = self.query("SELECT COUNT(*) FROM items_fts WHERE items_fts MATCH ?", [fts_query])
        return int(rows[0][0])

    def lexical_candidates(
        self,
        fts_query: str,
        budget: int,
        *,
        weights: Sequence[float],
        min_id: int = 0,
        filters: ItemFilter | None = None,
    ) -> list[tuple[int, float]]:
        """Up to ``budget`` (item id, BM25 relevance) pairs matching an FTS5 query, best
        first (higher is better); ``weights`` per column of SEARCH_COLUMNS, ``min_id``
        the lowest id to consider, ``filters`` applied before ranking."""
        weight_list = ", ".join(str(float(w)) for w in weights)
        if filters is None or filters == ItemFilter():
            # FTS5 alone: no join to items for each of the (possibly many) matches.
            rows = self.query(
                f"""SELECT rowid, -bm25(items_fts, {weight_list}) AS relevance FROM items_fts
                    WHERE items_fts MATCH ? AND rowid >= ?
                    ORDER BY relevance DESC LIMIT ?""",
                [fts_query, min_id, budget],
            )
            return [(int(row[0]), float(row[1])) for row in rows]
        where, params = filter_sql(filters)
        rows = self.query(
            f"""SELECT i.id, -bm25(items_fts, {weight_list}) AS relevance
                FROM items_fts JOIN items i ON i.id = items_fts.rowid
                WHERE items_fts MATCH ? AND items_fts.rowid >= ? AND {where}
                ORDER BY relevance DESC LIMIT ?""",
            [fts_query, min_id, *params, budget],
        )
        return [(int(row[0]), float(row[1])) for row in rows]

    def searchable_texts(self, item_ids: Sequence[int], content_chars: int) -> dict[int, str]:
        """Each item's title, summary, the start of its content and its search terms, as
        one text, a line each (for telling which query words an item holds, and where)."""
        if not item_ids:
            return {}
        id_list = ",".join(str(int(i)) for i in item_ids)
        rows = self.query(
            f"""SELECT id, title || char(10) || summary || char(10) || substr(content, 1, ?)
                || char(10) || search_terms FROM items WHERE id IN ({id_list})""",
            [content_chars],
        )
        return {int(row[0]): str(row[1]) for row in rows}

    def text_matches(self, fts_query: str) -> set[int]:
        """Ids of items whose indexed text matches an FTS5 query (e.g. ``"vllm" OR "jax"``)."""
        rows = self.query("SELECT rowid FROM items_fts WHERE items_fts MATCH ?", [fts_query])
        return {int(row[0]) for row in rows}
