"""Import and export in the formats teams already use: Thoughtworks BYOR CSV/JSON,
Zalando tech-radar entries and Backstage, including real, messy files."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from radar.techradar import (
    FORMATS,
    FormatError,
    Link,
    Status,
    TechRadar,
    detect_format,
    export_radar,
    import_radar,
)
from radar.techradar.formats import description_from_html

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "radar"
TODAY = date(2026, 11, 25)
SINCE = date(2026, 11, 1)


def corpus_file(name: str) -> str:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"corpus file {path} not present")
    return path.read_text(encoding="utf-8")


def team_radar() -> TechRadar:
    """Four technologies, one per status, one retired, with history over three months."""
    radar = TechRadar()
    radar.add("PyTorch", quadrant="languages-and-frameworks", ring="adopt",
              rationale="default framework", description="Tensors & autograd <fast>",
              links=[Link("Docs", "https://pytorch.org/docs")], today=date(2026, 9, 2))  # fmt: skip
    radar.add("vLLM", quadrant="platforms", ring="assess", rationale="fast serving",
              today=date(2026, 9, 30))  # fmt: skip
    radar.move("vLLM", "trial", rationale="staging", today=date(2026, 11, 18))
    radar.add("spaCy", quadrant="languages-and-frameworks", ring="trial",
              rationale="NER pipelines", today=date(2026, 9, 5))  # fmt: skip
    radar.move("spaCy", "hold", rationale="LLM extraction wins", today=date(2026, 11, 17))
    radar.add("TensorRT-LLM", quadrant="platforms", ring="assess", rationale="H100 latency",
              today=date(2026, 11, 16))  # fmt: skip
    radar.add("LoRA/PEFT", quadrant="techniques", ring="trial", rationale="cheap tuning",
              today=date(2026, 9, 3))  # fmt: skip
    radar.move("LoRA/PEFT", "adopt", rationale="adapters in prod", today=date(2026, 10, 14))
    radar.add("Theano", quadrant="languages-and-frameworks", ring="hold", rationale="legacy",
              today=date(2026, 9, 1))  # fmt: skip
    radar.remove("Theano", rationale="gone", today=date(2026, 10, 1))
    return radar


def summary(radar: TechRadar) -> dict[str, tuple[str, str, bool]]:
    return {t.name: (t.ring, t.quadrant, t.retired) for t in radar}


# -- round trips -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_then_import_into_an_empty_radar_keeps_names_rings_quadrants(fmt: str) -> None:
    radar = team_radar()
    text = export_radar(radar, fmt, since=SINCE, today=TODAY)
    assert detect_format(text, f"radar.{'csv' if fmt == 'byor-csv' else 'json'}") == fmt
    fresh = TechRadar()
    report = import_radar(fresh, text, fmt, source="radar-export", as_of=TODAY)
    assert report.skipped == []
    expected = {name: value for name, value in summary(radar).items()}
    if fmt != "zalando":  # only Zalando has a way to say "no longer active"
        del expected["Theano"]
    assert summary(fresh) == expected
    if fmt != "zalando":  # Zalando entries carry no description
        assert fresh.get("PyTorch").description == "Tensors & autograd <fast>"
    if fmt in ("zalando", "backstage"):  # BYOR has no link column
        assert fresh.get("PyTorch").links[0].url == "https://pytorch.org/docs"


def test_backstage_round_trip_keeps_the_whole_history() -> None:
    radar = team_radar()
    fresh = TechRadar()
    import_radar(fresh, export_radar(radar, "backstage"), "backstage", source="b.json")
    for tech in radar.active():
        again = fresh.get(tech.name)
        assert [(h.date, h.ring, h.rationale) for h in again.history] == [
            (h.date, h.ring, h.rationale) for h in tech.history
        ]
        assert again.last_moved == tech.last_moved


@pytest.mark.parametrize("fmt", ["byor-csv", "byor-json", "zalando"])
def test_formats_without_dates_record_the_import_date_and_the_files_flags(fmt: str) -> None:
    text = export_radar(team_radar(), fmt, since=SINCE, today=TODAY)
    fresh = TechRadar()
    import_radar(fresh, text, fmt, source="volume.x", as_of=TODAY)
    assert {h.date for t in fresh for h in t.history} == {TODAY}
    assert fresh.get("vLLM").history[0].rationale == "imported from volume.x (there: Moved In)"
    assert fresh.get("TensorRT-LLM").history[0].rationale.endswith("(there: New)")
    assert fresh.get("PyTorch").history[0].rationale == "imported from volume.x"


def test_exports_mark_new_and_moved_from_history() -> None:
    radar = team_radar()
    rows = list(csv.DictReader(io.StringIO(export_radar(radar, "byor-csv", since=SINCE))))
    by_name = {row["name"]: row for row in rows}
    assert "Theano" not in by_name
    assert (by_name["vLLM"]["status"], by_name["vLLM"]["isNew"]) == ("Moved In", "FALSE")
    assert by_name["spaCy"]["status"] == "Moved Out"
    assert (by_name["TensorRT-LLM"]["status"], by_name["TensorRT-LLM"]["isNew"]) == ("New", "TRUE")
    assert by_name["LoRA/PEFT"]["status"] == "No Change"
    assert by_name["PyTorch"]["quadrant"] == "Languages & Frameworks"
    assert by_name["PyTorch"]["ring"] == "Adopt"
    assert by_name["PyTorch"]["description"] == "Tensors &amp; autograd &lt;fast&gt;"

    zalando = json.loads(export_radar(radar, "zalando", since=SINCE, today=TODAY))
    assert zalando["date"] == "2026-11-25"
    moved = {e["label"]: (e["quadrant"], e["ring"], e["moved"], e["active"])
             for e in zalando["entries"]}  # fmt: skip
    assert moved["vLLM"] == (1, 1, 1, True)
    assert moved["spaCy"] == (3, 3, -1, True)
    assert moved["TensorRT-LLM"] == (1, 2, 2, True)
    assert moved["LoRA/PEFT"] == (0, 0, 0, True)
    assert moved["Theano"][3] is False

    backstage = json.loads(export_radar(radar, "backstage"))
    vllm = next(e for e in backstage["entries"] if e["title"] == "vLLM")
    assert [(s["date"], s["ringId"], s["moved"]) for s in vllm["timeline"]] == [
        ("2026-11-18", "trial", 1),
        ("2026-09-30", "assess", 0),
    ]
    assert [r["id"] for r in backstage["rings"]] == ["adopt", "trial", "assess", "hold"]


# -- merging ---------------------------------------------------------------------


def test_importing_into_an_existing_radar_merges_and_reports() -> None:
    radar = team_radar()
    incoming = json.dumps(
        [
            {"name": "vllm", "ring": "Adopt", "quadrant": "Platform", "isNew": "FALSE",
             "description": "<p>Serving engine</p>"},
            {"name": "PyTorch", "ring": "adopt", "quadrant": "Languages & Frameworks",
             "isNew": "FALSE", "description": ""},
            {"name": "Kafka", "ring": "Trial", "quadrant": "Streaming", "isNew": "TRUE"},
            {"name": "Redis", "ring": "Sometimes", "quadrant": "Platforms", "isNew": "TRUE"},
            {"name": "", "ring": "Adopt", "quadrant": "Tools"},
            {"name": "DuckDB", "ring": "Adopt", "quadrant": "Tools", "isNew": "TRUE"},
        ]
    )  # fmt: skip
    report = import_radar(radar, incoming, "byor-json", source="vol.json", as_of=TODAY)
    assert report.counts() == {"added": 1, "updated": 1, "unchanged": 1, "skipped": 3}
    assert report.added == ["DuckDB"] and report.updated == ["vLLM"]
    reasons = dict(report.skipped)
    assert reasons["Kafka ([2])"] == "unknown quadrant 'Streaming'"
    assert reasons["Redis ([3])"] == "unknown ring 'Sometimes'"
    assert reasons["(no name) ([4])"] == "no name"
    vllm = radar.get("vLLM")
    assert vllm.ring == "adopt"
    assert vllm.history[-1].rationale == "imported from vol.json"
    assert vllm.description == "Serving engine"


def test_extend_adds_unknown_quadrants_and_rings_instead_of_skipping() -> None:
    radar = TechRadar()
    text = (
        "name,ring,quadrant,isNew,description\n"
        "Kafka,Trial,Streaming,TRUE,x\n"
        "Redis,Sometimes,Tools,FALSE,y\n"
    )
    report = import_radar(radar, text, "byor-csv", source="a.csv", as_of=TODAY, extend=True)
    assert report.counts()["added"] == 2
    assert radar.quadrants[-1] == "streaming" and radar.rings[-1] == "sometimes"
    assert report.new_quadrants == ["streaming"] and report.new_rings == ["sometimes"]


def test_an_older_file_does_not_override_a_newer_decision() -> None:
    radar = team_radar()
    text = json.dumps([{"name": "vLLM", "ring": "Hold", "quadrant": "Platforms"}])
    report = import_radar(radar, text, "byor-json", source="old.json", as_of=date(2026, 10, 1))
    assert report.counts()["skipped"] == 1
    assert "changed it later" in report.skipped[0][1]
    assert radar.get("vLLM").ring == "trial"


def test_messy_zalando_entries_are_read_or_skipped_with_a_reason() -> None:
    text = json.dumps(
        {
            "date": "2026.05",
            "entries": [
                {"label": "Go", "quadrant": "0", "ring": 0, "active": "TRUE", "moved": "0"},
                {"label": "Flink", "quadrant": "Platform", "ring": "1", "active": "FALSE",
                 "moved": 1, "link": "https://flink.apache.org"},
                {"label": "Mystery", "quadrant": 9, "ring": 0, "active": True, "moved": 0},
                {"label": "NoRing", "quadrant": 1, "active": True, "moved": 0},
                {"label": "Html", "quadrant": 2, "ring": 2, "description":
                 "<p>A <b>tool</b> &amp; <a href='https://x.dev/'>site</a></p>"},
            ],
        }
    )  # fmt: skip
    radar = TechRadar()
    report = import_radar(radar, text, "zalando", source="config.json")
    assert report.counts() == {"added": 3, "updated": 0, "unchanged": 0, "skipped": 2}
    assert dict(report.skipped) == {
        "Mystery (entries[2])": "quadrant index 9 is outside 0..3",
        "NoRing (entries[3])": "ring missing",
    }
    flink = radar.get("flink")
    assert (flink.quadrant, flink.ring, flink.retired) == ("platforms", "trial", True)
    assert flink.links == [Link("Flink", "https://flink.apache.org")]
    assert flink.history[0].date == date(2026, 5, 1)
    html_tech = radar.get("Html")
    assert html_tech.description == "A tool & site"
    assert html_tech.links == [Link("site", "https://x.dev/")]


def test_html_descriptions_become_text_with_their_absolute_links() -> None:
    text, links = description_from_html(
        '<p>Use <strong><a href="https://mlflow.org/">MLflow</a></strong> with '
        '<a href="/radar/tools/dvc">DVC</a>.</p><p>Second &quot;para&quot;.</p>'
    )
    assert text == 'Use MLflow with DVC.\n\nSecond "para".'
    assert links == [Link("MLflow", "https://mlflow.org/")]


def test_unknown_or_broken_files_are_refused() -> None:
    with pytest.raises(FormatError):
        detect_format("hello world")
    with pytest.raises(FormatError, match="lacks"):
        import_radar(TechRadar(), "title,url\na,b\n", "byor-csv", source="x.csv")
    with pytest.raises(FormatError, match="not valid JSON"):
        import_radar(TechRadar(), "{", "zalando", source="x.json")
    with pytest.raises(FormatError):
        import_radar(TechRadar(), "{}", "backstage", source="x.json")


# -- real files ------------------------------------------------------------------


def test_thoughtworks_byor_csv_imports_all_99_blips() -> None:
    text = corpus_file("byor__radar.csv")
    assert detect_format(text, "byor__radar.csv") == "byor-csv"
    radar = TechRadar()
    report = import_radar(radar, text, "byor-csv", source="byor__radar.csv", as_of=TODAY)
    assert report.counts() == {"added": 99, "updated": 0, "unchanged": 0, "skipped": 0}
    assert Counter(t.ring for t in radar) == {"adopt": 11, "trial": 33, "assess": 49, "hold": 6}
    # "Techniques"/"Tools"/"Platforms" and the slug "languages-and-frameworks" all map.
    assert Counter(t.quadrant for t in radar) == {
        "techniques": 26, "tools": 34, "platforms": 15, "languages-and-frameworks": 24,
    }  # fmt: skip
    mlflow = radar.get("MLflow")
    assert (mlflow.ring, mlflow.quadrant) == ("trial", "tools")
    assert mlflow.description.startswith("MLflow is an open-source tool for machine-learning")
    assert "<" not in mlflow.description
    assert mlflow.links[0] == Link("MLflow", "https://mlflow.org/")
    assert all(not link.url.startswith("/") for t in radar for link in t.links)
    svelte = radar.get("svelte")
    assert (svelte.ring, svelte.quadrant) == ("assess", "languages-and-frameworks")
    new_ones = [t for t in radar if t.history[0].rationale.endswith("(there: New)")]
    assert len(new_ones) == 60
    data_mesh = radar.get("data mesh")
    assert (data_mesh.ring, data_mesh.quadrant) == ("trial", "techniques")


def test_thoughtworks_byor_json_imports_and_reports_its_duplicates() -> None:
    text = corpus_file("byor__data.json")
    assert detect_format(text, "data.json") == "byor-json"
    radar = TechRadar()
    report = import_radar(radar, text, "byor-json", source="byor__data.json", as_of=TODAY)
    # 38 blips, but "Delta Lake" is listed twice and "Databricks Overwatch" appears under
    # both Tools and Techniques: the second of each is skipped and said so.
    assert report.counts() == {"added": 36, "updated": 0, "unchanged": 0, "skipped": 2}
    assert dict(report.skipped) == {
        "Delta Lake ([12])": "listed twice in the file (first at [11])",
        "Databricks Overwatch ([29])": "listed twice in the file (first at [5])",
    }
    io_ts = radar.get("io-ts")
    assert (io_ts.ring, io_ts.quadrant) == ("adopt", "languages-and-frameworks")
    dragonfly = radar.get("Dragonfly")
    assert (dragonfly.ring, dragonfly.quadrant) == ("assess", "platforms")
    assert radar.get("Databricks Overwatch").quadrant == "tools"


def test_zalando_config_maps_indices_onto_our_lists_or_onto_named_quadrants() -> None:
    text = corpus_file("zalando__config.json")
    assert detect_format(text, "config.json") == "zalando"

    by_index = TechRadar()
    report = import_radar(by_index, text, "zalando", source="zalando__config.json")
    assert report.counts() == {"added": 81, "updated": 0, "unchanged": 0, "skipped": 0}
    assert Counter(t.ring for t in by_index) == {"adopt": 35, "trial": 21, "assess": 10, "hold": 15}
    assert sum(1 for t in by_index if t.links) == 26
    flink = by_index.get("Flink")
    # quadrant 3 is our fourth quadrant; ring 0 is adopt; the file is dated 2026.05.
    assert (flink.quadrant, flink.ring) == ("languages-and-frameworks", "adopt")
    assert flink.history[0].date == date(2026, 5, 1)
    assert flink.history[0].rationale == "imported from zalando__config.json (there: Moved In)"
    assert flink.links[0].url == "https://engineering.zalando.com/tags/apache-flink.html"
    assert by_index.get("Agentgateway").history[0].rationale.endswith("(there: New)")

    names = ["Languages", "Infrastructure", "Datastores", "Data Management"]
    strict = TechRadar()
    report = import_radar(strict, text, "zalando", source="z.json", quadrant_names=names)
    assert report.counts()["added"] == 15  # only "Languages" fits one of our quadrants
    assert strict.get("Python").quadrant == "languages-and-frameworks"
    assert ("AWS Athena (entries[0])", "unknown quadrant 'Data Management'") in report.skipped

    extended = TechRadar()
    report = import_radar(
        extended, text, "zalando", source="z.json", quadrant_names=names, extend=True
    )
    assert report.counts()["added"] == 81
    assert report.new_quadrants == ["infrastructure", "datastores", "data-management"]
    assert extended.get("Flink").quadrant == "data-management"
    assert extended.get("Amazon Bedrock").quadrant == "infrastructure"


def test_reimporting_the_same_file_changes_nothing() -> None:
    text = corpus_file("byor__radar.csv")
    radar = TechRadar()
    import_radar(radar, text, "byor-csv", source="r.csv", as_of=TODAY)
    report = import_radar(radar, text, "byor-csv", source="r.csv", as_of=TODAY)
    assert report.counts() == {"added": 0, "updated": 0, "unchanged": 99, "skipped": 0}


def test_a_backstage_file_from_elsewhere_maps_ids_and_keeps_its_timeline() -> None:
    text = json.dumps(
        {
            "quadrants": [{"id": "infra", "name": "Platforms"},
                          {"id": "lang", "name": "Languages"}],
            "rings": [{"id": "use", "name": "ADOPT", "color": "#0f0"},
                      {"id": "try", "name": "TRIAL", "color": "#00f"}],
            "entries": [
                {"key": "k8s", "id": "k8s", "title": "Kubernetes", "quadrant": "infra",
                 "timeline": [
                     {"moved": 1, "ringId": "use", "date": "2024-03-01T00:00:00.000Z",
                      "description": "<p>Runs <b>everything</b></p>"},
                     {"moved": 0, "ringId": "try", "date": "2023-01-15", "description": ""},
                 ],
                 "links": [{"title": "Site", "url": "https://kubernetes.io"}]},
                {"key": "rust", "id": "rust", "title": "Rust", "quadrant": "lang",
                 "timeline": []},
            ],
        }
    )  # fmt: skip
    assert detect_format(text) == "backstage"
    radar = TechRadar()
    report = import_radar(radar, text, "backstage", source="bs.json")
    assert report.skipped == [("Rust (entries[1])", "no timeline")]
    k8s = radar.get("kubernetes")
    assert (k8s.quadrant, k8s.ring) == ("platforms", "adopt")
    assert [(h.date, h.ring, h.rationale) for h in k8s.history] == [
        (date(2023, 1, 15), "trial", "imported from bs.json"),
        (date(2024, 3, 1), "adopt", "Runs everything"),
    ]
    assert radar.status_of(k8s, since=date(2024, 1, 1)) is Status.MOVED_IN
