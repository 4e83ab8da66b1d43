"""The digest of the bundled demo data, fetched and indexed with the real model: the
near-duplicate stories the demo README lists are merged by meaning and nothing else
is, and `radar demo` writes the demo week's digest in every format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_digest import Page, all_stories
from tuidemo import build_demo

from radar.digest import iso_week, workspace_digest
from radar.store import Store
from radar.techradar import load_workspace_radar
from radar.techradar.link_store import link_all
from radar.workspace import Workspace

pytestmark = [pytest.mark.model, pytest.mark.slow]

DEMO_WEEKS = [f"2026-W{week}" for week in range(40, 48)]
DEMO_WEEK = "2026-W47"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, model_cache: Path) -> Workspace:
    workspace = build_demo(tmp_path_factory.mktemp("digest-demo") / "radar-demo")
    # build_demo ingests without the fetch cycle's linking step; link every item now,
    # as `radar fetch` would have (release notes titled "v0.12.3" are found only then).
    with Store(workspace.db_path) as store:
        link_all(store, workspace, load_workspace_radar(workspace))
    return workspace


def meaning_merges(workspace: Workspace) -> dict[str, tuple[str, str, float]]:
    """Week -> (lead title, echo title, similarity) of every merge by meaning."""
    merges = {}
    for week in DEMO_WEEKS:
        digest = workspace_digest(workspace, iso_week(week))
        for story in all_stories(digest):
            for also in story["also_covered_by"]:
                if also["same"] == "meaning":
                    assert week not in merges, f"more than one merge in {week}"
                    merges[week] = (story["title"], also["title"], also["similarity"])
    return merges


def test_only_the_listed_near_duplicates_are_merged_by_meaning(demo):
    merges = meaning_merges(demo)
    assert sorted(merges) == ["2026-W43", "2026-W46"]
    pytorch, polars = merges["2026-W43"], merges["2026-W46"]
    assert pytorch[:2] == (
        "PyTorch 2.10 release: highlights for training and inference",
        "PyTorch 2.10 is out: what changes for your training jobs",
    )
    assert polars[:2] == (
        "Polars 1.40 ships its GPU engine as stable",
        "Polars’ GPU engine graduates from beta",
    )
    assert polars[2] >= 0.85 and 0.70 <= pytorch[2] < 0.85


def test_the_demo_week_digest(demo):
    digest = workspace_digest(demo, iso_week("2026-W47"))
    summary = digest["summary"]
    # 48 dated entries (two the same link as another) and the 5 undated ones, which
    # count from when they were first seen (2026-11-22 in this build).
    assert summary["items"] == 46 + 5
    assert summary["stories"] == summary["items"]
    undated = [story for story in all_stories(digest) if story["dated_by"] == "first_seen"]
    assert len(undated) == 5
    assert summary["technologies_moved"] == 8
    listed = {
        tech["name"]: tech for group in digest["on_our_radar"] for tech in group["technologies"]
    }
    vllm = [story["release"]["version"] for story in listed["vLLM"]["stories"]]
    assert vllm == ["0.13.1", "0.13.0", "0.13.0rc2", "0.12.3"], "releases first, newest first"
    duckdb = listed["DuckDB"]["stories"][0]
    assert duckdb["title"] == "DuckDB 1.5 reads Iceberg tables directly"
    assert len(duckdb["also_covered_by"]) == 1
    ids = [story["id"] for story in all_stories(digest)]
    assert len(ids) == len(set(ids))


def test_radar_demo_writes_the_demo_week_digest_in_every_format(demo):
    from radar.cli.demo import write_digests

    write_digests(demo, DEMO_WEEK)
    written = {path.suffix: path for path in demo.root.glob(f"digest-{DEMO_WEEK}.*")}
    assert sorted(written) == [".html", ".json", ".md"]
    assert json.loads(written[".json"].read_text())["range"]["week"] == "2026-W47"
    assert written[".md"].read_text().startswith("# radar digest: 2026-W47\n")
    page = Page.parse(written[".html"].read_text())
    assert "script" not in {tag for tag, _ in page.tags}
