"""Cold and warm search at scale, beside the naive path.

Builds (once, cached under bench/out/) a workspace of N synthetic items with random
normalised vectors — the index part of the numbers uses those vectors, the text part
(FTS5) uses synthetic text; the query itself is embedded for real. Then:

* cold: median wall of 5 new `radar search` processes (hybrid and semantic);
* naive: median of 5 new processes that import sentence-transformers, encode the
  query and search the same FAISS file;
* warm: p50/p95 of in-process `Searcher.search` with the model loaded (as in the TUI).

    .venv/bin/python bench/search_speed.py --sizes 10000,100000
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "out"
WORDS = (
    "model serving inference latency throughput gpu memory cache attention kernel "
    "quantization int4 int8 lora adapter fine-tuning training distributed sharding "
    "pipeline dataset feature store drift monitoring embedding vector index search "
    "retrieval ranking transformer tokenizer compiler graph operator release bugfix "
    "benchmark evaluation accuracy precision recall scheduler cluster kubernetes"
).split()
QUERY = "how do LLM servers avoid running out of GPU memory"
NAIVE = """
import sys, faiss
from sentence_transformers import SentenceTransformer
from radar.embed import bundled_model_dir
model = SentenceTransformer(str(bundled_model_dir()), device="cpu")
vector = model.encode([sys.argv[2]], normalize_embeddings=True)
index = faiss.read_index(sys.argv[1])
print(index.search(vector, 10)[1][0][:3])
"""


def build(size: int) -> Path:
    """A cached workspace with `size` synthetic items, vectors and a FAISS index."""
    from radar.embed import ModelInfo, item_text, text_hash
    from radar.feeds.config import FeedConfig
    from radar.feeds.model import Item
    from radar.index import IndexMeta, new_index, save_index
    from radar.store import Store
    from radar.workspace import Workspace

    root = OUT / f"ws-{size}"
    workspace = Workspace(root)
    if workspace.index_meta_path.exists():
        return root
    root.mkdir(parents=True, exist_ok=True)
    (root / "feeds.yaml").write_text("feeds:\n  - name: synthetic\n    url: http://127.0.0.1/x\n")
    rng = random.Random(size)
    info = ModelInfo.for_model("all-MiniLM-L6-v2", 384)
    index = new_index(384)
    started = time.perf_counter()
    with Store(workspace.db_path) as store:
        store.sync_feeds([FeedConfig("synthetic", "http://127.0.0.1/x")])
        batch = 10_000
        for start in range(0, size, batch):
            items = [
                Item(
                    guid=f"s{n}",
                    url=f"https://synthetic.example/{n}",
                    title=" ".join(rng.choices(WORDS, k=8)),
                    summary=" ".join(rng.choices(WORDS, k=60)),
                )
                for n in range(start, min(size, start + batch))
            ]
            stats = store.ingest("synthetic", items)
            vectors = np.random.default_rng(start).standard_normal((len(items), 384)).astype("float32")
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            ids = np.asarray(stats.new_item_ids, dtype=np.int64)
            with store.transaction() as conn:
                conn.executemany(
                    "INSERT INTO embeddings (item_id, fingerprint, text_hash, vector) VALUES (?,?,?,?)",
                    [
                        (int(i), info.fingerprint, text_hash(item_text(it.title, it.summary, "")), v.tobytes())
                        for i, it, v in zip(ids, items, vectors, strict=True)
                    ],
                )
            index.add_with_ids(vectors, ids)
            print(f"  built {min(size, start + batch)}/{size}", file=sys.stderr, end="\r")
    save_index(workspace, index, IndexMeta(model=info.name, dim=384, fingerprint=info.fingerprint))
    print(f"  built {size} items in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return root


def median_wall(command: list[str], runs: int = 5) -> float:
    walls = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        walls.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(f"{command} failed: {done.stderr[-500:]}")
    return statistics.median(walls)


def warm(root: Path, mode: str, runs: int = 50) -> tuple[float, float]:
    from radar.search import Searcher
    from radar.store import Store
    from radar.workspace import Workspace

    workspace = Workspace(root)
    with Store(workspace.db_path) as store:
        searcher = Searcher(workspace, store, "all-MiniLM-L6-v2")
        searcher.search(QUERY, mode=mode)
        rng = random.Random(1)
        times = []
        for _ in range(runs):
            query = " ".join(rng.choices(WORDS, k=6))
            started = time.perf_counter()
            searcher.search(query, mode=mode, limit=10)
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-naive", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("RADAR_MODEL_CACHE", str(OUT / "model-cache"))
    from radar.embed import ensure_export

    ensure_export("all-MiniLM-L6-v2", Path(os.environ["RADAR_MODEL_CACHE"]))
    radar = str(Path(sys.executable).parent / "radar")
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        root = build(size)
        cold_hybrid = median_wall([radar, "-w", str(root), "search", QUERY], args.runs)
        cold_semantic = median_wall([radar, "-w", str(root), "search", QUERY, "--mode", "semantic"], args.runs)
        naive = None
        if not args.no_naive:
            naive = median_wall([sys.executable, "-c", NAIVE, str(root / "data" / "items.faiss"), QUERY], args.runs)
        warm_hybrid = warm(root, "hybrid")
        warm_semantic = warm(root, "semantic")
        rows.append((size, cold_hybrid, cold_semantic, naive, warm_hybrid, warm_semantic))
    print(f"{'items':>9} {'cold hybrid s':>14} {'cold semantic s':>16} {'naive s':>8} {'ratio':>6} "
          f"{'warm hybrid p50/p95 ms':>23} {'warm semantic p50/p95 ms':>25}")
    for size, ch, cs, naive, wh, ws in rows:
        ratio = f"{naive / ch:5.1f}x" if naive else "-"
        naive_text = f"{naive:8.2f}" if naive else "       -"
        print(f"{size:>9} {ch:14.2f} {cs:16.2f} {naive_text} {ratio:>6} "
              f"{wh[0]:11.1f}/{wh[1]:<11.1f} {ws[0]:12.1f}/{ws[1]:<12.1f}")


if __name__ == "__main__":
    main()
