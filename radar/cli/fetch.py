"""`radar fetch`: fetch feeds and store new items."""

from __future__ import annotations

import logging

import click

from radar.cli.common import AppContext, is_interactive, pass_app, print_json, say
from radar.cli.ops import log_options
from radar.cli.progress import ProgressLine
from radar.errors import LockBusy
from radar.feeds.config import load_config
from radar.ingest import FeedOutcome, RunSummary
from radar.lock import WorkspaceLock
from radar.ops.logs import logging_to, resolve_target
from radar.ops.runner import CycleResult, run_cycle
from radar.store import Store


def feed_progress(line: ProgressLine):  # type: ignore[no-untyped-def]
    def update(outcome: FeedOutcome, done: int, total: int) -> None:
        label = {"ok": f"+{outcome.new}", "not_modified": "304"}.get(
            outcome.status, outcome.error_kind or outcome.status
        )
        line.show(f"fetching {done}/{total}  {outcome.name[:40]}: {label}")

    return update


def report(summary: RunSummary) -> None:
    for outcome in summary.outcomes:
        if outcome.status == "error":
            say(f"  failed: {outcome.name}: {outcome.error_kind}: {outcome.error}", err=True)
        elif outcome.problem:
            say(f"  warning: {outcome.name}: feed is malformed ({outcome.problem[:120]})", err=True)
        if outcome.moved_to:
            say(f"  moved: {outcome.name} → {outcome.moved_to} (feeds.yaml updated)", err=True)
    say(summary.line(), err=True)


def closing_counter(line: ProgressLine, label: str):  # type: ignore[no-untyped-def]
    """A (done, total) progress display that clears itself when done, before log lines."""
    show = line.counter(label)

    def update(done: int, total: int) -> None:
        show(done, total)
        if done >= total:
            line.close()

    return update


def say_cycle(result: CycleResult, *, failures_only: bool = False) -> None:
    """The human report of one cycle, for when the log lines go elsewhere."""
    if failures_only:
        for outcome in result.summary.outcomes:
            if outcome.status == "error":
                say(f"  failed: {outcome.name}: {outcome.error_kind}: {outcome.error}", err=True)
        return
    report(result.summary)
    if result.index_error:
        say(f"search index not updated: {result.index_error}", err=True)
    elif result.embedded:
        say(
            f"indexed {result.embedded} new or changed items ({result.indexed_total} in the index)",
            err=True,
        )


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
    log_format: str | None,
    log_file: str | None,
) -> None:
    """Fetch the feeds that are due and store new items, then index them.

    A feed is due when its interval has passed: its own <ttl>, or its server's
    Cache-Control max-age / Expires, clamped to settings min_interval..max_interval
    (15m..1d), or its `interval:` in feeds.yaml; failures back off exponentially.
    New feeds are due at once. --all fetches every feed, --feed NAME that feed.

    Logs one line per feed and one per run on stderr (or --log-file). Exit status:
    0 the run completed (failed feeds are logged and recorded), 1 with --strict when
    a feed failed, 2 configuration or workspace error, 75 another run holds the
    workspace lock (try later, or --wait SECONDS).

    \b
    Examples:
      radar fetch
      radar fetch --all --log-format json
      radar fetch --feed "PyTorch blog" --strict
    """
    workspace = app.workspace.require()
    config = load_config(workspace.feeds_path)
    for name in only:
        config.feed(name)
    workspace.ensure_data_dir()
    target = resolve_target(workspace, config.settings, log_format=log_format, log_file=log_file)
    interactive = is_interactive()
    # With logs on stderr the per-feed log lines are the progress display.
    feed_line = ProgressLine(enabled=interactive and not target.on_stderr)
    embed_line = ProgressLine(enabled=interactive)
    with logging_to(target):
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
            with Store(workspace.db_path) as store:
                result = run_cycle(
                    store,
                    workspace,
                    config,
                    only=only,
                    all_feeds=all_feeds,
                    force=force,
                    index=not no_index,
                    strict=strict,
                    progress=feed_progress(feed_line),
                    embed_progress=closing_counter(embed_line, "embedding"),
                )
        finally:
            feed_line.close()
            embed_line.close()
            lock.release()
    if as_json:
        print_json([vars(outcome) for outcome in result.summary.outcomes])
    if not target.on_stderr:
        if interactive:
            say_cycle(result)
        elif result.exit_status:
            say_cycle(result, failures_only=True)
    if result.exit_status:
        raise click.exceptions.Exit(result.exit_status)
