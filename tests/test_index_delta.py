"""A fetch adds to a small delta index instead of rewriting the main file; the two are
searched as one and merged when the delta grows or on `radar index compact`.

Plumbing tests with the deterministic clustered embedder of test_index_kind.py (real
search quality is tested with the real model in test_search.py); SQLite and FAISS are
real, and so are the files on disk.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_index_kind import ClusteredEmbedder, add_items, exact_top

import radar.index as index_module
from radar.errors import IndexMismatch
from radar.feeds.config import FeedConfig
from radar.index import compact_index, open_index, read_meta, search_vectors, sync_index, verify
from radar.store import Store


@pytest.fixture
def store(workspace):  # type: ignore[no-untyped-def]
    with Store(workspace.db_path) as opened:
        opened.sync_feeds([FeedConfig("synthetic", "http://127.0.0.1/x")])
        yield opened


def query_near(topic: int) -> np.ndarray:
    vector = ClusteredEmbedder().embed([f"topic {topic} query"])[0]
    return vector


def found(workspace, query: np.ndarray, k: int = 10) -> list[int]:  # type: ignore[no-untyped-def]
    return [item_id for item_id, _ in search_vectors(workspace, query, k)]


def test_new_items_land_in_a_delta_and_the_main_file_is_not_rewritten(workspace, store):
    embedder = ClusteredEmbedder()
    add_items(store, 0, 400)
    sync_index(store, workspace, embedder)
    main_before = workspace.index_path.stat()
    add_items(store, 400, 40)
    sync_index(store, workspace, embedder)
    meta = read_meta(workspace)
    assert meta.delta_file and meta.delta_count == 40 and meta.count == 440
    assert workspace.index_path.stat().st_mtime_ns == main_before.st_mtime_ns
    query = query_near(5)
    assert found(workspace, query) == exact_top(store, query, 10)
    assert any(item_id > 400 for item_id in found(workspace, query, 40))
    assert verify(store, workspace, embedder.info).ok


def test_deleted_and_changed_items_are_answered_once_with_their_current_vector(workspace, store):
    embedder = ClusteredEmbedder()
    add_items(store, 0, 400)
    sync_index(store, workspace, embedder)
    store.conn.execute(
        "DELETE FROM items WHERE url IN ('https://x.example/5', 'https://x.example/45', 'https://x.example/85')"
    )
    store.conn.execute(
        "UPDATE items SET title = 'topic 7 rewritten' WHERE url = 'https://x.example/6'"
    )
    sync_index(store, workspace, embedder)
    meta = read_meta(workspace)
    assert meta.delta_count == 1 and len(meta.removed) == 3 and meta.count == 397
    query = query_near(5)
    hits = found(workspace, query, 100)
    assert len(hits) == len(set(hits)) and hits == exact_top(store, query, 100)
    moved = query_near(7)
    assert found(workspace, moved, 60) == exact_top(store, moved, 60)
    assert verify(store, workspace, embedder.info).ok


def test_a_delta_that_outgrows_its_limit_is_merged_into_the_main_file(
    workspace, store, monkeypatch
):
    monkeypatch.setattr(index_module, "DELTA_MIN", 100)
    embedder = ClusteredEmbedder()
    add_items(store, 0, 400)
    sync_index(store, workspace, embedder)
    for start in range(400, 560, 40):
        add_items(store, start, 40)
        sync_index(store, workspace, embedder)
    meta = read_meta(workspace)
    assert meta.count == 560 and meta.delta_count < 100
    assert len(list(workspace.data_dir.glob("*.delta-*"))) <= 1
    query = query_near(11)
    assert found(workspace, query) == exact_top(store, query, 10)
    assert verify(store, workspace, embedder.info).ok


def test_compact_merges_now_and_search_answers_the_same(workspace, store):
    embedder = ClusteredEmbedder()
    add_items(store, 0, 400)
    sync_index(store, workspace, embedder)
    add_items(store, 400, 60)
    store.conn.execute("DELETE FROM items WHERE url = 'https://x.example/3'")
    sync_index(store, workspace, embedder)
    query = query_near(3)
    before = found(workspace, query, 30)
    compact_index(store, workspace)
    meta = read_meta(workspace)
    assert meta.delta_file is None and meta.removed == [] and meta.count == 459
    assert list(workspace.data_dir.glob("*.delta-*")) == []
    assert found(workspace, query, 30) == before
    assert verify(store, workspace, embedder.info).ok


@pytest.fixture
def small_thresholds(monkeypatch):
    monkeypatch.setattr(index_module, "FLAT_MAX", 600)
    monkeypatch.setattr(index_module, "FLAT_AGAIN", 300)


def test_an_ivf_index_with_a_delta_keeps_its_recall(workspace, store, small_thresholds):
    embedder = ClusteredEmbedder()
    add_items(store, 0, 2000)
    sync_index(store, workspace, embedder)
    add_items(store, 2000, 90)
    sync_index(store, workspace, embedder)
    meta = read_meta(workspace)
    assert meta.kind == "ivf" and meta.delta_count == 90
    index = open_index(workspace)
    hits = wanted = 0
    for topic in range(40):
        query = query_near(topic)
        truth = set(exact_top(store, query, 10))
        hits += len(truth & {i for i, _ in search_vectors(workspace, query, 10, index=index)})
        wanted += len(truth)
    assert hits / wanted >= 0.9
    allowed = list(range(2001, 2091))
    query = query_near(2)
    filtered = search_vectors(workspace, query, 5, allowed, index=index)
    assert [i for i, _ in filtered] == exact_top(store, query, 5, set(allowed))


KILLED_MERGE = """
import os, sys, time
from pathlib import Path
import radar.index as index_module
from radar.store import Store
from radar.workspace import Workspace

