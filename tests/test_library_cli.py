"""User stories for `radar library`: a team keeps what it learned in data/library.yaml,
reviews it in git, exports it for papers and imports browser bookmarks."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from radar.library import load_library
from radar.workspace import Workspace

DATA = Path(__file__).parent / "data"


@pytest.fixture
def team(radar, workspace: Workspace, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A workspace whose radar knows PyTorch and vLLM; the person at the keyboard is alice."""
    monkeypatch.setenv("RADAR_USER", "alice")
    radar(
        "tech",
        "add",
        "PyTorch",
        "-q",
        "languages",
        "-r",
        "adopt",
        "--why",
        "our framework",
        "--alias",
        "torch",
    )
    radar("tech", "add", "vLLM", "-q", "platforms", "-r", "trial", "--why", "serving")
    return radar


def test_three_people_build_a_library_that_reads_well_in_git(team, workspace: Workspace) -> None:
    team(
        "library",
        "add",
        "https://arxiv.org/abs/2304.11277",
        "--title",
        "PyTorch FSDP paper",
        "--note",
        "Why sharding the optimizer state saved our 70B run",
        "--tech",
        "torch",
        "--type",
        "paper",
        "--tag",
        "distributed",
    )
    team(
        "library",
        "add",
        "https://docs.vllm.ai/en/latest/serving/distributed_serving.html",
        "--title",
        "vLLM distributed serving",
        "--note",
        "Tensor parallel setup we use",
        "--tech",
        "vllm",
        "--type",
        "docs",
    )
    team(
        "library",
        "add",
        "https://docs.vllm.ai/en/latest/serving/distributed_serving.html"
        "#running-vllm-on-multiple-nodes",
        "--title",
        "vLLM multi-node",
        "--note",
        "The Ray cluster recipe",
        "--tech",
        "vllm",
        "--type",
        "docs",
        "--by",
        "bob",
    )

    text = workspace.library_path.read_text()
    assert text.startswith("# The team library")
    assert text.count("\n  - id: ") == 3, "one block per entry; the #anchor is its own resource"
    library = load_library(workspace.library_path)
    assert [e.id for e in library] == sorted(e.id for e in library)
    fsdp = library.find("https://arxiv.org/abs/2304.11277")
    assert fsdp is not None and fsdp.technologies == ("PyTorch",), "radar's spelling, not torch"

    listed = team("library", "list").stdout
    assert fsdp.id in listed and "PyTorch FSDP paper" in listed
    by_tech = json.loads(team("library", "list", "--tech", "vllm", "--json").stdout)
    assert {e["title"] for e in by_tech} == {"vLLM distributed serving", "vLLM multi-node"}

    # Adding the same URL again keeps one entry and both people's notes.
    team(
        "library",
        "add",
        "https://arxiv.org/abs/2304.11277",
        "--note",
        "Section 3.2 on prefetch",
        "--by",
        "carol",
    )
    team("library", "note", fsdp.id, "Read with the FSDP2 docs", "--by", "dave")
    shown = team("library", "show", fsdp.id).stdout
    for line in (
        "Why sharding the optimizer",
        "(alice,",
        "Section 3.2 on prefetch",
        "(carol,",
        "Read with the FSDP2 docs",
    ):
        assert line in shown
    assert len(load_library(workspace.library_path)) == 3


def test_hand_edits_and_comments_survive_radar_writes(team, workspace: Workspace) -> None:
    team(
        "library",
        "add",
        "https://example.com/runbook",
        "--title",
        "GPU node drain",
        "--note",
        "Follow before maintenance",
        "--type",
        "runbook",
    )
    path = workspace.library_path
    text = path.read_text().replace(
        "  - id:", "  # Owned by the platform team; ask #infra before changing.\n  - id:", 1
    )
    text = text.replace("title: GPU node drain", "title: Draining a GPU node safely")
    path.write_text(text)

    team("library", "add", "https://example.com/other", "--title", "Another", "--note", "n")
    after = path.read_text()
    assert "# Owned by the platform team; ask #infra before changing." in after
    assert "Draining a GPU node safely" in after
    comment_at = after.index("# Owned by the platform team")
    assert after.index("Draining a GPU node safely") > comment_at, "the comment stays with it"


