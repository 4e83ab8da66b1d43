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

``--tune`` searches fusion and lexical settings on the TRAIN queries only: it gathers
each query's lexical and semantic candidates once, replays fusion offline, then checks
the best setting with the real ``Searcher.search`` on train and reports it on test.

Reference figures on the test split: SQLite FTS5 BM25 0.666, all-MiniLM-L6-v2 0.651,
MiniLM + BM25 hybrid 0.713 (see ``SOURCE.md`` beside the corpus).

Measured here (2 cores shared with other work, load average 2-11 during builds):

    nDCG@10          test (300)  train (809)   test, before tuning (RRF k=60, weights 1)
    lexical              0.6937       0.7077       0.6880
    semantic             0.6470       0.6620       0.6470   (index by onnx-int8)
    hybrid               0.7278       0.7404       0.7153

    bulk backend   semantic  hybrid (test)   items per CPU-s (512-abstract probe)
    st               0.6451  0.7299             9.1-9.4
    onnx             0.6451  0.7299             8.4-8.5
    onnx-int8        0.6470  0.7278            12.6-13.4   (int8 probe cosine 0.988)

With the evidence-weighted fusion of issue #16 (radar/search.py: RRF k=2, lexical 1.5,
lexical list weighted by word share and by cosine agreement, semantic by cosine), chosen
on the natural-question tune half and checked on train:

    nDCG@10          test (300)  train (809)
    lexical              0.6864       0.7045
    semantic             0.6435       0.6571
    hybrid               0.7253       0.7408   (plain RRF on the same build: 0.7266 / 0.7388)

``--tune`` below still replays plain RRF and convex fusion only.

Tuning chose RRF k=1, lexical weight 1.1, title x3, radar's stoplist, depth 100. Z-score
score fusion was 0.002 better on train and the "none" stoplist 0.0018 better, both
within the 0.004 standard error of a paired difference, so neither was taken.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import inspect
import itertools
import json
import math
import os
import pickle
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

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

FUNCTION_WORDS = frozenset(
    """am being both did doing each few having he her here hers herself him himself his
    however itself just may me might mine must my myself nor once only other ought our
    ours ourselves own same shall she should some than then thence therefore those though
    thus too until upon us very whether while whom whose would yet yours yourself across
    among amongst against along although because before below between during above
    further once onto over per since through under within toward towards up down off
    out again could""".split()  # noqa: SIM905
)
"""Pure function words beyond radar's STOPWORDS, for the "wide" stoplist variant."""

STOPLISTS = {
    "none": frozenset(),
    "radar": search_module.STOPWORDS,
    "wide": search_module.STOPWORDS | FUNCTION_WORDS,
}
TITLE_WEIGHTS = (0.5, 1.0, 2.0, 3.0, 5.0, 8.0)
DEPTHS = (20, 50, 100, 200, 400)
RRF_KS = (0, 0.5, 1, 2, 3, 5, 10, 20, 30, 45, 60, 100)
LEXICAL_WEIGHTS = (0.5, 0.67, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0)
ALPHAS = tuple(round(a * 0.05, 2) for a in range(21))
NORMS = ("minmax", "max", "zscore")
FINALISTS = 3
CLEAR_MARGIN = 0.005
"""How much better on train another fusion must be to replace RRF: a bit more than the
standard error of a paired difference between two settings over the 809 train queries
(0.004 for the best z-score fusion against the best RRF)."""
"""How many lexical variants (by hybrid nDCG at the current fusion) get the full grid."""

Scored = list[tuple[int, float]]


@dataclass(frozen=True)
class Setting:
    stoplist: str
    title_weight: float
    depth: int
    fusion: str = "rrf"
    k: float = 60
    lexical_weight: float = 1.0
    alpha: float = 0.5
    norm: str = "minmax"

    def label(self) -> str:
        if self.fusion == "rrf":
            fusion = f"rrf k={self.k:g} wlex={self.lexical_weight:g}"
        else:
            fusion = f"convex/{self.norm} alpha={self.alpha:g}"
        lexical = f"stop={self.stoplist:5} title x{self.title_weight:<4g}"
        return f"{fusion:28} {lexical} depth={self.depth}"

    def constants(self) -> dict[str, object]:
        """The radar.search constants that give this setting."""
        return {
            "STOPWORDS": STOPLISTS[self.stoplist],
            "COLUMN_WEIGHTS": (self.title_weight, 1.0, 1.0),
            "CANDIDATES": self.depth,
            "FUSION": self.fusion,
            "RRF_K": self.k,
            "LEXICAL_WEIGHT": self.lexical_weight,
            "SEMANTIC_WEIGHT": 1.0,
            "SCORE_ALPHA": self.alpha,
            "SCORE_NORM": self.norm,
        }

    def supported(self) -> bool:
        """Whether radar.search has every constant this setting needs."""
        needed = ["FUSION", "SCORE_ALPHA", "SCORE_NORM"] if self.fusion != "rrf" else []
        return all(hasattr(search_module, name) for name in needed)


