"""How fast and how good is each embedding backend?

For each backend (sentence-transformers fp32, ONNX fp32, ONNX int8) this prints items/s
for titles and for SciFact abstracts, the mean cosine to sentence-transformers' vectors,
and nDCG@10 of pure semantic retrieval (brute-force dot products) on the SciFact test
queries. It also times a fresh query process: import, load tokenizer and ONNX session,
embed one query.

    .venv/bin/python bench/embed_speed.py                      # everything, ~15 min on 2 cores
    .venv/bin/python bench/embed_speed.py --docs 800 --speed-items 128   # ~3 min

With ``--docs N`` the corpus is cut to the documents relevant to the test queries plus
random others up to N, so the nDCG is higher than the official figure but still compares
backends. The machine may be shared: items per CPU-second is steadier than items/s.

Measured on the 2-core dev box (full corpus; load average ~8 from other work, so the
items/s columns are depressed and /cpu-s is the figure to compare):

    backend                     titles/s  /cpu-s  abstracts/s  /cpu-s  cos vs st  nDCG@10
    st                                36      38          3.1     7.3    1.00000    64.51
    onnx                              31      80          3.0     7.4    1.00000    64.51
    onnx-int8                         43     116          5.3    11.6    0.99370    64.24
    int8 docs + fp32 queries                                                        64.54
    int8 vs onnx fp32 cosine on 5183 abstracts: mean 0.99370, min 0.98688
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from radar import embed

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "scifact"


@dataclass
class SciFact:
    doc_ids: list[str]
    doc_titles: list[str]
    doc_texts: list[str]
    query_ids: list[str]
    query_texts: list[str]
    qrels: dict[str, dict[str, int]]


def load_scifact(folder: Path, max_docs: int | None, max_queries: int | None) -> SciFact:
    """The corpus, the test queries and their judgements, optionally cut down."""
    qrels: dict[str, dict[str, int]] = {}
    for line in (folder / "qrels" / "test.tsv").read_text().splitlines()[1:]:
        query_id, doc_id, score = line.split("\t")
        qrels.setdefault(query_id, {})[doc_id] = int(score)
    queries = {}
    for line in (folder / "queries.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        if row["_id"] in qrels:
            queries[row["_id"]] = row["text"]
    query_ids = sorted(queries, key=int)[:max_queries]
    docs = [json.loads(line) for line in (folder / "corpus.jsonl").open(encoding="utf-8")]
    if max_docs is not None and max_docs < len(docs):
        needed = {doc_id for q in query_ids for doc_id in qrels[q]}
        keep = [d for d in docs if d["_id"] in needed]
        others = [d for d in docs if d["_id"] not in needed]
        random.Random(0).shuffle(others)
        docs = keep + others[: max(0, max_docs - len(keep))]
    return SciFact(
        doc_ids=[d["_id"] for d in docs],
        doc_titles=[d["title"] for d in docs],
        doc_texts=[embed.item_text(d["title"], d["text"], "") for d in docs],
        query_ids=query_ids,
        query_texts=[queries[q] for q in query_ids],
        qrels={q: qrels[q] for q in query_ids},
    )


def ndcg_at_10(data: SciFact, doc_vectors: np.ndarray, query_vectors: np.ndarray) -> float:
    scores = query_vectors @ doc_vectors.T
    top = np.argsort(-scores, axis=1)[:, :10]
    total = 0.0
    for row, query_id in enumerate(data.query_ids):
        judged = data.qrels[query_id]
        gains = [judged.get(data.doc_ids[i], 0) for i in top[row]]
        dcg = sum(g / math.log2(rank + 2) for rank, g in enumerate(gains))
        ideal = sorted(judged.values(), reverse=True)[:10]
        idcg = sum(g / math.log2(rank + 2) for rank, g in enumerate(ideal))
        total += dcg / idcg if idcg else 0.0
    return 100 * total / len(data.query_ids)


def timed(embedder: embed.Embedder, texts: Sequence[str]) -> tuple[np.ndarray, float, float]:
    """Vectors, wall seconds and CPU seconds (this process, all threads)."""
    wall, cpu = time.perf_counter(), time.process_time()
    vectors = embedder.embed(texts)
    return vectors, time.perf_counter() - wall, time.process_time() - cpu


def cpu_name() -> str:
    """The CPU's model name and whether it has AVX-512 VNNI (where int8 gains most)."""
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return "unknown CPU"
    names = [line.split(":", 1)[1].strip() for line in info.splitlines() if "model name" in line]
    vnni = "with" if "avx512_vnni" in info else "without"
    return f"{names[0] if names else 'unknown CPU'}, {vnni} avx512_vnni"


