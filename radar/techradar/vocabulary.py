"""Word lists that news linking decides with: common English words, a general ML
vocabulary, curated context terms for well-known technologies, and the cues of the
common-word senses of their names (X-rays, Neptune's moon, arrow keys, ...).

Curated lists are keyed by technology slug or by the ambiguous word itself, so a
technology a team adds gets the general rules, plus these when its name is one of
the well-known ones.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = _wordset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers him his how i if in into is
    it its itself just me more most my no nor not now of off on once only or other our
    ours out over own same she should so some such than that the their theirs them then
    there these they this those through to too under until up very was we were what when
    where which while who whom why will with without would you your yours via vs new one
    two three first using use used uses based make makes made like get gets how what"""
)

GENERIC_WORDS = _wordset(
    """library libraries framework frameworks tool tools tooling model models data
    software project projects system systems open source support supports way ways part
    small large fast faster simple simpler thing things work works platform platforms"""
)
"""Words of a technology's description that say nothing about which technology it is."""

GENERAL_ML_TERMS = frozenset(
    """machine learning|deep learning|neural network|neural networks|ml|ai|llm|llms|
    gpu|gpus|cpu|cpus|tpu|tpus|cuda|inference|training|fine-tuning|fine-tune|finetuning|
    pretraining|pretrained|checkpoint|checkpoints|dataset|datasets|embedding|embeddings|
    tokenizer|tokenizers|tokens|kernel|kernels|tensor|tensors|batch|batches|batching|
    latency|throughput|serving|deployment|deploy|cluster|clusters|distributed|pipeline|
    pipelines|feature engineering|features|benchmark|benchmarks|accuracy|gradient|
    gradients|optimizer|quantization|quantisation|quantized|quantised|python|api|sdk|
    open-source|release|releases|release notes|github|pypi|pip|library|framework|
    dataframe|dataframes|parquet|sql|kubernetes|docker|mlops|model serving|
    transformer|attention|llama|bert|vector|vectors|numpy|pandas|scikit-learn|
    jupyter|notebook|notebooks|workload|workloads|backend|backends|compiler|runtime|
    open source|repository|changelog|bugfix|bug fix|regression""".replace("\n", "").split("|")
)
"""Terms that say a text is about ML engineering (weak evidence for any technology)."""

QUADRANT_TERMS: dict[str, tuple[str, ...]] = {
    "platforms": ("platform", "infrastructure", "deployment", "serving", "cluster"),
    "tools": ("tool", "cli", "dashboard", "workflow"),
    "techniques": ("technique", "method", "approach", "paper"),
    "languages-and-frameworks": ("library", "api", "framework", "code"),
}
"""Weak context per default quadrant."""

