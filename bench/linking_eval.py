"""Precision and recall of news ⇄ technology linking on the labelled set.

    .venv/bin/python bench/linking_eval.py            # rules, then rules + semantic
    .venv/bin/python bench/linking_eval.py --errors   # also list every wrong link
    .venv/bin/python bench/linking_eval.py --tune     # semantic thresholds on train
    .venv/bin/python bench/linking_eval.py --speed    # items/s of the rule stage

Prints micro precision / recall / F1 per split and per technology, with and without
the semantic step (which loads the bundled embedding model through ONNX).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from radar.techradar import link_eval  # noqa: E402
from radar.techradar.link_rules import ItemText, Linker  # noqa: E402

LABELLED = ROOT / "tests" / "data" / "linking_labelled.yaml"


def show(title: str, items, predicted, *, per_tech: bool, errors: bool) -> None:  # type: ignore[no-untyped-def]
    print(f"\n== {title}")
    for split in ("train", "test"):
        chosen = [item for item in items if item.split == split]
        report = link_eval.score(chosen, predicted)
        c = report.overall
        print(
            f"  {split:<5}  items {len(chosen):>3}  P {c.precision:.3f}  R {c.recall:.3f}  "
            f"F1 {c.f1:.3f}  (tp {c.tp}, fp {c.fp}, fn {c.fn}; "
            f"traps linked {report.trap_items_linked}/{report.trap_items})"
        )
        if errors:
            for item_id, slug, method in report.false_positives:
                print(f"      FP #{item_id:<4} {slug} ({method})")
            for item_id, slug in report.false_negatives:
                print(f"      FN #{item_id:<4} {slug}")
    if per_tech:
        report = link_eval.score(items, predicted)
        print(f"  {'technology (both splits)':<28} {'P':>6} {'R':>6} {'F1':>6}  tp fp fn")
        for slug, c in sorted(report.per_tech.items()):
            print(
                f"  {slug:<28} {c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f}  "
                f"{c.tp:>2} {c.fp:>2} {c.fn:>2}"
            )


def embedder():  # type: ignore[no-untyped-def]
    from radar.embed import DEFAULT_MODEL, load_embedder

    cache = Path(os.environ.get("RADAR_MODEL_CACHE") or tempfile.mkdtemp(prefix="radar-models-"))
    return load_embedder(DEFAULT_MODEL, cache_dir=cache, purpose="bulk")


def tune(radar, items, similarity_for) -> None:  # type: ignore[no-untyped-def]
    train = [item for item in items if item.split == "train"]
    print("\n== semantic thresholds on train (accept, veto): P R F1")
    results = []
    for accept in [x / 100 for x in range(20, 75, 5)]:
        for veto in [x / 100 for x in range(-10, 45, 5)]:
            linker = Linker(radar.technologies, semantic_accept=accept, semantic_veto=veto)
            report = link_eval.score(train, link_eval.run(linker, radar, train, similarity_for))
            c = report.overall
            results.append((c.f1, c.precision, c.recall, accept, veto))
    results.sort(key=lambda r: (r[0], r[1]), reverse=True)
    for f1, p, r, accept, veto in results[:10]:
        print(f"  accept {accept:.2f} veto {veto:.2f}:  P {p:.3f}  R {r:.3f}  F1 {f1:.3f}")


def speed(radar, items) -> None:  # type: ignore[no-untyped-def]
    linker = Linker(radar.technologies)
    texts = [item.text for item in items]
    # Realistic bodies: pad each item with a paragraph of ML prose, as feeds have.
    filler = (
        " We benchmark throughput and latency on eight GPUs, compare against the previous "
        "release and discuss the trade-offs for training and inference workloads."
    ) * 6
    texts = [ItemText(t.title, t.summary, t.summary + filler, t.context) for t in texts]
    rounds = max(1, 20_000 // len(texts))
    start = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            linker.link(text)
    seconds = time.perf_counter() - start
    count = rounds * len(texts)
    chars = sum(len(t.title) + len(t.summary) + len(t.content) for t in texts) // len(texts)
    print(f"\n== speed: {count / seconds:,.0f} items/s (rules only, ~{chars} chars per item)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--errors", action="store_true")
    parser.add_argument("--tune", action="store_true")
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--no-semantic", action="store_true")
    args = parser.parse_args()
    radar, items = link_eval.load_labelled(LABELLED, ROOT)
    traps = sum(item.trap for item in items)
    print(f"{len(items)} labelled items ({traps} traps), {len(radar.technologies)} technologies")
    linker = Linker(radar.technologies)
    rules = link_eval.run(linker, radar, items)
    show("rules only", items, rules, per_tech=True, errors=args.errors)
    if not args.no_semantic:
        similarity_for = link_eval.embed_items(embedder(), radar, items)
        semantic = link_eval.run(linker, radar, items, similarity_for)
        show("rules + semantic", items, semantic, per_tech=True, errors=args.errors)
        if args.tune:
            tune(radar, items, similarity_for)
    if args.speed:
        speed(radar, items)


if __name__ == "__main__":
    main()
