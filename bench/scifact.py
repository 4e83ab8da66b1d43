"""Search quality on SciFact (BEIR): nDCG@10 through radar's own ingest, index and search.

Ingests the 5,183 abstracts as items of one feed, builds the index with
``radar.index.update_index`` and runs the claims through ``Searcher.search`` in each
mode. Prints nDCG@10 on the 300 test queries (and the 809 train queries), then the same
for an index built by each bulk embedding backend, with its items/s.

    .venv/bin/python bench/scifact.py                           # everything, 15+ min
    .venv/bin/python bench/scifact.py --backends onnx-int8 --limit-queries 100   # a few min
    .venv/bin/python bench/scifact.py --reuse --tune            # tune fusion on train

Workspaces live under ``--workspace`` (default: a temp dir, removed at exit); with
``--reuse`` an existing one is kept, so nothing is embedded twice. Exports of the model
are shared through ``$RADAR_MODEL_CACHE`` (default ``<workspace>/models``).

``--tune`` searches the fusion constants of ``radar.search`` (FUSION_GRID) on the TRAIN
queries only: it runs each train claim through the real ``Searcher.search`` once, keeping
what it hands to ``radar.search.fuse`` (both retrievers' candidates and the background
cosine), replays that same ``fuse`` under every setting of the grid, then reports the best
setting through ``Searcher.search`` on train and test. The current setting's replayed
figure equals its ``Searcher.search`` figure.

Reference figures on the test split: SQLite FTS5 BM25 0.666, all-MiniLM-L6-v2 0.651,
MiniLM + BM25 hybrid 0.713 (see ``SOURCE.md`` beside the corpus).

Measured here (2 cores shared with other work), index by onnx-int8 (static int8), with the
fusion of issue #16 (lexical evidence = word share, mostly of the best passage, x agreement
above the background cosine; docs/PERFORMANCE.md, "Search quality", round two):

    nDCG@10          test (300)  train (809)
    lexical              0.6864       0.7045
    semantic             0.6450       0.6606
    hybrid               0.7326       0.7481   (whole-text share: 0.7309 / 0.7479;
                                                fp32 index: 0.7304 / 0.7451, before 0.7333 / 0.7430)

    bulk backend   semantic  hybrid (test)   items per CPU-s (512-abstract probe)
    st               0.6451  0.7299             9.1-9.4     (measured with the fusion
    onnx             0.6451  0.7299             8.4-8.5      before #16)
    onnx-int8        0.6470  0.7278            12.6-13.4   (int8 probe cosine 0.988)

Earlier tuning (plain RRF) chose title x3, radar's stoplist and depth 100 (see
docs/PERFORMANCE.md); those stay.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import itertools
import json
import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from radar import search as search_module
from radar.embed import DEFAULT_MODEL, QUERY_BACKEND, Embedder, ModelError, ensure_export
from radar.feeds.config import FeedConfig
from radar.feeds.model import Item
from radar.store import NO_FILTER, Store
from radar.workspace import MODEL_CACHE_VAR, Workspace

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "scifact"
FEED = FeedConfig(name="scifact", url="https://scifact.example/feed.xml", kind="papers")
DOC_URL = "https://scifact.example/doc/"
BACKENDS = ("st", "onnx", "onnx-int8")
MODES = ("lexical", "semantic", "hybrid")
REFERENCE = {"lexical": 0.666, "semantic": 0.651, "hybrid": 0.713}
BUILD_RECORD = "bench-build.json"


# --- the data -----------------------------------------------------------------------------


@dataclass
class SciFact:
    docs: list[tuple[str, str, str]]
    """(doc id, title, abstract)."""
    queries: dict[str, str]
    qrels: dict[str, dict[str, dict[str, int]]]
    """split -> query id -> doc id -> graded relevance."""


def load_scifact(folder: Path) -> SciFact:
    docs = []
    with (folder / "corpus.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            docs.append((row["_id"], row["title"], row["text"]))
    queries = {}
    with (folder / "queries.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            queries[row["_id"]] = row["text"]  # never `metadata`: it holds the answers
    qrels: dict[str, dict[str, dict[str, int]]] = {}
    for split in ("test", "train"):
        path = folder / "qrels" / f"{split}.tsv"
        if not path.is_file():
            continue
        judged: dict[str, dict[str, int]] = {}
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            query_id, doc_id, score = line.rstrip("\r").split("\t")
            judged.setdefault(query_id, {})[doc_id] = int(score)
        qrels[split] = judged
    return SciFact(docs, queries, qrels)


def limit_queries(judged: dict[str, dict[str, int]], n: int | None) -> dict[str, dict[str, int]]:
    """The first ``n`` judged queries (file order), or all of them."""
    return dict(itertools.islice(judged.items(), n)) if n else judged


# --- the metric -----------------------------------------------------------------------------


def ndcg_at_10(ranked: Sequence[str], judged: dict[str, int]) -> float:
    """BEIR's nDCG@10: gain = graded relevance, discount log2(rank + 1), ideal from qrels."""
    dcg = sum(judged.get(doc, 0) / math.log2(rank + 2) for rank, doc in enumerate(ranked[:10]))
    ideal = sorted(judged.values(), reverse=True)[:10]
    idcg = sum(gain / math.log2(rank + 2) for rank, gain in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def mean_ndcg(run: dict[str, list[str]], judged: dict[str, dict[str, int]]) -> float:
    return sum(ndcg_at_10(run.get(q, []), rels) for q, rels in judged.items()) / len(judged)


# --- building a workspace ---------------------------------------------------------------------


@dataclass
class Build:
    backend: str
    items: int
    embedded: int
    load_s: float
    index_s: float
    cpu_s: float

    @property
    def items_per_s(self) -> float:
        return self.embedded / self.index_s if self.index_s else 0.0

    @property
    def items_per_cpu_s(self) -> float:
        return self.embedded / self.cpu_s if self.cpu_s else 0.0


def doc_items(docs: Sequence[tuple[str, str, str]]) -> list[Item]:
    """One item per abstract.

    Each gets its own publication day: the store also identifies an item by title +
    day, and five SciFact abstracts titled just "Summary" or "Corresponding author"
    would otherwise be merged into two items.
    """
    first_day = datetime(2000, 1, 1, tzinfo=UTC)
    return [
        Item(
            guid=doc_id,
            url=f"{DOC_URL}{doc_id}",
            title=title,
            summary=text,
            published=first_day + timedelta(days=number),
        )
        for number, (doc_id, title, text) in enumerate(docs)
    ]


def build_workspace(
    root: Path, docs: Sequence[tuple[str, str, str]], backend: str | None, *, reuse: bool
) -> Build:
    """Ingest ``docs`` into a workspace at ``root`` and index them with ``backend``.

    ``backend=None`` lets radar choose (what ``radar fetch`` does). With ``reuse``, a
    workspace holding a finished build is left as it is.
    """
    from radar.embed import load_embedder
    from radar.index import update_index

    record = root / BUILD_RECORD
    earlier = Build(**json.loads(record.read_text())) if reuse and record.is_file() else None
    if root.exists() and not reuse:
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / "feeds.yaml").write_text(
        f"feeds:\n  - name: {FEED.name}\n    url: {FEED.url}\n    kind: {FEED.kind}\n"
    )
    workspace = Workspace(root)
    with Store(workspace.db_path) as store:
        store.sync_feeds([FEED])
        stats = store.ingest(FEED.name, doc_items(docs))
        if earlier is not None and stats.new == 0 and stats.updated == 0:
            return earlier
        started, cpu_started = time.perf_counter(), time.process_time()
        embedder = None
        if backend is not None:
            embedder = load_embedder(
                DEFAULT_MODEL, cache_dir=workspace.models_dir, backend=backend, purpose="bulk"
            )
        loaded = time.perf_counter()
        progress = Progress(f"embedding ({backend or 'radar default'})")
        sync = update_index(store, workspace, DEFAULT_MODEL, progress=progress, embedder=embedder)
        progress.done()
        build = Build(
            backend=sync.backend,
            items=stats.new,
            embedded=sync.embedded,
            load_s=round(loaded - started, 2),
            index_s=round(time.perf_counter() - loaded, 2),
            cpu_s=round(time.process_time() - cpu_started, 2),
        )
    if earlier is not None and earlier.embedded > build.embedded:
        return earlier  # a top-up of a few items says little about speed
    record.write_text(json.dumps(asdict(build)))
    return build


