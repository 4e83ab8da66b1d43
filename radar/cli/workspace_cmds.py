"""`radar init`: create a workspace."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import click

from radar.cli.common import AppContext, pass_app, say
from radar.errors import WorkspaceError
from radar.workspace import Workspace


def starter_feeds_text() -> str:
    return resources.files("radar.starter").joinpath("feeds.yaml").read_text(encoding="utf-8")


@click.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@pass_app
def init(app: AppContext, directory: str | None) -> None:
    """Create a workspace: a folder with a starter feeds.yaml and data/.

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
    say(f"workspace ready at {workspace.root}; next: radar -w {workspace.root} fetch")
