"""Radar vs. reality where the team looks: the weekly digest, `radar doctor`, the TUI."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any


def write_repo(root: Path, name: str, requirements: str) -> Path:
    repo = root / name
    repo.mkdir(parents=True, exist_ok=True)
    (repo / "requirements.txt").write_text(requirements, encoding="utf-8")
    return repo


def setup_team(radar: Any, tmp_path: Path) -> list[Path]:
    for name, ring, package in (
        ("TensorFlow", "hold", "pypi:tensorflow"),
        ("PyTorch", "adopt", "pypi:torch"),
        ("JAX", "adopt", "pypi:jax"),
    ):
        radar("tech", "add", name, "-q", "languages-and-frameworks", "-r", ring,
              "--why", "team decision", "--package", package)  # fmt: skip
    repos = [
        write_repo(tmp_path, "serving", "torch==2.4.0\nfastapi\n"),
        write_repo(tmp_path, "training", "torch\nfastapi\njax\n"),
    ]
    radar("usage", "scan", *map(str, repos))
    return repos


def test_the_digest_shows_new_verdicts_first(radar, tmp_path):
    repos = setup_team(radar, tmp_path)
    first = json.loads(radar("digest", "--format", "json").stdout)["radar_vs_reality"]
    assert first["repos"] == 2
    assert [v["name"] for v in first["verdicts"]] == [], "nothing needs a look yet"

    write_repo(tmp_path, "serving", "torch==2.4.0\nfastapi\ntensorflow==2.15\n")
    write_repo(tmp_path, "training", "torch\nfastapi\n")
    radar("usage", "scan", *map(str, repos))
    section = json.loads(radar("digest", "--format", "json").stdout)["radar_vs_reality"]
    assert [(v["name"], v["verdict"], v["new"]) for v in section["verdicts"]] == [
        ("TensorFlow", "in_use_on_hold", True),
        ("JAX", "adopted_unused", True),
    ]
    assert section["candidates"][0]["package"] == "pypi:fastapi"
    markdown = radar("digest").stdout
    assert "## Radar vs. reality" in markdown
    assert "**new** · **TensorFlow** (Hold): in use on hold, in serving" in markdown
    html = radar("digest", "--format", "html").stdout
    assert "Radar vs. reality" in html


def test_a_digest_without_any_scan_has_no_such_section(radar):
    assert "Radar vs. reality" not in radar("digest").stdout


def doctor_usage(radar: Any) -> dict[str, Any] | None:
    result = radar("doctor", "--json", ok=False)
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    return checks.get("usage")


def test_doctor_warns_on_a_stale_usage_snapshot_once_a_scan_exists(radar, tmp_path):
    assert doctor_usage(radar) is None, "no scan, no opinion"
    setup_team(radar, tmp_path)
    assert doctor_usage(radar)["status"] == "ok"  # type: ignore[index]

    with sqlite3.connect(radar.workspace.db_path) as conn:
        conn.execute("UPDATE usage_snapshots SET scanned_at = '2026-01-01T00:00:00Z'")
    stale = doctor_usage(radar)
    assert stale is not None and stale["status"] == "warn"
    assert "radar usage scan" in stale["hint"]

    feeds = radar.workspace.feeds_path
    feeds.write_text(feeds.read_text() + "settings:\n  doctor:\n    usage_stale_after: 3650d\n")
    assert doctor_usage(radar)["status"] == "ok"  # type: ignore[index]


async def test_the_tui_radar_screen_shows_usage_and_verdict(radar, tmp_path):
    from radar.session import Session
    from radar.tui.app import RadarApp
    from radar.tui.screens.radar import RadarScreen, TechTable

    radar("tech", "add", "Polars", "-q", "tools", "-r", "assess", "--why", "maybe")
    app = RadarApp(Session(radar.workspace, user="tester"), open_in_browser=lambda url: True)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("3")
        for _ in range(4):
            await pilot.pause()
            await app.workers.wait_for_complete()
        table = app.screen.query_one(TechTable)
        assert isinstance(app.screen, RadarScreen)
        assert "verdict" not in [str(key.value) for key in table.columns], "no scan yet"

    setup_team(radar, tmp_path)
    radar("usage", "scan", str(write_repo(tmp_path, "serving", "torch==2.4.0\ntensorflow\n")))
    app = RadarApp(Session(radar.workspace, user="tester"), open_in_browser=lambda url: True)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("3")
        for _ in range(4):
            await pilot.pause()
            await app.workers.wait_for_complete()
        table = app.screen.query_one(TechTable)
        assert [str(key.value) for key in table.columns][-2:] == ["usage", "verdict"]
        row = {name: table.get_row(name) for name in table.row_keys}
        assert str(row["PyTorch"][-2]) == "2" and str(row["PyTorch"][-1]) == "ok"
        assert str(row["JAX"][-1]) == "ok"
        assert str(row["TensorFlow"][-2]) == "1" and str(row["TensorFlow"][-1]) == "held·used"
        assert str(row["Polars"][-1]) == "", "names no packages: nothing to say"
