"""User stories for news ⇄ technology links: the demo feeds served on 127.0.0.1,
fetched into real SQLite with the demo radar, then `radar tech show`, `radar items
list --tech`, `radar search --tech`, and radar edits that re-link stored items."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from radar.cli import cli

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"

GENUINE_RAY = {
    "Ray Data for batch inference: lessons from a two-billion-row backfill",
    "Ray Data and Arrow: streaming batches into GPU training",
    "Ray Serve deployment graphs for multi-model pipelines",
    # vLLM release notes that use Ray (see data/demo/README.md).
    "v0.11.0",
    "v0.12.0rc1",
    "v0.12.0",
    "v0.12.2",
    # Every release of the PyPI feed.
    *["2.51.0rc1", "2.50.2", "2.50.1", "2.50.0", "2.50.0rc1", "2.49.2", "2.49.1"],
    *["2.49.0", "2.49.0rc1", "2.48.2", "2.48.1", "2.48.0"],
}

TRAPS = [
    "Interview: Ray Okafor on running a three-person ML platform team",
    "Label-efficient chest X-ray triage with self-supervised pretraining",
    "Differentiable ray tracing for learned indoor radio maps",
    "Meet the maintainers: how Jax keeps the on-call rotation sane",
    "Unsupervised mapping of nitrogen ice on Triton from Voyager 2 imagery",
    "Naming things: our clusters are called Triton, Nereus and Proteus",
    "Dashboard tip: the arrow keys step through drift windows",
    "Keyboard-first data catalogues: arrow-key navigation and other UX wins",
    "Which way does text flow? Measuring the arrow of time in language models",
    "Embedding space anisotropy in multilingual sentence encoders",
    "Space-efficient embedding storage: product quantization versus float16",
    "Offsite notes: a torch, a tent and no Wi-Fi",
    "Datacenter walk-through checklist: bring a torch and a label maker",
]


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root

    def __call__(self, *args: str, ok: bool = True) -> Result:
        result = CliRunner().invoke(cli, ["-w", str(self.root), *args])
        if ok:
            assert result.exit_code == 0, (result.output, result.exception)
        return result

    def json(self, *args: str) -> object:
        return json.loads(self(*args, "--json").stdout)

    def titles(self, *args: str) -> set[str]:
        return {item["title"] for item in self.json(*args)}  # type: ignore[union-attr]

    def tech_items(self, name: str) -> set[str]:
        return self.titles("items", "list", "--tech", name, "--limit", "1000")


def build_demo(root: Path, port_of, *, index: bool = False) -> Workspace:  # type: ignore[no-untyped-def]
    """The demo feeds and radar in a workspace at `root`, fetched once."""
    root.mkdir(parents=True, exist_ok=True)
    feeds = (DEMO / "feeds.yaml").read_text(encoding="utf-8").replace("{port}", str(port_of))
    (root / "feeds.yaml").write_text(feeds, encoding="utf-8")
    (root / "data").mkdir(exist_ok=True)
    shutil.copy(DEMO / "techradar.yaml", root / "data" / "techradar.yaml")
    workspace = Workspace(root)
    result = workspace("fetch", *([] if index else ["--no-index"]))
    assert "10 ok" in result.stderr, result.stderr
    return workspace


@pytest.fixture(scope="module")
def demo(tmp_path_factory):  # type: ignore[no-untyped-def]
    from feedserver import running_server

    with running_server() as server:
        for feed in sorted((DEMO / "feeds").glob("*.xml")):
            server.route(f"/feeds/{feed.name}", body=feed.read_bytes())
        yield build_demo(tmp_path_factory.mktemp("links") / "ws", server.port)


@pytest.fixture
def own_demo(demo, tmp_path):  # type: ignore[no-untyped-def]
    """A private copy of the fetched demo workspace, for stories that change it."""
    root = tmp_path / "ws"
    shutil.copytree(demo.root, root)
    return Workspace(root)


def test_tech_show_lists_real_evidence_and_the_latest_release(demo):
    shown = demo.json("tech", "show", "vllm")
    evidence = shown["evidence"]
    assert evidence["recent"], "the release notes and news are evidence"
    assert {"id", "title", "url", "published"} <= set(evidence["recent"][0])
    linked = demo.tech_items("vllm")
    assert {item["title"] for item in evidence["recent"]} <= linked
    assert {item["title"] for item in evidence["relevant"]} <= linked
    assert (
        "v0.13.1" in linked
        and "Weekly roundup: quantization, adapters and the price of long context" in linked
    )
    latest = evidence["latest_release"]
    assert (latest["project"], latest["version"]) == ("vllm", "0.13.1")
    assert latest["url"].endswith("/releases/tag/v0.13.1")
    weeks = evidence["weekly_mentions"]
    assert len(weeks) == 12 and all(set(week) == {"week_start", "count"} for week in weeks)
    text = demo("tech", "show", "vllm").stdout
    assert "latest release: vllm 0.13.1" in text
    assert "most recent:" in text


def test_ray_items_are_exactly_the_genuine_mentions(demo):
    assert demo.tech_items("ray") == GENUINE_RAY
    assert demo.tech_items("Ray Serve") == GENUINE_RAY, "an alias names the technology too"
    latest = demo.json("tech", "show", "ray")["evidence"]["latest_release"]
    assert (latest["version"], latest["latest_prerelease"]) == ("2.50.2", "2.51.0rc1")


def test_everyday_senses_of_technology_names_are_never_linked(demo):
    radar = demo.json("tech", "list")
    linked = set()
    for row in radar:  # type: ignore[union-attr]
        linked |= demo.tech_items(row["name"])
    stored = demo.titles("items", "list", "--limit", "1000")
    assert set(TRAPS) <= stored, "the traps were fetched"
    assert not set(TRAPS) & linked


def test_namesakes_and_ambiguous_names_link_to_the_right_technology(demo):
    assert demo.tech_items("OpenAI Triton") == {
        "Writing a fused softmax kernel in Triton and calling it from PyTorch",
        "Autotuning Triton kernels with learned cost models",
        "v0.11.1",
        "v0.13.0rc1",
        "v0.13.0",
    }
    assert demo.tech_items("Triton Inference Server") == {
        "Triton Inference Server: dynamic batching settings that matter",
        "Triton Inference Server ensembles: pre- and post-processing on the server",
    }
    assert {
        "Training a vision transformer with JAX and Flax on TPUs",
        "Scalable second-order optimization in JAX with block-diagonal preconditioners",
    } <= demo.tech_items("jax")
    spacy = demo.tech_items("spacy")
    assert "Shipping a spaCy NER model behind FastAPI" in spacy and len(spacy) == 3
    assert "Reducing recompilations in torch.compile with dynamic shapes" in demo.tech_items(
        "pytorch"
    )
    assert "Apache Arrow 24.0: what changed for Python users" in demo.tech_items("arrow")


def test_search_with_tech_filters_before_ranking(demo):
    everything = demo.titles("search", "batch inference pipelines", "--mode", "lexical")
    assert everything - GENUINE_RAY, "without the filter other items match too"
    only_ray = demo.titles(
        "search", "batch inference pipelines", "--mode", "lexical", "--tech", "ray"
    )
    assert only_ray and only_ray <= GENUINE_RAY


def test_an_unknown_technology_is_a_clear_error(demo):
    result = demo("items", "list", "--tech", "Kubeflow", ok=False)
    assert result.exit_code != 0
    assert "no technology named 'Kubeflow'" in result.stderr
    result = demo("search", "anything", "--tech", "Kubeflow", ok=False)
    assert result.exit_code != 0 and "Kubeflow" in result.stderr


def test_adding_a_technology_links_the_items_already_stored(own_demo):
    assert own_demo("items", "list", "--tech", "kafka", ok=False).exit_code != 0
    own_demo(
        "tech", "add", "Kafka", "--quadrant", "platforms", "--ring", "assess",
        "--why", "feature pipelines want streams",
        "--description", "Distributed event streaming platform.",
    )  # fmt: skip
    assert own_demo.tech_items("kafka") == {"Streaming ingestion with Kafka and Arrow Flight"}


def test_editing_aliases_relinks_stored_items(own_demo):
    only_torch = "Reducing recompilations in torch.compile with dynamic shapes"
    assert only_torch in own_demo.tech_items("pytorch")
    own_demo("tech", "edit", "pytorch", "--remove-alias", "torch")
    assert only_torch not in own_demo.tech_items("pytorch")
    own_demo("tech", "edit", "pytorch", "--add-alias", "torch")
    assert only_torch in own_demo.tech_items("pytorch")


def test_a_hand_edited_radar_file_is_caught_up(own_demo):
    path = own_demo.root / "data" / "techradar.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("aliases: [Feast]", "aliases: [Feast, Tecton]"), "utf-8")
    assert "Feature stores in 2026: Feast, managed platforms and roll-your-own" in (
        own_demo.tech_items("feast")
    )
    listed = own_demo.json("tech", "list")
    assert {"name", "mentions_30d"} <= set(listed[0])  # type: ignore[index]


def test_showing_a_technology_relinks_only_after_the_radar_file_changed(own_demo):
    from radar.store import Store
    from radar.techradar import link_store, load_radar
    from radar.workspace import Workspace as RadarWorkspace

    workspace = RadarWorkspace(own_demo.root)
    path = own_demo.root / "data" / "techradar.yaml"
    with Store(workspace.db_path) as store:
        unchanged = load_radar(path)
        assert link_store.refresh_links_if_radar_changed(store, workspace, unchanged) is None
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("aliases: [Feast]", "aliases: [Feast, Tecton]"), "utf-8")
        edited = load_radar(path)
        caught_up = link_store.refresh_links_if_radar_changed(store, workspace, edited)
        assert caught_up is not None and "feast" in (caught_up.relinked_technologies or [])
        assert link_store.refresh_links_if_radar_changed(store, workspace, edited) is None


def test_counts_per_technology_and_per_week(demo):
    from radar.store import Store
    from radar.techradar import link_store, load_radar

    radar = load_radar(demo.root / "data" / "techradar.yaml")
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    with Store(demo.root / "data" / "radar.db") as store:
        counts = link_store.mention_counts(store, radar, now=now)
        ray_items = link_store.items_for_tech(store, "ray")
        weeks = link_store.weekly_mentions(store, "ray", now=now)
        last_month = link_store.items_for_tech(
            store, "ray", since=datetime(2026, 10, 24, 12, tzinfo=UTC)
        )
        by_item = link_store.technologies_for_items(store, [item["id"] for item in ray_items])
    assert counts["Ray"] == len(last_month) > 0
    assert "Kafka" not in counts
    assert weeks[-1]["week_start"] == "2026-11-23" and len(weeks) == 12
    assert sum(week["count"] for week in weeks) == len(
        [i for i in ray_items if i["published"] and i["published"] >= "2026-09-01"]
    )
    assert all("ray" in slugs for slugs in by_item.values())


@pytest.mark.model
def test_after_indexing_relevant_evidence_is_ranked_by_meaning(tmp_path, server, model_cache):
    for name in ("pypi-ray.xml", "data-infra-digest.xml", "model-serving-notes.xml"):
        server.route(f"/feeds/{name}", body=(DEMO / "feeds" / name).read_bytes())
    root = tmp_path / "ws"
    root.mkdir()
    (root / "data").mkdir()
    shutil.copy(DEMO / "techradar.yaml", root / "data" / "techradar.yaml")
    feeds = [
        f"  - name: {name}\n    url: {server.url('/feeds/' + name)}\n    kind: {kind}\n"
        for name, kind in (
            ("pypi-ray.xml", "releases"),
            ("data-infra-digest.xml", "news"),
            ("model-serving-notes.xml", "docs"),
        )
    ]
    (root / "feeds.yaml").write_text("feeds:\n" + "".join(feeds), encoding="utf-8")
    workspace = Workspace(root)
    workspace("fetch")
    evidence = workspace.json("tech", "show", "ray")["evidence"]  # type: ignore[index]
    assert evidence["relevant_by"] == "semantic"
    relevant = evidence["relevant"]
    assert relevant and all("relevance" in item for item in relevant)
    assert {item["title"] for item in relevant} <= GENUINE_RAY
    news = [item for item in relevant if not item["title"][0].isdigit()]
    assert relevant[: len(news)] == news, "articles first, Ray's own release stubs after"
    assert [item["relevance"] for item in news] == sorted(
        (item["relevance"] for item in news), reverse=True
    )


def _release_feed(server, path: str, links: list[str], titles: list[str]) -> str:  # type: ignore[no-untyped-def]
    from feedserver import rss

    items = [
        {
            "title": title,
            "link": link,
            "guid": link,
            "pubDate": f"Mon, {day:02d} Nov 2026 10:00:00 GMT",
            "description": "Bug fixes and performance improvements.",
        }
        for day, (title, link) in enumerate(zip(titles, links, strict=True), start=1)
    ]
    return server.route(path, body=rss(items, title="Releases"))


def test_a_technology_added_after_the_fetch_gets_its_version_only_releases(tmp_path, server):
    """Given release feeds whose items are titled only by a version, fetched before the
    radar knows the project, adding the technology links them and shows its latest
    release, even the ones another technology held by their owner's name."""
    vllm_versions = ["v0.12.2", "v0.12.3", "v0.13.0rc1"]
    vllm_url = _release_feed(
        server,
        "/feeds/vllm.xml",
        [server.url(f"/downloads/{version}") for version in vllm_versions],
        vllm_versions,
    )
    hf_versions = ["v4.56.0", "v4.57.0"]
    hf_url = _release_feed(
        server,
        "/huggingface/transformers/releases.atom",
        [server.url(f"/huggingface/transformers/releases/tag/{v}") for v in hf_versions],
        hf_versions,
    )
    tgi_url = _release_feed(server, "/feeds/tgi.xml", [server.url("/tgi/3.3.6")], ["3.3.6"])
    root = tmp_path / "ws"
    root.mkdir()
    (root / "feeds.yaml").write_text(
        "feeds:\n"
        f"  - name: vllm releases\n    url: {vllm_url}\n    kind: releases\n"
        f"  - name: HF library releases\n    url: {hf_url}\n    kind: releases\n"
        f"  - name: TGI releases\n    url: {tgi_url}\n    kind: releases\n",
        encoding="utf-8",
    )
    workspace = Workspace(root)
    workspace(
        "tech", "add", "Hugging Face", "--quadrant", "platforms", "--ring", "adopt",
        "--why", "where the models are",
    )  # fmt: skip
    workspace("fetch", "--all", "--no-index")
    assert workspace.tech_items("Hugging Face") == set(hf_versions), "held by the owner's name"

    workspace(
        "tech", "add", "vLLM", "--quadrant", "platforms", "--ring", "trial",
        "--why", "fast LLM serving",
    )  # fmt: skip
    workspace(
        "tech", "add", "transformers", "--quadrant", "languages-and-frameworks",
        "--ring", "adopt", "--why", "the model zoo",
    )  # fmt: skip

    assert workspace.tech_items("vllm") == set(vllm_versions)
    assert workspace.tech_items("transformers") == set(hf_versions)
    assert not workspace.tech_items("Hugging Face"), "the project's own technology wins"
    latest = workspace.json("tech", "show", "vllm")["evidence"]["latest_release"]  # type: ignore[index]
    assert (latest["project"], latest["version"], latest["latest_prerelease"]) == (
        "vllm",
        "0.12.3",
        "0.13.0rc1",
    )
    assert latest["url"] == server.url("/downloads/v0.12.3")
    shown = workspace.json("tech", "show", "transformers")["evidence"]["latest_release"]  # type: ignore[index]
    assert (shown["project"], shown["version"]) == ("transformers", "4.57.0")
    assert "latest release: vllm 0.12.3" in workspace("tech", "show", "vllm").stdout

    workspace(
        "tech", "add", "Text Generation Inference", "--quadrant", "platforms",
        "--ring", "assess", "--why", "a second serving stack",
    )  # fmt: skip
    assert not workspace.tech_items("Text Generation Inference")
    workspace("tech", "edit", "Text Generation Inference", "--add-alias", "TGI")
    assert workspace.tech_items("Text Generation Inference") == {"3.3.6"}, "an alias names it"


def test_the_tui_counts_mentions_and_weeks_on_its_own_clock(demo):
    """The TUI's backend passes its clock to mention counts and evidence, so a pinned
    clock gives the same figures whatever day the tests run."""
    from radar.session import Session
    from radar.store import Store
    from radar.techradar import link_store, load_radar
    from radar.workspace import Workspace as RadarWorkspace

    pinned = datetime(2026, 11, 17, 12, tzinfo=UTC)
    backend = Session(RadarWorkspace(demo.root), clock=lambda: pinned)
    much_later = Session(RadarWorkspace(demo.root), clock=lambda: datetime(2027, 6, 1, tzinfo=UTC))
    try:
        counts = backend.mention_counts()
        weeks = backend.evidence("ray")["weekly_mentions"]
        assert much_later.mention_counts() == {}, "nothing in the 30 days before June 2027"
    finally:
        backend.close()
        much_later.close()
    radar = load_radar(demo.root / "data" / "techradar.yaml")
    with Store(demo.root / "data" / "radar.db") as store:
        assert counts == link_store.mention_counts(store, radar, now=pinned) and counts["Ray"] > 0
        assert weeks == link_store.weekly_mentions(store, "ray", now=pinned)
    assert weeks[-1]["week_start"] == "2026-11-16"