class Progress:
    """A one-line progress report on stderr, when stderr is a terminal."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.shown = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        if self.shown:
            print(f"\r  {self.label}: {done}/{total}", end="", file=sys.stderr, flush=True)

    def done(self) -> None:
        if self.shown:
            print(file=sys.stderr)


# --- searching through radar --------------------------------------------------------------------


class Bench:
    """One workspace's store and searcher, and its item id <-> doc id maps."""

    def __init__(self, root: Path, query_embedder: Embedder) -> None:
        from radar.search import Searcher

        self.workspace = Workspace(root)
        self.store = Store(self.workspace.db_path)
        self.searcher = Searcher(self.workspace, self.store, DEFAULT_MODEL, embedder=query_embedder)
        self.doc_of = {
            row[0]: row[1].removeprefix(DOC_URL)
            for row in self.store.query("SELECT id, url FROM items")
        }

    def run(self, queries: dict[str, str], judged: dict[str, dict[str, int]], mode: str) -> dict:
        """Every judged query through ``Searcher.search``; doc ids best first."""
        run = {}
        for query_id in judged:
            result = self.searcher.search(
                queries[query_id], NO_FILTER, limit=10, mode=mode, scope="items"
            )
            run[query_id] = [self.doc_of[hit.id] for hit in result.hits]
        return run

    def ndcg(self, queries: dict[str, str], judged: dict[str, dict[str, int]], mode: str) -> float:
        return mean_ndcg(self.run(queries, judged, mode), judged)

    def close(self) -> None:
        self.store.close()


