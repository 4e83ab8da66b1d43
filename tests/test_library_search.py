"""`radar search` finds the team library together with the news: an engineer asks a
question in their own words and the runbook a colleague saved comes up, marked as a
library entry. Uses the real model on the demo workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from tuidemo import copy_demo, session_demo

from radar.cli import cli
from radar.workspace import Workspace

RUNBOOK = "Draining a GPU node before kernel upgrades"
FSDP = "Getting started with fully sharded data parallel"


def run(workspace: Workspace, *args: str, ok: bool = True):  # type: ignore[no-untyped-def]
    outcome = CliRunner().invoke(cli, ["-w", str(workspace.root), *args], catch_exceptions=False)
    if ok:
        assert outcome.exit_code == 0, outcome.output
    return outcome


def hits(workspace: Workspace, query: str, *args: str) -> list[dict]:  # type: ignore[type-arg]
    return json.loads(run(workspace, "search", query, "--json", *args).stdout)


@pytest.fixture
def team_demo(
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    model_cache: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Workspace:
    monkeypatch.setenv("RADAR_USER", "alice")
    demo = copy_demo(session_demo(tmp_path_factory), tmp_path / "demo")
    run(
        demo,
        "library",
        "add",
        "https://wiki.example.com/runbooks/gpu-drain",
        "--title",
        RUNBOOK,
        "--note",
        "Cordon the node, wait for training jobs to checkpoint, then reboot",
        "--type",
        "runbook",
        "--tag",
        "infra",
    )
    run(
        demo,
        "library",
        "add",
        "https://pytorch.org/tutorials/intermediate/FSDP_tutorial.html",
        "--title",
        FSDP,
        "--note",
        "How we shard 70B models across many GPUs; read before touching the training launcher",
        "--type",
        "docs",
        "--tech",
        "PyTorch",
    )
    run(
        demo,
        "library",
        "add",
        "https://arxiv.org/abs/2309.06180",
        "--title",
        "Efficient Memory Management for LLM Serving with PagedAttention",
        "--note",
        "Why vLLM's KV cache wastes so little memory",
        "--type",
        "paper",
        "--tech",
        "vLLM",
    )
    return demo


pytestmark = [pytest.mark.model, pytest.mark.slow]


def test_a_question_in_other_words_finds_the_library_entry_marked_as_such(team_demo):
    found = hits(
        team_demo,
        "how do I safely take a GPU machine out of service for maintenance",
        "--limit",
        "3",
    )
    library = [hit for hit in found if hit["source"] == "library"]
    assert RUNBOOK in [hit["title"] for hit in library], found
    runbook = next(hit for hit in library if hit["title"] == RUNBOOK)
    assert runbook["url"] == "https://wiki.example.com/runbooks/gpu-drain"
    shown = run(team_demo, "search", "split a huge model's weights over GPUs for training").stdout
    assert "[library]" in shown and FSDP in shown


def test_in_chooses_items_library_or_both(team_demo):
    query = "paged attention kv cache memory"
    both = hits(team_demo, query, "--limit", "5")
    assert {hit["source"] for hit in both} == {"item", "library"}
    items_only = hits(team_demo, query, "--in", "items", "--limit", "5")
    assert items_only and {hit["source"] for hit in items_only} == {"item"}
    library_only = hits(team_demo, query, "--in", "library")
    assert library_only[0]["title"].startswith("Efficient Memory Management")
    assert {hit["source"] for hit in library_only} == {"library"}


def test_a_hand_edit_or_git_pull_is_noticed_by_the_next_search(team_demo):
    path = team_demo.library_path
    text = path.read_text()
    path.write_text(text.replace("then reboot", "then reboot; also drain the Infiniband fabric"))
    found = hits(team_demo, "infiniband fabric", "--in", "library", "--mode", "lexical")
    assert [hit["title"] for hit in found][:1] == [RUNBOOK]
    meaning = hits(
        team_demo,
        "network fabric for GPU clusters",
        "--in",
        "library",
        "--mode",
        "semantic",
        "--limit",
        "1",
    )
    assert meaning[0]["title"] == RUNBOOK
