"""`radar fetch`: fetch feeds and store new items."""

from __future__ import annotations

import click

from radar.cli.common import AppContext, pass_app, print_json, say
from radar.cli.progress import ProgressLine
from radar.feeds.config import load_config
from radar.ingest import FeedOutcome, RunSummary, run_fetch
from radar.lock import WorkspaceLock
from radar.store import Store
from radar.workspace import Workspace


def feed_progress(line: ProgressLine):  # type: ignore[no-untyped-def]
    def update(outcome: FeedOutcome, done: int, total: int) -> None:
        label = {"ok": f"+{outcome.new}", "not_modified": "304"}.get(
            outcome.status, outcome.error_kind or outcome.status
        )
        line.show(f"fetching {done}/{total}  {outcome.name[:40]}: {label}")

    return update


def index_after_fetch(store: Store, workspace: Workspace, model: str, line: ProgressLine) -> None:
    """Embed and index what the fetch brought; problems are reported, never fatal."""
    from radar.errors import IndexMismatch
    from radar.index import update_index

    try:
        stats = update_index(store, workspace, model, progress=line.counter("embedding"))
    except IndexMismatch as exc:
        say(f"search index not updated: {exc}", err=True)
        return
    finally:
        line.close()
    if stats.embedded:
        say(f"indexed {stats.embedded} new or changed items ({stats.total} in the index)", err=True)


def report(summary: RunSummary) -> None:
    for outcome in summary.outcomes:
        if outcome.status == "error":
            say(f"  failed: {outcome.name}: {outcome.error_kind}: {outcome.error}", err=True)
        elif outcome.problem:
            say(f"  warning: {outcome.name}: feed is malformed ({outcome.problem[:120]})", err=True)
        if outcome.moved_to:
            say(f"  moved: {outcome.name} → {outcome.moved_to} (feeds.yaml updated)", err=True)
    say(summary.line(), err=True)


@click.command()
@click.option("--feed", "only", multiple=True, help="Fetch only this feed (repeatable).")
@click.option("--strict", is_flag=True, help="Exit non-zero if any feed failed.")
@click.option("--force", is_flag=True, help="Ignore a server's Retry-After and fetch anyway.")
@click.option("--wait", type=float, default=0.0, help="Seconds to wait for a running fetch.")
@click.option("--no-index", is_flag=True, help="Skip embedding and indexing new items.")
@click.option("--json", "as_json", is_flag=True, help="Print per-feed outcomes as JSON.")
@pass_app
def fetch(
    app: AppContext,
    only: tuple[str, ...],
    strict: bool,
    force: bool,
    wait: float,
    no_index: bool,
    as_json: bool,
) -> None:
    """Fetch every feed in feeds.yaml concurrently and store new items.

    Exit status is 0 when the run completed, even if some feeds failed (they are
    reported and recorded in `radar feeds status`); use --strict to fail instead.

    \b
    Examples:
      radar fetch
      radar fetch --feed "PyTorch blog" --strict
    """
    workspace = app.workspace.require()
    config = load_config(workspace.feeds_path)
    for name in only:
        config.feed(name)
    workspace.ensure_data_dir()
    line = ProgressLine()
    with WorkspaceLock(workspace.lock_path, wait=wait), Store(workspace.db_path) as store:
        try:
            summary = run_fetch(
                store, config, only=only or None, force=force, progress=feed_progress(line)
            )
        finally:
            line.close()
        if not no_index:
            index_after_fetch(store, workspace, config.settings.model, line)
    if as_json:
        print_json([vars(outcome) for outcome in summary.outcomes])
    report(summary)
    if strict and summary.count("error"):
        raise click.exceptions.Exit(1)
