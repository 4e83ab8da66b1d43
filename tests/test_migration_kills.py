"""A schema upgrade killed at any SQL statement leaves a workspace that opens and has lost
nothing: every earlier schema version, a SIGKILL before each statement of the migration in
turn (counted with sqlite3's trace callback), then a normal restart."""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from radar.store import MIGRATIONS, Migration, migrate

KILLER = Path(__file__).with_name("migration_killer.py")
STEPS = {step.name: step for step in MIGRATIONS}

EARLIER_VERSIONS: dict[str, tuple[str, ...]] = {
    "new workspace": (),
    "m001": ("m001_initial",),
    "m001+m002": ("m001_initial", "m002_embeddings"),
    # Released radar ran m005 before m004 existed: such databases have no m004 (and no m003).
    "m001+m002+m005": ("m001_initial", "m002_embeddings", "m005_tech_links"),
    # Today's schema, with run history: nothing is pending now, but every step added
    # later (see MIGRATIONS) is killed at each of its statements from here.
    "m001+m002+m005+m004": (
        "m001_initial",
        "m002_embeddings",
        "m005_tech_links",
        "m004_operations",
    ),
}


def build_database(path: Path, applied: tuple[str, ...]) -> None:
    """A database at an earlier schema version, holding items, marks and history."""
    if not applied:
        return
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    steps: list[Migration] = [STEPS[name] for name in applied]
    migrate(conn, steps)
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO feeds (id, name, url) VALUES (1, 'Blog', 'https://blog.example/feed')"
    )
    conn.execute("INSERT INTO feeds (id, name, url) VALUES (2, 'News', 'https://news.example/rss')")
    for n in range(1, 9):
        conn.execute(
            """INSERT INTO items (id, url, title, summary, first_seen, sort_date, read, starred)
               VALUES (?, ?, ?, ?, '2026-11-01T10:00:00Z', ?, ?, ?)""",
            [
                n,
                f"https://blog.example/{n}",
                f"Serving story {n}",
                f"GPU batching notes {n}",
                f"2026-11-{n:02d}T10:00:00Z",
                n % 2,
                int(n % 3 == 0),
            ],
        )
        conn.execute(
            "INSERT INTO item_sources VALUES (?, ?, ?, ?, '2026-11-01T10:00:00Z')",
            [n, 1 + n % 2, f"guid-{n}", f"serving story {n}|"],
        )
    if "m002_embeddings" in applied:
        conn.execute("INSERT INTO embeddings VALUES (1, 'model-a', 'h1', x'00ff')")
    if "m004_operations" in applied:
        for run in (1, 2):
            conn.execute(
                """INSERT INTO fetch_runs (id, trigger, started, finished, feeds_ok, items_new)
                   VALUES (?, 'cron', ?, ?, 2, 4)""",
                [run, f"2026-11-0{run}T10:00:00Z", f"2026-11-0{run}T10:01:00Z"],
            )
    if "m005_tech_links" in applied:
        conn.execute("INSERT INTO technologies (slug, name) VALUES ('vllm', 'vLLM')")
        conn.execute("INSERT INTO item_tech VALUES (1, 'vllm', 'alias', 1.0)")
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def what_a_user_keeps(db: Path) -> dict[str, Any]:
    """Items with their marks and sources, run history, vectors and links, as stored."""
    conn = sqlite3.connect(db)
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}

    def rows(sql: str, table: str) -> list[tuple[Any, ...]]:
        return conn.execute(sql).fetchall() if table in tables else []

    kept = {
        "items": rows("SELECT id, url, title, read, starred FROM items ORDER BY id", "items"),
        "sources": rows("SELECT * FROM item_sources ORDER BY item_id, feed_id", "item_sources"),
        "history": rows("SELECT * FROM fetch_runs ORDER BY id", "fetch_runs"),
        "vectors": rows("SELECT item_id, fingerprint FROM embeddings", "embeddings"),
        "links": rows("SELECT * FROM item_tech", "item_tech"),
    }
    conn.close()
    return kept


