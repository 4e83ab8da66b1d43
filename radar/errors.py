"""Domain errors. Each carries the culprit so the CLI can print one clear line."""

from __future__ import annotations

from pathlib import Path


class RadarError(Exception):
    """Base class for every error radar reports to a user."""


class ConfigError(RadarError):
    """A configuration file is unreadable or invalid; names file, line and field."""

    def __init__(
        self,
        path: Path | str,
        message: str,
        *,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.line = line
        self.field = field
        self.message = message
        where = str(self.path)
        if line is not None:
            where += f":{line}"
        what = f"{field}: {message}" if field else message
        super().__init__(f"{where}: {what}")


class ConfigErrors(ConfigError):
    """Several problems found in one configuration file, all reported at once; the
    first one's line and field stand for the whole."""

    def __init__(self, errors: list[ConfigError]) -> None:
        first = errors[0]
        super().__init__(first.path, first.message, line=first.line, field=first.field)
        self.errors = errors
        lines = "\n".join(f"  {error}" for error in errors)
        self.args = (f"{first.path}: {len(errors)} problems:\n{lines}",)


def raise_all(problems: list[ConfigError]) -> None:
    """Raise the problems found (one as itself, several together); nothing if none."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise ConfigErrors(problems)


class WorkspaceError(RadarError):
    """The workspace folder is missing or unusable."""


class NotFound(RadarError):
    """A named feed, item or technology does not exist."""


class FeedError(RadarError):
    """A feed could not be fetched or parsed; `kind` is a short machine-readable label."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        self.message = message
        super().__init__(f"{kind}: {message}")


class IndexMismatch(RadarError):
    """The search index does not match the database or the configured model."""


class LockBusy(RadarError):
    """Another radar process holds the workspace lock."""
