"""The embedders: onnxruntime on an export (fp32 or int8) and sentence-transformers.

Three backends produce comparable vectors (float32, L2-normalised rows):

* ``"st"``: sentence-transformers on torch. Works for any model it can load, but
  importing it costs ~5 s.
* ``"onnx"``: the model's transformer exported once to ONNX (fp32) and run with
  onnxruntime + ``tokenizers``; no torch import, so a query process starts in well
  under a second.
* ``"onnx-int8"``: the same export quantised to int8 with fixed activation scales;
  faster for bulk, and a text's vector does not depend on the texts batched with it.

:func:`load_embedder` with ``backend="auto"`` picks the fastest one available.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from radar.embed.model import (
    DEFAULT_MODEL,
    INT8_FILE,
    ONNX_FILE,
    TOKENIZER_FILE,
    ExportError,
    ModelError,
    ModelInfo,
    check_source,
    export_in_child,
    find_export,
    process_cache,
    read_meta,
    resolve_model,
)
from radar.embed.text import clean_texts
from radar.errors import ConfigError

if TYPE_CHECKING:
    import onnxruntime
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

log = logging.getLogger(__name__)

BACKENDS = ("auto", "st", "onnx", "onnx-int8")

EMBED_BACKENDS = ("int8", "fp32")
"""What ``settings.embed_backend`` and ``$RADAR_EMBED_BACKEND`` choose between for bulk
embedding with ``backend="auto"``: :data:`BULK_BACKEND` (int8) or fp32 ONNX."""
EMBED_BACKEND_VAR = "RADAR_EMBED_BACKEND"

BULK_BACKEND = "onnx-int8"
"""What ``backend="auto", purpose="bulk"`` uses. Measured on SciFact (2 cores, AVX-512
VNNI; docs/PERFORMANCE.md): int8 embeds ~2.5x more abstracts per CPU-second than
sentence-transformers and ~2x more than fp32 ONNX, and with fp32 queries (what auto does)
its test nDCG@10 is 0.6486 semantic / 0.7261 hybrid against 0.6451 / 0.7279 for fp32
documents: well within the 0.005 budget."""

QUERY_BACKEND = "onnx"
"""What ``backend="auto", purpose="query"`` uses when an export exists: fp32, because one
query costs milliseconds either way and fp32 queries score best against int8 documents."""


class Embedder(Protocol):
    """Turns texts into float32 ``(n, dim)`` arrays with L2-normalised rows."""

    info: ModelInfo
    backend: str

    def embed(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 64,
        progress: Callable[[int, int], None] | None = None,
    ) -> np.ndarray: ...


# --- onnxruntime backend -------------------------------------------------------------

_sessions: dict[tuple[str, int], onnxruntime.InferenceSession] = {}
_tokenizers: dict[tuple[str, int], Tokenizer] = {}
_cache_lock = threading.Lock()

CPU_MEM_ARENA = True
"""onnxruntime's CPU memory arena (see _session)."""
BATCH_TOKENS: int | None = 8192
"""At most this many tokens (rows x padded width) per model call, so activation memory is
bounded whatever the texts' lengths (800 SciFact abstracts peaked at 602 MiB instead of
1,214 MiB). Safe because no backend's vector depends on which texts share its batch (the
int8 model's activation scales are fixed; see radar.embed.quantise). None: no cap."""

SPIN_THREADS = False
"""Whether onnxruntime's worker threads spin while they wait for work. Off: spinning
burns CPU that the TUI, a browser or other processes could use, and off embedded ~10%
more abstracts per CPU-second on a busy 2-core machine at the same wall time."""


def _session(path: Path) -> onnxruntime.InferenceSession:
    """A per-process cached onnxruntime session for ``path`` (reloaded if the file changed)."""
    import onnxruntime as ort

    key = (str(path), path.stat().st_mtime_ns)
    with _cache_lock:
        session = _sessions.get(key)
        if session is None:
            options = ort.SessionOptions()
            options.intra_op_num_threads = os.cpu_count() or 1
            options.inter_op_num_threads = 1
            # Kept on: without it 800 abstracts peaked 20% lower (485 vs 602 MiB with
            # BATCH_TOKENS) but cost 50% more CPU time.
            options.enable_cpu_mem_arena = CPU_MEM_ARENA
            options.add_session_config_entry(
                "session.intra_op.allow_spinning", "1" if SPIN_THREADS else "0"
            )
            options.log_severity_level = 3
            session = ort.InferenceSession(
                str(path), sess_options=options, providers=["CPUExecutionProvider"]
            )
            _sessions[key] = session
        return session


def _tokenizer(path: Path, max_length: int) -> Tokenizer:
    """A cached tokenizer that truncates to ``max_length`` and does not pad (we pad per batch)."""
    from tokenizers import Tokenizer

    key = (str(path), max_length)
    with _cache_lock:
        tokenizer = _tokenizers.get(key)
        if tokenizer is None:
            tokenizer = Tokenizer.from_file(str(path))
            tokenizer.no_padding()
            tokenizer.enable_truncation(max_length=max_length)
            _tokenizers[key] = tokenizer
        return tokenizer


