"""How long `radar usage scan` takes over many repositories, and where the time goes.

Run: .venv/bin/python bench/usage_scan.py [--repos 200] [--files 50]
Generates REPOS repositories of FILES manifests each under bench/out/usage_repos (a mix
like a team's: requirements files, pyproject.toml, Dockerfiles, Kubernetes and compose
YAML, package.json, conda environments, setup.cfg/setup.py, Pipfile, poetry.lock), then
times the real CLI in a fresh process (wall time and peak memory), and profiles the scan
in-process by manifest kind. Target: 200 x 50 in under 10 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measured import run_measured  # noqa: E402

OUT = Path(__file__).resolve().parent / "out" / "usage_repos"
PYPI = [
    "torch",
    "torchvision",
    "torchaudio",
    "transformers",
    "accelerate",
    "datasets",
    "tokenizers",
    "vllm",
    "ray",
    "mlflow",
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "fastapi",
    "uvicorn",
    "pydantic",
    "httpx",
    "requests",
    "boto3",
    "pyyaml",
    "sentence-transformers",
    "faiss-cpu",
    "onnxruntime",
    "xgboost",
    "lightgbm",
    "polars",
    "pyarrow",
    "wandb",
    "tensorboard",
    "einops",
    "peft",
    "bitsandbytes",
    "triton",
    "deepspeed",
    "pytest",
    "ruff",
    "mypy",
    "black",
    "click",
    "rich",
]
IMAGES = [
    "nvcr.io/nvidia/tritonserver",
    "vllm/vllm-openai",
    "pytorch/pytorch",
    "python",
    "nvidia/cuda",
    "rayproject/ray",
    "redis",
    "postgres",
    "kserve/sklearnserver",
    "ghcr.io/acme/feature-service",
]
NPM = [
    "react",
    "next",
    "@huggingface/inference",
    "openai",
    "zod",
    "svelte",
    "vite",
    "typescript",
    "eslint",
]


def _pick(rng: random.Random, names: list[str], k: int) -> list[str]:
    return rng.sample(names, min(k, len(names)))


def _version(rng: random.Random) -> str:
    return f"{rng.randint(0, 4)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}"


def requirements(rng: random.Random) -> str:
    lines = ["# generated", "--extra-index-url https://download.pytorch.org/whl/cu121"]
    for name in _pick(rng, PYPI, 25):
        form = rng.randrange(4)
        if form == 0:
            lines.append(f"{name}=={_version(rng)}")
        elif form == 1:
            lines.append(f"{name}>={_version(rng)},<{rng.randint(5, 9)}  # range")
        elif form == 2:
            lines.append(f"{name}[extra]=={_version(rng)} ; python_version >= '3.10'")
        else:
            lines.append(f"{name}=={_version(rng)} \\\n    --hash=sha256:{'ab' * 32}")
    return "\n".join(lines) + "\n"


def pyproject(rng: random.Random, n: int) -> str:
    deps = ", ".join(f'"{name}>={_version(rng)}"' for name in _pick(rng, PYPI, 15))
    extras = ", ".join(f'"{name}"' for name in _pick(rng, PYPI, 6))
    return (
        f'[project]\nname = "svc-{n}"\nversion = "0.1.0"\ndependencies = [{deps}]\n'
        f"[project.optional-dependencies]\ndev = [{extras}]\n"
        f'[dependency-groups]\ntest = ["pytest>=8", "ruff"]\n'
    )


def dockerfile(rng: random.Random) -> str:
    image = rng.choice(IMAGES)
    pkgs = " ".join(f"{name}=={_version(rng)}" for name in _pick(rng, PYPI, 5))
    return (
        f"ARG BASE={image}:{_version(rng)}\nFROM ${{BASE}} AS build\n"
        "RUN apt-get update && apt-get install -y git\n"
        f"RUN pip install --no-cache-dir {pkgs} && rm -rf /root/.cache\n"
        f"FROM {rng.choice(IMAGES)}:{_version(rng)}\nCOPY --from=build /app /app\n"
    )


def kubernetes(rng: random.Random) -> str:
    docs = []
    for n in range(3):
        docs.append(
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{n}\n"
            "spec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n"
            f"        - name: main\n          image: {rng.choice(IMAGES)}:{_version(rng)}\n"
            "          resources: {limits: {nvidia.com/gpu: 1}}\n"
            "          env:\n"
            + "".join(f"            - {{name: VAR_{i}, value: '{i}'}}\n" for i in range(10))
        )
    return "---\n".join(docs)


def compose(rng: random.Random) -> str:
    services = "".join(
        f"  s{n}:\n    image: {rng.choice(IMAGES)}:{_version(rng)}\n    ports: ['80{n}:80']\n"
        for n in range(4)
    )
    return f"services:\n{services}"


def package_json(rng: random.Random) -> str:
    deps = ",\n".join(f'    "{name}": "^{_version(rng)}"' for name in _pick(rng, NPM, 6))
    return f'{{\n  "name": "web",\n  "dependencies": {{\n{deps}\n  }}\n}}\n'


def environment(rng: random.Random) -> str:
    conda = "".join(f"  - {name}={_version(rng)}\n" for name in _pick(rng, PYPI, 6))
    pip = "".join(f"    - {name}=={_version(rng)}\n" for name in _pick(rng, PYPI, 6))
    return f"name: env\nchannels: [conda-forge]\ndependencies:\n{conda}  - pip:\n{pip}"


def poetry_lock(rng: random.Random) -> str:
    blocks = []
    for n in range(150):
        name = PYPI[n % len(PYPI)] + ("" if n < len(PYPI) else f"-{n}")
        blocks.append(
            f'[[package]]\nname = "{name}"\nversion = "{_version(rng)}"\n'
            f'description = "x"\noptional = false\npython-versions = ">=3.9"\n'
            f'files = [\n    {{file = "{name}.whl", hash = "sha256:{"cd" * 32}"}},\n]\n'
        )
    return "\n".join(blocks) + '\n[metadata]\nlock-version = "2.1"\n'


def generate(root: Path, repos: int, files: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    plan = (
        [("requirements{n}.txt", requirements)] * 10
        + [("svc{n}/pyproject.toml", lambda r, n=0: pyproject(r, n))] * 5
        + [("docker/Dockerfile.{n}", dockerfile)] * 8
        + [("k8s/deploy-{n}.yaml", kubernetes)] * 15
        + [("compose/docker-compose-{n}.yml", compose)] * 3
        + [("web{n}/package.json", package_json)] * 3
        + [("envs/environment-{n}.yml", environment)] * 2
        + [("poetry.lock", poetry_lock)]
        + [("setup.cfg", lambda r: "[options]\ninstall_requires =\n    numpy\n    torch>=2\n")]
        + [
            (
                "setup.py",
                lambda r: "import setuptools\nsetuptools.setup(install_requires=['ray'])\n",
            )
        ]
        + [("Pipfile", lambda r: '[packages]\nrequests = "*"\nmlflow = "==2.9.0"\n')]
    )
    for index in range(repos):
        repo = root / f"repo-{index:03d}"
        for n, (pattern, make) in enumerate(plan[:files]):
            path = repo / pattern.format(n=n)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(make(rng), encoding="utf-8")


def profile(root: Path) -> dict[str, float]:
    """CPU seconds spent per manifest kind, and walking, in this process (CPU time, so
    other load on the machine does not count)."""
    from radar.usage import scan

    spent: dict[str, float] = defaultdict(float)
    original = scan.parse_manifest

    def timed(path: Path, kind: str, repo: Path):  # type: ignore[no-untyped-def]
        started = time.process_time()
        try:
            return original(path, kind, repo)
        finally:
            spent[kind] += time.process_time() - started

    scan.parse_manifest = timed  # type: ignore[assignment]
    try:
        started = time.process_time()
        for repo in sorted(root.iterdir()):
            scan.scan_repository(repo)
        total = time.process_time() - started
    finally:
        scan.parse_manifest = original  # type: ignore[assignment]
    spent["walk + dedupe (rest)"] = total - sum(spent.values())
    spent["TOTAL in-process"] = total
    return dict(spent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repos", type=int, default=200)
    parser.add_argument("--files", type=int, default=50)
    args = parser.parse_args()
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    generate(OUT, args.repos, args.files)
    count = sum(1 for p in OUT.rglob("*") if p.is_file())
    print(f"generated {args.repos} repositories, {count} files, under {OUT}")
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp) / "ws"
        workspace.mkdir()
        (workspace / "feeds.yaml").write_text("feeds: []\n", encoding="utf-8")
        repos = sorted(str(p) for p in OUT.iterdir())
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        measured = run_measured(
            [sys.executable, "-m", "radar", "-w", str(workspace), "usage", "scan", *repos]
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        assert measured.returncode == 0, measured.stderr[-2000:]
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        load = os.getloadavg()[0]
        print(
            f"radar usage scan (CLI, fresh process): {measured.wall:.2f} s wall, "
            f"{cpu:.2f} s CPU (all processes), peak RSS {measured.rss_mib:.0f} MiB, "
            f"load average {load:.1f} on {os.cpu_count()} cores"
        )
    print("where the time goes (in-process, seconds):")
    for kind, seconds in sorted(profile(OUT).items(), key=lambda kv: -kv[1]):
        print(f"  {kind:<24} {seconds:6.2f}")


if __name__ == "__main__":
    main()
