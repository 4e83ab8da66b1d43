"""Where fetch and watch logs go and how they look: one line per event.

Domain modules log on ``radar.*`` loggers with two extras: ``radar_event`` (feed,
index, run, watch) and ``radar_fields`` (the event's figures). This module attaches
one handler to the ``radar`` logger for the duration of a command: human lines or
JSON lines, on stderr or in a rotating file.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TextIO

from radar.errors import ConfigError
from radar.feeds.config import LOG_FORMATS, Settings
from radar.safetext import strip_controls
from radar.workspace import Workspace

LOG_FILE_BYTES = 5 * 1024 * 1024
LOG_FILE_BACKUPS = 5


def _event(record: logging.LogRecord) -> str:
    return str(getattr(record, "radar_event", None) or record.name.removeprefix("radar."))


def _one_line(text: str) -> str:
    return " ".join(strip_controls(text).split())


class HumanFormatter(logging.Formatter):
    """``2026-11-26 07:00:01 INFO feed: PyTorch blog: HTTP 200, ...`` in local time."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created).astimezone().strftime("%Y-%m-%d %H:%M:%S")
        text = f"{when} {record.levelname} {_event(record)}: {record.getMessage()}"
        if record.exc_info:
            text += " | " + self.formatException(record.exc_info)
        return _one_line(text)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts (UTC), level, event, message, then the event's fields."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        data: dict[str, object] = {
            "ts": moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z",
            "level": record.levelname.lower(),
            "event": _event(record),
            "message": record.getMessage(),
        }
        fields = getattr(record, "radar_fields", None)
        if isinstance(fields, dict):
            data.update(fields)
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


@dataclass(frozen=True)
class LogTarget:
    """Where logs go: ``path`` (a rotating file) or stderr when None; in which format."""

    format: str = "human"
    path: Path | None = None

    @property
    def on_stderr(self) -> bool:
        return self.path is None


def resolve_target(
    workspace: Workspace,
    settings: Settings,
    *,
    log_format: str | None = None,
    log_file: str | None = None,
) -> LogTarget:
    """Command-line choices win over ``settings.log_format``/``settings.log_file``.

    A path given on the command line is taken as typed (relative to the current
    folder); one from feeds.yaml is relative to the workspace.
    """
    chosen_format = log_format or settings.log_format
    if chosen_format not in LOG_FORMATS:
        raise ConfigError(workspace.feeds_path, f"unknown log format {chosen_format!r}")
    path: Path | None = None
    if log_file:
        path = Path(log_file).expanduser()
    elif settings.log_file:
        path = Path(settings.log_file).expanduser()
        if not path.is_absolute():
            path = workspace.root / path
    return LogTarget(format=chosen_format, path=path)


class _CurrentStderr:
    """Whatever ``sys.stderr`` is when a line is written: a live display that redirects
    stderr above itself then keeps log lines from tearing through it."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


class _WithoutEvents(logging.Filter):
    """Drops the events a display shows another way (per-feed lines on a terminal)."""

    def __init__(self, events: frozenset[str]) -> None:
        super().__init__()
        self.events = events

    def filter(self, record: logging.LogRecord) -> bool:
        return _event(record) not in self.events


@contextmanager
def logging_to(
    target: LogTarget, stream: TextIO | None = None, *, hide: Iterable[str] = ()
) -> Iterator[LogTarget]:
    """Send ``radar.*`` events at INFO and above to the target while the block runs,
    once each: they do not also reach the root logger (a library that configured
    logging at import would otherwise print every line a second time in its format).

    ``hide`` names events left out of the target (the CLI's live display and summary
    show them on a terminal instead); a log file always gets every event.
    """
    handler: logging.Handler
    if target.path is not None:
        try:
            target.path.parent.mkdir(parents=True, exist_ok=True)
            handler = RotatingFileHandler(
                target.path,
                maxBytes=LOG_FILE_BYTES,
                backupCount=LOG_FILE_BACKUPS,
                encoding="utf-8",
            )
        except OSError as exc:
            raise ConfigError(target.path, f"cannot open log file: {exc}") from None
    else:
        handler = logging.StreamHandler(stream or _CurrentStderr())
    handler.setFormatter(JsonFormatter() if target.format == "json" else HumanFormatter())
    handler.setLevel(logging.INFO)
    hidden = frozenset(hide)
    if hidden and target.path is None:
        handler.addFilter(_WithoutEvents(hidden))
    logger = logging.getLogger("radar")
    previous_level, previous_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield target
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
        logger.propagate = previous_propagate
        handler.close()
