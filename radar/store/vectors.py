"""Item vectors (the embeddings table) that the FAISS index is derived from."""

from __future__ import annotations

import json
from collections.abc import Sequence

from radar.store.base import StoreBase


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
