"""Run radar's real CLI, but SIGKILL the process just before the Nth SQL statement of its
schema migration (counted with sqlite3's trace callback), so a test can hit every one.

    python tests/migration_killer.py KILL_AT COUNT_FILE radar-args...

KILL_AT 0 kills nothing; the number of statements the migration ran is then written to
COUNT_FILE, which is how a test learns how many kill points there are.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

import radar.store


def main(argv: Sequence[str]) -> None:
    kill_at, count_file, radar_args = int(argv[0]), Path(argv[1]), list(argv[2:])
    migrate = radar.store.migrate
    statements = 0

    def on_statement(sql: str) -> None:
        nonlocal statements
        statements += 1
        if statements == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    def traced_migrate(
        conn: sqlite3.Connection,
        steps: Sequence[radar.store.Migration] = radar.store.MIGRATIONS,
    ) -> list[str]:
        conn.set_trace_callback(on_statement)
        try:
            return migrate(conn, steps)
        finally:
            conn.set_trace_callback(None)
            count_file.write_text(str(statements), encoding="utf-8")

    radar.store.migrate = traced_migrate  # Store() looks it up at call time
    from radar.cli import main as radar_main

    radar_main(radar_args)


if __name__ == "__main__":
    main(sys.argv[1:])
