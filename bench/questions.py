"""Search quality on natural questions over the demo feeds: top-1, top-3 and MRR@10 per mode.

Builds the demo workspace the way `radar demo` does (the bundled feeds served on
127.0.0.1, the real fetch cycle with linking, the real model), then runs every question
of ``tests/data/natural_questions.yaml`` through ``Searcher.search`` in each mode.
A question counts as answered at rank r when any of its answer items is at rank r
(answers are matched by link URL without the query string).

    .venv/bin/python bench/questions.py                      # test split, every mode
    .venv/bin/python bench/questions.py --split tune --by-kind
    .venv/bin/python bench/questions.py --workspace /tmp/qdemo --reuse --misses
    .venv/bin/python bench/questions.py --workspace /tmp/qdemo --reuse --tune fusion
    .venv/bin/python bench/questions.py --workspace /tmp/qdemo --reuse --weak

Only the ``tune`` split may be used to choose settings; report the ``test`` split.

Measured here (34 test questions), demo indexed with int8 vectors (the default) and with
``RADAR_EMBED_BACKEND=fp32``; the fusion of issue #16 with the passage word share
(docs/PERFORMANCE.md, "Search quality", round two):

    test split        top-1  top-3  MRR@10        top-1  top-3  MRR@10
                      -------- int8 --------      -------- fp32 --------
    hybrid            0.941  0.971  0.961         0.941  0.971  0.961
    (whole-text share 0.912  0.971  0.946         0.912  0.971  0.941)
    semantic          0.706  0.941  0.809         0.765  0.941  0.843
    lexical           0.882  0.912  0.914         0.882  0.912  0.914

``--weak`` prints each mode's best scores on the answerable tune questions against
OFF_TOPIC queries, the single cut that separates them best, and how radar's weak-match
rule classifies them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from radar.demo import demo_data_dir, prepare_workspace, serve_directory
from radar.feeds.config import load_config
from radar.search import MODES, Searcher
from radar.store import Store
from radar.workspace import MODEL_CACHE_VAR, Workspace

QUESTIONS = Path(__file__).resolve().parents[1] / "tests" / "data" / "natural_questions.yaml"


@dataclass
class Question:
    text: str
    kind: str
    author: str
    split: str
    answers: set[str]


def bare_url(url: str | None) -> str:
    return (url or "").split("?", 1)[0].split("#", 1)[0]


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Question(
            q["q"], q["kind"], q["author"], q["split"], {bare_url(a["url"]) for a in q["answers"]}
        )
        for q in data["questions"]
    ]


def build_demo(root: Path, reuse: bool) -> Workspace:
    """The demo workspace under ``root``, fetched, linked and indexed (kept with ``reuse``)."""
    from radar.ops.runner import run_cycle

    workspace = Workspace(root.resolve())
    if reuse and workspace.index_path.exists():
        return workspace
    with serve_directory(demo_data_dir()) as port:
        workspace = prepare_workspace(root, port)
        config = load_config(workspace.feeds_path)
        with Store(workspace.db_path) as store:
            run_cycle(store, workspace, config, trigger="demo", all_feeds=True)
    return workspace


def first_answer_rank(searcher: Searcher, question: Question, mode: str) -> int | None:
    result = searcher.search(question.text, limit=10, mode=mode, scope="items")
    for rank, hit in enumerate(result.hits, start=1):
        if bare_url(hit.url) in question.answers:
            return rank
    return None


@dataclass
class Scores:
    top1: float
    top3: float
    mrr10: float
    n: int


def score(ranks: Sequence[int | None]) -> Scores:
    n = len(ranks)
    return Scores(
        top1=sum(r == 1 for r in ranks) / n,
        top3=sum(r is not None and r <= 3 for r in ranks) / n,
        mrr10=sum(1 / r for r in ranks if r is not None) / n,
        n=n,
    )


def evaluate(
    searcher: Searcher, questions: Sequence[Question], modes: Sequence[str] = MODES
) -> dict[str, list[int | None]]:
    return {mode: [first_answer_rank(searcher, q, mode) for q in questions] for mode in modes}


def table(ranks: dict[str, list[int | None]], label: str) -> None:
    print(f"\n{label}")
    print(f"{'mode':10} {'top-1':>6} {'top-3':>6} {'MRR@10':>7}   n")
    for mode, mode_ranks in ranks.items():
        s = score(mode_ranks)
        print(f"{mode:10} {s.top1:6.3f} {s.top3:6.3f} {s.mrr10:7.3f}  {s.n}")


class CachedEmbedder:
    """The real query embedder, remembering each text's vector (tuning repeats queries)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.info = inner.info
        self.cache: dict[str, Any] = {}

    def embed(self, texts: list[str]) -> Any:
        import numpy as np

        missing = [t for t in texts if t not in self.cache]
        if missing:
            for text, vector in zip(missing, self.inner.embed(missing), strict=True):
                self.cache[text] = vector
        return np.stack([self.cache[t] for t in texts])


