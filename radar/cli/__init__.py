"""The `radar` command line. Command groups live in sibling modules, loaded on use
so that `radar --help` and quick commands never pay for heavy imports."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from radar import __version__
from radar.cli.common import AppContext
from radar.errors import LockBusy, RadarError
from radar.workspace import resolve

# command name -> "module:attribute"; modules are imported only when needed.
COMMANDS: dict[str, str] = {
    "init": "radar.cli.workspace_cmds:init",
    "demo": "radar.cli.demo:demo",
    "fetch": "radar.cli.fetch:fetch",
    "feeds": "radar.cli.feeds:feeds",
    "items": "radar.cli.items:items",
    "tech": "radar.cli.tech:tech",
    "search": "radar.cli.search_cmds:search",
    "similar": "radar.cli.search_cmds:similar",
    "index": "radar.cli.search_cmds:index",
    "tui": "radar.cli.tui_cmd:tui",
    "watch": "radar.cli.ops:watch",
    "runs": "radar.cli.ops:runs",
    "doctor": "radar.cli.ops:doctor",
    "digest": "radar.cli.digest_cmd:digest",
    "usage": "radar.cli.usage:usage",
    "library": "radar.cli.library:library",
    "alerts": "radar.cli.alerts:alerts",
}

# One-line help shown by `radar --help` without importing the modules.
SHORT_HELP: dict[str, str] = {
    "init": "Create a new workspace with a starter feeds.yaml.",
    "demo": "Run radar end to end on the bundled offline demo data.",
    "fetch": "Fetch the feeds that are due, store and index new items.",
    "feeds": "Add, remove, list, import and export feeds.",
    "items": "List, show and mark stored items.",
    "tech": "The team's tech radar: technologies, rings, history, evidence.",
    "search": "Find items by meaning and words (hybrid), with filters.",
    "similar": "More like this: items closest in meaning to one item.",
    "index": "Status, verify and rebuild of the semantic search index.",
    "tui": "The terminal UI (also what `radar` with no command opens).",
    "watch": "Fetch due feeds in a loop, in the foreground (without cron).",
    "runs": "The history of fetch runs: when, what came in, what failed.",
    "doctor": "Pipeline health: feeds, runs, volume, index, disk (exit 0/1/2).",
    "digest": "The weekly digest around the team's radar, as Markdown, HTML or JSON.",
    "usage": "Radar vs. reality: scan repositories' manifests, report verdicts.",
    "library": "The team library: learning resources and why they matter (data/library.yaml).",
    "alerts": "Release alerts sent for technologies in watched rings.",
}


class DomainFailure(click.ClickException):
    """A RadarError on its way out: one line on stderr, exit status 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        from radar.safetext import strip_controls

        click.echo(f"radar: error: {strip_controls(self.message)}", err=True)


class BusyFailure(DomainFailure):
    """Another run holds the workspace lock: exit 75 (EX_TEMPFAIL), so cron can tell."""

    exit_code = 75


class LazyGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LockBusy as exc:
            raise BusyFailure(str(exc)) from exc
        except RadarError as exc:
            raise DomainFailure(str(exc)) from exc

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        return getattr(importlib.import_module(module_name), attribute)  # type: ignore[no-any-return]

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, SHORT_HELP.get(name, "")) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(
    cls=LazyGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--workspace",
    "-w",
    "workspace_dir",
    type=click.Path(file_okay=False),
    envvar="RADAR_HOME",
    help="Workspace folder (holds feeds.yaml and data/). Default: $RADAR_HOME, else cwd.",
)
@click.version_option(__version__, prog_name="radar")
@click.pass_context
def cli(ctx: click.Context, workspace_dir: str | None) -> None:
    """radar: ML news, semantic search and your team's tech radar, in the terminal.

    \b
    Examples:
      radar demo                      # try it on bundled offline data
      radar init ~/team-radar         # start a workspace
      radar -w ~/team-radar fetch     # fetch every feed in feeds.yaml
      radar -w ~/team-radar           # open the terminal UI
    """
    ctx.obj = AppContext(resolve(workspace_dir))
    if ctx.invoked_subcommand is None:
        from radar.cli.tui_cmd import run_tui

        run_tui(ctx.obj.workspace)


def main(argv: list[str] | None = None) -> Any:
    """Console entry point: run the CLI and turn domain errors into one-line messages."""
    try:
        result = cli.main(args=argv, prog_name="radar", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    sys.exit(result if isinstance(result, int) else 0)
