"""Making an export: sentence-transformers model → verified, fused ONNX (fp32) + int8.

Imports torch (through sentence-transformers), so it runs in a short-lived child process
when a fetch needs it (:func:`radar.embed.model.export_in_child`).
"""

from __future__ import annotations

import contextlib
import inspect
import json
import logging
import shutil
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from radar.embed.backends import (
    Embedder,
    OnnxEmbedder,
    SentenceTransformerEmbedder,
    load_sentence_transformer,
    st_dim,
)
from radar.embed.model import (
    EXPORT_FORMAT,
    INT8_FILE,
    META_FILE,
    ONNX_FILE,
    TOKENIZER_FILE,
    ExportError,
    ModelError,
    ModelInfo,
    export_dir_for,
    find_export,
    install_export,
    read_meta,
    remove_stale_staging,
    resolve_model,
    staging_dir,
)
from radar.embed.quantise import ACTIVATION_SCALES, quantise_int8
from radar.embed.text import TEXT_RECIPE

if TYPE_CHECKING:
    import onnxruntime
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

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
    if out_dir.is_dir() and any(out_dir.iterdir()) and read_meta(out_dir) is None:
        raise ExportError(model, f"{out_dir} is not empty and not a radar export folder")
    st_model = load_sentence_transformer(model, resolve_model(model))
    with _root_logging_kept():
        _write_export(st_model, model, out_dir)
    return out_dir / ONNX_FILE


def ensure_export(model: str, cache_dir: Path) -> Path:
    """The folder of ``model``'s export in ``cache_dir``, exporting it first if needed."""
    existing = find_export(cache_dir, model)
    if existing is not None:
        return existing
    st_model = load_sentence_transformer(model, resolve_model(model))
    folder = export_dir_for(cache_dir, ModelInfo.for_model(model, st_dim(st_model)))
    with _root_logging_kept():
        _write_export(st_model, model, folder)
    remove_stale_staging(cache_dir)
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


PLAIN_FILE = "plain.onnx.tmp"
"""The fp32 graph while it is made: traced, then fused in place, then saved as ONNX_FILE."""
REFERENCE_FILE = "reference.npy.tmp"
"""sentence-transformers' vectors of the probe texts, which the fused graph must reproduce."""


