"""The live display and the summary of a fetch cycle on a terminal (rich), for
`radar fetch`, `radar watch` and `radar demo`. Off a terminal nothing is drawn, and rich
is not even imported (it costs a cron run's start about 40 ms)."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

from radar.ingest import FeedOutcome
from radar.ops.runner import CycleHooks
from radar.safetext import strip_controls

FORCE_TERMINAL_VAR = "RADAR_FORCE_TERMINAL"
"""Set to 1 to treat stderr as a terminal (live display, grouped summary): for tests
and for terminals that do not say they are one."""


def stderr_is_terminal() -> bool:
    from radar.cli.common import is_interactive

    return is_interactive()


def stderr_console() -> Console:
    """A rich console on the current stderr (tests swap it), forced when asked."""
    from rich.console import Console

    forced = os.environ.get(FORCE_TERMINAL_VAR) == "1"
    return Console(stderr=True, force_terminal=True if forced else None, highlight=False)


class RunDisplay:
    """The live display of one fetch cycle on a terminal: feeds done of total, new items
    and failures so far, then preparing the model and embedding. Nothing off a terminal.

    Used as a context manager around a cycle; it gives the cycle's hooks and clears
    itself when the cycle ends, before the summary is printed.
    """

    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = stderr_is_terminal() if enabled is None else enabled
        self._progress: Progress | None = None
        self._feeds: TaskID | None = None
        self._embed: TaskID | None = None
        self._stage: TaskID | None = None
        self._new = 0
        self._failed = 0

    def __enter__(self) -> CycleHooks:
        if not self.enabled:
            return CycleHooks()
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(bar_width=30),
            MofNCompleteColumn(),
            TextColumn("{task.fields[note]}"),
            TimeElapsedColumn(),
            console=stderr_console(),
            transient=True,
            redirect_stdout=False,
            redirect_stderr=True,
        )
        self._progress.start()
        return CycleHooks(progress=self.feed_done, embed_progress=self.embedded, stage=self.stage)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def feed_done(self, outcome: FeedOutcome, done: int, total: int) -> None:
        assert self._progress is not None
        self._new += outcome.new
        self._failed += outcome.status == "error"
        note = f"{self._new} new, {self._failed} failed · {strip_controls(outcome.name)[:40]}"
        if self._feeds is None:
            self._feeds = self._progress.add_task(
                "fetching feeds", total=total, completed=done, note=note
            )
        self._progress.update(self._feeds, completed=done, total=total, note=note)

    def stage(self, text: str) -> None:
        assert self._progress is not None
        if self._stage is None:
            self._stage = self._progress.add_task(strip_controls(text), total=None, note="")
        else:
            self._progress.update(self._stage, description=strip_controls(text))

    def embedded(self, done: int, total: int) -> None:
        assert self._progress is not None
        if self._stage is not None:
            self._progress.remove_task(self._stage)
            self._stage = None
        if self._embed is None:
            self._embed = self._progress.add_task("embedding new items", total=total, note="")
        self._progress.update(self._embed, completed=done, total=total)


def print_summary(lines: list[str], *, terminal: bool) -> None:
    """The run's summary on stderr: the first line bold on a terminal, hints dimmed."""
    if not terminal:
        for line in lines:
            sys.stderr.write(strip_controls(line) + "\n")
        return
    from rich.text import Text

    console = stderr_console()
    for number, line in enumerate(lines):
        style = "bold" if number == 0 else ("yellow" if line.startswith("no feed") else None)
        console.print(Text(strip_controls(line), style=style or ""), soft_wrap=True)