def current_setting() -> Setting:
    words = search_module.STOPWORDS
    stoplist = next((name for name, value in STOPLISTS.items() if value == words), "radar")
    return Setting(
        stoplist=stoplist,
        title_weight=search_module.COLUMN_WEIGHTS[0],
        depth=search_module.CANDIDATES,
        fusion=getattr(search_module, "FUSION", "rrf"),
        k=search_module.RRF_K,
        lexical_weight=search_module.LEXICAL_WEIGHT / search_module.SEMANTIC_WEIGHT,
        alpha=getattr(search_module, "SCORE_ALPHA", 0.5),
        norm=getattr(search_module, "SCORE_NORM", "minmax"),
    )


def applied(setting: Setting) -> contextlib.AbstractContextManager[None]:
    known = {k: v for k, v in setting.constants().items() if hasattr(search_module, k)}
    return patched(**known)


@dataclass
class Pools:
    """Per query, lexical and semantic candidates down to one depth, as padded arrays.

    Columns hold the union of both candidate lists, sorted by item id (the search's tie
    break). Ranks are 1-based, ``inf`` where a list lacks the item.
    """

    lex_rank: np.ndarray
    lex_score: np.ndarray
    sem_rank: np.ndarray
    sem_score: np.ndarray
    gain: np.ndarray
    ideal: np.ndarray
    """Per query, the ideal DCG@10."""

    @classmethod
    def gather(
        cls, lexical: list[Scored], semantic: list[Scored], gains: list[dict[int, int]]
    ) -> Pools:
        columns = [
            sorted({item_id for item_id, _ in lex} | {item_id for item_id, _ in sem})
            for lex, sem in zip(lexical, semantic, strict=True)
        ]
        shape = (len(lexical), max(10, *(len(c) for c in columns)))
        pools = cls(
            lex_rank=np.full(shape, np.inf),
            lex_score=np.zeros(shape),
            sem_rank=np.full(shape, np.inf),
            sem_score=np.zeros(shape),
            gain=np.zeros(shape),
            ideal=np.zeros(len(lexical)),
        )
        for row, (lex, sem, rels, ids) in enumerate(
            zip(lexical, semantic, gains, columns, strict=True)
        ):
            column = {item_id: c for c, item_id in enumerate(ids)}
            for ranks, scores, scored in (
                (pools.lex_rank, pools.lex_score, lex),
                (pools.sem_rank, pools.sem_score, sem),
            ):
                for rank, (item_id, score) in enumerate(scored, start=1):
                    ranks[row, column[item_id]] = rank
                    scores[row, column[item_id]] = score
            for item_id, gain in rels.items():
                if item_id in column:
                    pools.gain[row, column[item_id]] = gain
            ideal = sorted(rels.values(), reverse=True)[:10]
            pools.ideal[row] = sum(g / math.log2(r + 2) for r, g in enumerate(ideal))
        return pools

    def ndcg(self, scores: np.ndarray) -> float:
        """Mean nDCG@10 of ranking each row's columns by ``scores`` (-inf: not returned).

        Equal scores rank the lower item id first, as the search does.
        """
        keyed = -(scores - np.arange(scores.shape[1]) * 1e-12)
        order = np.argpartition(keyed, 9, axis=1)[:, :10]
        order = np.take_along_axis(
            order, np.argsort(np.take_along_axis(keyed, order, axis=1), axis=1), axis=1
        )
        top = np.take_along_axis(scores, order, axis=1)
        gains = np.take_along_axis(self.gain, order, axis=1) * np.isfinite(top)
        dcg = (gains / np.log2(np.arange(2, 12))).sum(axis=1)
        return float(np.mean(np.where(self.ideal > 0, dcg / np.maximum(self.ideal, 1e-12), 0)))

    def lexical_only(self) -> float:
        return self.ndcg(np.where(np.isfinite(self.lex_rank), -self.lex_rank, -np.inf))

    def score(self, setting: Setting) -> float:
        """nDCG@10 of ``setting``'s fusion replayed on these candidates."""
        if setting.fusion == "rrf":
            return self.ndcg(rrf_scores(self, setting.k, setting.lexical_weight))
        return self.ndcg(convex_scores(self, setting.alpha, setting.norm))


