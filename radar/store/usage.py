"""Usage snapshots in data/radar.db: what each scanned repository depended on, when.

The only module besides radar.store that speaks SQL for radar.usage. A re-scan of a
repository makes a new snapshot current and keeps the older ones (history for trends).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from radar.store.base import immediate_transaction
from radar.usage.model import Dependency, Problem, RepoScan

_M007_STATEMENTS = (
    """CREATE TABLE IF NOT EXISTS usage_snapshots (
            id INTEGER PRIMARY KEY,
            repo TEXT NOT NULL,
            root TEXT NOT NULL,
            scanned_at TEXT NOT NULL,
            files INTEGER NOT NULL DEFAULT 0,
            current INTEGER NOT NULL DEFAULT 1
        )""",
    "CREATE INDEX IF NOT EXISTS usage_snapshots_repo ON usage_snapshots(repo, current)",
    """CREATE TABLE IF NOT EXISTS usage_dependencies (
            snapshot_id INTEGER NOT NULL REFERENCES usage_snapshots(id) ON DELETE CASCADE,
            file TEXT NOT NULL,
            line INTEGER,
            ecosystem TEXT NOT NULL,
            package TEXT NOT NULL,
            spec TEXT NOT NULL DEFAULT '',
            pinned TEXT,
            direct INTEGER NOT NULL DEFAULT 1,
            constraint_only INTEGER NOT NULL DEFAULT 0
        )""",
    "CREATE INDEX IF NOT EXISTS usage_dependencies_snapshot ON usage_dependencies(snapshot_id)",
    """CREATE TABLE IF NOT EXISTS usage_problems (
            snapshot_id INTEGER NOT NULL REFERENCES usage_snapshots(id) ON DELETE CASCADE,
            file TEXT NOT NULL,
            reason TEXT NOT NULL
        )""",
)


def m007_usage(conn: sqlite3.Connection) -> None:
    """Usage snapshots of the team's repositories (radar.usage), with their history."""
    for statement in _M007_STATEMENTS:
        conn.execute(statement)


@dataclass(frozen=True)
class UsageSnapshot:
    """One scan of one repository."""

    id: int
    repo: str
    root: str
    scanned_at: datetime
    files: int
    current: bool
    problems: int


@dataclass(frozen=True)
class RepoDependency:
    """A dependency as stored, with the repository it belongs to."""

    repo: str
    dependency: Dependency


@dataclass(frozen=True)
class ReleaseSeen:
    """A release radar parsed from a release feed for a technology."""

    tech_slug: str
    version: str
    prerelease: bool


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class UsageTables:
    """Typed reads and writes of the usage tables over one sqlite3 connection
    (autocommit mode, as radar.store opens it)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with immediate_transaction(self.conn) as conn:
            yield conn

    def record(self, scan: RepoScan, scanned_at: datetime) -> int:
        """Store a scan as the repository's current snapshot; earlier ones stay as history."""
        with self._transaction() as conn:
            conn.execute("UPDATE usage_snapshots SET current = 0 WHERE repo = ?", [scan.repo])
            cursor = conn.execute(
                """INSERT INTO usage_snapshots (repo, root, scanned_at, files, current)
                   VALUES (?, ?, ?, ?, 1)""",
                [scan.repo, scan.root, _iso(scanned_at), len(scan.files)],
            )
            snapshot_id = int(cursor.lastrowid or 0)
            conn.executemany(
                """INSERT INTO usage_dependencies (snapshot_id, file, line, ecosystem, package,
                       spec, pinned, direct, constraint_only) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    (
                        snapshot_id,
                        d.file,
                        d.line,
                        d.ecosystem,
                        d.package,
                        d.spec,
                        d.pinned,
                        int(d.direct),
                        int(d.constraint),
                    )
                    for d in scan.dependencies
                ],
            )
            conn.executemany(
                "INSERT INTO usage_problems (snapshot_id, file, reason) VALUES (?, ?, ?)",
                [(snapshot_id, p.file, p.reason) for p in scan.problems],
            )
        return snapshot_id

    def snapshots(self, *, current_only: bool = True) -> list[UsageSnapshot]:
        where = "WHERE s.current = 1" if current_only else ""
        rows = self.conn.execute(
            f"""SELECT s.id, s.repo, s.root, s.scanned_at, s.files, s.current,
                       (SELECT COUNT(*) FROM usage_problems p WHERE p.snapshot_id = s.id)
                FROM usage_snapshots s {where} ORDER BY s.repo, s.id"""
        ).fetchall()
        return [
            UsageSnapshot(
                id=int(row[0]),
                repo=str(row[1]),
                root=str(row[2]),
                scanned_at=_parse_iso(str(row[3])),
                files=int(row[4]),
                current=bool(row[5]),
                problems=int(row[6]),
            )
            for row in rows
        ]

    def previous_snapshots(self) -> list[UsageSnapshot]:
        """For each repository scanned more than once, the snapshot before its current one."""
        history = self.snapshots(current_only=False)
        previous: dict[str, UsageSnapshot] = {}
        for snapshot in history:
            if not snapshot.current:
                previous[snapshot.repo] = snapshot  # ordered by id: the last one wins
        return list(previous.values())

    def dependencies(self, snapshot_ids: Sequence[int]) -> list[RepoDependency]:
        if not snapshot_ids:
            return []
        marks = ",".join("?" * len(snapshot_ids))
        rows = self.conn.execute(
            f"""SELECT s.repo, d.file, d.line, d.ecosystem, d.package, d.spec, d.pinned,
                       d.direct, d.constraint_only
                FROM usage_dependencies d JOIN usage_snapshots s ON s.id = d.snapshot_id
                WHERE d.snapshot_id IN ({marks}) ORDER BY s.repo, d.file, d.line""",
            list(snapshot_ids),
        ).fetchall()
        return [
            RepoDependency(
                repo=str(row[0]),
                dependency=Dependency(
                    file=str(row[1]),
                    line=row[2],
                    ecosystem=str(row[3]),
                    package=str(row[4]),
                    spec=str(row[5]),
                    pinned=row[6],
                    direct=bool(row[7]),
                    constraint=bool(row[8]),
                ),
            )
            for row in rows
        ]

    def problems(self, snapshot_id: int) -> list[Problem]:
        rows = self.conn.execute(
            "SELECT file, reason FROM usage_problems WHERE snapshot_id = ? ORDER BY rowid",
            [snapshot_id],
        ).fetchall()
        return [Problem(str(row[0]), str(row[1])) for row in rows]

    def newest_scan(self) -> datetime | None:
        row = self.conn.execute("SELECT MAX(scanned_at) FROM usage_snapshots").fetchone()
        return _parse_iso(str(row[0])) if row and row[0] else None

    def releases(self) -> list[ReleaseSeen]:
        """Releases parsed from release feeds (radar.techradar.releases) that name a technology."""
        rows = self.conn.execute(
            "SELECT tech_slug, version, prerelease FROM releases WHERE tech_slug IS NOT NULL"
        ).fetchall()
        return [ReleaseSeen(str(row[0]), str(row[1]), bool(row[2])) for row in rows]