FUSION_GRID = {
    "RRF_K": (1, 2, 5),
    "LEXICAL_WEIGHT": (1.1, 1.5, 2.0, 2.5),
    "COVERAGE_POWER": (0.0, 1.0, 2.0),
    "COSINE_POWER": (0.0, 1.0),
}
RECENCY_GRID = {
    "RECENCY_SHARE": (0.3, 0.5, 0.7, 1.0),
    "RECENCY_HALF_LIFE_DAYS": (1.0, 2.0, 4.0, 7.0, 14.0),
}


OFF_TOPIC = (
    "zebra migration patterns in the savanna",
    "best lasagna recipe",
    "how to knit a scarf",
    "football world cup results",
    "tax return deadline",
    "guitar chords for beginners",
    "medieval castle architecture",
    "weather forecast for tomorrow",
    "cheap flights to lisbon in may",
    "how long to boil an egg",
    "symptoms of a cold in toddlers",
    "repotting a fiddle leaf fig",
    "who won the 1998 tennis final",
    "wedding speech ideas for a best man",
    "fix a squeaky door hinge",
    "history of the roman empire",
    "learn to play chess openings",
    "dog keeps barking at night",
    "best hiking trails in the alps",
    "how to make sourdough starter",
)
"""Queries the demo data cannot answer (written before measuring), for the weak-match
thresholds: a best result below the threshold is called a weak match."""


def best_scores(searcher: Searcher, texts: Sequence[str], mode: str) -> list[float]:
    """Each query's best score in `mode` (0 when nothing matches)."""
    best = []
    for text in texts:
        hits = searcher.search(text, limit=1, mode=mode, scope="items").hits
        best.append(hits[0].score if hits else 0.0)
    return best


def threshold(answered: Sequence[float], off_topic: Sequence[float]) -> tuple[float, int]:
    """The cut with fewest errors (answered below it, off-topic at or above it), halfway
    between the two scores around it; ties go to the cut with the widest gap."""
    points = sorted({0.0, *answered, *off_topic, 1.0})
    best: tuple[int, float, float] | None = None
    for low, high in zip(points, points[1:], strict=False):
        cut = (low + high) / 2
        errors = sum(a < cut for a in answered) + sum(o >= cut for o in off_topic)
        if best is None or (errors, -(high - low)) < (best[0], -best[2]):
            best = (errors, cut, high - low)
    assert best is not None
    return best[1], best[0]


def weak_report(searcher: Searcher) -> None:
    """Best scores of the answerable tune questions and of OFF_TOPIC, per mode, and the
    threshold that separates them best."""
    tune_texts = [q.text for q in load_questions() if q.split == "tune"]
    print(f"\nbest score per query: {len(tune_texts)} tune questions vs {len(OFF_TOPIC)} off-topic")
    for mode in ("hybrid", "semantic", "lexical"):
        answered = sorted(best_scores(searcher, tune_texts, mode))
        off = sorted(best_scores(searcher, OFF_TOPIC, mode))
        cut, errors = threshold(answered, off)
        print(
            f"{mode:9} answered lowest {[round(a, 3) for a in answered[:4]]}, "
            f"off-topic highest {[round(o, 3) for o in off[-4:]]}: "
            f"cut {cut:.3f} ({errors} misplaced)"
        )
        called_weak = [weak_flags(searcher, texts, mode) for texts in (tune_texts, OFF_TOPIC)]
        print(
            f"{'':9} as radar says now: {sum(called_weak[0])} answered called weak, "
            f"{len(OFF_TOPIC) - sum(called_weak[1])} off-topic not called weak"
        )


