"""Recall@10 of radar's IVF index against exact search on real MiniLM vectors.

The scale benchmarks use synthetic clustered vectors; this checks the same index
recipe (radar.index.build_index with IVF forced, probe count calibrated as radar does)
on real embeddings: the SciFact abstracts indexed by bench/scifact.py, queried with the
300 test claims embedded by the query model.

    .venv/bin/python bench/ivf_recall.py [--workspace bench/out/scifact-ws2/default]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from pathlib import Path

import numpy as np

import radar.index as index_module
from radar.embed import load_embedder

BENCH = Path(__file__).resolve().parent
QUERIES = BENCH.parents[1] / "shared" / "corpora" / "scifact" / "queries.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, default=BENCH / "out" / "scifact-ws2" / "default")
    args = parser.parse_args()
    db = args.workspace / "data" / "radar.db"
    if not db.is_file() or not QUERIES.is_file():
        print(f"needs a SciFact build ({db}) and the corpus ({QUERIES}): skipped")
        return
    rows = sqlite3.connect(db).execute("SELECT item_id, vector FROM embeddings").fetchall()
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    vectors = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), -1)
    claims = [json.loads(line)["text"] for line in QUERIES.open(encoding="utf-8")]
    cache = Path(os.environ.get("RADAR_MODEL_CACHE", BENCH / "out" / "model-cache"))
    queries = load_embedder("all-MiniLM-L6-v2", cache_dir=cache, purpose="query").embed(claims)
    exact = index_module._faiss().IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    _, truth = exact.search(queries, 10)
    index_module.FLAT_MAX = 0  # force IVF at this size
    meta = index_module.IndexMeta(model="all-MiniLM-L6-v2", dim=vectors.shape[1], fingerprint="")
    ivf = index_module.build_index(vectors.shape[1], ids, vectors, meta)
    print(f"{len(ids)} real abstract vectors, {len(claims)} real claims as queries")
    print(
        f"IVF nlist {meta.nlist}, calibrated nprobe {meta.nprobe} "
        f"(calibration recall@10 {meta.recall_at_10})"
    )
    for nprobe in sorted({4, 8, 16, meta.nprobe, 64}):
        ivf.nprobe = nprobe
        _, found = ivf.search(queries, 10)
        hits = sum(len(set(ids[t]) & set(f)) for t, f in zip(truth, found, strict=True))
        print(f"  nprobe {nprobe:3d}: recall@10 {hits / truth.size:.4f}")


if __name__ == "__main__":
    sys.exit(main())
