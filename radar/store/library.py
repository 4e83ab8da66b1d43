"""SQL for the team library's search index and for private item notes.

The library itself lives in data/library.yaml; these tables are derived from it (rows,
an FTS5 index and one embedding per entry) plus the file hash they were built from, so
a search can tell when a `git pull` or a hand edit changed the file. Item notes are
private and exist only here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from radar.errors import NotFound


def m008_library(conn: sqlite3.Connection) -> None:
    """Schema step 8: library index rows, their FTS5 index, the file hash, item notes."""
    conn.execute(
        """CREATE TABLE IF NOT EXISTS library_entries (
            rowid INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            url TEXT NOT NULL,
            title TEXT NOT NULL,
            type TEXT NOT NULL,
            tags TEXT NOT NULL DEFAULT '[]',
            technologies TEXT NOT NULL DEFAULT '[]',
            note TEXT NOT NULL DEFAULT '',
            added TEXT,
            text_hash TEXT NOT NULL,
            model TEXT,
            vector BLOB
        )"""
    )
    conn.execute(
        """CREATE VIRTUAL TABLE IF NOT EXISTS library_fts USING fts5(
            title, body, tokenize='porter unicode61')"""
    )
    conn.execute(
        "CREATE TABLE IF NOT EXISTS library_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
    )
    conn.execute(
        """CREATE TABLE IF NOT EXISTS item_notes (
            item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            updated TEXT NOT NULL
        )"""
    )


@dataclass(frozen=True)
class IndexedEntry:
    """One library entry as the search index holds it."""

    id: str
    url: str
    title: str
    type: str
    tags: tuple[str, ...]
    technologies: tuple[str, ...]
    note: str
    added: str | None


@dataclass(frozen=True)
class EntryRow:
    """What the index should hold for an entry: the row and the text it was built from."""

    entry: IndexedEntry
    text: str
    text_hash: str


@dataclass(frozen=True)
class ItemNote:
    item_id: int
    text: str
    updated: str


def _indexed(row: sqlite3.Row) -> IndexedEntry:
    return IndexedEntry(
        id=row["id"],
        url=row["url"],
        title=row["title"],
        type=row["type"],
        tags=tuple(json.loads(row["tags"])),
        technologies=tuple(json.loads(row["technologies"])),
        note=row["note"],
        added=row["added"],
    )


class LibraryTables:
    """Typed access to the library index tables and item notes on one connection."""

    FILE_HASH = "file_hash"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def _write(self) -> sqlite3.Connection:
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def file_hash(self) -> str | None:
        row = self.conn.execute(
            "SELECT value FROM library_state WHERE key = ?", [self.FILE_HASH]
        ).fetchone()
        return None if row is None else str(row[0])

    def sync(self, rows: Sequence[EntryRow], file_hash: str) -> int:
        """Make the index hold exactly `rows`, in one transaction; entries whose text
        changed lose their vector (re-embedded later). Returns how many rows changed."""
        conn = self.conn
        owns = not conn.in_transaction
        self._write()
        try:
            known = {
                row["id"]: (row["rowid"], row["text_hash"])
                for row in conn.execute("SELECT rowid, id, text_hash FROM library_entries")
            }
            wanted = {row.entry.id for row in rows}
            changed = 0
            for entry_id, (rowid, _) in known.items():
                if entry_id not in wanted:
                    conn.execute("DELETE FROM library_entries WHERE rowid = ?", [rowid])
                    conn.execute("DELETE FROM library_fts WHERE rowid = ?", [rowid])
                    changed += 1
            for row in rows:
                entry = row.entry
                values = [
                    entry.url,
                    entry.title,
                    entry.type,
                    json.dumps(list(entry.tags)),
                    json.dumps(list(entry.technologies)),
                    entry.note,
                    entry.added,
                ]
                before = known.get(entry.id)
                if before is None:
                    cursor = conn.execute(
                        """INSERT INTO library_entries
                           (url, title, type, tags, technologies, note, added, id, text_hash)
                           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                        [*values, entry.id, row.text_hash],
                    )
                    rowid = cursor.lastrowid
                    changed += 1
                else:
                    rowid = before[0]
                    conn.execute(
                        """UPDATE library_entries SET url = ?, title = ?, type = ?, tags = ?,
                           technologies = ?, note = ?, added = ? WHERE rowid = ?""",
                        [*values, rowid],
                    )
                    if before[1] == row.text_hash:
                        continue
                    changed += 1
                    conn.execute(
                        """UPDATE library_entries SET text_hash = ?, vector = NULL, model = NULL
                           WHERE rowid = ?""",
                        [row.text_hash, rowid],
                    )
                    conn.execute("DELETE FROM library_fts WHERE rowid = ?", [rowid])
                conn.execute(
                    "INSERT INTO library_fts (rowid, title, body) VALUES (?, ?, ?)",
                    [rowid, entry.title, row.text],
                )
            conn.execute(
                "INSERT OR REPLACE INTO library_state (key, value) VALUES (?, ?)",
                [self.FILE_HASH, file_hash],
            )
        except BaseException:
            if owns and conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if owns:
            conn.execute("COMMIT")
        return changed

    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM library_entries").fetchone()[0])

    def entries(self, ids: Sequence[str]) -> dict[str, IndexedEntry]:
        if not ids:
            return {}
        marks = ", ".join("?" for _ in ids)
        rows = self.conn.execute(f"SELECT * FROM library_entries WHERE id IN ({marks})", list(ids))
        return {row["id"]: _indexed(row) for row in rows}

    def lexical(self, query: str, k: int) -> list[tuple[str, float]]:
        """Up to ``k`` (entry id, BM25 relevance) pairs for an FTS5 query, best first."""
        rows = self.conn.execute(
            """SELECT e.id, -bm25(library_fts, 2.0, 1.0) AS relevance
               FROM library_fts JOIN library_entries e ON e.rowid = library_fts.rowid
               WHERE library_fts MATCH ? ORDER BY relevance DESC LIMIT ?""",
            [query, k],
        ).fetchall()
        return [(row[0], float(row[1])) for row in rows]

    def texts_to_embed(self, model: str, limit: int) -> list[tuple[str, str]]:
        """(entry id, text) of up to `limit` entries without a vector from `model`."""
        rows = self.conn.execute(
            """SELECT e.id, f.title, f.body FROM library_entries e
               JOIN library_fts f ON f.rowid = e.rowid
               WHERE e.vector IS NULL OR e.model IS NOT ? ORDER BY e.rowid LIMIT ?""",
            [model, limit],
        ).fetchall()
        return [(row[0], f"{row[1]}\n{row[2]}") for row in rows]

    def store_vectors(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        conn = self.conn
        owns = not conn.in_transaction
        self._write()
        for entry_id, vector in vectors.items():
            conn.execute(
                "UPDATE library_entries SET vector = ?, model = ? WHERE id = ?",
                [np.asarray(vector, dtype=np.float32).tobytes(), model, entry_id],
            )
        if owns:
            conn.execute("COMMIT")

    def vectors(self, model: str) -> tuple[list[str], np.ndarray | None]:
        """Entry ids and their vectors (one row each) embedded with `model`."""
        rows = self.conn.execute(
            "SELECT id, vector FROM library_entries WHERE vector IS NOT NULL AND model = ?",
            [model],
        ).fetchall()
        if not rows:
            return [], None
        matrix = np.stack([np.frombuffer(row[1], dtype=np.float32) for row in rows])
        return [row[0] for row in rows], matrix

    # --- private item notes ---------------------------------------------------------

    def set_item_note(self, item_id: int, text: str, updated: str) -> None:
        exists = self.conn.execute("SELECT 1 FROM items WHERE id = ?", [item_id]).fetchone()
        if exists is None:
            raise NotFound(f"no item with id {item_id}")
        conn = self.conn
        owns = not conn.in_transaction
        self._write()
        if text:
            conn.execute(
                "INSERT OR REPLACE INTO item_notes (item_id, text, updated) VALUES (?, ?, ?)",
                [item_id, text, updated],
            )
        else:
            conn.execute("DELETE FROM item_notes WHERE item_id = ?", [item_id])
        if owns:
            conn.execute("COMMIT")

    def item_note(self, item_id: int) -> ItemNote | None:
        row = self.conn.execute(
            "SELECT item_id, text, updated FROM item_notes WHERE item_id = ?", [item_id]
        ).fetchone()
        return None if row is None else ItemNote(row[0], row[1], row[2])