def cold_query_seconds(cache_dir: Path, runs: int) -> list[float]:
    """Wall time of fresh processes that import radar.embed, load the export, embed a query."""
    script = (
        "from pathlib import Path; from radar import embed; "
        f"e = embed.load_embedder(cache_dir=Path({str(cache_dir)!r})); "
        "assert e.backend == 'onnx', e.backend; "
        "e.embed(['retrieval augmented generation evaluation']); "
        "import sys; assert 'torch' not in sys.modules"
    )
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", script], check=True)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--backends", default="st,onnx,onnx-int8")
    parser.add_argument("--docs", type=int, default=None, help="cut the corpus to N documents")
    parser.add_argument("--queries", type=int, default=None, help="use the first N test queries")
    parser.add_argument("--speed-items", type=int, default=256, help="titles timed per backend")
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--cache-dir", type=Path, default=None)
    args = parser.parse_args()

    data = load_scifact(args.corpus, args.docs, args.queries)
    titles = (data.doc_titles * (1 + args.speed_items // len(data.doc_titles)))[: args.speed_items]
    cache_dir = args.cache_dir or Path(tempfile.mkdtemp(prefix="radar-bench-models-"))
    print(
        f"SciFact: {len(data.doc_ids)} docs, {len(data.query_ids)} test queries; "
        f"titles average {statistics.mean(len(t.split()) for t in titles):.1f} words; "
        f"{os.cpu_count()} cpus ({cpu_name()}); exports in {cache_dir}",
        flush=True,
    )

    start = time.perf_counter()
    folder = embed.ensure_export(embed.DEFAULT_MODEL, cache_dir)
    meta = json.loads((folder / embed.META_FILE).read_text())
    print(
        f"export + int8 ready in {time.perf_counter() - start:.1f} s "
        f"(int8 probe mean cos {meta.get('int8_mean_cosine')})",
        flush=True,
    )

    doc_vectors: dict[str, np.ndarray] = {}
    query_vectors: dict[str, np.ndarray] = {}
    header = (
        f"{'backend':<26} {'titles/s':>9} {'/cpu-s':>7} {'abstracts/s':>12} {'/cpu-s':>7} "
        f"{'cos vs st':>10} {'nDCG@10':>8}"
    )
    rows = []
    for backend in args.backends.split(","):
        embedder = embed.load_embedder(cache_dir=cache_dir, backend=backend, purpose="bulk")
        embedder.embed(titles[:16])
        _, title_wall, title_cpu = timed(embedder, titles)
        doc_vectors[backend], doc_wall, doc_cpu = timed(embedder, data.doc_texts)
        query_vectors[backend] = embedder.embed(data.query_texts)
        reference = doc_vectors.get("st")
        cosine = (
            float(np.mean(np.sum(doc_vectors[backend] * reference, axis=1)))
            if reference is not None
            else float("nan")
        )
        ndcg = ndcg_at_10(data, doc_vectors[backend], query_vectors[backend])
        n_titles, n_docs = len(titles), len(data.doc_texts)
        rows.append(
            f"{backend:<26} {n_titles / title_wall:>9.0f} {n_titles / title_cpu:>7.0f} "
            f"{n_docs / doc_wall:>12.1f} {n_docs / doc_cpu:>7.1f} {cosine:>10.5f} {ndcg:>8.2f}"
        )
        print(rows[-1], flush=True)
    if "onnx-int8" in doc_vectors and "onnx" in query_vectors:
        mixed = ndcg_at_10(data, doc_vectors["onnx-int8"], query_vectors["onnx"])
        rows.append(
            f"{'int8 docs + fp32 queries':<26} {'':>9} {'':>7} {'':>12} {'':>7} "
            f"{'':>10} {mixed:>8.2f}"
        )
    if "onnx-int8" in doc_vectors and "onnx" in doc_vectors:
        agreement = np.sum(doc_vectors["onnx-int8"] * doc_vectors["onnx"], axis=1)
        rows.append(
            f"int8 vs onnx fp32 cosine on {len(agreement)} abstracts: mean {agreement.mean():.5f}, "
            f"min {agreement.min():.5f}"
        )

    cold = cold_query_seconds(cache_dir, args.cold_runs)
    print("\n" + header)
    print("\n".join(rows))
    print(
        f"\ncold query process (import + load + embed 1 query), {len(cold)} runs: "
        f"median {statistics.median(cold):.2f} s, min {min(cold):.2f} s"
    )


if __name__ == "__main__":
    main()
