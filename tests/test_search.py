"""Search with the real embedding model, a real FAISS index and real SQLite.

One workspace is built per module through the real fetch path (served on 127.0.0.1)
and indexed once; tests that change it build their own.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from feedserver import rss

from radar.feeds.config import FeedConfig, add_feeds
from radar.search import newest_releases_first, passage_share
from radar.store import ItemRelease

pytestmark = pytest.mark.model

# Each target shares no word with its query: only meaning can find it.
TARGETS = {
    "paging": (
        "KV cache paging cuts memory waste in LLM inference",
        "Block-based key/value storage keeps GPU RAM from fragmenting when many chat "
        "requests run concurrently.",
        "vLLM PagedAttention",
    ),
    "quant": (
        "Shrinking weights to four bits",
        "GPTQ and AWQ compress model parameters to int4 with little accuracy loss.",
        "lower precision arithmetic for smaller networks",
    ),
    "drift": (
        "Spotting drift in production inputs",
        "Compare live feature histograms with the training set and alert when they diverge.",
        "monitoring distribution shift after deployment",
    ),
    "lora": (
        "Cheap fine-tuning with low-rank updates",
        "Small update matrices let a 7B model learn a new task on one consumer card.",
        "adapting pretrained LLMs on a budget",
    ),
}
DISTRACTORS = [
    ("Feature stores explained", "Online and offline stores serve the same features to models."),
    ("Ray 2.40 adds a new scheduler", "Distributed Python workloads get smarter placement."),
    ("Polars vs pandas on 10 GB", "Columnar dataframes and lazy evaluation on a laptop."),
    ("MLflow model registry tips", "Stage transitions, aliases and lineage for trained models."),
    ("Vector databases compared", "HNSW, IVF and product quantisation in five engines."),
    ("Triton Inference Server ensembles", "Chain preprocessing and models in one request."),
    ("DuckDB for feature engineering", "SQL over Parquet without a cluster."),
    ("Speculative decoding in practice", "A draft model proposes tokens, the big one verifies."),
]


def item(n: int, title: str, text: str, day: int) -> dict[str, str]:
    return {
        "title": title,
        "link": f"https://news.example/{n}",
        "guid": f"n{n}",
        "pubDate": f"{['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][(day - 2) % 7]}, "
        f"{day:02d} Nov 2026 10:00:00 GMT",
        "description": text,
    }


@pytest.fixture(scope="module")
def searchable(tmp_path_factory, model_cache):
    """A workspace with two feeds (news, papers) fetched and indexed."""
    from click.testing import CliRunner
    from feedserver import running_server

    from radar.cli import cli

    root = tmp_path_factory.mktemp("search-ws")
    (root / "feeds.yaml").write_text("feeds: []\n")
    news = [item(i, t, d, 2 + i) for i, (t, d, _) in enumerate(TARGETS.values())]
    papers = [item(10 + i, t, d, 10 + i) for i, (t, d) in enumerate(DISTRACTORS)]
    with running_server() as server:
        add_feeds(
            root / "feeds.yaml",
            [
                FeedConfig("News", server.route("/news.xml", body=rss(news)), "news", ("blog",)),
                FeedConfig(
                    "Papers", server.route("/papers.xml", body=rss(papers)), "papers", ("research",)
                ),
            ],
        )
        result = CliRunner().invoke(cli, ["-w", str(root), "fetch"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    assert "indexed 12 new or changed items" in result.stderr

    def run(*args: str, ok: bool = True):  # type: ignore[no-untyped-def]
        outcome = CliRunner().invoke(cli, ["-w", str(root), *args], catch_exceptions=False)
        if ok:
            assert outcome.exit_code == 0, outcome.output
        return outcome

    run.root = root  # type: ignore[attr-defined]
    return run


def titles(run, *args: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [hit["title"] for hit in json.loads(run("search", *args, "--json").stdout)]


@pytest.mark.parametrize("key", sorted(TARGETS))
def test_semantic_search_finds_items_sharing_no_words_with_the_query(searchable, key):
    title, _, query = TARGETS[key]
    assert title not in titles(searchable, query, "--mode", "lexical"), "no shared words"
    assert titles(searchable, query, "--mode", "semantic", "--limit", "1") == [title]
    assert title in titles(searchable, query, "--limit", "3"), "hybrid keeps it near the top"


def test_lexical_mode_matches_words_only(searchable):
    assert titles(searchable, "DuckDB", "--mode", "lexical") == ["DuckDB for feature engineering"]
    assert titles(searchable, "quantisation neural", "--mode", "lexical") == [
        "Vector databases compared"
    ], "only the item with the literal word"


def test_json_results_have_the_documented_fields(searchable):
    hits = json.loads(searchable("search", "GPU memory", "--json").stdout)
    assert hits and set(hits[0]) == {
        "id",
        "source",
        "title",
        "url",
        "feed",
        "published",
        "first_seen",
        "score",
        "snippet",
    }
    assert hits[0]["published"].endswith("Z")
    assert all(a["score"] >= b["score"] for a, b in zip(hits, hits[1:], strict=False))


def test_filters_apply_before_ranking(searchable):
    only_papers = titles(
        searchable, "serving big language models", "--kind", "papers", "--limit", "5"
    )
    assert len(only_papers) == 5
    assert set(only_papers) <= {t for t, _ in DISTRACTORS}
    by_feed = titles(searchable, "training", "--feed", "News", "--limit", "10")
    assert sorted(by_feed) == sorted(t for t, _, _ in TARGETS.values())
    by_tag = titles(searchable, "training", "--tag", "research", "--limit", "3")
    assert len(by_tag) == 3 and set(by_tag) <= {t for t, _ in DISTRACTORS}
    window = titles(searchable, "models", "--since", "2026-11-03", "--until", "2026-11-05")
    assert window == [
        "Shrinking weights to four bits",
        "Spotting drift in production inputs",
    ] or sorted(window) == sorted(
        ["Shrinking weights to four bits", "Spotting drift in production inputs"]
    )


def test_similar_excludes_the_item_itself(searchable):
    hits = json.loads(searchable("search", "KV cache paging", "--json", "--limit", "1").stdout)
    paging_id = hits[0]["id"]
    similar = json.loads(searchable("similar", str(paging_id), "--json", "--limit", "3").stdout)
    assert len(similar) == 3 and paging_id not in [hit["id"] for hit in similar]


def test_batch_search_prints_one_json_line_per_query(searchable, tmp_path):
    queries = tmp_path / "queries.txt"
    queries.write_text("paged attention\n\nquantisation\n")
    lines = searchable(
        "search", "--batch", str(queries), "--json", "--limit", "2"
    ).stdout.splitlines()
    parsed = [json.loads(line) for line in lines]
    assert [p["query"] for p in parsed] == ["paged attention", "quantisation"]
    assert all(len(p["results"]) == 2 for p in parsed)


def test_index_status_and_verify_report_in_step(searchable):
    status = json.loads(searchable("index", "status", "--json").stdout)
    assert status["indexed"] == status["items"] == 12 and status["dim"] == 384
    verify = json.loads(searchable("index", "verify", "--json").stdout)
    assert verify["ok"] and verify["missing"] == verify["extra"] == verify["stale"] == []


def test_bad_search_input_gets_clear_errors(searchable):
    assert "QUERY" in searchable("search", ok=False).stderr
    unknown = searchable("search", "x", "--feed", "Nope", ok=False)
    assert unknown.exit_code == 2 and "Nope" in unknown.stderr
    missing = searchable("similar", "99999", ok=False)
    assert missing.exit_code == 2 and "99999" in missing.stderr


# --- tests that change their workspace ------------------------------------------------


@pytest.fixture
def live(radar, workspace, server, model_cache):
    """A fresh workspace with one feed whose content the test can change."""
    posts = [item(i, t, d, 2 + i) for i, (t, d, _) in enumerate(TARGETS.values())]
    server.route("/live.xml", body=rss(posts))
    add_feeds(workspace.feeds_path, [FeedConfig("Live", server.url("/live.xml"))])
    radar("fetch")
    return posts


def test_only_new_or_changed_items_are_embedded_again(radar, server, live):
    unchanged = radar("fetch")
    assert "indexed" not in unchanged.stderr
    live[0] = dict(live[0], description="Now rewritten: paging of attention state in blocks.")
    server.route("/live.xml", body=rss([*live, item(9, "A brand new post", "Fresh text.", 20)]))
    changed = radar("fetch", "--all")
    assert "indexed 2 new or changed items (5 in the index)" in changed.stderr
    found = json.loads(radar("search", "Now rewritten paging", "--json", "--limit", "1").stdout)
    assert found[0]["title"] == live[0]["title"]


def test_a_deleted_item_never_comes_back_and_verify_repairs(radar, workspace, live):
    target = json.loads(radar("search", "four bits", "--json", "--limit", "1").stdout)[0]
    with sqlite3.connect(workspace.db_path) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("DELETE FROM items WHERE id = ?", [target["id"]])
    for mode in ("hybrid", "semantic", "lexical"):
        hits = json.loads(
            radar("search", "Shrinking weights to four bits", "--mode", mode, "--json").stdout
        )
        assert target["id"] not in [hit["id"] for hit in hits]
    broken = radar("index", "verify", "--json", ok=False)
    assert broken.exit_code == 1 and json.loads(broken.stdout)["extra"] == [target["id"]]
    repaired = json.loads(radar("index", "verify", "--repair", "--json").stdout)
    assert repaired["ok_after"]
    assert json.loads(radar("index", "verify", "--json").stdout)["ok"]


def test_a_failed_index_write_leaves_the_previous_index_usable(
    radar, workspace, server, live, monkeypatch
):
    import faiss

    before = workspace.index_path.read_bytes()

    def crash(index, path):  # type: ignore[no-untyped-def]
        with open(path, "wb") as handle:
            handle.write(b"half an index")
        raise OSError("disk full")

    monkeypatch.setattr(faiss, "write_index", crash)
    server.route("/live.xml", body=rss([*live, item(9, "Another post", "More text.", 21)]))
    with pytest.raises(OSError):
        radar("fetch", "--all")
    monkeypatch.undo()
    assert workspace.index_path.read_bytes() == before
    assert not [p for p in workspace.data_dir.iterdir() if p.name.endswith(".tmp")]
    hits = json.loads(radar("search", "four bits", "--mode", "semantic", "--json").stdout)
    assert hits[0]["title"] == "Shrinking weights to four bits"


def test_changing_the_model_is_detected_and_rebuild_fixes_it(radar, workspace, live, tmp_path):
    import shutil

    from radar.embed import bundled_model_dir

    other = tmp_path / "my-minilm"
    shutil.copytree(bundled_model_dir(), other)
    text = workspace.feeds_path.read_text() + f"settings:\n  model: {other}\n"
    workspace.feeds_path.write_text(text)
    refused = radar("search", "four bits", "--mode", "semantic", ok=False)
    assert refused.exit_code == 2 and "radar index rebuild" in refused.stderr
    fetched = radar("fetch")
    assert "radar index rebuild" in fetched.stderr
    radar("index", "rebuild")
    status = json.loads(radar("index", "status", "--json").stdout)
    assert status["model"] == str(other)
    hits = json.loads(radar("search", "four bits", "--mode", "semantic", "--json").stdout)
    assert hits[0]["title"] == "Shrinking weights to four bits"


def test_index_status_names_the_backend_and_switching_it_re_embeds_nothing(
    radar, workspace, server, model_cache, monkeypatch
):
    def status() -> dict:
        return json.loads(radar("index", "status", "--json").stdout)

    posts = [item(i, t, d, 2 + i) for i, (t, d, _) in enumerate(TARGETS.values())]
    server.route("/live.xml", body=rss(posts))
    add_feeds(workspace.feeds_path, [FeedConfig("Live", server.url("/live.xml"))])
    monkeypatch.setenv("RADAR_EMBED_BACKEND", "int8")
    radar("fetch")
    assert (status()["backend"], status()["configured_backend"]) == ("onnx-int8", "int8")
    assert "           backend: onnx-int8" in radar("index", "status").stdout

    # Another machine, or the fp32 setting: what is stored stays, search still finds it.
    monkeypatch.delenv("RADAR_EMBED_BACKEND")
    workspace.feeds_path.write_text(
        workspace.feeds_path.read_text() + "settings:\n  embed_backend: fp32\n"
    )
    assert "indexed" not in radar("fetch", "--all").stderr
    assert (status()["backend"], status()["configured_backend"]) == ("onnx-int8", "fp32")
    hits = json.loads(radar("search", "four bits", "--mode", "semantic", "--json").stdout)
    assert hits[0]["title"] == "Shrinking weights to four bits"

    server.route("/live.xml", body=rss([*posts, item(9, "A brand new post", "Fresh text.", 20)]))
    assert "indexed 1 new or changed items" in radar("fetch", "--all").stderr
    assert status()["backend"] == "onnx+onnx-int8", "mixed, and said so"
    radar("index", "rebuild")
    assert status()["backend"] == "onnx+onnx-int8", "a rebuild reuses the stored vectors"

    monkeypatch.setenv("RADAR_EMBED_BACKEND", "fp16")
    refused = radar("index", "status", ok=False)
    assert refused.exit_code == 2 and "$RADAR_EMBED_BACKEND: 'fp16'" in refused.stderr


def test_rebuild_replaces_an_unreadable_index_meta(radar, workspace, live):
    workspace.index_meta_path.write_text("{ half a file")
    radar("index", "rebuild")
    status = json.loads(radar("index", "status", "--json").stdout)
    assert status["indexed"] == status["items"] == len(live)
    assert status["backend"] == "unknown", "what built the stored vectors was in the lost file"


def release(project: str, version: str, slug: str | None = None) -> ItemRelease:
    return ItemRelease(project=project, version=version, prerelease="rc" in version, tech_slug=slug)


def test_asking_for_the_latest_orders_the_named_projects_releases_by_version():
    # Ranked by relevance: a backport (1.9.4) first, an article (id 5), then newer lines.
    ranked = [1, 5, 2, 3, 4, 6, 7]
    releases = {
        1: release("widgets", "1.9.4", "widget-kit"),
        2: release("widgets", "2.0.0rc1", "widget-kit"),
        3: release("widgets", "2.0.1", "widget-kit"),
        4: release("widgets", "nightly build 7", "widget-kit"),
        6: release("gadgets", "9.0.0"),
        7: release("widgets", "not a version", "widget-kit"),
    }
    reordered = newest_releases_first(ranked, releases, "what's new in Widgets?")
    assert reordered == [3, 5, 2, 1, 4, 6, 7], "newest version first, the article stays put"
    assert newest_releases_first(ranked, releases, "latest widget kit release")[0] == 3
    assert newest_releases_first(ranked, releases, "latest release") == ranked, "none named"


def test_query_words_used_together_count_more_than_words_scattered_over_bullets():
    weights = {"reduce": 2.0, "memory": 2.0, "serving": 1.0}
    # A release note: each word in a different bullet (passages 1, 2, 3).
    scattered = [(1, "memory"), (2, "reduce"), (3, "serving")]
    # An article saying it in one sentence.
    together = [(4, "reduce"), (4, "memory"), (4, "serving")]
    assert passage_share(weights, together) == pytest.approx(1.0)
    assert passage_share(weights, scattered) == pytest.approx(0.4)
    # Words of the title (passage 0) count with every passage.
    assert passage_share(weights, [(0, "memory"), *scattered]) == pytest.approx(0.8)
    assert passage_share(weights, []) == 0.0
