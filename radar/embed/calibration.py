"""Texts that set the int8 model's activation scales at export (see :mod:`radar.embed.quantise`).

Written for radar, in the shapes its feeds produce: short titles, release notes, paper
abstracts, blog summaries, code, other languages and scripts, and texts long enough to be
truncated. They are run one at a time; what matters is that together they reach the
activation ranges real items reach, so changing them changes every int8 vector (bump
:data:`radar.embed.model.VECTORS_RECIPE` when you do).
"""

from __future__ import annotations

_TITLES = (
    "Release v3.2.0",
    "Faster tokenizers for everyone",
    "Show HN: I replaced our search cluster with one SQLite file",
    "Mixture-of-experts routing without the load-balancing loss",
    "Postmortem: the feature store outage of March 14",
    "Kubernetes operators for GPU batch jobs, a year later",
    "Why your p99 latency lies to you",
    "llama.cpp b4123",
    "DuckDB 1.2 brings a new storage format",
    "Towards calibrated uncertainty in retrieval-augmented language models",
)

_SUMMARIES = (
    "We describe how our team moved model training from ad-hoc notebooks to scheduled "
    "pipelines with lineage tracking, what broke on the way, and what we would do differently.",
    "This release drops support for Python 3.8, adds streaming responses to the client, "
    "fixes a memory leak in the connection pool (#4412) and deprecates the legacy config loader.",
    "Bug fixes: segfault when loading empty checkpoints; wrong dtype after "
    "torch.compile on CPU; flaky NCCL timeout in multi-node tests. Thanks to 14 new contributors!",
    "A hands-on comparison of three vector databases on ten million embeddings: build time, "
    "memory, recall at ten and tail latency under concurrent writes.",
    "Our evaluation harness now runs nightly against every model in the registry and posts "
    "regressions to the team channel before anyone ships them.",
    "Quantisation-aware training recovers most of the accuracy lost by post-training int8 "
    "quantisation on small encoders, at the cost of a second training run.",
)

_ABSTRACTS = (
    "Large language models are increasingly deployed as components of retrieval systems, "
    "yet their behaviour under distribution shift remains poorly understood. We study "
    "dense retrievers trained on web question answering and evaluate them on scientific, "
    "legal and biomedical collections. Across twelve benchmarks, performance drops by up "
    "to forty percent relative to in-domain results, and the drop correlates with "
    "vocabulary overlap rather than with model size. We propose a lightweight adaptation "
    "method that generates synthetic queries from unlabelled target documents and "
    "fine-tunes only the query encoder. The method closes half of the gap at a fraction of "
    "the cost of full fine-tuning, and we release code and data to reproduce our results.",
    "Protein structure prediction has advanced rapidly, but predicting the effect of point "
    "mutations on stability is still difficult. We introduce a graph neural network that "
    "operates on residue contact maps and is trained with a ranking objective on measured "
    "free energy changes. On held-out protein families the model improves Spearman "
    "correlation from 0.41 to 0.55, and attribution analysis highlights buried "
    "hydrophobic residues known to be critical for folding. Patients carrying variants "
    "predicted to be destabilising showed higher rates of early-onset disease in a "
    "retrospective cohort of 1,204 individuals (p < 0.01).",
    "We revisit the scaling behaviour of contrastive image-text pretraining when the data "
    "are filtered aggressively. Keeping only the top ten percent of pairs by a learned "
    "quality score yields models that match unfiltered training with five times less "
    "compute. However, filtering also removes rare concepts, and zero-shot accuracy on "
    "long-tail categories falls. A simple rebalancing step restores most of it.",
)

_CODE = (
    "def embed(texts: list[str]) -> np.ndarray:\n    return model.encode(texts, batch_size=64)",
    "sqlite> SELECT feed, count(*) AS n FROM items GROUP BY feed HAVING n > 100 ORDER BY n DESC;",
    "docker run --gpus all -p 8000:8000 vllm/vllm-openai:latest --model mistral-7b",
    "ERROR: Could not find a version that satisfies the requirement torch==2.99",
    "{'epoch': 3, 'train_loss': 0.1873, 'eval_f1': 0.912, 'lr': 2e-05}",
    "https://github.com/example/project/releases/tag/v0.14.2",
)

_OTHER_LANGUAGES = (
    "Neue Version des Tokenizers: schneller, genauer und mit weniger Speicherbedarf.",
    "Comment nous avons réduit de moitié le coût d'inférence de nos modèles de langue.",
    "Cómo evaluar sistemas de recuperación de información con pocos datos etiquetados.",
    "大规模语言模型在检索增强生成中的应用与评估",
    "機械学習パイプラインの監視とデータドリフトの検出",
    "Как мы перенесли обучение моделей в Kubernetes и что из этого вышло",
    "Ελληνικό κείμενο με αριθμούς 2024 και σύμβολα € %",
    "نظرة عامة على نماذج اللغة الكبيرة ومخاطرها",
    "🚀 New release 🎉 — 30% faster ⚡ inference, fewer 🐛 bugs",
)

_ODD = ("", ".", "???", "a", "2024-11-22", "GPU " * 40, "ML" * 300)


def _long_texts() -> tuple[str, ...]:
    """Texts past the 256-token limit, so the model's longest inputs are calibrated too."""
    return (
        " ".join(_ABSTRACTS),
        " ".join(_SUMMARIES * 3),
        "\n".join(_CODE * 4),
        " ".join(_OTHER_LANGUAGES * 3),
    )


def calibration_texts() -> list[str]:
    """The texts, in a fixed order."""
    return [*_TITLES, *_SUMMARIES, *_ABSTRACTS, *_CODE, *_OTHER_LANGUAGES, *_ODD, *_long_texts()]
