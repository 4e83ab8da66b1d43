"""`radar watch`, `radar runs` and `radar doctor`: running unattended and checking on it."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

from radar.cli.common import (
    AppContext,
    CommandFunction,
    is_interactive,
    pass_app,
    print_json,
    print_table,
    say,
)
from radar.feeds.config import LOG_FORMATS, load_config, parse_duration, parse_size
from radar.ops.logs import logging_to, resolve_target
from radar.store import Store

if TYPE_CHECKING:
    from radar.ops.runner import CycleHooks, CycleResult

TERMINAL_HIDES = frozenset({"feed", "run", "index", "model"})
"""On a terminal the live display and the summary show these events; the log file and
--verbose keep one line per feed."""


class Duration(click.ParamType[float]):
    name = "duration"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, float):
            return value
        try:
            return parse_duration(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class Size(click.ParamType[int]):
    name = "size"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            return parse_size(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def log_options(command: CommandFunction) -> CommandFunction:
    """--log-format and --log-file, shared by fetch and watch."""
    command = click.option(
        "--log-file",
        metavar="PATH",
        help="Append logs to PATH (rotated at 5 MiB) instead of stderr. "
        "Default: settings.log_file.",
    )(command)
    return click.option(
        "--log-format",
        type=click.Choice(LOG_FORMATS),
        help="human (default) or json: one JSON object per line. Default: settings.log_format.",
    )(command)


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """systemd stops a service with SIGTERM: end the loop as cleanly as on Ctrl-C.

    SIGINT is set explicitly too: a process started in the background by a
    non-interactive shell inherits SIGINT as ignored, and Python keeps it so.
    """

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    try:
        previous_term = signal.signal(signal.SIGTERM, interrupt)
        previous_int = signal.signal(signal.SIGINT, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous_term)
        signal.signal(signal.SIGINT, previous_int)


@click.command()
@click.option(
    "--every",
    type=Duration(),
    help="Longest sleep between cycles, e.g. 15m (default: settings.min_interval).",
)
@click.option("--once", is_flag=True, help="Run one cycle and exit.")
@click.option("--iterations", type=click.IntRange(min=1), help="Stop after N cycles.")
@click.option("--no-index", is_flag=True, help="Skip embedding and indexing new items.")
@click.option("--verbose", "-v", is_flag=True, help="On a terminal too, log one line per feed.")
@log_options
@pass_app
def watch(
    app: AppContext,
    every: float | None,
    once: bool,
    iterations: int | None,
    no_index: bool,
    verbose: bool,
    log_format: str | None,
    log_file: str | None,
) -> None:
    """Fetch due feeds, index them, sleep until the next feed is due; repeat.

    For machines without cron or systemd timers. Each cycle is one `radar fetch`
    (recorded in `radar runs`); it sleeps until the earliest feed is due, at most
    --every. feeds.yaml is re-read every cycle. A cycle that finds another run
    holding the workspace lock is skipped. Ctrl-C (or SIGTERM) stops it; exit 0.
    On a terminal each cycle shows the live display and ends with its summary, as
    `radar fetch` does; off a terminal it logs one line per feed and per cycle.

    \b
    Examples:
      radar watch
      radar watch --every 30m --log-file ~/radar.log
    """
    from radar.ops.runner import WatchOptions
    from radar.ops.runner import watch as watch_loop

    workspace = app.workspace.require()
    config = load_config(workspace.feeds_path)
    workspace.ensure_data_dir()
    target = resolve_target(workspace, config.settings, log_format=log_format, log_file=log_file)
    terminal = is_interactive()
    options = WatchOptions(
        every=every,
        iterations=1 if once else iterations,
        index=not no_index,
        display=_cycle_display if terminal else None,
    )
    hide = (frozenset({"run"}) if verbose else TERMINAL_HIDES) if terminal else frozenset()
    with logging_to(target, hide=hide), _sigterm_as_interrupt():
        try:
            watch_loop(workspace, options)
        except KeyboardInterrupt:
            say("watch stopped", err=True)


@contextmanager
def _cycle_display() -> Iterator[CycleHooks]:
    """One watch cycle on a terminal: the live display, then the cycle's summary."""
    from radar.cli.fetch import say_cycle
    from radar.cli.live import RunDisplay

    started = time.monotonic()
    results: list[CycleResult] = []
    with RunDisplay(True) as hooks:
        hooks.finished = results.append
        yield hooks
    for result in results:
        say_cycle(result, time.monotonic() - started, terminal=True)


