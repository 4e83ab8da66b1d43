"""Cold and warm search at scale, beside the naive path.

Builds (once, cached under bench/out/) a workspace of N synthetic items (see
bench/synthetic.py: Zipf-distributed text for FTS5, clustered unit vectors for the
index, which radar builds flat or IVF by its own size rule); the query itself is
embedded for real by the model. Then:

* cold: median wall of 5 new `radar search` processes (hybrid and semantic);
* naive: median of 5 new processes that import sentence-transformers, encode the
  query and search the same FAISS file;
* warm: p50/p95 of in-process `Searcher.search` with the model loaded (as in the TUI).

    .venv/bin/python bench/search_speed.py --sizes 10000,100000
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

OUT = Path(__file__).resolve().parent / "out"
sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic  # noqa: E402
from measured import run_measured  # noqa: E402

QUERY = synthetic.QUERIES[0]
NAIVE = """
import sys, faiss
from sentence_transformers import SentenceTransformer
from radar.embed import bundled_model_dir
model = SentenceTransformer(str(bundled_model_dir()), device="cpu")
vector = model.encode([sys.argv[2]], normalize_embeddings=True)
index = faiss.read_index(sys.argv[1])
print(index.search(vector, 10)[1][0][:3])
"""
BUILD_VERSION = "2"
"""Bumped when the synthetic data changes, so cached workspaces are rebuilt."""


def build(size: int) -> Path:
    """A cached workspace with `size` synthetic items, vectors and a FAISS index chosen
    by radar's own rule (flat or IVF by size)."""
    from radar.embed import ModelInfo
    from radar.feeds.config import FeedConfig
    from radar.index import IndexMeta, build_index, save_index
    from radar.store import Store
    from radar.workspace import Workspace

    root = OUT / f"ws-{size}"
    workspace = Workspace(root)
    stamp = root / "built"
    if stamp.exists() and stamp.read_text() == BUILD_VERSION:
        reindex(workspace, size)
        return root
    if root.exists():
        import shutil

        shutil.rmtree(root)
    root.mkdir(parents=True)
    (root / "feeds.yaml").write_text("feeds:\n  - name: synthetic\n    url: http://127.0.0.1/x\n")
    info = ModelInfo.for_model("all-MiniLM-L6-v2", 384)
    space = synthetic.VectorSpace()
    started = time.perf_counter()
    all_ids, all_vectors = [], []
    with Store(workspace.db_path) as store:
        store.sync_feeds([FeedConfig("synthetic", "http://127.0.0.1/x")])
        batch = 10_000
        for start in range(0, size, batch):
            count = min(size, start + batch) - start
            ids, vectors = synthetic.store_items(store, start, count, space, info.fingerprint)
            all_ids.append(ids)
            all_vectors.append(vectors)
            elapsed = time.perf_counter() - started
            print(f"  stored {start + count}/{size} ({elapsed:.0f} s)", file=sys.stderr, end="\r")
    # The store marks changed texts itself (migration m010), so syncs need no full comparison.
    meta = IndexMeta(model=info.name, dim=384, fingerprint=info.fingerprint, text_marks=True)
    index = build_index(384, np.concatenate(all_ids), np.concatenate(all_vectors), meta)
    save_index(workspace, index, meta)
    stamp.write_text(BUILD_VERSION)
    print(
        f"\n  built {size} items in {time.perf_counter() - started:.0f} s "
        f"(index {meta.kind}, nlist {meta.nlist}, nprobe {meta.nprobe}, "
        f"recall@10 {meta.recall_at_10})",
        file=sys.stderr,
    )
    return root