def test_mistakes_are_refused_with_the_culprit(team, workspace: Workspace) -> None:
    refused = team("library", "add", "https://example.com/x", "--title", "X", ok=False)
    assert refused.exit_code != 0 and "--note" in refused.stderr
    unknown = team(
        "library",
        "add",
        "https://example.com/x",
        "--title",
        "X",
        "--note",
        "n",
        "--tech",
        "Pytorh",
        ok=False,
    )
    assert "did you mean PyTorch" in unknown.stderr
    not_web = team("library", "add", "ftp://example.com/x", "--title", "X", "--note", "n", ok=False)
    assert "not a web address" in not_web.stderr
    team("library", "add", "https://example.com/x", "--title", "X", "--note", "n")
    outdated = team("library", "edit", "https://example.com/x", "--status", "outdated", ok=False)
    assert "--reason" in outdated.stderr

    path = workspace.library_path
    path.write_text(path.read_text().replace("type: link", "type: podcast-ish"))
    broken = team("library", "list", ok=False)
    assert "library.yaml:" in broken.stderr and "entries[0].type" in broken.stderr
    assert "podcast-ish" in broken.stderr


def test_conflict_markers_are_named_as_a_merge_conflict(team, workspace: Workspace) -> None:
    team("library", "add", "https://example.com/a", "--title", "A", "--note", "first")
    path = workspace.library_path
    lines = path.read_text().splitlines()
    marker_line = len(lines) + 1
    lines += ["<<<<<<< HEAD", "  - id: aaaaaa", "=======", "  - id: bbbbbb", ">>>>>>> feature"]
    path.write_text("\n".join(lines) + "\n")
    result = team("library", "list", ok=False)
    assert f"library.yaml:{marker_line}" in result.stderr
    assert "merge conflict" in result.stderr and "YAML" not in result.stderr

    radar_file = workspace.techradar_path
    radar_lines = radar_file.read_text().splitlines()
    radar_lines.insert(5, "<<<<<<< HEAD")
    radar_file.write_text("\n".join(radar_lines) + "\n")
    tech = team("tech", "list", ok=False)
    assert "techradar.yaml:6" in tech.stderr and "merge conflict" in tech.stderr


def test_two_branches_adding_entries_merge_cleanly_in_git(
    team, workspace: Workspace, tmp_path: Path
) -> None:
    """Alice and Bob each add an entry on a branch; git merges library.yaml without help.

    Entries are sorted by id (a hash of the URL), so new entries land in different
    places of the file; only two new ids that fall between the same neighbours conflict
    (then radar names the conflict markers, see the test above)."""
    root = workspace.root

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            env={
                "GIT_AUTHOR_NAME": "t",
                "GIT_AUTHOR_EMAIL": "t@x",
                "GIT_COMMITTER_NAME": "t",
                "GIT_COMMITTER_EMAIL": "t@x",
                "HOME": str(tmp_path),
                "PATH": "/usr/bin:/bin",
            },
        )
        assert done.returncode == 0, done.stderr + done.stdout
        return done.stdout

    for n in range(4):
        team(
            "library",
            "add",
            f"https://example.com/base/{n}",
            "--title",
            f"Base {n}",
            "--note",
            "shared",
        )
    git("init", "-q", "-b", "main")
    git("add", "data/library.yaml")
    git("commit", "-qm", "base")
    git("checkout", "-qb", "alice")
    team(
        "library",
        "add",
        "https://example.com/alice/paper",
        "--title",
        "Alice's pick",
        "--note",
        "read this",
        "--by",
        "alice",
    )
    git("commit", "-qam", "alice")
    git("checkout", "-q", "main")
    git("checkout", "-qb", "bob")
    team(
        "library",
        "add",
        "https://example.com/bob/debugging",
        "--title",
        "Bob's pick",
        "--note",
        "and this",
        "--by",
        "bob",
    )
    git("commit", "-qam", "bob")
    git("merge", "-q", "alice", "-m", "merge")
    titles = {e.title for e in load_library(workspace.library_path)}
    assert {"Alice's pick", "Bob's pick", "Base 0"} <= titles


