"""Only radar/store/ speaks SQL: no statement text and no `.execute` calls anywhere else in radar/.

A second backend (a shared PostgreSQL) would replace radar/store/ alone; a query written
elsewhere would bind that module to SQLite again. The scan reads the source with `ast`, so
prose that happens to start with "Select" in a docstring is told apart from a statement
by its shape (a statement keyword followed by SQL-looking words)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

RADAR = Path(__file__).resolve().parent.parent / "radar"
STORE = RADAR / "store"

# A statement keyword, then something only SQL says next.
_SQL = re.compile(
    r"""^\s*(
        SELECT\s+(\*|DISTINCT\b|COUNT\(|[\w.]+\s*(,|\bFROM\b|\bAS\b))
      | INSERT\s+(OR\s+\w+\s+)?INTO\b
      | UPDATE\s+\w+\s+SET\b
      | DELETE\s+FROM\b
      | CREATE\s+(UNIQUE\s+|VIRTUAL\s+)?(TABLE|INDEX|TRIGGER|VIEW)\b
      | DROP\s+(TABLE|INDEX|TRIGGER|VIEW)\b
      | ALTER\s+TABLE\b
      | WITH\s+(RECURSIVE\s+)?\w+\s*(\([^)]*\)\s*)?AS\s*\(
      | PRAGMA\s+\w+
      | BEGIN(\s+IMMEDIATE|\s+TRANSACTION)?\s*$
      | COMMIT\s*$ | ROLLBACK\s*$
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_CALLS = {"execute", "executemany", "executescript"}

# Modules whose queries have not moved into radar/store/ yet (the list only shrinks).
NOT_YET_MOVED: set[str] = set()


def _outside_modules() -> list[Path]:
    return sorted(p for p in RADAR.rglob("*.py") if STORE not in p.parents)


def _sql_sites(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    sites = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if _SQL.match(node.value):
                sites.append(f"{node.lineno}: SQL text {node.value.strip()[:40]!r}")
        elif isinstance(node, ast.JoinedStr):
            head = next((v.value for v in node.values if isinstance(v, ast.Constant)), "")
            if isinstance(head, str) and _SQL.match(head):
                sites.append(f"{node.lineno}: SQL f-string {head.strip()[:40]!r}")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = [alias.name for alias in node.names] + [getattr(node, "module", "") or ""]
            if "sqlite3" in names:
                sites.append(f"{node.lineno}: imports sqlite3")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _CALLS
        ):
            sites.append(f"{node.lineno}: .{node.func.attr}() call")
    return sites


def test_the_scan_recognises_statements_and_not_prose() -> None:
    for statement in (
        "SELECT id FROM items",
        "\n  select i.id, i.title from items i",
        "SELECT COUNT(*) FROM embeddings",
        "INSERT INTO item_tech (item_id) VALUES (?)",
        "UPDATE feeds SET next_due = ?",
        "delete from releases where item_id = ?",
        "CREATE TABLE IF NOT EXISTS x (a)",
        "WITH recent AS (SELECT 1) SELECT * FROM recent",
        "PRAGMA integrity_check",
    ):
        assert _SQL.match(statement), statement
    for prose in (
        "Select a feed to see its items",
        "Update available: run radar fetch",
        "Delete the item?",
        "With --json, print one object per line",
        "create a workspace here",
    ):
        assert not _SQL.match(prose), prose


def test_no_module_outside_the_store_speaks_sql() -> None:
    found = {}
    for path in _outside_modules():
        name = str(path.relative_to(RADAR.parent))
        sites = _sql_sites(path)
        if sites and name not in NOT_YET_MOVED:
            found[name] = sites
    assert found == {}, "SQL outside radar/store/:\n" + "\n".join(
        f"{name}:{site}" for name, sites in found.items() for site in sites
    )


def test_the_not_yet_moved_list_only_names_modules_that_still_speak_sql() -> None:
    stale = sorted(n for n in NOT_YET_MOVED if not _sql_sites(RADAR.parent / n))
    assert stale == [], f"remove from NOT_YET_MOVED: {stale}"