def rrf_scores(pools: Pools, k: float, lexical_weight: float) -> np.ndarray:
    """What radar's RRF gives, with semantic weight 1 (only the ratio matters)."""
    total = lexical_weight / (k + pools.lex_rank) + 1.0 / (k + pools.sem_rank)
    return np.where(total > 0, total, -np.inf)


def _normalised(score: np.ndarray, present: np.ndarray, how: str) -> np.ndarray:
    """Per row, the present candidates' scores mapped near [0, 1]; absent ones get 0."""
    high = np.where(present, score, -np.inf).max(axis=1, keepdims=True)
    low = np.where(present, score, np.inf).min(axis=1, keepdims=True)
    if how == "minmax":
        value = (score - low) / np.maximum(high - low, 1e-9)
    elif how == "max":
        value = score / np.maximum(high, 1e-9)
    else:  # z-score, shifted so the weakest candidate sits at 0
        count = np.maximum(present.sum(axis=1, keepdims=True), 1)
        mean = np.where(present, score, 0).sum(axis=1, keepdims=True) / count
        var = np.where(present, (score - mean) ** 2, 0).sum(axis=1, keepdims=True) / count
        value = (score - low) / np.maximum(np.sqrt(var), 1e-9)
    return np.where(present & np.isfinite(value), value, 0.0)


def convex_scores(pools: Pools, alpha: float, how: str) -> np.ndarray:
    """alpha * normalised BM25 + (1 - alpha) * normalised cosine over the candidates."""
    lex_in, sem_in = np.isfinite(pools.lex_rank), np.isfinite(pools.sem_rank)
    total = alpha * _normalised(pools.lex_score, lex_in, how)
    total += (1 - alpha) * _normalised(pools.sem_score, sem_in, how)
    return np.where(lex_in | sem_in, total, -np.inf)


def candidates_key(texts: list[str]) -> str:
    """Identifies the queries and the code that retrieves candidates, not the constants."""
    code = [
        inspect.getsource(part)
        for part in (
            search_module.fts_query,
            search_module.Searcher.lexical,
            search_module.Searcher.semantic,
        )
    ]
    payload = json.dumps([texts, code]).encode()
    return hashlib.blake2b(payload, digest_size=8).hexdigest()


class Candidates:
    """Each train query's lexical (per stoplist and title weight) and semantic candidates.

    Gathered once through ``Searcher.lexical``/``Searcher.semantic`` at the deepest depth
    and cached in the workspace: FTS5 scores every matching row, so this is the slow part.
    """

    def __init__(self, bench: Bench, texts: list[str], cache: Path) -> None:
        self.bench = bench
        self.texts = texts
        self.cache = cache
        self.key = candidates_key(texts)
        self.saved: dict[str, list[Scored]] = {}
        if cache.is_file():
            stored = pickle.loads(cache.read_bytes())
            if stored.get("key") == self.key:
                self.saved = stored["lists"]

    def _get(self, name: str, fetch: Callable[[str], Scored]) -> list[Scored]:
        if name not in self.saved:
            self.saved[name] = [fetch(text) for text in self.texts]
            self.cache.write_bytes(pickle.dumps({"key": self.key, "lists": self.saved}))
        return self.saved[name]

    def semantic(self) -> list[Scored]:
        return self._get(
            "semantic", lambda text: self.bench.searcher.semantic(text, NO_FILTER, max(DEPTHS))
        )

    def lexical(self, stoplist: str, title_weight: float) -> list[Scored]:
        def fetch(text: str) -> Scored:
            return self.bench.searcher.lexical(text, NO_FILTER, max(DEPTHS))

        with patched(STOPWORDS=STOPLISTS[stoplist], COLUMN_WEIGHTS=(title_weight, 1.0, 1.0)):
            return self._get(f"lexical {stoplist} {title_weight:g}", fetch)


