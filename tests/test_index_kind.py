"""The index picks its own kind by size: exact (flat) while small, IVF beyond FLAT_MAX,
back to flat when it shrinks, with the choice and its measured recall recorded.

Plumbing tests: the thresholds are lowered and vectors come from a deterministic,
clustered fake embedder (real search quality is tested with the real model in
test_search.py). SQLite and FAISS are real.
"""

from __future__ import annotations

import json
import zlib

import numpy as np
import pytest

import radar.index as index_module
from radar.embed import ModelInfo
from radar.feeds.config import FeedConfig
from radar.feeds.model import Item
from radar.index import load_index, read_meta, search_vectors, sync_index, verify
from radar.store import Store

DIM = 32
CENTRES = np.random.default_rng(7).standard_normal((40, DIM)).astype(np.float32)


class ClusteredEmbedder:
    """Texts "topic N ..." land near centre N; the rest of the text jitters them."""

    backend = "fake"

    def __init__(self) -> None:
        self.info = ModelInfo.for_model("fake-clustered", DIM)
        self.calls = 0

    def embed(self, texts, *, batch_size=64, progress=None):  # type: ignore[no-untyped-def]
        self.calls += len(texts)
        rows = []
        for text in texts:
            topic = int(text.split()[1]) % len(CENTRES)
            rng = np.random.default_rng(zlib.crc32(text.encode()))
            rows.append(CENTRES[topic] + 0.7 * rng.standard_normal(DIM).astype(np.float32))
        vectors = np.asarray(rows, dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.fixture
def small_thresholds(monkeypatch):
    monkeypatch.setattr(index_module, "FLAT_MAX", 600)
    monkeypatch.setattr(index_module, "FLAT_AGAIN", 300)


def add_items(store: Store, start: int, count: int) -> None:
    items = [
        Item(
            guid=f"g{n}",
            url=f"https://x.example/{n}",
            title=f"topic {n % 40} note {n}",
            summary=f"words {n}",
        )
        for n in range(start, start + count)
    ]
    store.ingest("synthetic", items)


@pytest.fixture
def store(workspace):
    with Store(workspace.db_path) as opened:
        opened.sync_feeds([FeedConfig("synthetic", "http://127.0.0.1/x")])
        yield opened


def exact_top(
    store: Store, query: np.ndarray, k: int, allowed: set[int] | None = None
) -> list[int]:
    rows = store.conn.execute("SELECT item_id, vector FROM embeddings").fetchall()
    scored = [
        (float(np.frombuffer(vector, dtype=np.float32) @ query), item_id)
        for item_id, vector in rows
        if allowed is None or item_id in allowed
    ]
    return [item_id for _, item_id in sorted(scored, reverse=True)[:k]]


def test_a_small_index_is_exact(workspace, store, small_thresholds):
    add_items(store, 0, 200)
    sync_index(store, workspace, ClusteredEmbedder())
    meta = read_meta(workspace)
    assert meta.kind == "flat" and meta.count == 200 and meta.nlist == 0


def test_growing_past_the_threshold_switches_to_ivf_without_re_embedding(
    workspace, store, small_thresholds
):
    embedder = ClusteredEmbedder()
    add_items(store, 0, 500)
    sync_index(store, workspace, embedder)
    assert read_meta(workspace).kind == "flat"
    add_items(store, 500, 1500)
    sync_index(store, workspace, embedder)
    meta = read_meta(workspace)
    assert meta.kind == "ivf" and meta.count == 2000
    assert meta.nlist >= 256 and 0 < meta.nprobe <= meta.nlist
    assert meta.recall_at_10 is not None and meta.recall_at_10 >= 0.95
    assert embedder.calls == 2000  # each item embedded once, across the switch
    assert verify(store, workspace, embedder.info).ok


def test_ivf_search_agrees_with_exact_search(workspace, store, small_thresholds):
    embedder = ClusteredEmbedder()
    add_items(store, 0, 2000)
    sync_index(store, workspace, embedder)
    index = load_index(workspace)
    queries = embedder.embed([f"topic {n} query {n}" for n in range(30)])
    found = 0
    for query in queries:
        hits = [item_id for item_id, _ in search_vectors(workspace, query, 10, index=index)]
        found += len(set(hits) & set(exact_top(store, query, 10)))
    assert found / (10 * len(queries)) >= 0.9


def test_a_narrow_filter_on_ivf_still_returns_its_best_matches(workspace, store, small_thresholds):
    embedder = ClusteredEmbedder()
    add_items(store, 0, 2000)
    sync_index(store, workspace, embedder)
    allowed = sorted(range(1, 2001, 97))  # 21 items scattered over every list
    query = embedder.embed(["topic 3 something"])[0]
    hits = search_vectors(workspace, query, 10, allowed, index=load_index(workspace))
    # The same ten as an exact scan, best first (the order of near-ties is the kernel's).
    assert {item_id for item_id, _ in hits} == set(exact_top(store, query, 10, set(allowed)))
    assert [score for _, score in hits] == sorted((score for _, score in hits), reverse=True)


def test_deleted_items_leave_the_ivf_index_and_shrinking_returns_to_flat(
    workspace, store, small_thresholds
):
    embedder = ClusteredEmbedder()
    add_items(store, 0, 2000)
    sync_index(store, workspace, embedder)
    with store.transaction() as conn:
        conn.execute("DELETE FROM items WHERE id IN (SELECT id FROM items ORDER BY id LIMIT 50)")
    sync_index(store, workspace, embedder)
    meta = read_meta(workspace)
    assert meta.kind == "ivf" and meta.count == 1950
    assert verify(store, workspace, embedder.info).ok
    with store.transaction() as conn:
        conn.execute("DELETE FROM items WHERE id IN (SELECT id FROM items ORDER BY id LIMIT 1800)")
    sync_index(store, workspace, embedder)
    meta = read_meta(workspace)
    assert meta.kind == "flat" and meta.count == 150
    assert verify(store, workspace, embedder.info).ok


def test_index_status_reports_the_kind_and_its_recall(radar, workspace, store, small_thresholds):
    add_items(store, 0, 1000)
    sync_index(store, workspace, ClusteredEmbedder())
    status = json.loads(radar("index", "status", "--json").stdout)
    assert status["kind"] == "ivf" and status["indexed"] == 1000
    assert status["nprobe"] > 0 and status["recall_at_10"] >= 0.95
