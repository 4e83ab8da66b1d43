"""Finding a feed, tag or other named thing from what a person typed.

``--feed pytorch`` finds "PyTorch blog": names match exactly, else ignoring case, else
on a unique prefix. When nothing matches, the error names the closest names (and all
of them when there are few), so a typo is one look away from the fix.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from radar.errors import NotFound

LISTED_ALL = 12
"""Up to this many names, an error lists every one of them."""


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(repr(name) for name in names)


def resolve_name(given: str, candidates: Iterable[str], what: str) -> str:
    """The one candidate `given` names: exactly, else case-insensitively, else the only
    one starting with it (ignoring case). NotFound otherwise, naming what exists."""
    names = list(dict.fromkeys(candidates))
    if given in names:
        return given
    folded = given.casefold().strip()
    for matches in (
        [name for name in names if name.casefold() == folded],
        [name for name in names if name.casefold().startswith(folded)] if folded else [],
    ):
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise NotFound(
                f"{what} {given!r} matches {len(matches)} {what}s: {_quoted(matches)}; "
                "give more of the name"
            )
    raise NotFound(not_found_message(given, names, what))


def not_found_message(given: str, names: list[str], what: str) -> str:
    """'no feed named 'x'' with the closest names and, when there are few, all of them."""
    if not names:
        return f"no {what} named {given!r}: there are no {what}s yet"
    by_fold = {name.casefold(): name for name in names}
    close = difflib.get_close_matches(given.casefold(), list(by_fold), n=3, cutoff=0.5)
    close += [
        key for key in by_fold if given.casefold() in key and key not in close and len(close) < 3
    ]
    message = f"no {what} named {given!r}"
    if close:
        message += f"; did you mean {_quoted(by_fold[key] for key in close)}?"
    if len(names) <= LISTED_ALL:
        message += f" ({what}s: {_quoted(sorted(names, key=str.casefold))})"
    else:
        message += f" ({len(names)} {what}s exist)"
    return message
