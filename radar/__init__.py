"""radar: a terminal knowledge and tech-radar tool for ML engineering teams."""

import sys

__version__ = "0.1.0"

# httpx imports its own command line (click, rich, pygments) whenever rich is installed,
# about 40 ms of every radar start; radar never runs httpx's CLI, and httpx gets on
# without that module (it is optional there), so it is marked as absent.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