def test_bibtex_export_parses_back_with_arxiv_and_doi(team) -> None:
    bibtexparser = pytest.importorskip("bibtexparser")
    team(
        "library",
        "add",
        "https://arxiv.org/abs/2309.06180v2",
        "--title",
        "Efficient Memory Management for LLM Serving with PagedAttention",
        "--note",
        "Why vLLM's KV cache {paging} beats 50% fragmentation",
        "--type",
        "paper",
        "--tech",
        "vllm",
    )
    team(
        "library",
        "add",
        "https://doi.org/10.1145/3600006.3613165",
        "--title",
        "PagedAttention (SOSP'23 version)",
        "--note",
        "Conference version",
        "--type",
        "paper",
    )
    team(
        "library",
        "add",
        "https://pytorch.org/blog/fsdp2",
        "--title",
        "FSDP2 post",
        "--note",
        "Not a paper",
        "--type",
        "post",
    )
    bib = team("library", "export", "--format", "bibtex").stdout
    database = bibtexparser.loads(bib)
    entries = {e.get("eprint") or e.get("doi"): e for e in database.entries}
    assert set(entries) == {"2309.06180", "10.1145/3600006.3613165"}, "papers only"
    arxiv = entries["2309.06180"]
    assert arxiv["archiveprefix"] == "arXiv" and arxiv["year"] == "2023"
    assert "PagedAttention" in arxiv["title"]
    assert entries["10.1145/3600006.3613165"]["ENTRYTYPE"] == "article"


def test_json_export_round_trips_and_markdown_reads_like_a_reading_list(
    team, radar, tmp_path: Path, workspace: Workspace
) -> None:
    team(
        "library",
        "add",
        "https://example.com/a",
        "--title",
        "Alpha",
        "--note",
        "why a",
        "--type",
        "post",
        "--tag",
        "infra",
    )
    team(
        "library",
        "add",
        "https://example.com/b",
        "--title",
        "Beta",
        "--note",
        "why b",
        "--type",
        "docs",
        "--tech",
        "vllm",
    )
    exported = tmp_path / "library.json"
    team("library", "export", "--format", "json", "-o", str(exported))
    markdown = team("library", "export", "--format", "md").stdout
    assert "## Post" in markdown and "- [Alpha](https://example.com/a)" in markdown
    assert "why b" in markdown

    workspace.library_path.unlink()
    imported = team("library", "import", str(exported)).stdout
    assert "imported 2 entries" in imported
    again = load_library(workspace.library_path)
    assert {(e.title, e.note, e.tags) for e in again} == {
        ("Alpha", "why a", ("infra",)),
        ("Beta", "why b", ()),
    }
    assert "0 already" not in team("library", "import", str(exported)).stdout


@pytest.mark.parametrize("browser", ["firefox", "chrome"])
def test_browser_bookmarks_import(team, workspace: Workspace, browser: str) -> None:
    result = team("library", "import", str(DATA / f"bookmarks_{browser}.html"))
    library = load_library(workspace.library_path)
    by_title = {e.title: e for e in library}
    if browser == "firefox":
        assert "imported 4 entries" in result.stdout
        assert "skipped 2 links" in result.stderr  # place: and javascript:
        fsdp = by_title["FSDP2 fully_shard — PyTorch docs"]
        assert fsdp.note == "The per-parameter sharding API we moved to"
        assert set(fsdp.tags) == {"pytorch", "fsdp"}, "the toolbar folder is not a tag"
        gptq = by_title["GPTQ: Accurate Post-Training Quantization"]
        assert gptq.tags == ("ml-papers", "quantization") and gptq.type == "paper"
        assert str(gptq.added) == "2024-11-22"
        vllm = by_title["Distributed serving — vLLM"]
        assert vllm.url.endswith("#running-vllm-on-multiple-nodes")
        assert vllm.tags == ()
        listing = team("library", "list").stdout
        assert "no note yet" in listing
    else:
        assert "imported 2 entries" in result.stdout
        drain = by_title["Draining a GPU node"]
        assert drain.url == "https://wiki.example.com/ml/gpu-node-drain", "utm_ dropped"
        assert drain.tags == ("runbooks",)


def test_library_remove_and_edit(team, workspace: Workspace) -> None:
    team("library", "add", "https://example.com/a", "--title", "Alpha", "--note", "why")
    entry = next(iter(load_library(workspace.library_path)))
    team(
        "library",
        "edit",
        entry.id[:4],
        "--status",
        "outdated",
        "--reason",
        "superseded",
        "--tag",
        "old",
        "--level",
        "intro",
    )
    edited = load_library(workspace.library_path).get(entry.id)
    assert (edited.status, edited.reason, edited.tags, edited.level) == (
        "outdated",
        "superseded",
        ("old",),
        "intro",
    )
    team("library", "remove", "https://EXAMPLE.com/a")
    assert len(load_library(workspace.library_path)) == 0
    missing = team("library", "show", entry.id, ok=False)
    assert "no library entry" in missing.stderr