def _write_export(st_model: SentenceTransformer, name: str, out_dir: Path) -> None:
    """Export, verify against sentence-transformers, quantise, and install into ``out_dir``:
    the three stages of :func:`stage_main` in this process."""
    staging = staging_dir(out_dir)
    try:
        with _export_errors(name):
            _trace(st_model, name, staging)
            _fuse_in_place(staging)
            _finish(name, staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextlib.contextmanager
def _export_errors(name: str) -> Iterator[None]:
    """Any failure of an exporter becomes an :class:`ExportError` naming the model."""
    try:
        yield
    except ModelError:
        raise
    except Exception as exc:
        raise ExportError(name, f"ONNX export failed: {exc}") from exc


def _trace(st_model: SentenceTransformer, name: str, staging: Path) -> None:
    """Stage 1, the only one that needs torch: the traced fp32 graph, the tokenizer, the
    metadata, and sentence-transformers' vectors of the probe texts."""
    pooling = _exportable_pooling(st_model, name)
    meta = _export_transformer(st_model, name, staging / PLAIN_FILE, staging / TOKENIZER_FILE)
    transformer: Any = st_model[0]
    config = transformer.auto_model.config
    meta["pooling"] = pooling
    meta["num_attention_heads"] = int(getattr(config, "num_attention_heads", 0) or 0)
    meta["hidden_size"] = int(getattr(config, "hidden_size", 0) or 0)
    _write_meta(staging, meta)
    reference = SentenceTransformerEmbedder.from_model(name, st_model).embed(_PROBE_TEXTS)
    with open(staging / REFERENCE_FILE, "wb") as handle:
        np.save(handle, reference)


def _fuse_in_place(staging: Path) -> None:
    """Stage 2: onnxruntime's transformer fusions on the traced graph."""
    meta = _staged_meta(staging)
    meta["fused"] = _fuse(
        staging / PLAIN_FILE, int(meta["num_attention_heads"]), int(meta["hidden_size"])
    )
    _write_meta(staging, meta)


def _finish(name: str, staging: Path, out_dir: Path) -> None:
    """Stage 3: check the fused graph against sentence-transformers' vectors, quantise,
    and install the export into ``out_dir``."""
    meta = _staged_meta(staging)
    plain = staging / PLAIN_FILE
    exported = OnnxEmbedder(staging, session=_plain_session(plain))
    with open(staging / REFERENCE_FILE, "rb") as handle:
        reference = np.load(handle)
    worst = round(float(np.min(np.sum(exported.embed(_PROBE_TEXTS) * reference, axis=1))), 5)
    if worst < _EXPORT_MIN_COSINE:
        raise ExportError(name, f"ONNX vectors differ from sentence-transformers' (cos {worst})")
    _save_with_external_weights(plain, staging / ONNX_FILE)
    meta["int8_mean_cosine"] = _quantise(staging, plain, int(meta["max_seq_length"]))
    meta["int8"] = meta["int8_mean_cosine"] is not None
    meta["int8_activation_scales"] = ACTIVATION_SCALES if meta["int8"] else None
    _write_meta(staging, meta)
    plain.unlink()
    (staging / REFERENCE_FILE).unlink()
    install_export(staging, out_dir)


def _staged_meta(staging: Path) -> dict[str, Any]:
    meta: dict[str, Any] = json.loads((staging / META_FILE).read_text(encoding="utf-8"))
    return meta


def _write_meta(staging: Path, meta: dict[str, Any]) -> None:
    (staging / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")


def stage_main(argv: Sequence[str]) -> int:
    """One stage of an export, run by :func:`radar.embed.model.export_in_child` in its own
    short-lived process, so the peak memory of a first fetch is that of its largest stage
    (torch's, or the fusion's) rather than of all of them at once.

    ``trace MODEL CACHE_DIR`` prints ``{"staging": ..., "final": ...}``; then
    ``fuse MODEL STAGING`` and ``finish MODEL STAGING FINAL``. A :class:`ModelError`
    prints ``{"export": bool, "message": ...}`` and exits with 2.
    """
    stage, model = argv[0], argv[1]
    reply: dict[str, str] = {}
    try:
        with _root_logging_kept():
            if stage == "trace":
                st_model = load_sentence_transformer(model, resolve_model(model))
                cache_dir = Path(argv[2])
                final = export_dir_for(cache_dir, ModelInfo.for_model(model, st_dim(st_model)))
                staging = staging_dir(final)
                try:
                    with _export_errors(model):
                        _trace(st_model, model, staging)
                except BaseException:
                    shutil.rmtree(staging, ignore_errors=True)
                    raise
                reply = {"staging": str(staging), "final": str(final)}
            elif stage == "fuse":
                with _export_errors(model):
                    _fuse_in_place(Path(argv[2]))
            elif stage == "finish":
                with _export_errors(model):
                    _finish(model, Path(argv[2]), Path(argv[3]))
                remove_stale_staging(Path(argv[3]).parent)
            else:
                raise ValueError(f"unknown export stage {stage!r}")
    except ModelError as exc:
        print(json.dumps({"export": isinstance(exc, ExportError), "message": exc.message}))
        return 2
    print(json.dumps(reply))
    return 0


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
            hidden: torch.Tensor = output.last_hidden_state
            return hidden

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
    dim = st_dim(st_model)
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
            # opt_level 0: the same fusions without first running onnxruntime's own graph
            # optimiser over the model, which peaked at 963 MiB instead of 725 and took 3x longer.
            optimized = optimize_model(
                str(path), model_type="bert", num_heads=heads, hidden_size=hidden, opt_level=0
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
    products: np.ndarray = np.sum(embedder.embed(texts) * reference.embed(texts), axis=1)
    return products


def _quantise(staging: Path, plain: Path, max_length: int) -> float | None:
    """Write the int8 model if it stays close to fp32; return its mean probe cosine, or None."""
    quantised = staging / "int8.onnx.tmp"
    root_logger = logging.getLogger()
    quiet = _DropRecords("pre-processing before quantization")
    root_logger.addFilter(quiet)
    try:
        quantise_int8(plain, quantised, staging / TOKENIZER_FILE, max_length)
    except ImportError as exc:  # the `onnx` package is missing
        log.warning("no int8 model: %s", exc)
        return None
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
