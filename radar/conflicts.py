"""Git conflict markers in a text file radar owns, reported as such (not as a YAML error)."""

from __future__ import annotations

import re
from pathlib import Path

from radar.errors import ConfigError

_MARKER = re.compile(r"^(<{7}|={7}|>{7}|\|{7})(?: |$)")


def check_conflict_markers(text: str, path: Path) -> None:
    """Raise ConfigError at the first line git left as a conflict marker (<<<<<<< etc.)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if _MARKER.match(line):
            raise ConfigError(
                path,
                f"unresolved git merge conflict (marker {line[:7]!r}); keep the lines you "
                "want, delete the <<<<<<< ======= >>>>>>> lines, then run radar again",
                line=number,
            )