@contextlib.contextmanager
def patched(**constants: object) -> Iterator[None]:
    """Temporarily set module constants of radar.search (e.g. RRF_K=20)."""
    saved = {name: getattr(search_module, name) for name in constants}
    try:
        for name, value in constants.items():
            setattr(search_module, name, value)
        yield
    finally:
        for name, value in saved.items():
            setattr(search_module, name, value)


# --- tuning on train ----------------------------------------------------------------------------

FUSION_GRID: dict[str, tuple[float, ...]] = {
    "RRF_K": (1, 2, 3, 5),
    "LEXICAL_WEIGHT": (1.1, 1.5, 2.0, 2.5, 3.0),
    "COVERAGE_POWER": (0.0, 0.5, 1.0, 1.5, 2.0),
    "COSINE_POWER": (0.5, 1.0, 2.0),
}
"""The fusion constants of radar.search that ``--tune`` searches (on train only)."""


@dataclass
class Gathered:
    """One query's fusion inputs, exactly as ``Searcher.search`` hands them to ``fuse``."""

    query_id: str
    candidates: dict[int, search_module.Candidate]
    background: float


def gather(
    bench: Bench, queries: dict[str, str], judged: dict[str, dict[str, int]]
) -> list[Gathered]:
    """Each judged query through the real ``Searcher.search`` (hybrid), keeping what it
    passes to ``radar.search.fuse``: the candidates of both retrievers and the background
    cosine. Replaying ``fuse`` on them gives what the search would rank."""
    real = search_module.fuse
    seen: list[tuple[dict[int, search_module.Candidate], float]] = []

    def keep(
        candidates: dict[int, search_module.Candidate], background: float = 0.0
    ) -> dict[int, float]:
        seen.append((copy.deepcopy(candidates), background))
        return real(candidates, background)

    gathered = []
    search_module.fuse = keep
    try:
        for query_id in judged:
            seen.clear()
            bench.searcher.search(
                queries[query_id], NO_FILTER, limit=10, mode="hybrid", scope="items"
            )
            candidates, background = seen[-1] if seen else ({}, 0.0)
            gathered.append(Gathered(query_id, candidates, background))
    finally:
        search_module.fuse = real
    return gathered


def replay(bench: Bench, gathered: Sequence[Gathered], judged: dict[str, dict[str, int]]) -> float:
    """Mean nDCG@10 of ranking each query's candidates by ``radar.search.fuse`` with the
    constants radar.search holds now (ties: lower item id first, as the search does)."""
    run = {}
    for one in gathered:
        scores = search_module.fuse(one.candidates, one.background)
        ranked = sorted(scores, key=lambda item_id: (-scores[item_id], item_id))[:10]
        run[one.query_id] = [bench.doc_of[item_id] for item_id in ranked]
    return mean_ndcg(run, {one.query_id: judged[one.query_id] for one in gathered})


def tune(
    bench: Bench, queries: dict[str, str], judged: dict[str, dict[str, int]]
) -> dict[str, float]:
    """The best FUSION_GRID setting on ``judged`` (train), replaying ``fuse`` offline."""
    started = time.perf_counter()
    gathered = gather(bench, queries, judged)
    print(f"  {len(gathered)} train queries gathered in {time.perf_counter() - started:.0f} s")
    now = {name: getattr(search_module, name) for name in FUSION_GRID}
    print(f"  as now ({now}): {replay(bench, gathered, judged):.4f} (replayed)")
    results = []
    for values in itertools.product(*FUSION_GRID.values()):
        setting = dict(zip(FUSION_GRID, values, strict=True))
        with patched(**setting):
            results.append((replay(bench, gathered, judged), setting))
    results.sort(key=lambda pair: -pair[0])
    print("\n  best settings, hybrid nDCG@10 on train (replayed):")
    for value, setting in results[:10]:
        print(f"  {value:.4f}  {setting}")
    print(f"  ({len(results)} settings, {time.perf_counter() - started:.0f} s in all)")
    return results[0][1]


