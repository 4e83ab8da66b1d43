"""`radar demo`: the main job, end to end, on bundled offline data."""

from __future__ import annotations

from pathlib import Path

import click

from radar.cli.common import print_table, say
from radar.cli.fetch import report
from radar.demo import demo_data_dir, prepare_workspace, serve_directory
from radar.feeds.config import load_config
from radar.ingest import run_fetch
from radar.lock import WorkspaceLock
from radar.store import ItemFilter, Store


@click.command()
@click.argument("directory", default="radar-demo", type=click.Path(file_okay=False))
def demo(directory: str) -> None:
    """Build a demo workspace in DIRECTORY (default ./radar-demo) from the bundled
    offline feeds, served on 127.0.0.1 through the real fetch path, and show it.

    Running it again refreshes the same workspace (nothing is duplicated).

    \b
    Example:
      radar demo && radar -w radar-demo items list --since 2026-11-16
    """
    source = demo_data_dir()
    with serve_directory(source) as port:
        workspace = prepare_workspace(Path(directory), port)
        config = load_config(workspace.feeds_path)
        say(f"demo workspace: {workspace.root}")
        say(f"serving {len(config.feeds)} demo feeds from {source} on 127.0.0.1:{port}")
        with WorkspaceLock(workspace.lock_path), Store(workspace.db_path) as store:
            summary = run_fetch(store, config)
            report(summary)
            feed_rows = store.feed_status()
            latest = store.list_items(ItemFilter(), limit=10)
            total = store.item_count()
    say()
    say(f"stored items: {total}")
    print_table(feed_rows, ["name", "kind", "last_status", "item_count"])
    say()
    say("latest items:")
    for row in latest:
        row["date"] = (row["published"] or row["first_seen"])[:10]
    print_table(latest, ["id", "date", "feed", "title"])
    say()
    say(f"next: radar -w {directory} items list --since 2026-11-16")