def _pool(hidden: np.ndarray, mask: np.ndarray, mode: str) -> np.ndarray:
    if mode == "cls":
        pooled = hidden[:, 0]
    elif mode == "max":
        pooled = np.where(mask[:, :, None] > 0, hidden, np.float32(-1e9)).max(axis=1)
    else:
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    return pooled.astype(np.float32, copy=False)


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    normalised: np.ndarray = (vectors / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)
    return normalised


def _token_batches(order: list[int], lengths: list[int], batch_size: int) -> Iterator[list[int]]:
    """Rows in ``order`` (longest first) cut into batches of at most ``batch_size`` rows
    and BATCH_TOKENS padded tokens."""
    start = 0
    while start < len(order):
        width = max(1, lengths[order[start]])
        rows = batch_size
        if BATCH_TOKENS is not None:
            rows = max(1, min(batch_size, BATCH_TOKENS // width))
        yield order[start : start + rows]
        start += rows


class OnnxEmbedder:
    """Embeds with an exported model: ``tokenizers`` + onnxruntime + numpy pooling."""

    def __init__(
        self,
        export_dir: Path,
        *,
        int8: bool = False,
        session: onnxruntime.InferenceSession | None = None,
    ) -> None:
        meta = read_meta(export_dir)
        if meta is None:
            raise ModelError(str(export_dir), "not a radar ONNX export folder")
        self.export_dir = export_dir
        self.backend = "onnx-int8" if int8 else "onnx"
        self.info = ModelInfo.for_model(meta["model"], int(meta["dim"]))
        self._pooling: str = meta["pooling"]
        self._pad_id = int(meta["pad_id"])
        self._tokenizer = _tokenizer(export_dir / TOKENIZER_FILE, int(meta["max_seq_length"]))
        self._session = session or _session(export_dir / (INT8_FILE if int8 else ONNX_FILE))
        self._input_names = {node.name for node in self._session.get_inputs()}

    def embed(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 64,
        progress: Callable[[int, int], None] | None = None,
    ) -> np.ndarray:
        total = len(texts)
        vectors = np.zeros((total, self.info.dim), dtype=np.float32)
        chunk = batch_size * 16  # bounds the memory held by tokenizer output
        for chunk_start in range(0, total, chunk):
            chunk_texts = clean_texts(texts[chunk_start : chunk_start + chunk])
            encodings = self._tokenizer.encode_batch(chunk_texts)
            # Longest first, like sentence-transformers: batches of similar length pad little.
            lengths = [len(encoding.ids) for encoding in encodings]
            order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
            done = chunk_start
            for rows in _token_batches(order, lengths, batch_size):
                batch = self._embed_batch([encodings[i] for i in rows])
                vectors[[chunk_start + i for i in rows]] = batch
                done += len(rows)
                if progress is not None:
                    progress(done, total)
            del encodings  # tokenizer output is released chunk by chunk
        return vectors

    def _embed_batch(self, encodings: list[Any]) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        input_ids = np.full((len(encodings), width), self._pad_id, dtype=np.int64)
        attention_mask = np.zeros((len(encodings), width), dtype=np.int64)
        token_type_ids = np.zeros((len(encodings), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            length = len(encoding.ids)
            input_ids[row, :length] = encoding.ids
            attention_mask[row, :length] = encoding.attention_mask
            token_type_ids[row, :length] = encoding.type_ids
        feeds = {
            "input_ids": input_ids,
            "attention_mask": attention_mask,
            "token_type_ids": token_type_ids,
        }
        hidden = self._session.run(None, {k: v for k, v in feeds.items() if k in self._input_names})
        return _normalise(_pool(hidden[0], attention_mask, self._pooling))


# --- sentence-transformers backend -------------------------------------------------------

_st_models: dict[str, SentenceTransformer] = {}


def load_sentence_transformer(name: str, source: str) -> SentenceTransformer:
    """The (per-process cached) sentence-transformers model; imports torch."""
    check_source(name, source)
    with _cache_lock:
        model = _st_models.get(source)
        if model is not None:
            return model
    try:
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        from sentence_transformers import SentenceTransformer

        # Never the network: a name not in the local cache failed in check_source.
        model = SentenceTransformer(
            str(Path(source).expanduser()), device="cpu", local_files_only=True
        )
    except Exception as exc:  # any loader failure means the same thing to the user
        raise ModelError(name, f"cannot load with sentence-transformers: {exc}") from exc
    with _cache_lock:
        return _st_models.setdefault(source, model)


def st_dim(model: SentenceTransformer) -> int:
    getter = getattr(model, "get_embedding_dimension", None)  # sentence-transformers >= 6
    dim = getter() if getter else model.get_sentence_embedding_dimension()
    if not dim:
        dim = int(model.encode(["x"], convert_to_numpy=True).shape[1])
    return int(dim)


class SentenceTransformerEmbedder:
    """Embeds with sentence-transformers on torch (fp32, CPU)."""

    backend = "st"

    def __init__(self, name: str, source: str | None = None) -> None:
        self._model = load_sentence_transformer(name, source or resolve_model(name))
        self.info = ModelInfo.for_model(name, st_dim(self._model))

    @classmethod
    def from_model(cls, name: str, model: SentenceTransformer) -> SentenceTransformerEmbedder:
        """Wrap an already loaded model."""
        embedder = cls.__new__(cls)
        embedder._model = model
        embedder.info = ModelInfo.for_model(name, st_dim(model))
        return embedder

    def embed(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 64,
        progress: Callable[[int, int], None] | None = None,
    ) -> np.ndarray:
        total = len(texts)
        vectors = np.zeros((total, self.info.dim), dtype=np.float32)
        cleaned = clean_texts(texts)
        order = sorted(range(total), key=lambda i: -len(cleaned[i]))
        for start in range(0, total, batch_size):
            rows = order[start : start + batch_size]
            vectors[rows] = self._model.encode(
                [cleaned[i] for i in rows],
                batch_size=batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
            if progress is not None:
                progress(min(start + batch_size, total), total)
        return vectors


# --- choosing a backend ---------------------------------------------------------------------


def chosen_embed_backend(setting: str = "int8") -> str:
    """``int8`` or ``fp32``: ``$RADAR_EMBED_BACKEND`` when set, else ``settings.embed_backend``.

    The variable lets one run (a test suite, a benchmark) switch without editing feeds.yaml;
    fp32 moves scores the way another CPU's int8 kernels do.
    """
    chosen = os.environ.get(EMBED_BACKEND_VAR, "").strip().lower()
    if chosen and chosen not in EMBED_BACKENDS:
        raise ConfigError(
            f"${EMBED_BACKEND_VAR}", f"{chosen!r} is not one of {', '.join(EMBED_BACKENDS)}"
        )
    if not chosen and setting not in EMBED_BACKENDS:
        raise ValueError(f"embed_backend must be one of {EMBED_BACKENDS}, not {setting!r}")
    return chosen or setting


def load_embedder(
    model: str = DEFAULT_MODEL,
    *,
    cache_dir: Path | None = None,
    backend: str = "auto",
    purpose: str = "query",
    embed_backend: str = "int8",
) -> Embedder:
    """An embedder for ``model``.

    ``backend="auto"`` uses a cached ONNX export when ``cache_dir`` holds one (no torch
    import); for ``purpose="bulk"`` it creates the export first and uses int8 or fp32 as
    :func:`chosen_embed_backend` says for ``embed_backend`` (the setting). A query without an
    export, or a model that cannot be exported, falls back to sentence-transformers.
    Raises :class:`ModelError` when the model cannot be found or loaded.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
    if purpose not in ("query", "bulk"):
        raise ValueError(f"purpose must be 'query' or 'bulk', not {purpose!r}")
    source = resolve_model(model)
    check_source(model, source)
    if backend == "st":
        return SentenceTransformerEmbedder(model, source)
    if backend != "auto":
        folder = export_in_child(model, cache_dir or process_cache())
        return _onnx_embedder(folder, int8=backend == "onnx-int8", strict=True)
    bulk = BULK_BACKEND if chosen_embed_backend(embed_backend) == "int8" else "onnx"
    return _auto_embedder(model, source, cache_dir, purpose, bulk)


def _auto_embedder(
    model: str, source: str, cache_dir: Path | None, purpose: str, bulk: str = BULK_BACKEND
) -> Embedder:
    folder = find_export(cache_dir, model) if cache_dir is not None else None
    if folder is None and purpose == "bulk" and cache_dir is not None:
        try:
            folder = export_in_child(model, cache_dir)
        except ExportError as exc:
            log.warning("%s; using sentence-transformers", exc)
    if folder is not None:
        wanted = bulk if purpose == "bulk" else QUERY_BACKEND
        try:
            return _onnx_embedder(folder, int8=wanted == "onnx-int8", strict=False)
        except Exception as exc:  # a broken cache must never stop a search
            log.warning("cannot use ONNX export %s (%s); using sentence-transformers", folder, exc)
    return SentenceTransformerEmbedder(model, source)


def _onnx_embedder(folder: Path, *, int8: bool, strict: bool) -> OnnxEmbedder:
    """An ONNX embedder; without ``strict``, an export without int8 model means fp32."""
    if int8 and not (read_meta(folder) or {}).get("int8"):
        if strict:
            raise ModelError(str(folder), "this export has no int8 model (see the log)")
        log.info("%s has no int8 model; using fp32", folder.name)
        int8 = False
    return OnnxEmbedder(folder, int8=int8)
