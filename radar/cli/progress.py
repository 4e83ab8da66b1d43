"""A one-line progress display on stderr, shown only on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable

from radar.safetext import strip_controls


class ProgressLine:
    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._shown = False

    def show(self, text: str) -> None:
        if not self.enabled:
            return
        sys.stderr.write("\r\x1b[2K" + strip_controls(text)[:200])
        sys.stderr.flush()
        self._shown = True

    def counter(self, label: str) -> Callable[[int, int], None]:
        """A (done, total) callback showing `label done/total`."""

        def update(done: int, total: int) -> None:
            self.show(f"{label} {done}/{total}")

        return update

    def close(self) -> None:
        if self._shown:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()
            self._shown = False