def weak_flags(searcher: Searcher, texts: Sequence[str], mode: str) -> list[bool]:
    return [searcher.search(t, limit=1, mode=mode, scope="items").weak for t in texts]


def grid_search(
    searcher: Searcher, questions: Sequence[Question], grid: dict[str, tuple[Any, ...]]
) -> list[tuple[float, float, dict[str, Any]]]:
    """Hybrid (MRR@10, top-3) for every setting of `grid`, best first."""
    import itertools

    from radar import search as search_module

    results = []
    saved = {name: getattr(search_module, name) for name in grid}
    try:
        for values in itertools.product(*grid.values()):
            setting = dict(zip(grid, values, strict=True))
            for name, value in setting.items():
                setattr(search_module, name, value)
            s = score(evaluate(searcher, questions, ["hybrid"])["hybrid"])
            results.append((s.mrr10, s.top3, setting))
    finally:
        for name, value in saved.items():
            setattr(search_module, name, value)
    return sorted(results, key=lambda r: (-r[0], -r[1]))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workspace", type=Path, help="where to build (default: a temp dir)")
    parser.add_argument("--reuse", action="store_true", help="keep a finished build")
    parser.add_argument("--split", choices=("test", "tune", "all"), default="test")
    parser.add_argument("--by-kind", action="store_true", help="a table per kind of question")
    parser.add_argument("--misses", action="store_true", help="list questions missed in top 3")
    parser.add_argument(
        "--weak", action="store_true", help="best scores: tune questions vs off-topic queries"
    )
    parser.add_argument(
        "--tune",
        nargs="+",
        choices=("fusion", "recency"),
        help="grid-search these settings on split=tune (and nothing else)",
    )
    args = parser.parse_args(argv)

    questions = [q for q in load_questions() if args.split in ("all", q.split)]
    with contextlib.ExitStack() as cleanup:
        root = args.workspace or Path(cleanup.enter_context(tempfile.TemporaryDirectory()))
        os.environ.setdefault(MODEL_CACHE_VAR, str(root / "models"))
        workspace = build_demo(root / "demo", args.reuse)
        config = load_config(workspace.feeds_path)
        store = cleanup.enter_context(Store(workspace.db_path))
        searcher = Searcher(workspace, store, config.settings.model)
        if args.tune:
            searcher._embedder = CachedEmbedder(searcher.embedder())
            tune_set = [q for q in load_questions() if q.split == "tune"]
            grids = {"fusion": FUSION_GRID, "recency": RECENCY_GRID}
            for name in args.tune:
                grid = grids[name]
                print(f"\n{name} grid on {len(tune_set)} tune questions (hybrid MRR@10, top-3)")
                for mrr, top3, setting in grid_search(searcher, tune_set, grid)[:12]:
                    print(f"  {mrr:.3f} {top3:.3f}  {setting}")
            return 0
        if args.weak:
            weak_report(searcher)
            return 0
        ranks = evaluate(searcher, questions)
        table(ranks, f"{len(questions)} questions, split={args.split}")
        if args.by_kind:
            for kind in sorted({q.kind for q in questions}):
                picked = [i for i, q in enumerate(questions) if q.kind == kind]
                table({m: [r[i] for i in picked] for m, r in ranks.items()}, f"kind={kind}")
        if args.misses:
            print("\nmissed in the top 3 (rank per mode: lexical semantic hybrid)")
            for i, q in enumerate(questions):
                got = [ranks[m][i] for m in MODES]
                if any(r is None or r > 3 for r in got):
                    shown = " ".join(f"{m[:3]}={r or '-'}" for m, r in zip(MODES, got, strict=True))
                    print(f"  [{q.kind:10} {q.author}] {shown:24} {q.text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
