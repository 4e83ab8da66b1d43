"""`radar fetch`: fetch feeds and store new items."""

from __future__ import annotations

import logging
import time

import click

from radar.cli.common import AppContext, is_interactive, pass_app, print_json, say
from radar.cli.live import RunDisplay
from radar.cli.ops import TERMINAL_HIDES, log_options
from radar.errors import LockBusy
from radar.feeds.config import load_config
from radar.lock import WorkspaceLock
from radar.ops.logs import logging_to, resolve_target
from radar.ops.runner import CycleResult, run_cycle, summary_lines
from radar.store import Store


def say_cycle(result: CycleResult, seconds: float, *, terminal: bool | None = None) -> None:
    """The human summary of one cycle on stderr (grouped, with the whole command's time)."""
    from radar.cli.live import print_summary
    from radar.store import utc_now

    lines = summary_lines(result, seconds, utc_now())
    print_summary(lines, terminal=is_interactive() if terminal is None else terminal)


def say_failures(result: CycleResult) -> None:
    for outcome in result.failures:
        say(f"  failed: {outcome.name}: {outcome.error_kind}: {outcome.error}", err=True)


@click.command()
@click.option("--feed", "only", multiple=True, help="Fetch this feed now, due or not (repeatable).")
@click.option("--all", "all_feeds", is_flag=True, help="Fetch every feed, due or not.")
@click.option("--strict", is_flag=True, help="Exit 1 if any feed failed.")
@click.option(
    "--force",
    is_flag=True,
    help="Fetch every feed now, even those whose server asked to wait (Retry-After).",
)
@click.option("--wait", type=float, default=0.0, help="Seconds to wait for a running fetch.")
@click.option("--no-index", is_flag=True, help="Skip embedding and indexing new items.")
@click.option("--json", "as_json", is_flag=True, help="Print per-feed outcomes as JSON.")
@click.option("--verbose", "-v", is_flag=True, help="On a terminal too, log one line per feed.")
@log_options
@pass_app
def fetch(
    app: AppContext,
    only: tuple[str, ...],
    all_feeds: bool,
    strict: bool,
    force: bool,
    wait: float,
    no_index: bool,
    as_json: bool,
    verbose: bool,
    log_format: str | None,
    log_file: str | None,
) -> None:
    """Fetch the feeds that are due and store new items, then index them.

    A feed is due when its interval has passed: its own <ttl>, or its server's
    Cache-Control max-age / Expires, clamped to settings min_interval..max_interval
    (15m..1d), or its `interval:` in feeds.yaml; failures back off exponentially.
    New feeds are due at once. --all fetches every feed, --feed NAME that feed.

    On a terminal: a live display (feeds done, new items, failures; then preparing
    the search model, once, and embedding), then one summary: counts by outcome and
    error kind, failures grouped by kind, what is not due, and a hint when every
    failure has one cause. Off a terminal, and in --log-file: one log line per feed
    and one per run (--verbose gives the per-feed lines on a terminal too).

    Exit status: 0 the run completed (failed feeds are logged and recorded), 1 with
    --strict when a feed failed, 2 configuration or workspace error, 75 another run
    holds the workspace lock (try later, or --wait SECONDS).

    \b
    Examples:
      radar fetch
      radar fetch --all --log-format json
      radar fetch --feed "PyTorch blog" --strict
    """
    started = time.monotonic()
    workspace = app.workspace.require()
    config = load_config(workspace.feeds_path)
    for name in only:
        config.feed(name)
    workspace.ensure_data_dir()
    target = resolve_target(workspace, config.settings, log_format=log_format, log_file=log_file)
    terminal = is_interactive()
    hide = (frozenset({"run"}) if verbose else TERMINAL_HIDES) if terminal else frozenset()
    with logging_to(target, hide=hide):
        try:
            lock = WorkspaceLock(workspace.lock_path, wait=wait)
            lock.acquire()
        except LockBusy as exc:
            if not target.on_stderr:  # on stderr, the one-line error says it all
                logging.getLogger("radar.run").warning(
                    "not started: %s", exc, extra={"radar_event": "run"}
                )
            raise
        try:
            with Store(workspace.db_path) as store, RunDisplay(terminal) as hooks:
                result = run_cycle(
                    store,
                    workspace,
                    config,
                    only=only,
                    all_feeds=all_feeds,
                    force=force,
                    index=not no_index,
                    strict=strict,
                    progress=hooks.progress,
                    embed_progress=hooks.embed_progress,
                    stage=hooks.stage,
                )
        finally:
            lock.release()
    if as_json:
        print_json([vars(outcome) for outcome in result.summary.outcomes])
    if terminal:
        say_cycle(result, time.monotonic() - started, terminal=True)
    elif not target.on_stderr and result.exit_status:
        say_failures(result)
    if result.exit_status:
        raise click.exceptions.Exit(result.exit_status)
