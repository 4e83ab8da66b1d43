"""`radar init`: create a workspace."""

from __future__ import annotations

import time
from importlib import resources
from pathlib import Path

import click

from radar.cli.common import AppContext, is_interactive, pass_app, say
from radar.errors import RadarError, WorkspaceError
from radar.workspace import Workspace


def starter_feeds_text() -> str:
    return resources.files("radar.starter").joinpath("feeds.yaml").read_text(encoding="utf-8")


def prepare_model(workspace: Workspace) -> None:
    """Export the configured search model once per machine, saying so while it runs;
    a model that cannot be prepared is reported, and the workspace stays usable."""
    from radar.embed import ModelError, export_in_child, find_export
    from radar.feeds.config import load_config

    try:
        model = load_config(workspace.feeds_path).settings.model
    except RadarError as exc:
        say(f"search model not prepared: {exc}", err=True)
        return
    cache = workspace.models_dir
    if find_export(cache, model) is not None:
        say(f"search model {model} ready (prepared earlier in {cache})")
        return
    started = time.monotonic()
    text = f"preparing the search model {model} in {cache} (once per machine, ~15 s)"
    try:
        if is_interactive():
            from radar.cli.live import stderr_console

            with stderr_console().status(text):
                export_in_child(model, cache)
        else:
            say(text + "…", err=True)
            export_in_child(model, cache)
    except ModelError as exc:
        say(f"search model not prepared: {exc}", err=True)
        return
    say(f"search model {model} ready ({time.monotonic() - started:.1f} s, kept in {cache})")


@click.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option(
    "--no-model",
    is_flag=True,
    help="Do not prepare the search model now (the first fetch with items does it).",
)
@pass_app
def init(app: AppContext, directory: str | None, no_model: bool) -> None:
    """Create a workspace: a folder with a starter feeds.yaml and data/, and prepare
    the search model (its ONNX export, ~15 s once per machine, shared by every
    workspace through ~/.cache/radar/models or $RADAR_MODEL_CACHE).

    DIRECTORY defaults to the chosen workspace (--workspace, $RADAR_HOME or cwd).
    An existing feeds.yaml is never overwritten.

    \b
    Example:
      radar init ~/team-radar && cd ~/team-radar && radar fetch
    """
    workspace = Workspace(Path(directory).expanduser().resolve()) if directory else app.workspace
    if workspace.root.exists() and not workspace.root.is_dir():
        raise WorkspaceError(f"{workspace.root} exists and is not a folder")
    workspace.root.mkdir(parents=True, exist_ok=True)
    workspace.ensure_data_dir()
    if workspace.feeds_path.exists():
        say(f"{workspace.feeds_path} already exists; left as it is")
    else:
        workspace.feeds_path.write_text(starter_feeds_text(), encoding="utf-8")
        say(f"created {workspace.feeds_path}")
    if not no_model:
        prepare_model(workspace)
    say(f"workspace ready at {workspace.root}; next: radar -w {workspace.root} fetch")