def reindex(workspace: Any, size: int) -> None:
    """Rebuild a cached workspace's index from its stored vectors when radar's rule for
    the index kind has changed since it was built (no re-ingest, no re-embedding)."""
    from radar.index import (
        TARGET_RECALL,
        _stored_vectors,
        build_index,
        choose_kind,
        read_meta,
        save_index,
    )
    from radar.store import Store

    meta = read_meta(workspace)
    recall = (meta.recall_at_10 or 0.0) if meta else 0.0
    kept = meta is not None and meta.kind == choose_kind(size)
    if kept and (meta.kind == "flat" or recall >= TARGET_RECALL):
        return
    print(f"  ws-{size}: index rule changed, rebuilding it from stored vectors", file=sys.stderr)
    with Store(workspace.db_path) as store:
        ids, vectors = _stored_vectors(store, meta.fingerprint, meta.dim)
    index = build_index(meta.dim, ids, vectors, meta)
    save_index(workspace, index, meta)


def median_wall(command: list[str], runs: int = 5) -> tuple[float, float]:
    """Median wall seconds of `runs` fresh processes, and their peak RSS in MiB."""
    walls, peak = [], 0.0
    for _ in range(runs):
        done = run_measured(command)
        if done.returncode != 0:
            raise SystemExit(f"{command} failed: {done.stderr[-500:]}")
        walls.append(done.wall)
        peak = max(peak, done.rss_mib)
    return statistics.median(walls), peak


def warm(root: Path, mode: str, runs: int = 50) -> tuple[float, float]:
    from radar.search import Searcher
    from radar.store import Store
    from radar.workspace import Workspace

    workspace = Workspace(root)
    with Store(workspace.db_path) as store:
        searcher = Searcher(workspace, store, "all-MiniLM-L6-v2")
        for query in synthetic.QUERIES:  # model loaded, caches filled: as in the TUI
            searcher.search(query, mode=mode, scope="items")
        times = []
        for n in range(runs):
            query = synthetic.QUERIES[n % len(synthetic.QUERIES)]
            started = time.perf_counter()
            searcher.search(query, mode=mode, limit=10, scope="items")
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="e.g. 10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-naive", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("RADAR_MODEL_CACHE", str(OUT / "model-cache"))
    from radar.embed import ensure_export
    from radar.index import read_meta
    from radar.workspace import Workspace

    ensure_export("all-MiniLM-L6-v2", Path(os.environ["RADAR_MODEL_CACHE"]))
    radar = str(Path(sys.executable).parent / "radar")
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        root = build(size)
        meta = read_meta(Workspace(root))
        kind = meta.kind if meta.kind == "flat" else f"ivf/{meta.nprobe} r{meta.recall_at_10}"
        cold_hybrid, rss_hybrid = median_wall(
            [radar, "-w", str(root), "search", QUERY, "--in", "items"], args.runs
        )
        cold_semantic, rss_semantic = median_wall(
            [radar, "-w", str(root), "search", QUERY, "--mode", "semantic", "--in", "items"],
            args.runs,
        )
        naive = None
        if not args.no_naive:
            naive, _ = median_wall(
                [sys.executable, "-c", NAIVE, str(root / "data" / "items.faiss"), QUERY], args.runs
            )
        warm_hybrid = warm(root, "hybrid")
        warm_semantic = warm(root, "semantic")
        rss = max(rss_hybrid, rss_semantic)
        rows.append(
            (size, kind, cold_hybrid, cold_semantic, naive, warm_hybrid, warm_semantic, rss)
        )
        print(f"  {size}: done", file=sys.stderr)
    print(
        f"{'items':>9} {'index':>16} {'cold hybrid s':>14} {'cold semantic s':>16} {'naive s':>8} "
        f"{'ratio':>6} {'warm hybrid p50/p95 ms':>23} {'warm semantic p50/p95 ms':>25} "
        f"{'search RSS MiB':>15}"
    )
    for size, kind, ch, cs, naive, wh, ws, rss in rows:
        ratio = f"{naive / ch:5.1f}x" if naive else "-"
        naive_text = f"{naive:8.2f}" if naive else "       -"
        print(
            f"{size:>9} {kind:>16} {ch:14.2f} {cs:16.2f} {naive_text} {ratio:>6} "
            f"{wh[0]:11.1f}/{wh[1]:<11.1f} {ws[0]:12.1f}/{ws[1]:<12.1f} {rss:15.0f}"
        )
    print("(search RSS: peak resident memory of the cold `radar search` processes)")


if __name__ == "__main__":
    main()