@click.command()
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_app
def runs(app: AppContext, limit: int, as_json: bool) -> None:
    """The latest fetch runs, newest first: when, feeds ok / 304 / failed, new items.

    A run's status is ok (every feed it tried was fetched), partial (some failed),
    failed (every feed it tried failed, or the run broke off) or nothing due (it
    tried no feed, which says nothing about health).

    \b
    Example:
      radar runs --limit 5
    """
    from radar.ops.history import list_runs

    workspace = app.workspace.require()
    with Store(workspace.db_path) as store:
        rows = list_runs(store, limit)
    if as_json:
        print_json(rows)
        return
    if not rows:
        say("no fetch runs yet: `radar fetch` makes the first one", err=True)
        return
    for row in rows:
        row["status"] = (row["status"].upper() if row["status"] == "failed" else row["status"]) + (
            f" ({row['exit_status']})" if row["exit_status"] else ""
        )
        row["feeds"] = f"{row['feeds_ok']}/{row['feeds_not_modified']}/{row['feeds_failed']}" + (
            f" +{row['feeds_not_due']} not due" if row["feeds_not_due"] else ""
        )
        row["seconds"] = f"{row['duration_s']:.1f}"
    print_table(
        rows,
        [
            "id",
            "started",
            "trigger",
            "status",
            "feeds",
            "items_new",
            "items_embedded",
            "seconds",
            "notes",
        ],
    )
    if rows:
        say("feeds: ok/not modified/failed", err=True)


LABEL = {"ok": "OK", "warn": "WARN", "fail": "FAIL"}


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--prometheus",
    is_flag=True,
    help="Print the figures as Prometheus text (for node_exporter's textfile collector); "
    "exits 0 whenever the report was made.",
)
@click.option(
    "--max-feed-errors",
    type=click.IntRange(min=1),
    help="Failing after more consecutive errors than this (3).",
)
@click.option(
    "--stale-after", type=Duration(), help="Stale without a new item for this long (30d)."
)
@click.option(
    "--run-warn-after", type=Duration(), help="Warn when the last good run is older (2d)."
)
@click.option(
    "--run-fail-after", type=Duration(), help="Fail when the last good run is older (7d)."
)
@click.option(
    "--volume-drop",
    type=click.FloatRange(min=0, max=1, min_open=True, max_open=True),
    help="Warn when this week's items fall below this fraction of the 4-week average (0.5).",
)
@click.option("--min-free-disk", type=Size(), help="Warn below this much free disk, e.g. 1GiB.")
@pass_app
def doctor(app: AppContext, /, as_json: bool, prometheus: bool, **overrides: Any) -> None:
    """Check the pipeline's health: one line per check, OK, WARN or FAIL.

    The first line is the verdict and what to do first. Checks: failing feeds
    (gone, never succeeded, or more than 3 failed fetches in a row), stale feeds (no
    new item in 30 days), the last run that fetched any feed (warn after 2 days, fail
    after 7 or when no feed ever succeeded) and whether the latest run had failures,
    items first seen this week against the 4-week average, the search index against
    the database, the embedding model (found on disk, in step with the index), the
    database, free disk space in data/. Thresholds come from `settings: doctor:` in
    feeds.yaml or these options.

    Exit status: 2 failing (no feed fetched successfully within run_fail_after, a new
    workspace included; a broken index, model or database), 1 warnings (failing feeds,
    a latest run with failures, stale feeds, ...), 0 healthy.

    \b
    Examples:
      radar doctor
      radar doctor --json | jq '.checks[] | select(.status != "ok")'
      radar doctor --prometheus > /var/lib/node_exporter/radar.prom.tmp
    """
    from radar.ops.doctor import diagnose

    workspace = app.workspace.require()
    config = load_config(workspace.feeds_path)
    chosen = {key: value for key, value in overrides.items() if value is not None}
    thresholds = replace(config.settings.doctor, **chosen)
    with Store(workspace.db_path) as store:
        report = diagnose(workspace, config, store, thresholds=thresholds)
    if prometheus:
        from radar.ops.prometheus import render

        click.echo(render(report), nl=False)
        return
    if as_json:
        print_json(report.as_dict())
    else:
        say(report.headline)
        width = max(len(check.name) for check in report.checks)
        for check in report.checks:
            line = f"{LABEL[check.status]:<4}  {check.name:<{width}}  {check.summary}"
            if check.hint and check.status != "ok":
                line += f" → {check.hint}"
            say(line)
        verdict = {"ok": "healthy", "warn": "warnings", "fail": "failing"}[report.status]
        say(f"{verdict} (exit {report.exit_status})", err=True)
    if report.exit_status:
        raise click.exceptions.Exit(report.exit_status)