CURATED_TERMS: dict[str, tuple[str, ...]] = {
    "ray": (
        "cluster",
        "clusters",
        "actor",
        "actors",
        "actor pool",
        "actor pools",
        "kuberay",
        "anyscale",
        "rllib",
        "autoscaler",
        "autoscaling",
        "placement group",
        "placement groups",
        "object store",
        "object spilling",
        "head node",
        "worker nodes",
        "executor",
        "multi-node",
        "multiprocessing",
        "dask",
        "spark",
        "tasks",
        "trials",
    ),
    "apache-arrow": (
        "columnar",
        "parquet",
        "record batch",
        "record batches",
        "flight",
        "flight sql",
        "ipc",
        "c data interface",
        "zero-copy",
        "memory-mapped",
        "memory format",
        "pyarrow",
        "feather",
        "acero",
        "polars",
        "duckdb",
        "pandas",
        "string views",
        "grpc",
    ),
    "openai-triton": (
        "kernel",
        "kernels",
        "gpu kernel",
        "gpu kernels",
        "cuda",
        "autotune",
        "autotuner",
        "autotuning",
        "autotuned",
        "block size",
        "block sizes",
        "warp",
        "warps",
        "fused",
        "fuse",
        "compiler",
        "matmul",
        "softmax",
        "tile",
        "tiles",
        "triton-lang",
        "ptx",
        "sram",
        "hbm",
        "moe",
        "attention backend",
        "attention kernel",
        "attention kernels",
    ),
    "triton-inference-server": (
        "inference server",
        "model repository",
        "config.pbtxt",
        "dynamic batching",
        "ensemble",
        "ensembles",
        "python backend",
        "perf_analyzer",
        "model analyzer",
        "ngc",
        "tensorrt",
        "onnx",
        "kserve",
        "serving",
        "model server",
        "preferred_batch_size",
    ),
    "jax": (
        "xla",
        "jit",
        "vmap",
        "pmap",
        "grad",
        "flax",
        "optax",
        "orbax",
        "haiku",
        "tpu",
        "tpus",
        "pjit",
        "sharding",
        "device mesh",
        "numpy",
        "pytree",
        "pytrees",
        "equinox",
        "jit-compiled",
    ),
    "pytorch": (
        "tensor",
        "tensors",
        "nn.module",
        "autograd",
        "cuda",
        "dataloader",
        "torchscript",
        "dynamo",
        "inductor",
        "aotinductor",
        "fsdp",
        "ddp",
        "pin_memory",
        "state_dict",
        "backward",
        "torchvision",
        "torchao",
        "graph breaks",
        "eager",
    ),
    "feast": (
        "feature store",
        "feature stores",
        "feature view",
        "feature views",
        "online store",
        "offline store",
        "materialise",
        "materialize",
        "materialization",
        "materialisation",
        "point-in-time",
        "feature server",
        "tecton",
        "hopsworks",
        "feature repo",
        "feature service",
    ),
    "polars": (
        "dataframe",
        "dataframes",
        "lazy",
        "lazy frames",
        "pandas",
        "expressions",
        "query optimizer",
        "parquet",
        "rust",
        "scan_parquet",
        "group_by",
        "duckdb",
        "arrow",
        "predicate pushdown",
    ),
    "great-expectations": (
        "expectation",
        "expectations",
        "expectation suite",
        "expectation suites",
        "checkpoint",
        "checkpoints",
        "data validation",
        "data quality",
        "validation",
        "validate",
        "validated",
        "data docs",
        "pandera",
        "dbt",
        "schema",
        "schemas",
        "suites",
        "great_expectations",
    ),
    "hugging-face-transformers": (
        "hugging face",
        "huggingface",
        "the hub",
        "from_pretrained",
        "automodel",
        "autotokenizer",
        "trainer",
        "model card",
        "safetensors",
        "model classes",
        "transformers library",
    ),
    "spacy": (
        "nlp",
        "ner",
        "named entity",
        "entity recognition",
        "entityruler",
        "matcher",
        "en_core_web",
        "tok2vec",
        "displacy",
        "prodigy",
        "pipeline",
        "pipelines",
    ),
    "lora-peft": ("adapter", "adapters", "low-rank", "fine-tuning", "fine-tune", "peft"),
    "onnx-runtime": ("onnx", "execution provider", "execution providers", "quantisation"),
    "speculative-decoding": (
        "draft model",
        "draft",
        "acceptance rate",
        "verifies",
    ),
    "vllm": ("pagedattention", "kv cache", "continuous batching", "openai-compatible"),
    "weights-biases": ("sweep", "sweeps", "experiment tracking", "runs", "artifacts"),
    "duckdb": ("sql", "parquet", "in-process", "analytical", "olap"),
}
"""Context terms for well-known technologies, keyed by slug (weight 2 each)."""

CURATED_FOLLOWERS: dict[str, tuple[str, ...]] = {
    "ray": (
        "serve",
        "data",
        "train",
        "tune",
        "core",
        "client",
        "jobs",
        "dashboard",
        "summit",
        "cluster",
        "clusters",
        "workflows",
        "air",
        "datasets",
        "rllib",
    ),
    "apache-arrow": ("flight", "ipc", "datasets", "tables", "table", "c"),
    "openai-triton": ("kernel", "kernels", "language", "compiler"),
    "triton-inference-server": ("server", "inference", "backend", "ensembles"),
    "jax": ("jit", "numpy"),
    "feast": ("feature",),
    "polars": ("dataframe", "dataframes", "lazyframe", "expressions"),
}
"""Capitalised words that, right after a bare name, mean the technology ('Ray Tune')."""

ML_SENSE_WORDS = frozenset(
    {"transformers", "transformer", "datasets", "accelerate", "evaluate", "tokenizers", "hub"}
)
"""Names whose common sense is itself an ML concept ('vision transformers'): general
ML vocabulary says nothing about them, only technology-specific terms do."""

CURATED_AMBIGUOUS = frozenset(
    {
        "triton",
        "jax",
        "iceberg",
        "chroma",
        "pinecone",
        "modal",
        "flax",
        "haiku",
        "mamba",
        "mistral",
        "llama",
        "gemma",
        "polars",
        "feast",
        "torch",
        "arrow",
        "ray",
        "gx",
        "spark",
        "beam",
        "airflow",
        "prefect",
        "delta",
        "hydra",
        "lightning",
    }
)
"""Names known to collide with everyday words or names, beyond the common-word list."""

