"""The embedding model: which one, its ONNX export, the backends that run it, and the text.

* :mod:`radar.embed.text`: the text embedded for an item and its hash.
* :mod:`radar.embed.model`: the model's identity (fingerprint), where it is found, and
  the cache of its exports. Imports nothing heavy.
* :mod:`radar.embed.export`: making an export (torch, in a short-lived child process).
* :mod:`radar.embed.quantise`: the int8 model with calibrated, fixed activation scales.
* :mod:`radar.embed.backends`: the embedders (onnxruntime, sentence-transformers) and
  :func:`load_embedder`, which picks one.

Only this package imports torch, sentence-transformers or onnxruntime, and only late.
"""

from __future__ import annotations

from radar.embed.backends import (
    BACKENDS,
    BULK_BACKEND,
    EMBED_BACKEND_VAR,
    EMBED_BACKENDS,
    QUERY_BACKEND,
    Embedder,
    OnnxEmbedder,
    SentenceTransformerEmbedder,
    chosen_embed_backend,
    load_embedder,
)
from radar.embed.export import ensure_export, export_onnx
from radar.embed.model import (
    DEFAULT_MODEL,
    EXPORT_FORMAT,
    INT8_FILE,
    META_FILE,
    ONNX_FILE,
    TOKENIZER_FILE,
    VECTORS_RECIPE,
    ExportError,
    ModelError,
    ModelInfo,
    bundled_model_dir,
    check_model_available,
    export_in_child,
    find_export,
    resolve_model,
)
from radar.embed.text import TEXT_RECIPE, item_text, text_hash

__all__ = [
    "BACKENDS",
    "BULK_BACKEND",
    "DEFAULT_MODEL",
    "EMBED_BACKENDS",
    "EMBED_BACKEND_VAR",
    "EXPORT_FORMAT",
    "INT8_FILE",
    "META_FILE",
    "ONNX_FILE",
    "QUERY_BACKEND",
    "TEXT_RECIPE",
    "TOKENIZER_FILE",
    "VECTORS_RECIPE",
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