@pytest.fixture
def fetched(team, workspace: Workspace, server):  # type: ignore[no-untyped-def]
    from feedserver import rss

    from radar.feeds.config import FeedConfig, add_feeds

    news = [
        {
            "title": "How we debugged NCCL timeouts on 512 GPUs",
            "link": "https://blog.example.com/nccl",
            "guid": "n1",
            "description": "A week of debugging collective hangs.",
        },
        {
            "title": "Thirteen tips for faster dashboards",
            "link": "https://blog.example.com/dash",
            "guid": "n2",
            "description": "Caching and pre-aggregation.",
        },
    ]
    add_feeds(
        workspace.feeds_path,
        [FeedConfig("Eng blog", server.route("/n.xml", body=rss(news)), "news", ())],
    )
    team("fetch", "--no-index")
    return team


def _item_id(radar, title: str) -> int:  # type: ignore[no-untyped-def]
    items = json.loads(radar("items", "list", "--json").stdout)
    return next(item["id"] for item in items if item["title"] == title)


def test_a_private_note_on_an_item_is_promoted_to_the_library(fetched, workspace: Workspace):
    nccl = _item_id(fetched, "How we debugged NCCL timeouts on 512 GPUs")
    fetched("items", "note", str(nccl), "Saved us a week: set NCCL_ASYNC_ERROR_HANDLING")
    assert not workspace.library_path.exists(), "a private note stays in the database"
    shown = fetched("items", "show", str(nccl)).stdout
    assert "your note: Saved us a week" in shown
    added = fetched("library", "add", str(nccl), "--tag", "debugging").stdout
    assert "using your private note" in added
    entry = next(iter(load_library(workspace.library_path)))
    assert entry.title == "How we debugged NCCL timeouts on 512 GPUs"
    assert entry.url == "https://blog.example.com/nccl"
    assert entry.note == "Saved us a week: set NCCL_ASYNC_ERROR_HANDLING"
    assert "no item with id 9999" in fetched("items", "note", "9999", "x", ok=False).stderr


def test_search_without_an_index_still_finds_library_entries_by_their_words(
    fetched, workspace: Workspace
):
    fetched(
        "library",
        "add",
        "https://wiki.example.com/nccl-env",
        "--title",
        "NCCL env vars",
        "--note",
        "The timeouts we tune for collective hangs",
        "--type",
        "runbook",
    )
    found = json.loads(fetched("search", "nccl timeouts", "--json").stdout)
    assert {hit["source"] for hit in found} == {"item", "library"}
    library = next(hit for hit in found if hit["source"] == "library")
    assert (
        library["title"] == "NCCL env vars"
        and library["id"]
        == load_library(workspace.library_path).get("https://wiki.example.com/nccl-env").id
    )
    items_only = json.loads(fetched("search", "nccl timeouts", "--in", "items", "--json").stdout)
    assert {hit["source"] for hit in items_only} == {"item"}
    text = fetched("search", "nccl timeouts").stdout
    assert "[library] https://wiki.example.com/nccl-env" in text


def test_search_follows_library_commands_and_survives_a_broken_file(fetched, workspace: Workspace):
    fetched(
        "library",
        "add",
        "https://wiki.example.com/nccl-env",
        "--title",
        "NCCL env vars",
        "--note",
        "The timeouts we tune for collective hangs",
        "--type",
        "runbook",
    )
    assert json.loads(fetched("search", "collective hangs", "--in", "library", "--json").stdout)
    fetched("library", "remove", "https://wiki.example.com/nccl-env")
    gone = fetched("search", "collective hangs", "--in", "library", "--json").stdout
    assert json.loads(gone) == []

    fetched(
        "library",
        "add",
        "https://wiki.example.com/nccl-env",
        "--title",
        "NCCL env vars",
        "--note",
        "The timeouts we tune",
        "--type",
        "runbook",
    )
    path = workspace.library_path
    path.write_text(path.read_text() + "<<<<<<< HEAD\n")
    result = fetched("search", "nccl timeouts", "--json")
    titles = [hit["title"] for hit in json.loads(result.stdout)]
    assert "How we debugged NCCL timeouts on 512 GPUs" in titles, "the news is still found"
    assert "library entries left out" in result.stderr and "merge conflict" in result.stderr
    only_library = fetched("search", "nccl timeouts", "--in", "library", ok=False)
    assert "merge conflict" in only_library.stderr