SENSE_CUES: dict[str, tuple[str, ...]] = {
    "ray": (
        r"\bx[\s-]?rays?\b",
        r"\bray[\s-]?(?:trac|march|cast)",
        r"\bgamma[\s-]ray",
        r"\bcosmic[\s-]ray",
        r"\bmanta[\s-]ray",
        r"\bsting[\s-]?ray",
        r"\bray of (?:light|sunshine)",
        r"\blight rays?\b",
    ),
    "arrow": (
        r"\barrow[\s-]?(?:keys?|buttons?|icons?)\b",
        r"\barrow of time\b",
        r"\b(?:up|down|left|right|back|forward)[\s-]arrows?\b",
        r"\bbow and arrows?\b",
        r"\barrow electronics\b",
    ),
    "triton": (r"\bneptune's\b", r"\bvoyager\b", r"\btriton digital\b", r"\bsea gods?\b"),
    "torch": (
        r"\bpass(?:es|ed|ing)? the torch\b",
        r"\bblow[\s-]?torch",
        r"\btorch[\s-]?lit\b",
        r"\btorchlight\b",
    ),
    "feast": (r"\bfeast or famine\b", r"\bfeast days?\b", r"\ba feast of\b"),
    "great expectations": (r"\bdickens\b",),
}
"""Phrases near a mention that mean the everyday sense, keyed by the lower-cased name."""

OFF_TOPIC_TERMS: dict[str, tuple[str, ...]] = {
    "ray": (
        "radiograph",
        "radiographs",
        "radiology",
        "chest",
        "tracing",
        "tracer",
        "photon",
        "optics",
        "rendering",
        "graphics cards",
        "pneumonia",
    ),
    "triton": (
        "moon",
        "neptune",
        "voyager",
        "planet",
        "god",
        "gods",
        "mythology",
        "sea",
        "geysers",
        "flyby",
        "nitrogen",
        "podcast",
        "advertising",
    ),
    "arrow": ("keyboard", "shortcut", "shortcuts", "cursor", "mouse"),
    "torch": (
        "flashlight",
        "batteries",
        "tent",
        "camping",
        "hiking",
        "aisle lights",
        "label maker",
    ),
    "feast": ("holiday", "holidays", "dinner", "famine"),
    "polars": ("bear", "bears", "arctic"),
    "transformers": ("grid", "voltage", "substation", "electrical"),
    "great expectations": ("dickens", "novel"),
}
"""Words anywhere in an item that point to the everyday sense (weight -2 each)."""


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Lower-case English words common enough to collide with a technology's name.

    The embedding model's WordPiece vocabulary (the ~30k most frequent words of
    English Wikipedia and books) is shipped with radar, so it serves as the word list;
    without it, only the curated names count as ambiguous.
    """
    vocab = _vocab_file()
    if vocab is None:
        return frozenset(CURATED_AMBIGUOUS)
    words: set[str] = set()
    if vocab.suffix == ".txt":
        lines = vocab.read_text(encoding="utf-8").splitlines()
    else:
        lines = list(json.loads(vocab.read_text(encoding="utf-8"))["model"]["vocab"])
    for line in lines:
        if len(line) >= 2 and line.isalpha() and line.isascii() and line.islower():
            words.add(line)
    return frozenset(words | CURATED_AMBIGUOUS)


def _vocab_file() -> Path | None:
    from radar.embed import bundled_model_dir

    folder = bundled_model_dir()
    if folder is None:
        return None
    for name in ("vocab.txt", "tokenizer.json"):
        if (folder / name).is_file():
            return folder / name
    return None


def is_common_word(word: str) -> bool:
    """True for an everyday English word or name ('ray', 'arrow', 'polars' via 'polar')."""
    lowered = word.casefold()
    words = common_words()
    if lowered in words:
        return True
    return len(lowered) > 3 and lowered.endswith("s") and lowered[:-1] in words


def description_terms(description: str) -> set[str]:
    """Content words of a description: what the technology is about, in its own words."""
    words = re.findall(r"[a-z][a-z0-9+#.\-]*[a-z0-9+#]|[a-z]", description.casefold())
    return {w for w in words if len(w) >= 3 and w not in STOPWORDS and w not in GENERIC_WORDS}
