"""The team library where people look: `tech show` lists a technology's learning
resources, and the weekly digest tells everyone what was added and why."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from radar.techradar.model import today_utc
from radar.workspace import Workspace


@pytest.fixture
def team(radar, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("RADAR_USER", "alice")
    radar(
        "tech",
        "add",
        "vLLM",
        "-q",
        "platforms",
        "-r",
        "trial",
        "--why",
        "serving",
        "--alias",
        "vllm-project",
    )
    radar("tech", "add", "PyTorch", "-q", "languages", "-r", "adopt", "--why", "framework")
    radar(
        "library",
        "add",
        "https://arxiv.org/abs/2309.06180",
        "--title",
        "PagedAttention paper",
        "--note",
        "Why the KV cache wastes so little memory",
        "--tech",
        "vllm",
        "--type",
        "paper",
    )
    radar(
        "library",
        "add",
        "https://docs.vllm.ai/en/latest/",
        "--title",
        "vLLM docs",
        "--note",
        "Start with the serving guide",
        "--tech",
        "vLLM",
        "--type",
        "docs",
        "--by",
        "bob",
    )
    radar(
        "library",
        "add",
        "https://pytorch.org/docs/fsdp",
        "--title",
        "FSDP docs",
        "--note",
        "Sharding reference",
        "--tech",
        "PyTorch",
        "--type",
        "docs",
    )
    return radar


def test_tech_show_lists_the_library_entries_as_learning_resources(team) -> None:
    shown = team("tech", "show", "vllm").stdout
    section = shown[shown.index("Learning resources") :]
    assert "PagedAttention paper" in section and "vLLM docs" in section
    assert "Why the KV cache wastes so little memory" in section
    assert "FSDP docs" not in section
    data = json.loads(team("tech", "show", "vLLM", "--json").stdout)
    assert {e["title"] for e in data["learning_resources"]} == {"PagedAttention paper", "vLLM docs"}
    assert (
        "Learning resources"
        not in team("tech", "add", "JAX", "-q", "languages", "-r", "assess", "--why", "x").stdout
    )
    assert "Learning resources" not in team("tech", "show", "JAX").stdout


def test_the_digest_has_a_section_for_what_was_added_this_week(team, workspace: Workspace) -> None:
    today = today_utc()
    since = (today - timedelta(days=6)).isoformat()
    digest = team("digest", "--since", since, "--until", today.isoformat()).stdout
    section = digest[digest.index("## Added to the team library") :]
    section = section[: section.index("## Feed health")]
    for text in (
        "PagedAttention paper",
        "Why the KV cache wastes so little memory",
        "added by bob",
        "vLLM docs",
        "FSDP docs",
    ):
        assert text in section, section
    as_json = json.loads(
        team("digest", "--since", since, "--until", today.isoformat(), "--format", "json").stdout
    )
    assert len(as_json["team_library"]) == 3
    html = team("digest", "--since", since, "--until", today.isoformat(), "--format", "html").stdout
    assert "Added to the team library" in html and "https://docs.vllm.ai/en/latest/" in html

    last_month = (today - timedelta(days=40)).isoformat()
    older = team(
        "digest", "--since", last_month, "--until", (today - timedelta(days=30)).isoformat()
    ).stdout
    assert "Added to the team library" not in older
