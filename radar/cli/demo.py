"""`radar demo`: the main job, end to end, on bundled offline data."""

from __future__ import annotations

import time
from pathlib import Path

import click

from radar.cli.common import is_interactive, print_table, say
from radar.cli.fetch import say_cycle
from radar.cli.live import RunDisplay
from radar.cli.ops import TERMINAL_HIDES
from radar.dates import item_day
from radar.demo import DemoDates, demo_data_dir, prepare_workspace, serve_directory
from radar.feeds.config import load_config
from radar.lock import WorkspaceLock
from radar.ops.logs import LogTarget, logging_to
from radar.ops.runner import run_cycle
from radar.store import ItemFilter, Store
from radar.workspace import Workspace

DEMO_QUERIES = (
    "how do LLM servers avoid running out of GPU memory",
    "compressing model weights to 4 bits",
    "noticing when production data stops looking like the training set",
)


def _heading(text: str) -> None:
    say()
    say(f"== {text} ==")


def _show_searches(workspace: Workspace, store: Store, model: str) -> None:
    from radar.errors import RadarError
    from radar.search import Searcher

    searcher = Searcher(workspace, store, model)
    for query in DEMO_QUERIES:
        say(f'radar search "{query}"')
        try:
            result = searcher.search(query, limit=3)
        except RadarError as exc:
            say(f"  (search unavailable: {exc})")
            continue
        for hit in result.hits:
            say(f"  {hit.id:>4}  {item_day(hit.published, hit.first_seen):15}  {hit.title[:90]}")


def _show_radar(workspace: Workspace) -> None:
    from radar.techradar import load_workspace_radar, render_text

    if not workspace.techradar_path.exists():
        return
    _heading("the team's tech radar (data/techradar.yaml)")
    say(render_text(load_workspace_radar(workspace)))


def write_digests(workspace: Workspace, week: str) -> None:
    """Write the digest of `week` (the demo's busiest) in every format into the
    workspace, and say where."""
    from radar.cli.digest_cmd import write_output
    from radar.digest import FORMATS, iso_week, render_digest, workspace_digest

    _heading(f"weekly digest of {week} (radar digest --week {week})")
    digest = workspace_digest(workspace, iso_week(week))
    for fmt in FORMATS:
        path = workspace.root / f"digest-{week}.{fmt}"
        write_output(render_digest(digest, fmt), str(path))
        say(f"wrote {path}")


@click.command()
@click.argument("directory", default="radar-demo", type=click.Path(file_okay=False))
def demo(directory: str) -> None:
    """Build a demo workspace in DIRECTORY (default ./radar-demo) from the bundled
    offline feeds, served on 127.0.0.1 through the real fetch path, index it for
    semantic search, and show what radar does with it.

    The bundled items are moved by whole weeks so the demo's busiest week is the
    last complete one: `radar digest` with no arguments shows it. Running it again
    refreshes the same workspace (nothing is duplicated).

    \b
    Example:
      radar demo && radar -w radar-demo search "paged attention"
    """
    from radar.techradar import today_utc

    started = time.monotonic()
    source = demo_data_dir()
    dates = DemoDates(today_utc())
    terminal = is_interactive()
    target = LogTarget()  # warnings on stderr; the display and summary show the rest
    # Off a terminal the summary still follows, but "preparing the model" is said as it starts.
    hide = TERMINAL_HIDES if terminal else TERMINAL_HIDES - {"model"}
    with logging_to(target, hide=hide), serve_directory(source, shift=dates.shift) as port:
        workspace = prepare_workspace(Path(directory), port, dates.shift)
        config = load_config(workspace.feeds_path)
        say(f"demo workspace: {workspace.root}")
        say(f"serving {len(config.feeds)} demo feeds from {source} on 127.0.0.1:{port}")
        with WorkspaceLock(workspace.lock_path), Store(workspace.db_path) as store:
            with RunDisplay(terminal) as hooks:
                cycle = run_cycle(
                    store,
                    workspace,
                    config,
                    trigger="demo",
                    all_feeds=True,
                    progress=hooks.progress,
                    embed_progress=hooks.embed_progress,
                    stage=hooks.stage,
                )
            say_cycle(cycle, time.monotonic() - started, terminal=terminal)
            feed_rows = store.feed_status()
            latest = store.list_items(ItemFilter(), limit=8)
            total = store.item_count()
            _heading(f"{total} stored items from {len(feed_rows)} feeds")
            print_table(feed_rows, ["name", "kind", "last_status", "item_count"])
            _heading("latest items")
            print_table(
                [
                    {
                        "id": row["id"],
                        "date": item_day(row["published"], row["first_seen"]),
                        "feed": row["feed"],
                        "title": row["title"],
                    }
                    for row in latest
                ],
                ["id", "date", "feed", "title"],
            )
            _heading("semantic search (by meaning, not just words)")
            _show_searches(workspace, store, config.settings.model)
    _show_radar(workspace)
    _heading("next")
    say(f'radar -w {directory} search "serving LLMs with paged attention"')
    say(f"radar -w {directory} items list --since {dates.busiest_week_monday}")
    say(f"radar -w {directory} tech list")
    say(f"radar -w {directory} digest            # the last complete week ({dates.busiest_week})")
    say(f"radar -w {directory} tui")
    write_digests(workspace, dates.busiest_week)
