"""User stories for `radar tech`: a team builds its radar from the command line,
moves technologies with reasons, and reviews the file in git."""

from __future__ import annotations

import difflib
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from radar.cli import cli, main
from radar.techradar import Link, TechRadar, load_radar, save_radar, today_utc
from radar.workspace import Workspace

TWENTY = [
    ("PyTorch", "languages-and-frameworks", "adopt", ["PyTorch", "torch"]),
    ("JAX", "languages-and-frameworks", "assess", ["JAX"]),
    ("vLLM", "platforms", "assess", ["vLLM", "vllm"]),
    ("Hugging Face Transformers", "languages-and-frameworks", "adopt", ["transformers"]),
    ("Ray", "platforms", "trial", ["Ray", "Ray Serve"]),
    ("Triton Inference Server", "platforms", "trial", ["Triton"]),
    ("OpenAI Triton", "languages-and-frameworks", "assess", ["Triton", "triton-lang"]),
    ("ONNX Runtime", "platforms", "adopt", ["onnxruntime", "ORT"]),
    ("MLflow", "tools", "adopt", ["MLflow"]),
    ("Weights & Biases", "tools", "trial", ["W&B", "wandb"]),
    ("DuckDB", "tools", "adopt", ["DuckDB"]),
    ("Polars", "languages-and-frameworks", "trial", ["Polars"]),
    ("Apache Arrow", "languages-and-frameworks", "adopt", ["Arrow", "pyarrow"]),
    ("spaCy", "languages-and-frameworks", "trial", ["spaCy"]),
    ("FAISS", "tools", "adopt", ["faiss"]),
    ("KServe", "platforms", "assess", ["KServe"]),
    ("DeepSpeed", "languages-and-frameworks", "assess", ["DeepSpeed"]),
    ("LoRA/PEFT", "techniques", "trial", ["LoRA", "PEFT"]),
    ("Feast", "platforms", "assess", ["Feast"]),
    ("Great Expectations", "tools", "trial", ["GX"]),
]