def tune(bench: Bench, queries: dict[str, str], judged: dict[str, dict[str, int]]) -> Setting:
    """The best hybrid setting on ``judged`` (train), found by replaying fusion offline."""
    query_ids = list(judged)
    item_of = {doc: item for item, doc in bench.doc_of.items()}
    gains = [{item_of[d]: g for d, g in judged[q].items()} for q in query_ids]
    candidates = Candidates(
        bench, [queries[q] for q in query_ids], bench.workspace.root / "tune-candidates.pkl"
    )
    started = time.perf_counter()
    semantic = candidates.semantic()
    pools_at: dict[tuple[str, float, int], Pools] = {}

    def pools(stoplist: str, title_weight: float, depth: int) -> Pools:
        key = (stoplist, title_weight, depth)
        if key not in pools_at:
            lexical = candidates.lexical(stoplist, title_weight)
            pools_at[key] = Pools.gather(
                [lex[:depth] for lex in lexical], [sem[:depth] for sem in semantic], gains
            )
        return pools_at[key]

    now = current_setting()
    print(f"\n  lexical variants, train ({len(judged)} queries), fusion as now ({now.label()}):")
    print(f"  {'stoplist':10}{'title x':>8}{'lexical':>9}{'hybrid':>9}")
    variants = []
    for stoplist, title_weight in itertools.product(STOPLISTS, TITLE_WEIGHTS):
        at_now = pools(stoplist, title_weight, now.depth)
        as_now = Setting(**{**asdict(now), "stoplist": stoplist, "title_weight": title_weight})
        hybrid = at_now.score(as_now)
        variants.append((hybrid, stoplist, title_weight))
        print(f"  {stoplist:10}{title_weight:>8g}{at_now.lexical_only():>9.4f}{hybrid:>9.4f}")
    print(f"  (candidates gathered in {time.perf_counter() - started:.0f} s)")

    results: list[tuple[float, Setting]] = []
    finalists = sorted(variants, reverse=True)[:FINALISTS]
    finalists += [max(v for v in variants if v[1] == "radar")]
    for _, stoplist, title_weight in dict.fromkeys(finalists):
        for depth in DEPTHS:
            at = pools(stoplist, title_weight, depth)
            grid = [
                Setting(stoplist, title_weight, depth, "rrf", k=k, lexical_weight=w)
                for k, w in itertools.product(RRF_KS, LEXICAL_WEIGHTS)
            ] + [
                Setting(stoplist, title_weight, depth, "convex", alpha=a, norm=n)
                for a, n in itertools.product(ALPHAS, NORMS)
            ]
            results.extend((at.score(setting), setting) for setting in grid)
    results.sort(key=lambda pair: -pair[0])
    for fusion in ("rrf", "convex"):
        print(f"\n  best {fusion} settings, hybrid nDCG@10 on train (replayed):")
        for value, setting in [r for r in results if r[1].fusion == fusion][:8]:
            print(f"  {value:.4f}  {setting.label()}")
    print(f"  ({len(results)} settings, {time.perf_counter() - started:.0f} s in all)")
    return pick(results)


def pick(results: list[tuple[float, Setting]]) -> Setting:
    """The best setting with RRF and radar's stoplist, unless leaving either for another
    choice gains at least CLEAR_MARGIN on train (``results`` are best first)."""

    def best(wanted: Callable[[Setting], bool]) -> tuple[float, Setting]:
        return next(pair for pair in results if wanted(pair[1]))

    chosen = best(lambda s: s.fusion == "rrf" and s.stoplist == "radar")
    print(f"\n  best with rrf and radar's stoplist: {chosen[0]:.4f}  {chosen[1].label()}")
    for what, default, other in (
        ("fusion", "rrf", best(lambda s: s.fusion != "rrf")),
        ("stoplist", "radar", best(lambda s: s.stoplist != "radar")),
    ):
        gain = other[0] - chosen[0]
        if gain >= CLEAR_MARGIN:
            print(f"  {what} {getattr(other[1], what)} gains {gain:.4f}: taken")
            chosen = other
        else:
            print(
                f"  {what} {getattr(other[1], what)} gains {gain:+.4f} < {CLEAR_MARGIN}: "
                f"within noise, keeping {default}"
            )
    return chosen[1]


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
    names = ["FUSION", "RRF_K", "LEXICAL_WEIGHT", "SEMANTIC_WEIGHT", "SCORE_ALPHA", "SCORE_NORM"]
    names += ["COLUMN_WEIGHTS", "CANDIDATES"]
    shown = [f"{n}={getattr(search_module, n)}" for n in names if hasattr(search_module, n)]
    stoplist = current_setting().stoplist
    return ", ".join([*shown, f"STOPWORDS={stoplist} ({len(search_module.STOPWORDS)} words)"])


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
            print("\ntuning on train only")
            best = tune(bench, data.queries, splits["train"])
            print(f"\nchosen on train: {best.label()}")
            if best.supported():
                with applied(best):
                    print(f"through Searcher.search with it: {current_constants()}")
                    quality_table(bench, data, splits)
            else:
                print("(radar.search lacks this fusion; implement it to check it end to end)")

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