# --- the report -----------------------------------------------------------------------------------


def query_embedder(cache_dir: Path) -> Embedder:
    from radar.embed import load_embedder

    return load_embedder(DEFAULT_MODEL, cache_dir=cache_dir, backend=QUERY_BACKEND, purpose="query")


def quality_table(bench: Bench, data: SciFact, splits: dict[str, dict]) -> None:
    header = "".join(f"{f'{split} ({len(j)} q)':>16}" for split, j in splits.items())
    print(f"{'mode':10}{header}{'reference (test)':>18}")
    for mode in MODES:
        started = time.perf_counter()
        cells = "".join(f"{bench.ndcg(data.queries, j, mode):>16.4f}" for j in splits.values())
        seconds = time.perf_counter() - started
        print(f"{mode:10}{cells}{REFERENCE[mode]:>18.3f}   ({seconds:.0f} s)")


@dataclass
class Speed:
    items_per_s: float
    items_per_cpu_s: float


def speed_probe(
    docs: Sequence[tuple[str, str, str]], backends: Sequence[str], models: Path, sample: int
) -> dict[str, Speed | str]:
    """Items/s of each bulk backend on the same ``sample`` abstracts, best of two rounds.

    Rounds alternate backends, so a neighbour's load spike hits them alike. Texts are
    what the index embeds (``item_text``), in batches of ``EMBED_BATCH`` like
    ``update_index``. A backend radar refuses maps to the reason.
    """
    from radar.embed import item_text, load_embedder
    from radar.index import EMBED_BATCH

    step = max(1, len(docs) // sample)
    texts = [item_text(title, text, "") for _, title, text in docs[::step][:sample]]
    embedders: dict[str, Embedder] = {}
    speeds: dict[str, Speed | str] = {}
    for backend in backends:
        try:
            embedders[backend] = load_embedder(
                DEFAULT_MODEL, cache_dir=models, backend=backend, purpose="bulk"
            )
            embedders[backend].embed(texts[:8])  # warm up
        except ModelError as exc:
            speeds[backend] = f"rejected by radar: {exc}"
    for _ in range(2):
        for backend, embedder in embedders.items():
            started, cpu_started = time.perf_counter(), time.process_time()
            for start in range(0, len(texts), EMBED_BATCH):
                embedder.embed(texts[start : start + EMBED_BATCH])
            wall = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
            speed = Speed(len(texts) / wall, len(texts) / cpu)
            best = speeds.get(backend)
            if not isinstance(best, Speed) or speed.items_per_s > best.items_per_s:
                speeds[backend] = speed
    return speeds


def backend_table(
    root: Path,
    data: SciFact,
    backends: Sequence[str],
    judged: dict[str, dict[str, int]],
    embedder: Embedder,
    *,
    reuse: bool,
    default: Build,
    probe: dict[str, Speed | str],
) -> None:
    """Per bulk backend: its full index build, its probe speed and test nDCG@10."""
    print(
        f"{'bulk backend':13}{'build s':>8}{'items/s':>8}{'/cpu-s':>7}  |{'probe/s':>8}"
        f"{'/cpu-s':>7}  |{'semantic':>9}{'hybrid':>8}{'Δ sem':>7}{'Δ hyb':>7}  (Δ: points vs st)"
    )
    reference: tuple[float, float] | None = None
    for backend in backends:
        folder = root / "default" if backend == default.backend else root / backend
        speed = probe.get(backend)
        if isinstance(speed, str):
            print(f"{backend:13}{speed}")
            continue
        try:
            build = build_workspace(folder, data.docs, backend, reuse=reuse)
        except ModelError as exc:
            print(f"{backend:13}rejected by radar: {exc}")
            continue
        bench = Bench(folder, embedder)
        try:
            semantic = bench.ndcg(data.queries, judged, "semantic")
            hybrid = bench.ndcg(data.queries, judged, "hybrid")
        finally:
            bench.close()
        if backend == "st":
            reference = (semantic, hybrid)
        deltas = (
            f"{100 * (semantic - reference[0]):>+7.2f}{100 * (hybrid - reference[1]):>+7.2f}"
            if reference
            else f"{'':>14}"
        )
        probed = f"{speed.items_per_s:>8.1f}{speed.items_per_cpu_s:>7.1f}" if speed else f"{'':>15}"
        print(
            f"{backend:13}{build.index_s:>8.0f}{build.items_per_s:>8.1f}"
            f"{build.items_per_cpu_s:>7.1f}  |{probed}  |{semantic:>9.4f}{hybrid:>8.4f}{deltas}"
        )


def current_constants() -> str:
    names = [*FUSION_GRID, "SEMANTIC_WEIGHT", "BACKGROUND_SAMPLE", "COLUMN_WEIGHTS", "CANDIDATES"]
    return ", ".join(f"{n}={getattr(search_module, n)}" for n in names)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--workspace", type=Path, help="where to build (default: a temp dir)")
    parser.add_argument("--reuse", action="store_true", help="keep a finished build")
    parser.add_argument("--limit-queries", type=int, metavar="N", help="first N queries per split")
    parser.add_argument(
        "--backends", default=",".join(BACKENDS), help="bulk backends to compare ('' for none)"
    )
    parser.add_argument(
        "--speed-sample",
        type=int,
        default=512,
        metavar="N",
        help="abstracts per backend for the speed probe (0: skip it)",
    )
    parser.add_argument("--no-train", action="store_true", help="report the test split only")
    parser.add_argument("--tune", action="store_true", help="search settings on train")
    args = parser.parse_args(argv)

    if not (args.corpus / "corpus.jsonl").is_file():
        print(f"skipped: no SciFact corpus at {args.corpus}", file=sys.stderr)
        return 0
    backends = [b for b in args.backends.split(",") if b]
    if unknown := set(backends) - set(BACKENDS):
        parser.error(f"unknown backends {sorted(unknown)}; choose from {BACKENDS}")
    data = load_scifact(args.corpus)
    splits = {s: limit_queries(j, args.limit_queries) for s, j in data.qrels.items()}
    if args.no_train:
        splits.pop("train", None)
    if args.tune and "train" not in splits:
        parser.error("--tune needs the train qrels")

    with contextlib.ExitStack() as cleanup:
        root = args.workspace or Path(cleanup.enter_context(tempfile.TemporaryDirectory()))
        root = root.resolve()
        os.environ.setdefault(MODEL_CACHE_VAR, str(root / "models"))
        models = Path(os.environ[MODEL_CACHE_VAR])
        print(f"SciFact: {len(data.docs)} abstracts; workspaces under {root}")
        print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")

        started = time.perf_counter()
        ensure_export(DEFAULT_MODEL, models)  # once, so no build below pays for it
        print(f"ONNX export of {DEFAULT_MODEL} ready in {time.perf_counter() - started:.1f} s")
        default = build_workspace(root / "default", data.docs, None, reuse=args.reuse)
        print(
            f"\nindex build (radar default bulk backend = {default.backend}): "
            f"{default.embedded} items embedded in {default.index_s:.1f} s "
            f"= {default.items_per_s:.1f} items/s ({default.items_per_cpu_s:.1f} per CPU-s); "
            f"model load {default.load_s:.1f} s"
        )
        embedder = query_embedder(models)
        bench = Bench(root / "default", embedder)
        cleanup.callback(bench.close)
        if len(bench.doc_of) != len(data.docs):
            print(f"warning: the store holds {len(bench.doc_of)} of {len(data.docs)} abstracts")

        print(f"\nnDCG@10 through Searcher.search, {current_constants()}")
        quality_table(bench, data, splits)

        if args.tune:
            print("\ntuning fusion on train only")
            best = tune(bench, data.queries, splits["train"])
            with patched(**best):
                print(f"\nthrough Searcher.search with the best: {current_constants()}")
                quality_table(bench, data, splits)

        if backends:
            probe: dict[str, Speed | str] = {}
            if args.speed_sample:
                probe = speed_probe(data.docs, backends, models, args.speed_sample)
            print(
                f"\nload average {os.getloadavg()[0]:.1f}; "
                f"bulk backends: index built by each, queries by {QUERY_BACKEND}, test split; "
                f"build = update_index on all {len(data.docs)} abstracts, "
                f"probe = {args.speed_sample} abstracts, best of 2 alternating rounds"
            )
            backend_table(
                root,
                data,
                backends,
                splits["test"],
                embedder,
                reuse=args.reuse,
                default=default,
                probe=probe,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
