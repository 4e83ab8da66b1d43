"""`radar usage scan` on real manifests from public ML repositories
(../shared/corpora/manifests) and on small repositories written here for one format each."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import shared_corpus

LABELS = Path(__file__).with_name("data") / "usage_labels.yaml"


def scan_json(radar: Any, *paths: Path) -> tuple[list[dict[str, Any]], str]:
    result = radar("usage", "scan", "--json", *map(str, paths))
    return json.loads(result.stdout), result.stderr


@pytest.fixture(scope="module")
def corpus_scan(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, Any]], str]:
    """Every corpus repository scanned once, through the real CLI."""
    from click.testing import CliRunner

    from radar.cli import cli

    corpus = shared_corpus("manifests")
    root = tmp_path_factory.mktemp("usage") / "ws"
    root.mkdir()
    (root / "feeds.yaml").write_text("feeds: []\n", encoding="utf-8")
    repos = sorted(str(p) for p in corpus.iterdir() if p.is_dir())
    result = CliRunner().invoke(cli, ["--workspace", str(root), "usage", "scan", "--json", *repos])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


def test_every_real_manifest_is_read_or_reported_with_a_reason(corpus_scan):
    """Each of the corpus' 35 manifests gives dependencies or a warning naming it;
    license files are not manifests and never show up."""
    rows, warnings = corpus_scan
    corpus = shared_corpus("manifests")
    source = (corpus / "SOURCE.md").read_text(encoding="utf-8")
    table = source.split("## Files", 1)[1].split("## What each file", 1)[0]
    manifests = [
        line.split("`")[1]
        for line in table.splitlines()
        if line.startswith("| `") and "(license text)" not in line
    ]
    assert len(manifests) == 35
    from radar.usage.scan import scan_repository

    walked = {
        f"{path.name}/{file}" for path in corpus.iterdir() if path.is_dir()
        for file in scan_repository(path).files
    }  # fmt: skip
    assert set(manifests) <= walked, "the walker finds every manifest"
    seen = {f"{row['repo']}/{row['file']}" for row in rows}
    # A build-only compose service declares no image (SOURCE.md): read, nothing to find.
    declares_nothing = {"hiyouga__LLaMA-Factory/docker/docker-cuda/docker-compose.yml"}
    for manifest in set(manifests) - declares_nothing:
        assert manifest in seen or manifest.split("/", 1)[1] in warnings, manifest
    assert not any(Path(row["file"]).name.startswith("LICENSE") for row in rows)
    for row in rows:
        assert set(row) >= {
            "repo", "file", "line", "ecosystem", "package", "spec", "pinned", "direct", "technology"
        }  # fmt: skip


def test_hand_labelled_files_give_exactly_their_declared_dependencies(corpus_scan):
    rows, _ = corpus_scan
    labels = yaml.safe_load(LABELS.read_text(encoding="utf-8"))
    for key, expected in labels.items():
        repo, file = key.split("/", 1)
        found = [r for r in rows if r["repo"] == repo and r["file"] == file and r["direct"]]
        packages = {f"{r['ecosystem']}:{r['package']}" for r in found}
        assert packages == set(expected["packages"]), key
        pins = {f"{r['ecosystem']}:{r['package']}": r["pinned"] for r in found if r["pinned"]}
        for package, version in (expected.get("pinned") or {}).items():
            assert pins.get(package) == str(version), (key, package)


def test_lock_files_are_what_runs_but_not_direct(corpus_scan):
    rows, _ = corpus_scan
    tgi = "huggingface__text-generation-inference"
    uv_lock = [r for r in rows if r["repo"] == tgi and r["file"] == "server/uv.lock"]
    poetry_lock = [r for r in rows if r["repo"] == tgi and r["file"].endswith("poetry.lock")]
    assert len(uv_lock) >= 130 and len(poetry_lock) >= 90
    assert not any(r["direct"] for r in uv_lock + poetry_lock)
    torch = [r for r in uv_lock if r["package"] == "torch"]
    assert "2.7.0+cu128" in {r["pinned"] for r in torch}, "from the explicit CUDA index"
    assert not any(r["package"] == "text-generation-server" for r in uv_lock), "the project itself"
    stale = {r["package"]: r["pinned"] for r in poetry_lock}
    assert stale["accelerate"] == "0.33.0", "the lock as it is, drift included"


def test_compiled_requirements_mark_only_the_project_s_own_pins_direct(corpus_scan):
    """uv pip compile annotates each pin with what required it: the 30 marked
    `via feast (pyproject.toml)` are direct, the other 34 came along."""
    rows, _ = corpus_scan
    compiled = [
        r
        for r in rows
        if r["repo"] == "feast-dev__feast" and r["file"].endswith("py3.11-requirements.txt")
    ]
    assert len(compiled) == 64
    assert sum(r["direct"] for r in compiled) == 30
    assert all(r["pinned"] for r in compiled)


def test_pyproject_extras_groups_and_poetry(corpus_scan):
    rows, _ = corpus_scan

    def packages(repo: str, file: str) -> set[str]:
        return {r["package"] for r in rows if r["repo"] == repo and r["file"] == file}

    feast = packages("feast-dev__feast", "pyproject.toml")
    assert {"transformers", "sentence-transformers", "ray", "mlflow", "timm", "faiss-cpu"} <= feast
    assert "feast" not in feast, "extras that name the project itself are not dependencies"
    bento = packages("bentoml__BentoML", "pyproject.toml")
    assert "ray" in bento and "bentoml" not in bento, "PEP 735 groups count, self-references not"
    gaudi = "backends/gaudi/server/pyproject.toml"
    poetry = {r["package"]: r for r in rows if r["file"] == gaudi}
    assert "python" not in poetry and "outlines" in poetry
    assert poetry["accelerate"]["spec"].startswith("^")


def test_two_repositories_with_a_git_remote_are_named_by_it(radar, tmp_path):
    repo = tmp_path / "checkout"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(
        ["git", "-C", str(repo), "remote", "add", "origin", "git@github.com:acme/serving.git"],
        check=True,
    )
    (repo / "requirements.txt").write_text("vllm==0.11.2\n", encoding="utf-8")
    plain = tmp_path / "training"
    plain.mkdir()
    (plain / "requirements.txt").write_text("torch>=2\n", encoding="utf-8")
    rows, _ = scan_json(radar, repo, plain)
    assert {(r["repo"], r["package"]) for r in rows} == {
        ("acme/serving", "vllm"),
        ("training", "torch"),
    }


def test_requirements_features_in_one_repository(radar, tmp_path):
    """-r includes, -c constraints, markers, extras, hashes, -e VCS lines and options."""
    repo = tmp_path / "svc"
    (repo / "requirements").mkdir(parents=True)
    (repo / "requirements" / "base.txt").write_text(
        "--index-url https://pypi.example/simple\n"
        "Torch_Audio==2.4.0 ; sys_platform == 'linux'  # audio\n"
        "transformers[torch]>=4.40 \\\n    --hash=sha256:abc\n"
        "-e git+https://github.com/acme/tool.git@main#egg=acme_tool\n"
        "-e .\n"
        "-c constraints.txt\n",
        encoding="utf-8",
    )
    (repo / "requirements" / "constraints.txt").write_text("urllib3<2\n", encoding="utf-8")
    (repo / "requirements.txt").write_text(
        "-r requirements/base.txt\nray[serve]==2.9.0\n", encoding="utf-8"
    )
    rows, warnings = scan_json(radar, repo)
    assert warnings == ""
    by_name = {(r["file"], r["package"]): r for r in rows}
    assert by_name[("requirements/base.txt", "torch-audio")]["pinned"] == "2.4.0"
    assert by_name[("requirements/base.txt", "transformers")]["spec"] == ">=4.40"
    assert ("requirements/base.txt", "acme-tool") in by_name
    assert by_name[("requirements.txt", "ray")]["pinned"] == "2.9.0"
    urllib3 = [r for r in rows if r["package"] == "urllib3"]
    assert urllib3 and all(r["constraint"] for r in urllib3), "-c files constrain, install nothing"


def test_images_from_dockerfiles_compose_and_helm(radar, tmp_path):
    repo = tmp_path / "deploy"
    repo.mkdir()
    (repo / "Dockerfile").write_text(
        "ARG BASE=vllm/vllm-openai:v0.6.3\n"
        "FROM ${BASE} AS serve\n"
        "ARG TORCH=2.4.0\n"
        "RUN pip install --no-cache-dir torch==${TORCH} 'mlflow>=2' -r extra.txt && echo ok\n"
        "FROM serve\n",
        encoding="utf-8",
    )
    (repo / "docker-compose.yml").write_text(
        "services:\n  db:\n    image: docker.io/library/postgres@sha256:abcd\n"
        "  app:\n    build: .\n",
        encoding="utf-8",
    )
    (repo / "values.yaml").write_text(
        "triton:\n  image:\n    registry: nvcr.io\n    repository: nvidia/tritonserver\n"
        "    tag: 24.01-py3\n"
        "{{- if .Values.x }}\n",
        encoding="utf-8",
    )
    (repo / "values-prod.yaml").write_text(
        "predictor:\n  image: kserve/sklearnserver\n  tag: v0.13.0\n", encoding="utf-8"
    )
    rows, warnings = scan_json(radar, repo)
    found = {(r["ecosystem"], r["package"], r["pinned"]) for r in rows}
    assert ("image", "vllm/vllm-openai", "v0.6.3") in found
    assert ("pypi", "torch", "2.4.0") in found and ("pypi", "mlflow", None) in found
    assert ("image", "postgres", None) in found, (
        "Docker Hub prefix dropped, digest is not a version"
    )
    assert ("image", "kserve/sklearnserver", "v0.13.0") in found
    assert "values.yaml: a Helm/Go template" in warnings, "reported, not fatal"
    assert not any(r["package"] == "serve" for r in rows), "a build stage is not an image"


def test_manifests_of_the_wrong_shape_are_reported_not_fatal(radar, tmp_path):
    repo = tmp_path / "odd"
    (repo / "a").mkdir(parents=True)
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "odd"\ndependencies = "torch"\noptional-dependencies = "x"\n',
        encoding="utf-8",
    )
    (repo / "a" / "pyproject.toml").write_text("[project\n", encoding="utf-8")
    (repo / "package.json").write_text('["not", "an", "object"]', encoding="utf-8")
    (repo / "environment.yml").write_text(
        "dependencies: [numpy=1.26, {pip: [requests]}]\n", "utf-8"
    )
    rows, warnings = scan_json(radar, repo)
    assert {r["package"] for r in rows} == {"numpy", "requests"}
    assert "a/pyproject.toml" in warnings and "package.json" in warnings
