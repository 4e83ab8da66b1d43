"""`radar usage report`: the radar's decisions against what the team's repositories use."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import Result


def write_repo(root: Path, name: str, files: dict[str, str]) -> Path:
    repo = root / name
    for relative, text in files.items():
        path = repo / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return repo


def add(radar: Any, name: str, ring: str, *packages: str, quadrant: str = "platforms") -> None:
    options = [arg for package in packages for arg in ("--package", package)]
    radar("tech", "add", name, "-q", quadrant, "-r", ring, "--why", "team decision", *options)


def report(radar: Any, *args: str, ok: bool = True) -> Result:
    return radar("usage", "report", *args, ok=ok)  # type: ignore[no-any-return]


def verdicts(radar: Any) -> dict[str, str]:
    data = json.loads(report(radar, "--json").stdout)
    return {tech["name"]: tech["verdict"] for tech in data["technologies"]}


def team(tmp_path: Path) -> list[Path]:
    return [
        write_repo(tmp_path, "serving", {
            "requirements.txt": "vllm==0.11.2\nfastapi\nTensorFlow==2.15\n",
            "deploy/values.yaml":
                "image:\n  repository: nvcr.io/nvidia/tritonserver\n  tag: 24.01-py3\n",
        }),
        write_repo(tmp_path, "training", {
            "pyproject.toml":
                '[project]\nname = "train"\ndependencies = ["torch>=2.3", "fastapi"]\n',
        }),
    ]  # fmt: skip


def test_a_report_gives_each_technology_a_verdict_and_lists_candidates(radar, tmp_path):
    add(radar, "TensorFlow", "hold", "pypi:tensorflow")
    add(radar, "JAX", "adopt", "pypi:jax")
    add(radar, "PyTorch", "adopt", "pypi:torch", "conda:pytorch")
    add(radar, "Triton", "trial", "image:nvcr.io/nvidia/tritonserver")
    add(radar, "Polars", "assess")
    radar("usage", "scan", *map(str, team(tmp_path)))

    assert verdicts(radar) == {
        "TensorFlow": "in_use_on_hold",
        "JAX": "adopted_unused",
        "PyTorch": "ok",
        "Triton": "ok",
        "Polars": "no_packages",
    }
    data = json.loads(report(radar, "--json").stdout)
    tf = next(t for t in data["technologies"] if t["name"] == "TensorFlow")
    assert tf["repos"] == ["serving"] and tf["pinned"] == {"serving": ["2.15"]}
    assert data["candidates"][0] == {
        "package": "pypi:fastapi",
        "repos": ["serving", "training"],
        "count": 2,
    }
    assert all(c["package"] != "pypi:vllm" for c in data["candidates"]), (
        "one repository is not enough"
    )

    text = report(radar).stdout
    assert text.index("in_use_on_hold") < text.index("adopted_unused") < text.index("ok")
    assert "TensorFlow (hold): serving 2.15" in text


def test_strict_fails_only_when_something_on_hold_is_in_use(radar, tmp_path):
    add(radar, "TensorFlow", "hold", "pypi:tensorflow")
    repos = team(tmp_path)
    radar("usage", "scan", *map(str, repos))
    assert report(radar, "--strict", ok=False).exit_code == 1
    assert report(radar).exit_code == 0, "without --strict the report itself succeeded"

    (repos[0] / "requirements.txt").write_text("vllm==0.11.2\n", encoding="utf-8")
    radar("usage", "scan", str(repos[0]))
    assert report(radar, "--strict").exit_code == 0, "a re-scan replaces the repository's snapshot"


def test_rings_are_the_team_s_own(radar, tmp_path):
    """Innermost ring means adopt and outermost means hold, whatever they are called."""
    radar_file = radar.workspace.root / "data" / "techradar.yaml"
    radar_file.parent.mkdir(parents=True, exist_ok=True)
    radar_file.write_text(
        "rings: [use, try, avoid]\nquadrants: [tools]\ntechnologies:\n"
        "  - name: TensorFlow\n    quadrant: tools\n    ring: avoid\n"
        "    packages: [pypi:TensorFlow]\n"
        "    history: [{date: 2026-01-05, ring: avoid, rationale: moved to torch}]\n"
        "  - name: JAX\n    quadrant: tools\n    ring: use\n    packages: ['pypi:jax']\n"
        "    history: [{date: 2026-01-05, ring: use, rationale: research}]\n",
        encoding="utf-8",
    )
    radar("usage", "scan", *map(str, team(tmp_path)))
    assert verdicts(radar) == {"TensorFlow": "in_use_on_hold", "JAX": "adopted_unused"}


def test_report_before_any_scan_says_what_to_do(radar):
    result = report(radar, ok=False)
    assert result.exit_code == 2 and "radar usage scan" in result.stderr


def test_packages_on_technologies_are_normalised_and_checked(radar):
    add(radar, "vLLM", "trial", "pypi:VLLM")
    radar("tech", "edit", "vllm", "--add-package", "image:Docker.io/vllm/vllm-openai:v0.6.3")
    shown = json.loads(radar("tech", "show", "vllm", "--json").stdout)
    assert shown["packages"] == ["pypi:vllm", "image:vllm/vllm-openai"]
    radar("tech", "edit", "vllm", "--remove-package", "pypi:vLLM")
    assert json.loads(radar("tech", "show", "vllm", "--json").stdout)["packages"] == [
        "image:vllm/vllm-openai"
    ]
    bad = radar("tech", "edit", "vllm", "--add-package", "vllm", ok=False)
    assert bad.exit_code == 2 and "ECOSYSTEM:NAME" in bad.stderr
    text = (radar.workspace.root / "data" / "techradar.yaml").read_text(encoding="utf-8")
    assert "packages: ['image:vllm/vllm-openai']" in text


def test_suggest_packages_writes_only_with_apply(radar, tmp_path):
    radar("tech", "add", "vLLM", "-q", "platforms", "-r", "trial", "--why", "x", "--alias", "vllm")
    radar("tech", "add", "Great Tool", "-q", "tools", "-r", "assess", "--why", "x")
    suggested = radar("tech", "suggest-packages").stdout
    assert "vLLM: pypi:vllm" in suggested and "Great Tool" not in suggested
    assert json.loads(radar("tech", "show", "vllm", "--json").stdout)["packages"] == []
    radar("tech", "suggest-packages", "--apply")
    assert json.loads(radar("tech", "show", "vllm", "--json").stdout)["packages"] == ["pypi:vllm"]


def test_tech_show_lists_where_a_technology_runs(radar, tmp_path):
    add(radar, "TensorFlow", "hold", "pypi:tensorflow")
    radar("usage", "scan", *map(str, team(tmp_path)))
    text = radar("tech", "show", "TensorFlow").stdout
    assert "Where it runs" in text
    assert "serving  requirements.txt:3  2.15" in text
    assert "verdict: in_use_on_hold" in text


def test_rescans_keep_history(radar, tmp_path):
    from radar.store import Store

    repos = team(tmp_path)
    radar("usage", "scan", *map(str, repos))
    radar("usage", "scan", str(repos[0]))
    with Store(radar.workspace.db_path) as store:
        current = store.usage.snapshots()
        everything = store.usage.snapshots(current_only=False)
    assert sorted(s.repo for s in current) == ["serving", "training"]
    assert len(everything) == 3


def test_a_pin_below_the_newest_release_seen_in_a_feed_is_behind(radar, server, tmp_path):
    """The release feed says 0.13.1 (and a 0.14 release candidate, which does not count)."""
    from feedserver import rss

    versions = ["v0.11.2", "v0.13.1", "v0.14.0rc1"]
    items = [
        {
            "title": version,
            "link": server.url(f"/vllm/{version}"),
            "guid": server.url(f"/vllm/{version}"),
            "pubDate": f"Mon, {day:02d} Nov 2026 10:00:00 GMT",
            "description": "Release notes.",
        }
        for day, version in enumerate(versions, start=1)
    ]
    url = server.route("/feeds/vllm.xml", body=rss(items, title="Releases"))
    (radar.workspace.root / "feeds.yaml").write_text(
        f"feeds:\n  - name: vllm releases\n    url: {url}\n    kind: releases\n", encoding="utf-8"
    )
    radar(
        "tech", "add", "vLLM", "-q", "platforms", "-r", "trial", "--why", "serving",
        "--alias", "vllm", "--package", "pypi:vllm",
    )  # fmt: skip
    radar("fetch", "--all", "--no-index")
    radar("usage", "scan", *map(str, team(tmp_path)))

    assert verdicts(radar)["vLLM"] == "behind_release"
    assert "serving: 0.11.2 pinned, 0.13.1 released" in report(radar).stdout