class Radar:
    """Runs `radar --workspace WS tech ...` in-process."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.file = workspace.techradar_path

    def __call__(self, *args: str, ok: bool = True) -> Result:
        result = CliRunner().invoke(cli, ["--workspace", str(self.workspace.root), "tech", *args])
        if ok:
            assert result.exit_code == 0, (result.output, result.exception)
        else:
            assert result.exit_code != 0, result.output
        return result

    def json(self, *args: str) -> object:
        return json.loads(self(*args, "--json").stdout)


@pytest.fixture
def tech(workspace: Workspace) -> Radar:
    return Radar(workspace)


@pytest.fixture
def twenty(tech: Radar) -> Radar:
    for name, quadrant, ring, aliases in TWENTY:
        alias_args = [arg for alias in aliases for arg in ("--alias", alias)]
        tech(
            "add", name, "--quadrant", quadrant, "--ring", ring,
            "--why", f"why {name}", "--by", "ana", *alias_args,
        )  # fmt: skip
    return tech


def test_a_team_builds_a_radar_of_twenty_and_moves_some_with_reasons(twenty: Radar) -> None:
    twenty("move", "vllm", "trial", "--why", "six weeks in staging", "--by", "bo")
    twenty("move", "spacy", "hold", "--why", "LLM extraction beats our NER")
    twenty("move", "Polars", "adopt", "--why", "all feature jobs migrated")

    rows = twenty.json("list")
    assert isinstance(rows, list) and len(rows) == 20
    assert set(rows[0]) >= {"name", "quadrant", "ring", "owner", "last_reviewed", "mentions_30d"}
    by_name = {row["name"]: row for row in rows}
    assert by_name["vLLM"]["ring"] == "trial"
    assert by_name["spaCy"]["ring"] == "hold"
    assert by_name["vLLM"]["mentions_30d"] == 0

    shown = twenty.json("show", "VLLM")
    assert isinstance(shown, dict)
    assert [(h["ring"], h["rationale"], h["by"]) for h in shown["history"]] == [
        ("assess", "why vLLM", "ana"),
        ("trial", "six weeks in staging", "bo"),
    ]
    assert shown["aliases"] == ["vLLM", "vllm"]
    assert set(shown["evidence"]) == {
        "recent",
        "relevant",
        "relevant_by",
        "weekly_mentions",
        "latest_release",
        "mentions_total",
    }

    text = twenty("show", "vllm").stdout
    assert "six weeks in staging" in text and "History" in text and "Evidence" in text

    adopt = twenty.json("list", "--ring", "Adopt")
    assert isinstance(adopt, list)
    assert {row["name"] for row in adopt} == {
        "PyTorch", "Hugging Face Transformers", "ONNX Runtime", "MLflow", "DuckDB",
        "Apache Arrow", "FAISS", "Polars",
    }  # fmt: skip
    platforms = twenty.json("list", "--quadrant", "platform")
    assert isinstance(platforms, list) and len(platforms) == 6
    assert "vLLM" in twenty("list").stdout


def test_a_move_without_a_rationale_is_refused_and_the_file_is_untouched(twenty: Radar) -> None:
    before = twenty.file.read_bytes()
    missing = twenty("move", "vllm", "trial", ok=False)
    assert "--why" in missing.output
    blank = twenty("move", "vllm", "trial", "--why", "   ", ok=False)
    assert blank.exit_code == 2
    assert blank.stderr.startswith("radar: error: a move needs a rationale")
    same = twenty("move", "vllm", "assess", "--why", "still assessing", ok=False)
    assert "already in assess" in same.stderr
    unknown = twenty("move", "no-such-tech", "trial", "--why", "x", ok=False)
    assert "no technology named" in unknown.stderr
    assert twenty.file.read_bytes() == before


def test_errors_reach_the_user_as_one_line_on_stderr(
    twenty: Radar, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--workspace", str(twenty.workspace.root), "tech", "move", "vllm", "trial",
              "--why", " "])  # fmt: skip
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("radar: error:") and err.count("\n") == 1


def _diff(before: str, after: str) -> tuple[list[str], list[str]]:
    lines = list(difflib.unified_diff(before.splitlines(), after.splitlines(), n=0))
    added = [line[1:] for line in lines if line.startswith("+") and not line.startswith("+++")]
    removed = [line[1:] for line in lines if line.startswith("-") and not line.startswith("---")]
    return added, removed


def test_adding_a_technology_changes_only_its_own_block(twenty: Radar) -> None:
    before = twenty.file.read_text(encoding="utf-8")
    twenty("add", "llama.cpp", "-q", "tools", "-r", "assess", "--why", "laptop evals")
    after = twenty.file.read_text(encoding="utf-8")
    added, removed = _diff(before, after)
    assert removed == []
    assert added[0] in ("", "  - name: llama.cpp")
    assert "  - name: llama.cpp" in added
    assert sum(line.startswith("  - name:") for line in added) == 1
    # The new block sits between its alphabetical neighbours.
    names = [line.split(": ", 1)[1] for line in after.splitlines() if line.startswith("  - name:")]
    assert names.index("llama.cpp") == names.index("LoRA/PEFT") - 1


def test_a_move_appends_one_history_line_and_touches_only_that_block(twenty: Radar) -> None:
    before = twenty.file.read_text(encoding="utf-8")
    twenty("move", "Ray", "adopt", "--why", "runs all backfills", "--by", "dev")
    added, removed = _diff(before, twenty.file.read_text(encoding="utf-8"))
    # last_reviewed changes too when the move happens on a later day than the add.
    assert removed[0] == "    ring: trial"
    assert all(line.startswith("    last_reviewed: ") for line in removed[1:])
    assert "    ring: adopt" in added
    assert any(
        line.startswith("      - {date: ") and "runs all backfills" in line for line in added
    )
    assert len(added) == len(removed) + 1


def test_remove_retires_but_keeps_the_technology_and_its_history(twenty: Radar) -> None:
    twenty("remove", "Great Expectations", ok=False)
    twenty("remove", "gx", "--why", "checks moved into dbt tests")
    radar = load_radar(twenty.file)
    retired = radar.get("Great Expectations")
    assert retired.retired and retired.history[-1].rationale == "checks moved into dbt tests"
    listed = twenty.json("list")
    assert isinstance(listed, list) and len(listed) == 19
    everything = twenty.json("list", "--all")
    assert isinstance(everything, list) and len(everything) == 20
    assert "(retired)" in twenty("list", "--all").stdout


def test_edit_and_review(twenty: Radar) -> None:
    twenty("edit", "vllm", "--owner", "serving", "--add-alias", "vLLM engine",
           "--link", "Docs=https://docs.vllm.ai", "--production-use", "staging chat")  # fmt: skip
    vllm = load_radar(twenty.file).get("vllm")
    assert vllm.owner == "serving" and "vLLM engine" in vllm.aliases
    assert vllm.links == [Link("Docs", "https://docs.vllm.ai")]
    assert vllm.production_use == "staging chat"
    twenty("edit", "vllm", "--link", "not a url", ok=False)
    twenty("edit", "vllm", ok=False)
    twenty("review", "vllm", "--note", "benchmarks re-run, still good", "--by", "bo")
    history = load_radar(twenty.file).get("vllm").history
    assert history[-1].ring == "assess" and history[-1].rationale.startswith("benchmarks")


def test_stale_lists_what_nobody_reviewed_for_months(tech: Radar) -> None:
    radar = TechRadar()
    long_ago = today_utc() - timedelta(days=400)
    radar.add("Theano", quadrant="languages-and-frameworks", ring="hold",
              rationale="legacy", today=long_ago)  # fmt: skip
    radar.add("PyTorch", quadrant="languages-and-frameworks", ring="adopt", rationale="default")
    tech.workspace.ensure_data_dir()
    save_radar(radar, tech.file)
    rows = tech.json("stale", "--days", "180")
    assert isinstance(rows, list)
    assert [(row["name"], row["days_since_review"]) for row in rows] == [("Theano", 400)]
    assert "Theano" in tech("stale").stdout
    assert tech.json("stale", "--days", "1000") == []


def test_an_invalid_file_is_reported_and_never_overwritten(tech: Radar) -> None:
    tech.workspace.ensure_data_dir()
    tech.file.write_text("technologies:\n  - name: vLLM\n    ring: sometime\n", encoding="utf-8")
    before = tech.file.read_bytes()
    result = tech("add", "JAX", "-q", "tools", "-r", "assess", "--why", "tpus", ok=False)
    assert f"{tech.file}:2: technologies[0].quadrant: is required" in result.stderr
    assert tech.file.read_bytes() == before


def test_commands_need_a_workspace(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--workspace", str(tmp_path), "tech", "list"])
    assert result.exit_code != 0
    assert "not a radar workspace" in result.stderr


def test_an_empty_workspace_has_an_empty_radar_until_the_first_add(tech: Radar) -> None:
    assert tech.json("list") == []
    assert not tech.file.exists()
    tech("add", "vLLM", "-q", "platforms", "-r", "assess", "--why", "fast")
    assert tech.file.exists()


def test_every_command_has_an_example_in_its_help(tech: Radar) -> None:
    for command in ("add", "move", "edit", "remove", "review", "list", "show", "stale",
                    "export", "import", "render", "snapshot"):  # fmt: skip
        text = tech(command, "--help").stdout
        assert "Example" in text and f"radar tech {command}" in text, command


def test_export_then_import_into_another_workspace(twenty: Radar, tmp_path: Path) -> None:
    twenty("move", "vllm", "trial", "--why", "staging")
    other_root = tmp_path / "other"
    other_root.mkdir()
    (other_root / "feeds.yaml").write_text("feeds: []\n", encoding="utf-8")
    other = Radar(Workspace(other_root))
    for fmt in ("byor-csv", "byor-json", "zalando", "backstage"):
        exported = tmp_path / f"radar.{fmt}"
        twenty("export", "--format", fmt, "-o", str(exported))
        report = other.json("import", str(exported), "--dry-run")
        assert isinstance(report, dict)
        assert report["format"] == fmt  # detected from the file
        assert report["added"] == 20 and report["skipped"] == 0
    assert not other.file.exists()
    other("import", str(tmp_path / "radar.backstage"))
    imported = load_radar(other.file)
    assert [h.rationale for h in imported.get("vllm").history] == ["why vLLM", "staging"]
    stdout = twenty("export", "--format", "byor-csv").stdout
    assert stdout.startswith("name,ring,quadrant,isNew,status,description\n")


def test_render_text_and_svg_from_the_command_line(twenty: Radar, tmp_path: Path) -> None:
    text = twenty("render").stdout
    for name, *_ in TWENTY:
        assert name in text
    svg = tmp_path / "radar.svg"
    twenty("render", "-o", str(svg))
    assert svg.read_text(encoding="utf-8").startswith("<?xml")
    snapshot_day = date.today()
    twenty("snapshot")
    assert load_radar(twenty.file).snapshots[-1] in (snapshot_day, today_utc())