def run_killer(workspace, kill_at: int, count_file: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [
            sys.executable,
            str(KILLER),
            str(kill_at),
            str(count_file),
            "-w",
            str(workspace.root),
            "items",
            "list",
            "--json",
        ],
        capture_output=True,
        timeout=120,
    )


def fresh_copy(template: Path, db: Path) -> None:
    for leftover in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        leftover.unlink(missing_ok=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    if template.exists():
        shutil.copyfile(template, db)


@pytest.mark.slow
@pytest.mark.parametrize("version", list(EARLIER_VERSIONS))
def test_a_kill_at_every_migration_statement_loses_nothing(radar, workspace, tmp_path, version):
    template = tmp_path / "template.db"
    build_database(template, EARLIER_VERSIONS[version])
    before = what_a_user_keeps(template) if template.exists() else None
    count_file = tmp_path / "statements"
    db = workspace.db_path

    fresh_copy(template, db)
    run_killer(workspace, 0, count_file).check_returncode()
    statements = int(count_file.read_text())
    assert statements >= 2, "the migration was traced"
    kills = 0
    for kill_at in range(1, statements + 1):
        fresh_copy(template, db)
        killed = run_killer(workspace, kill_at, count_file)
        assert killed.returncode == -signal.SIGKILL, f"kill at statement {kill_at} did not land"
        kills += 1

        listed = json.loads(radar("items", "list", "--json", "--limit", "100").stdout)

        conn = sqlite3.connect(db)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", kill_at
        conn.execute("INSERT INTO items_fts (items_fts) VALUES ('integrity-check')")
        applied = {row[0] for row in conn.execute("SELECT name FROM _migrations")}
        assert applied == set(STEPS), f"restart after a kill at statement {kill_at} migrated"
        found = conn.execute(
            "SELECT COUNT(*) FROM items_fts WHERE items_fts MATCH 'batching'"
        ).fetchone()[0]
        conn.close()
        if before is not None:
            after = what_a_user_keeps(db)
            assert after == before, f"data changed after a kill at statement {kill_at}"
            assert len(listed) == len(before["items"])
            assert found == len(before["items"]), "search still finds every item"
        else:
            assert listed == []
    print(f"\n{version}: {statements} statements, {kills} kills, integrity ok after each")


def test_a_database_left_half_migrated_by_an_older_radar_opens(radar, workspace):
    # Before steps were transactional, a kill after m005's CREATE TABLEs and before its
    # bookkeeping row left "table technologies already exists" on every later start.
    workspace.db_path.parent.mkdir(parents=True, exist_ok=True)
    build_database(workspace.db_path, EARLIER_VERSIONS["m001+m002"])
    conn = sqlite3.connect(workspace.db_path, isolation_level=None)
    conn.execute(
        "CREATE TABLE technologies (slug TEXT PRIMARY KEY, name TEXT NOT NULL,"
        " quadrant TEXT NOT NULL DEFAULT '', ring TEXT NOT NULL DEFAULT '',"
        " retired INTEGER NOT NULL DEFAULT 0, description TEXT NOT NULL DEFAULT '',"
        " aliases TEXT NOT NULL DEFAULT '[]', signature TEXT NOT NULL DEFAULT '')"
    )
    conn.execute("ALTER TABLE feeds ADD COLUMN next_due TEXT")
    conn.close()

    listed = json.loads(radar("items", "list", "--json", "--limit", "100").stdout)

    assert len(listed) == 8
    assert sum(item["starred"] for item in listed) == 2, "marks kept"


def test_migration_steps_are_numbered_and_each_is_one_transaction():
    assert [step.number for step in MIGRATIONS] == sorted({step.number for step in MIGRATIONS})
    conn = sqlite3.connect(":memory:", isolation_level=None)
    commits: list[str] = []
    conn.set_trace_callback(lambda sql: commits.append(sql) if sql.strip() == "COMMIT" else None)
    assert migrate(conn) == [step.name for step in MIGRATIONS]
    assert len(commits) == len(MIGRATIONS), "one COMMIT per step, none inside a step"
    assert migrate(conn) == [], "nothing pending the second time"
