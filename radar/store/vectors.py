"""Item vectors (the embeddings table) that the FAISS index is derived from."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from radar.store.base import StoreBase


class EmbeddingState(NamedTuple):
    """An item's text fields and what its stored vector was made from (None: no vector)."""

    id: int
    title: str
    summary: str
    content: str
    text_hash: str | None
    fingerprint: str | None


class VectorsMixin(StoreBase):
    """Reads and writes of stored item vectors."""

    def embedded_count(self) -> int:
        """How many items have a stored vector (of any model)."""
        return int(self.query("SELECT COUNT(*) FROM embeddings")[0][0])

    def item_vectors(self, fingerprint: str | None, item_ids: Sequence[int]) -> dict[int, bytes]:
        """Stored float32 vectors (raw bytes) of these items made by the model
        ``fingerprint`` (None: whichever model made them)."""
        unique = sorted({int(i) for i in item_ids})
        found: dict[int, bytes] = {}
        for start in range(0, len(unique), 500):
            rows = self.query(
                "SELECT item_id, vector FROM embeddings WHERE (? IS NULL OR fingerprint = ?) "
                "AND item_id IN (SELECT value FROM json_each(?))",
                [fingerprint, fingerprint, json.dumps(unique[start : start + 500])],
            )
            for row in rows:
                found[int(row[0])] = bytes(row[1])
        return found

    def embedding_states(self) -> Iterator[EmbeddingState]:
        """Every item's text fields and the hash and model of its stored vector, by id
        (read lazily: a first index of a large collection never holds every text)."""
        rows = self.conn.execute(
            """SELECT i.id, i.title, i.summary, i.content, e.text_hash, e.fingerprint
               FROM items i LEFT JOIN embeddings e ON e.item_id = i.id ORDER BY i.id"""
        )
        for row in rows:
            yield EmbeddingState(
                int(row[0]), row[1], row[2], row[3], row["text_hash"], row["fingerprint"]
            )

    def unembedded_ids(self, fingerprint: str) -> list[int]:
        """Ids of the items with no vector from this model, or whose text changed since
        their vector was made (a trigger marks those), by id: what a sync must embed,
        found without reading any item's text."""
        rows = self.query(
            """SELECT i.id FROM items i LEFT JOIN embeddings e ON e.item_id = i.id
               WHERE e.item_id IS NULL OR e.fingerprint != ? OR e.text_hash = ''
               ORDER BY i.id""",
            [fingerprint],
        )
        return [int(row[0]) for row in rows]

    def item_texts(self, item_ids: Sequence[int]) -> dict[int, tuple[str, str, str]]:
        """(title, summary, content) of these items (ids no longer stored are absent)."""
        rows = self.query(
            """SELECT id, title, summary, content FROM items
               WHERE id IN (SELECT value FROM json_each(?))""",
            [json.dumps([int(i) for i in item_ids])],
        )
        return {int(row[0]): (row[1], row[2], row[3]) for row in rows}

    def save_item_vectors(self, rows: Sequence[tuple[int, str, str, bytes]]) -> None:
        """Store (item id, model fingerprint, text hash, float32 bytes) rows in one
        transaction, replacing each item's previous vector."""
        with self.transaction() as conn:
            conn.executemany(
                """INSERT INTO embeddings (item_id, fingerprint, text_hash, vector)
                   VALUES (?, ?, ?, ?)
                   ON CONFLICT(item_id) DO UPDATE SET fingerprint = excluded.fingerprint,
                       text_hash = excluded.text_hash, vector = excluded.vector""",
                rows,
            )

    def vectors_by_id(
        self, fingerprint: str, only: Sequence[int] | None = None
    ) -> list[tuple[int, bytes]]:
        """(item id, float32 bytes) of the vectors a model made, by id; ``only``: these items."""
        sql = "SELECT item_id, vector FROM embeddings WHERE fingerprint = ?"
        params: list[Any] = [fingerprint]
        if only is not None:
            sql += " AND item_id IN (SELECT value FROM json_each(?))"
            params.append(json.dumps([int(i) for i in only]))
        return [(row[0], row[1]) for row in self.query(sql + " ORDER BY item_id", params)]

    def embedded_ids(self, fingerprint: str) -> set[int]:
        """Ids of the items with a vector made by this model."""
        rows = self.query("SELECT item_id FROM embeddings WHERE fingerprint = ?", [fingerprint])
        return {int(row[0]) for row in rows}
