"""Synthetic items for the scale benchmarks: text with a realistic word distribution and
vectors with realistic structure, generated fast enough for a million items.

Text: words follow Zipf's law over a 30,000-word vocabulary (pseudo-words made of
syllables the Porter stemmer leaves alone), with 60 ML terms placed at ranks from 8 to
about 11,000, so a query mixes very common words (in half the items) with rare ones, as
real queries over real news do. A uniform draw from a small vocabulary would put every
word in most items and make every lexical query a worst case.

Vectors: sentence embeddings are not uniform on the sphere; they sit near a
low-dimensional, clustered surface. Here each item is a point of one of 2,000 clusters
in a 48-dimensional latent space, mapped into 384 dimensions by a fixed random linear
map, with a little isotropic noise, then normalised. Approximate indexes behave on this
roughly as on real embeddings; on uniform random vectors no approximate index reaches
useful recall, which says nothing about real use.
"""

from __future__ import annotations

import itertools

import numpy as np

DIM = 384
VOCABULARY = 30_000
LATENT = 48
CLUSTERS = 2_000

_ML_TERMS_TEXT = (
    "model serving inference latency throughput gpu memory cache attention kernel "
    "quantization lora adapter finetuning training distributed sharding pipeline dataset "
    "feature drift monitoring embedding vector index retrieval ranking transformer "
    "tokenizer compiler graph operator release bugfix benchmark evaluation accuracy "
    "scheduler cluster kubernetes llm server paged vllm pytorch triton onnx tensorrt "
    "deepspeed ray jax mlflow airflow spark arrow faiss qdrant weaviate lancedb "
    "ollama mistral llama"
)
ML_TERMS = _ML_TERMS_TEXT.split()

QUERIES = (
    "how do LLM servers avoid running out of GPU memory",
    "paged attention kernel for vllm",
    "quantization of llama with lora adapter",
    "distributed training with deepspeed sharding",
    "vector index for retrieval faiss qdrant",
    "kubernetes scheduler for gpu cluster",
    "drift monitoring in production pipeline",
    "tokenizer release bugfix",
    "onnx tensorrt inference latency benchmark",
    "embedding model evaluation accuracy",
)
"""Warm-search queries: ML terms of mixed frequency, some words not in the corpus."""

_SYLLABLES = [c + v for c in "bdfgklmnprtvz" for v in "aiou"]


def vocabulary() -> list[str]:
    """VOCABULARY distinct words, most frequent first, ML terms at spread-out ranks."""
    pseudo = (
        "".join(parts)
        for length in (2, 3, 4)
        for parts in itertools.product(_SYLLABLES, repeat=length)
    )
    terms = set(ML_TERMS)
    words = [w for w in itertools.islice(pseudo, VOCABULARY + len(ML_TERMS)) if w not in terms]
    words = words[: VOCABULARY - len(ML_TERMS)]
    for n, term in enumerate(ML_TERMS):
        rank = int(8 * 1.13**n)  # 8, 9, 10, ... about 11,000
        words.insert(min(rank, len(words)), term)
    return words


def texts(start: int, count: int, seed: int = 0) -> list[tuple[str, str]]:
    """(title, summary) for items start..start+count, reproducible from the seed."""
    words = np.array(vocabulary())
    ranks = np.arange(1, len(words) + 1, dtype=np.float64)
    probs = 1.0 / ranks
    probs /= probs.sum()
    rng = np.random.default_rng((seed, start))
    drawn = rng.choice(len(words), size=(count, 68), p=probs)
    out = []
    for row in words[drawn]:
        out.append((" ".join(row[:8]), " ".join(row[8:])))
    return out


class VectorSpace:
    """Clustered, low-dimensional-ish unit vectors, reproducible from the seed."""

    def __init__(self, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.mix = rng.standard_normal((LATENT, DIM)).astype(np.float32)
        self.centres = rng.standard_normal((CLUSTERS, LATENT)).astype(np.float32)
        self.weights = 1.0 / np.arange(1, CLUSTERS + 1)
        self.weights /= self.weights.sum()

    def sample(self, start: int, count: int, seed: int = 0) -> np.ndarray:
        rng = np.random.default_rng((seed, start, 1))
        which = rng.choice(CLUSTERS, size=count, p=self.weights)
        latent = self.centres[which] + 0.6 * rng.standard_normal((count, LATENT)).astype(np.float32)
        vectors = latent @ self.mix + 0.8 * rng.standard_normal((count, DIM)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors.astype(np.float32)

    def queries(self, count: int, seed: int = 99) -> np.ndarray:
        return self.sample(10**9, count, seed)


def store_items(store, start: int, count: int, space, fingerprint: str):  # type: ignore[no-untyped-def]
    """Ingest `count` synthetic items from number `start` with their vectors from `space`
    (stored as if `fingerprint`'s model made them, through the store's own API); return
    (new item ids, vectors)."""
    import numpy as np

    from radar.embed import item_text, text_hash
    from radar.feeds.model import Item

    items = [
        Item(
            guid=f"s{start + n}",
            url=f"https://synthetic.example/{start + n}",
            title=title,
            summary=summary,
        )
        for n, (title, summary) in enumerate(texts(start, count))
    ]
    stats = store.ingest("synthetic", items)
    vectors = space.sample(start, count)
    ids = np.asarray(stats.new_item_ids, dtype=np.int64)
    store.save_item_vectors(
        [
            (int(i), fingerprint, text_hash(item_text(it.title, it.summary, "")), v.tobytes())
            for i, it, v in zip(ids, items, vectors, strict=True)
        ]
    )
    return ids, vectors
