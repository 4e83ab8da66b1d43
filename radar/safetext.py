"""Make untrusted text (from feeds) safe to show in a terminal or a Textual widget."""

from __future__ import annotations

import re

# ESC-introduced sequences (CSI, OSC, DCS, ...), then any remaining C0/C1 control
# character except tab and newline.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|.)?"
    r"|[\x9b\x9d][^\x07\x1b\x9c]*[\x07\x9c]?",
    re.DOTALL,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_controls(text: str) -> str:
    """Remove terminal escape sequences and control characters, keeping \\n and \\t."""
    if not text:
        return text
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))


def terminal_safe(text: str) -> str:
    """Text printed by the CLI: control characters and escape sequences removed."""
    return strip_controls(text)