stop_after, done = int(sys.argv[2]), []
real_replace = os.replace

def replace(source, target):
    real_replace(source, target)
    done.append(target)
    if len(done) == stop_after:
        print("replaced", target, flush=True)
        time.sleep(120)

os.replace = replace
workspace = Workspace(Path(sys.argv[1]))
with Store(workspace.db_path) as store:
    index_module.compact_index(store, workspace)
"""


@pytest.mark.parametrize(
    "kill_after", [1, 2], ids=["main file replaced, meta not", "meta replaced, old delta kept"]
)
def test_a_merge_killed_between_its_writes_leaves_a_consistent_index(workspace, store, kill_after):
    import signal
    import subprocess
    import sys

    embedder = ClusteredEmbedder()
    add_items(store, 0, 400)
    sync_index(store, workspace, embedder)
    add_items(store, 400, 60)
    store.conn.execute(
        "DELETE FROM items WHERE url IN ('https://x.example/3', 'https://x.example/43')"
    )
    store.conn.execute(
        "UPDATE items SET title = 'topic 9 rewritten' WHERE url = 'https://x.example/4'"
    )
    sync_index(store, workspace, embedder)
    merge = subprocess.Popen(
        [sys.executable, "-c", KILLED_MERGE, str(workspace.root), str(kill_after)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert merge.stdout is not None and merge.stdout.readline().startswith("replaced")
    merge.send_signal(signal.SIGKILL)
    merge.wait(timeout=60)
    for topic in (3, 9):
        query = query_near(topic)
        hits = found(workspace, query, 50)
        assert len(hits) == len(set(hits)) and hits == exact_top(store, query, 50)
    assert verify(store, workspace, embedder.info).ok
    add_items(store, 460, 10)
    sync_index(store, workspace, embedder)
    compact_index(store, workspace)
    assert verify(store, workspace, embedder.info).ok
    assert read_meta(workspace).count == 468
    assert [
        p.name for p in workspace.data_dir.iterdir() if "delta" in p.name or ".tmp" in p.name
    ] == []


def test_a_missing_delta_file_is_rebuilt_by_the_next_fetch(workspace, store):
    embedder = ClusteredEmbedder()
    add_items(store, 0, 400)
    sync_index(store, workspace, embedder)
    add_items(store, 400, 30)
    sync_index(store, workspace, embedder)
    (workspace.data_dir / read_meta(workspace).delta_file).unlink()
    with pytest.raises(IndexMismatch, match="radar index rebuild"):
        search_vectors(workspace, query_near(1), 10)
    add_items(store, 430, 5)
    sync_index(store, workspace, embedder)
    query = query_near(1)
    assert found(workspace, query) == exact_top(store, query, 10)
    assert verify(store, workspace, embedder.info).ok


def test_vectors_made_under_an_older_recipe_are_all_re_embedded_never_mixed(
    workspace, store, monkeypatch
):
    """A radar upgrade that changes how vectors are made (round one's int8 scaled
    activations per batch) re-embeds the whole workspace on the next fetch."""
    import radar.embed.model as embed_model
    from radar.index import update_index

    monkeypatch.setattr(embed_model, "VECTORS_RECIPE", "an older recipe")
    before = ClusteredEmbedder()
    add_items(store, 0, 300)
    update_index(store, workspace, before.info.name, embedder=before)
    monkeypatch.undo()

    after = ClusteredEmbedder()
    assert after.info.fingerprint != before.info.fingerprint
    # Searching before the next fetch says what happened and what to do.
    with pytest.raises(IndexMismatch, match="older version .* next `radar fetch`"):
        index_module.check_model(workspace, after.info)
    add_items(store, 300, 5)
    stats = update_index(store, workspace, after.info.name, embedder=after)
    assert after.calls == 305 and stats.total == 305
    fingerprints = {row[0] for row in store.conn.execute("SELECT fingerprint FROM embeddings")}
    assert fingerprints == {after.info.fingerprint}
    assert read_meta(workspace).fingerprint == after.info.fingerprint
    assert verify(store, workspace, after.info).ok
    query = query_near(7)
    assert found(workspace, query) == exact_top(store, query, 10)


def test_a_fetch_that_changes_one_text_re_embeds_that_item_alone(workspace, store):
    """What to embed comes from the store (new items, and texts a trigger marked changed),
    so a sync costs what changed; a refetched item with a new summary is re-embedded once."""
    from radar.feeds.model import Item

    embedder = ClusteredEmbedder()
    add_items(store, 0, 300)
    sync_index(store, workspace, embedder)
    assert sync_index(store, workspace, embedder).embedded == 0
    store.ingest(
        "synthetic",
        [Item(guid="g6", url="https://x.example/6", title="topic 7 note 6", summary="rewritten")],
    )
    stats = sync_index(store, workspace, embedder)
    assert stats.embedded == 1 and read_meta(workspace).text_marks
    moved = query_near(7)
    assert found(workspace, moved, 40) == exact_top(store, moved, 40)
    assert verify(store, workspace, embedder.info).ok


def test_an_index_from_before_the_marks_compares_every_text_once(workspace, store):
    """An index whose meta predates the store's change marks gets one full comparison of
    text hashes, so a text that changed before the upgrade is still re-embedded."""
    import json

    embedder = ClusteredEmbedder()
    add_items(store, 0, 300)
    sync_index(store, workspace, embedder)
    store.conn.execute("DROP TRIGGER items_text_changed")  # as before migration m010
    store.conn.execute(
        "UPDATE items SET title = 'topic 9 changed' WHERE url = 'https://x.example/6'"
    )
    meta = json.loads(workspace.index_meta_path.read_text())
    del meta["text_marks"]
    workspace.index_meta_path.write_text(json.dumps(meta))
    stats = sync_index(store, workspace, embedder)
    assert stats.embedded == 1 and read_meta(workspace).text_marks
    moved = query_near(9)
    assert found(workspace, moved, 40) == exact_top(store, moved, 40)
