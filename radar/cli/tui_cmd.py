"""`radar tui` (and `radar` with no command): the terminal UI on the workspace."""

from __future__ import annotations

import click

from radar.cli.common import AppContext, pass_app
from radar.workspace import Workspace


def run_tui(workspace: Workspace) -> None:
    """Open the TUI on a workspace; Textual is imported only now."""
    from radar.session import Session
    from radar.tui.app import RadarApp

    backend = Session(workspace.require())
    try:
        RadarApp(backend).run()
    finally:
        backend.close()


@click.command()
@pass_app
def tui(app: AppContext) -> None:
    """Browse, read, search and work the tech radar in a terminal UI.

    Keys 1-4 switch screens (News, Search, Radar, Health); ? lists every key.

    \b
    Example:
      radar -w radar-demo tui
    """
    run_tui(app.workspace)
