"""What a fetch of new items costs the index at scale: bytes written and time per fetch
with the delta index, beside the whole-file rewrite it replaces; recall@10 against exact
search with the delta in place; warm hybrid search with the delta in place.

Uses bench/search_speed.py's cached synthetic workspace of N items (clustered vectors,
Zipf text). A "fetch" stores 1,000 new items with their vectors (no model: vectors are
synthetic, as the index cannot tell) and runs radar's own `sync_index`. Bytes are what
the process handed to write() (/proc/self/io wchar), the index files only.

    .venv/bin/python bench/index_update.py --size 200000 --fetches 5
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search_speed  # noqa: E402
import synthetic  # noqa: E402


def written_bytes() -> int:
    with open("/proc/self/io", encoding="ascii") as handle:
        fields = dict(line.split(": ") for line in handle.read().splitlines())
    return int(fields["wchar"])


class StoredVectorsOnly:
    """An embedder that is never asked to embed: every new item's vector is stored."""

    backend = "stored"

    def __init__(self) -> None:
        from radar.embed import ModelInfo

        self.info = ModelInfo.for_model("all-MiniLM-L6-v2", 384)

    def embed(self, texts, *, batch_size=64, progress=None):  # type: ignore[no-untyped-def]
        raise AssertionError("every vector is stored before the sync")


def store_new_items(store, start: int, count: int, space) -> None:  # type: ignore[no-untyped-def]
    synthetic.store_items(store, start, count, space, StoredVectorsOnly().info.fingerprint)


def recall_with_delta(store, workspace, space, size: int, queries: int = 200) -> float:  # type: ignore[no-untyped-def]
    """recall@10 of radar's search (main + delta) against exact search over all vectors."""
    import faiss

    from radar.index import _stored_vectors, open_index, search_vectors

    info = StoredVectorsOnly().info
    ids, vectors = _stored_vectors(store, info.fingerprint, info.dim)
    exact = faiss.IndexFlatIP(info.dim)
    exact.add(vectors)
    rng = np.random.default_rng(5)
    picked = space.sample(10 * size, queries)
    picked = picked + 0.05 * rng.standard_normal(picked.shape).astype(np.float32)
    picked /= np.linalg.norm(picked, axis=1, keepdims=True)
    _, rows = exact.search(picked, 10)
    index = open_index(workspace)
    hits = 0
    for query, row in zip(picked, rows, strict=True):
        found = {i for i, _ in search_vectors(workspace, query, 10, index=index)}
        hits += len(found & set(ids[row].tolist()))
    return hits / (10 * queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200_000)
    parser.add_argument("--fetches", type=int, default=5)
    parser.add_argument("--per-fetch", type=int, default=1000)
    args = parser.parse_args()
    os.environ.setdefault("RADAR_MODEL_CACHE", str(search_speed.OUT / "model-cache"))
    from radar.embed import ensure_export
    from radar.index import _merge, open_index, read_meta, sync_index
    from radar.store import Store
    from radar.workspace import Workspace

    ensure_export("all-MiniLM-L6-v2", Path(os.environ["RADAR_MODEL_CACHE"]))
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    root = search_speed.build(args.size)
    workspace = Workspace(root)
    space = synthetic.VectorSpace()
    embedder = StoredVectorsOnly()
    with Store(workspace.db_path) as store:
        next_id = store.item_count()
        meta = read_meta(workspace)
        main_mb = workspace.index_path.stat().st_size / 1e6
        print(f"{args.size} items: {meta.kind}, main file {main_mb:.0f} MB")
        print(
            "| fetch | items added | delta after | bytes written MB | sync s "
            "| whole-file rewrite MB | rewrite s |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for fetch in range(1, args.fetches + 1):
            store_new_items(store, next_id, args.per_fetch, space)
            next_id += args.per_fetch
            before, started = written_bytes(), time.perf_counter()
            sync_index(store, workspace, embedder)
            sync_s, sync_mb = time.perf_counter() - started, (written_bytes() - before) / 1e6
            delta = read_meta(workspace).delta_count
            rewrite = ""
            if fetch == args.fetches:
                recall = recall_with_delta(store, workspace, space, args.size)
                hybrid = search_speed.warm(root, "hybrid")
                semantic = search_speed.warm(root, "semantic")
                # What every fetch cost before the delta: the whole main file rewritten.
                meta = read_meta(workspace)
                before, started = written_bytes(), time.perf_counter()
                _merge(
                    store, workspace, meta, sorted(open_index(workspace).delta_ids.tolist()), set()
                )
                rewrite = (
                    f"{(written_bytes() - before) / 1e6:.0f} | {time.perf_counter() - started:.1f}"
                )
            row = f"| {fetch} | {args.per_fetch} | {delta} | {sync_mb:.1f} | {sync_s:.2f} |"
            print(f"{row} {rewrite or '- | -'} |")
    print(f"recall@10 vs exact with a delta of {delta}: {recall:.4f} (200 queries)")
    print(f"warm hybrid p50/p95 ms: {hybrid[0]:.1f}/{hybrid[1]:.1f}", end="; ")
    print(f"semantic: {semantic[0]:.1f}/{semantic[1]:.1f}")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
