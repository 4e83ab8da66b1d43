"""feeds.yaml: the team's list of subscriptions and settings.

Reading validates everything and reports the file, line and field of every
problem it finds, all in one go. Writing goes through ruamel.yaml so comments and
layout survive, and is atomic: the old file stays intact if anything fails.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import yaml

from radar.errors import ConfigError, ConfigErrors, NotFound, raise_all
from radar.feeds.delivery_settings import (
    AlertSettings,
    DeliverySettings,
    parse_alerts,
    parse_delivery,
)

if TYPE_CHECKING:
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

KINDS = ("news", "docs", "releases", "papers")
DEFAULT_MODEL = "all-MiniLM-L6-v2"
LOG_FORMATS = ("human", "json")
EMBED_BACKENDS = ("int8", "fp32")
"""Values of ``settings.embed_backend``; the same tuple as ``radar.embed.EMBED_BACKENDS``."""
DEFAULT_LOG_FILE = "data/logs/radar.log"
"""Where ``log_file: true`` writes, relative to the workspace."""

MINUTE, HOUR, DAY = 60.0, 3600.0, 86400.0
_DURATION_UNITS = {"s": 1.0, "m": MINUTE, "h": HOUR, "d": DAY, "w": 7 * DAY}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")
_SIZE_UNITS = {
    "": 1,
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "tb": 1000**4,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
    "tib": 1024**4,
}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)\s*$", re.IGNORECASE)


def parse_duration(value: object) -> float:
    """Seconds in a duration written with units: ``30s``, ``15m``, ``2h``, ``1d``, ``1h30m``.

    A bare number is refused: ``15`` could mean seconds or minutes.
    """
    text = str(value).strip().lower() if isinstance(value, str | int | float) else ""
    parts = _DURATION_PART.findall(text)
    if not parts or _DURATION_PART.sub("", text).strip():
        raise ValueError(
            f"{value!r} is not a duration; write a number with a unit, e.g. 30s, 15m, 2h, 1d"
        )
    seconds = sum(float(number) * _DURATION_UNITS[unit] for number, unit in parts)
    if seconds <= 0:
        raise ValueError(f"{value!r} must be longer than zero")
    return seconds


def format_duration(seconds: float) -> str:
    """The shortest exact spelling of a duration in the units parse_duration reads."""
    for unit, size in (("d", DAY), ("h", HOUR), ("m", MINUTE)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def parse_size(value: object) -> int:
    """Bytes in a size such as ``1GiB``, ``500MB`` or a bare number of bytes."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    match = _SIZE.match(str(value)) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"{value!r} is not a size; write e.g. 1GiB, 500MB or a number of bytes")
    number, unit = match.groups()
    return int(float(number) * _SIZE_UNITS[unit.lower()])


@dataclass(frozen=True)
class DoctorSettings:
    """Thresholds of `radar doctor`, from the ``settings: doctor:`` block."""

    max_feed_errors: int = 3
    """A feed that failed more than this many fetches in a row is reported failing."""
    stale_after: float = 30 * DAY
    """A feed whose newest item is older than this is reported stale (a warning)."""
    run_warn_after: float = 2 * DAY
    """Warn when the last successful fetch run is older than this."""
    run_fail_after: float = 7 * DAY
    """Fail when the last successful fetch run is older than this."""
    volume_drop: float = 0.5
    """Warn when this week's new items fall below this fraction of the 4-week average."""
    min_free_disk: int = 1024**3
    """Warn when the disk holding data/ has less free space than this (bytes)."""
    usage_stale_after: float = 14 * DAY
    """Warn when the newest `radar usage scan` is older than this (once any scan exists)."""


@dataclass(frozen=True)
class Settings:
    """Tunables from the optional ``settings:`` block of feeds.yaml."""

    concurrency: int = 128
    """How many feeds are fetched at once, across all hosts."""
    per_host: int = 6
    """How many connections radar opens to one host, each carrying one request at a time
    over HTTP/1.1 (browsers' own limit is 6)."""
    http2: bool = True
    """Speak HTTP/2 to https hosts that offer it: one connection per host carrying many
    requests at once (up to the server's stream limit), instead of ``per_host`` connections."""
    timeout: float = 20.0
    """Seconds allowed for connecting and for each read."""
    deadline: float = 60.0
    """Total seconds one feed's fetch may take, however the server trickles."""
    max_bytes: int = 16 * 1024 * 1024
    """Largest (decompressed) response body accepted; bigger ones are cut and fail."""
    max_redirects: int = 5
    """Redirects followed before giving up."""
    user_agent: str = "radar/0.1 (feed reader for ML teams; python-httpx)"
    """User-Agent header sent with every request."""
    model: str = DEFAULT_MODEL
    """Embedding model: the bundled default, a sentence-transformers name, or a path."""
    embed_backend: str = "int8"
    """How items are embedded: int8 (quantised ONNX, faster) or fp32 (exact ONNX); queries
    always use fp32. $RADAR_EMBED_BACKEND overrides it. Vectors from either are comparable,
    so a change needs no re-embedding."""
    min_interval: float = 15 * MINUTE
    """Shortest time (seconds) between two scheduled fetches of a feed, whatever it announces."""
    max_interval: float = DAY
    """Longest time (seconds) between two scheduled fetches; also caps back-off after errors."""
    default_interval: float = HOUR
    """Interval for a feed that announces none (no ttl, Cache-Control or Expires)."""
    log_format: str = "human"
    """Format of fetch/watch logs: human (one readable line per event) or json (JSON lines)."""
    log_file: str | None = None
    """Write logs to this file (relative to the workspace; rotated) instead of stderr;
    ``true`` means data/logs/radar.log."""
    doctor: DoctorSettings = field(default_factory=DoctorSettings)
    """Thresholds of `radar doctor`."""
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    """Where the digest and alerts go (email, webhook) and the weekly schedule."""
    alerts: AlertSettings = field(default_factory=AlertSettings)
    """Which rings' new releases alert the team."""


@dataclass(frozen=True)
class FeedConfig:
    """One subscription."""

    name: str
    url: str
    kind: str = "news"
    tags: tuple[str, ...] = ()
    interval: float | None = None
    """Seconds between scheduled fetches, overriding what the feed announces and the range."""

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "url": self.url, "kind": self.kind, "tags": list(self.tags)}


@dataclass(frozen=True)
class Config:
    path: Path
    feeds: tuple[FeedConfig, ...] = ()
    settings: Settings = field(default_factory=Settings)

    def feed(self, name: str) -> FeedConfig:
        """The feed called `name`: exactly, else ignoring case, else the one whose name
        starts with it; NotFound names the closest feeds when none or several match."""
        from radar.matching import resolve_name

        found = resolve_name(name, [feed.name for feed in self.feeds], "feed")
        return next(feed for feed in self.feeds if feed.name == found)


_SETTING_TYPES: dict[str, type] = {
    "concurrency": int,
    "per_host": int,
    "timeout": float,
    "deadline": float,
    "max_bytes": int,
    "max_redirects": int,
    "http2": bool,
    "user_agent": str,
    "model": str,
}
_DURATION_SETTINGS = ("min_interval", "max_interval", "default_interval")
_OTHER_SETTINGS = ("log_format", "log_file", "doctor", "embed_backend", "delivery", "alerts")
_DOCTOR_SETTINGS: dict[str, type] = {
    "max_feed_errors": int,
    "stale_after": float,
    "run_warn_after": float,
    "run_fail_after": float,
    "volume_drop": float,
    "min_free_disk": int,
    "usage_stale_after": float,
}


# libyaml's loader is ~10x faster and reports the same line marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _mapping_items(node: yaml.MappingNode) -> list[tuple[str, yaml.Node, yaml.Node]]:
    return [(str(k.value), k, v) for k, v in node.value]


def _scalar(path: Path, node: yaml.Node, field_name: str) -> Any:
    """The Python value of a scalar node, built as ``yaml.safe_load`` would build it.

    The composer has already resolved the node's tag (int, bool, str, ...), so the safe
    constructor turns it into a value directly, without re-serialising and re-parsing it.
    """
    if not isinstance(node, yaml.ScalarNode):
        raise ConfigError(path, "expected a single value", line=_line(node), field=field_name)
    try:
        return yaml.constructor.SafeConstructor().construct_object(node)
    except (yaml.YAMLError, ValueError, TypeError) as exc:  # an unknown tag, `!!int abc`
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(
            path, f"not a valid value: {problem}", line=_line(node), field=field_name
        ) from None


def validate_url(url: str) -> str | None:
    """Return a problem with a feed URL in feeds.yaml, or None when it is usable.

    feeds.yaml is written by people, so it may name a local file (``file:///...``) a
    team generates. Addresses from anywhere else (OPML, discovery, redirects) must pass
    `validate_remote_url`."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            return "must be a file:///absolute/path URL"
        return None
    return validate_remote_url(url)


def validate_remote_url(url: str) -> str | None:
    """Return a problem with a feed address that did not come from a person (an OPML
    file, a page's links): only http:// and https:// are allowed, never local files."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return "must be an http:// or https:// URL"
    if not parts.netloc:
        return "has no host"
    return None


_LOOKS_LIKE_HOST = re.compile(r"^[\w-]+(\.[\w-]+)+(:\d+)?(/|$)")


def feed_location(text: str, cwd: Path | None = None) -> str:
    """The feed URL for what a person typed: a URL as it is, ``example.com/feed.xml``
    as https, a local path (``./out/feed.xml``, ``/srv/feed.xml``, ``~/feed.xml``)
    as a ``file://`` URL. ValueError says why anything else is not a feed address."""
    text = text.strip()
    if not text:
        raise ValueError("is empty")
    scheme = urlsplit(text).scheme.lower()
    if scheme in ("http", "https", "file"):
        problem = validate_url(text)
        if problem:
            raise ValueError(problem)
        return text
    if "://" in text:
        raise ValueError(f"uses {scheme}://; radar reads http://, https:// and local files")
    base = cwd or Path.cwd()
    path = Path(text).expanduser()
    if text.startswith(("/", "./", "../", "~")) or (base / path).exists():
        resolved = (base / path).resolve()
        if not resolved.is_file():
            raise ValueError(f"names no file ({resolved} does not exist)")
        return resolved.as_uri()
    if _LOOKS_LIKE_HOST.match(text):
        return "https://" + text
    raise ValueError(
        "is neither a URL (https://example.com/feed.xml), a host and path "
        "(example.com/feed.xml) nor an existing file"
    )


def _collect(problems: list[ConfigError], error: ConfigError) -> None:
    problems.extend(error.errors if isinstance(error, ConfigErrors) else [error])


def _parse_feed(path: Path, node: yaml.Node, index: int) -> FeedConfig:
    """One feed entry; every problem in it is raised together."""
    where = f"feeds[{index}]"
    if not isinstance(node, yaml.MappingNode):
        raise ConfigError(path, "each feed must be a mapping", line=_line(node), field=where)
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    problems: list[ConfigError] = []
    for key, key_node, value_node in _mapping_items(node):
        lines[key] = _line(key_node)
        try:
            values[key] = _feed_field(path, where, key, key_node, value_node)
        except ConfigError as error:
            _collect(problems, error)
    for required in ("name", "url"):
        if required not in lines:
            problems.append(
                ConfigError(path, "is required", line=_line(node), field=f"{where}.{required}")
            )
    problem = validate_url(values["url"]) if "url" in values else None
    if problem:
        problems.append(ConfigError(path, problem, line=lines["url"], field=f"{where}.url"))
    kind = values.get("kind", "news")
    if kind not in KINDS:
        problems.append(
            ConfigError(
                path,
                f"{kind!r} is not one of {', '.join(KINDS)}",
                line=lines.get("kind"),
                field=f"{where}.kind",
            )
        )
    raise_all(problems)
    return FeedConfig(
        name=values["name"],
        url=values["url"],
        kind=kind,
        tags=tuple(values.get("tags", ())),
        interval=values.get("interval"),
    )


def _feed_field(
    path: Path, where: str, key: str, key_node: yaml.Node, value_node: yaml.Node
) -> Any:
    """The value of one field of a feed entry, or ConfigError."""
    if key == "tags":
        if isinstance(value_node, yaml.ScalarNode) and value_node.value in ("", "null", "~"):
            return []
        if not isinstance(value_node, yaml.SequenceNode):
            raise ConfigError(path, "must be a list", line=_line(value_node), field=f"{where}.tags")
        return [str(_scalar(path, tag, f"{where}.tags")) for tag in value_node.value]
    if key == "interval":
        raw = _scalar(path, value_node, f"{where}.interval")
        try:
            return parse_duration(raw)
        except ValueError as exc:
            raise ConfigError(
                path, str(exc), line=_line(value_node), field=f"{where}.interval"
            ) from None
    if key in ("name", "url", "kind"):
        value = _scalar(path, value_node, f"{where}.{key}")
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(
                path, "must be a non-empty string", line=_line(value_node), field=f"{where}.{key}"
            )
        return value.strip()
    raise ConfigError(
        path,
        "unknown field (expected name, url, kind, tags, interval)",
        line=_line(key_node),
        field=f"{where}.{key}",
    )


def _parse_settings(path: Path, node: yaml.Node) -> Settings:
    """The settings block; every problem in it is raised together."""
    if isinstance(node, yaml.ScalarNode) and node.value in ("", "null", "~"):
        return Settings()
    if not isinstance(node, yaml.MappingNode):
        raise ConfigError(path, "must be a mapping", line=_line(node), field="settings")
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    problems: list[ConfigError] = []
    for key, key_node, value_node in _mapping_items(node):
        lines[key] = _line(value_node)
        try:
            values[key] = _setting(path, key, key_node, value_node)
        except ConfigError as error:
            _collect(problems, error)
    settings = Settings(**values)
    if settings.min_interval > settings.max_interval:
        problems.append(
            ConfigError(
                path,
                "must not be shorter than min_interval",
                line=lines.get("max_interval", lines.get("min_interval")),
                field="settings.max_interval",
            )
        )
    raise_all(problems)
    return settings


def _setting(path: Path, key: str, key_node: yaml.Node, value_node: yaml.Node) -> Any:
    """The value of one setting, or ConfigError."""
    if key in _DURATION_SETTINGS or key in _OTHER_SETTINGS:
        return _parse_special_setting(path, key, value_node)
    expected = _SETTING_TYPES.get(key)
    if expected is None:
        known = ", ".join(sorted([*_SETTING_TYPES, *_DURATION_SETTINGS, *_OTHER_SETTINGS]))
        raise ConfigError(
            path, f"unknown setting (known: {known})", line=_line(key_node), field=f"settings.{key}"
        )
    value = _scalar(path, value_node, f"settings.{key}")
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
        raise ConfigError(
            path,
            f"must be {expected.__name__}, got {value!r}",
            line=_line(value_node),
            field=f"settings.{key}",
        )
    if isinstance(value, int | float) and not isinstance(value, bool) and value <= 0:
        raise ConfigError(path, "must be positive", line=_line(value_node), field=f"settings.{key}")
    return value


def _parse_special_setting(path: Path, key: str, node: yaml.Node) -> Any:
    """Settings that are not a plain int/float/str: durations, choices, the doctor block."""
    where = f"settings.{key}"
    if key == "doctor":
        return _parse_doctor(path, node)
    if key == "delivery":
        return parse_delivery(path, node)
    if key == "alerts":
        return parse_alerts(path, node)
    value = _scalar(path, node, where)
    if key in _DURATION_SETTINGS:
        try:
            return parse_duration(value)
        except ValueError as exc:
            raise ConfigError(path, str(exc), line=_line(node), field=where) from None
    choices = {"log_format": LOG_FORMATS, "embed_backend": EMBED_BACKENDS}.get(key)
    if choices is not None:
        if value not in choices:
            raise ConfigError(
                path, f"{value!r} is not one of {', '.join(choices)}", line=_line(node), field=where
            )
        return value
    if value is None or value is False:
        return None
    if value is True:
        return DEFAULT_LOG_FILE
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(path, "must be a file path or true", line=_line(node), field=where)
    return value.strip()


def _parse_doctor(path: Path, node: yaml.Node) -> DoctorSettings:
    if isinstance(node, yaml.ScalarNode) and node.value in ("", "null", "~"):
        return DoctorSettings()
    if not isinstance(node, yaml.MappingNode):
        raise ConfigError(path, "must be a mapping", line=_line(node), field="settings.doctor")
    values: dict[str, Any] = {}
    problems: list[ConfigError] = []
    for key, key_node, value_node in _mapping_items(node):
        where = f"settings.doctor.{key}"
        if key not in _DOCTOR_SETTINGS:
            known = ", ".join(_DOCTOR_SETTINGS)
            problems.append(
                ConfigError(
                    path, f"unknown setting (known: {known})", line=_line(key_node), field=where
                )
            )
            continue
        try:
            values[key] = _doctor_value(key, _scalar(path, value_node, where))
        except ConfigError as error:
            problems.append(error)
        except ValueError as exc:
            problems.append(ConfigError(path, str(exc), line=_line(value_node), field=where))
    raise_all(problems)
    return DoctorSettings(**values)


def _doctor_value(key: str, value: Any) -> Any:
    if key == "min_free_disk":
        return parse_size(value)
    if key == "max_feed_errors":
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"must be a whole number of at least 1, got {value!r}")
        return value
    if key == "volume_drop":
        if not isinstance(value, int | float) or isinstance(value, bool) or not 0 < value < 1:
            raise ValueError(f"must be a fraction between 0 and 1, got {value!r}")
        return float(value)
    return parse_duration(value)


def parse_config(text: str, path: Path) -> Config:
    """Validate feeds.yaml text; raise ConfigError naming the problem, or ConfigErrors
    naming every problem found (all of them short of broken YAML syntax)."""
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ConfigError(path, f"not valid YAML: {exc.problem}", line=line) from None
    except yaml.YAMLError as exc:
        raise ConfigError(path, f"not valid YAML: {exc}") from None
    if root is None:
        return Config(path=path)
    if not isinstance(root, yaml.MappingNode):
        raise ConfigError(path, "top level must be a mapping with a `feeds:` list", line=1)
    feeds: list[FeedConfig] = []
    settings = Settings()
    problems: list[ConfigError] = []
    for key, key_node, value_node in _mapping_items(root):
        try:
            if key == "feeds":
                feeds = _parse_feeds(path, value_node, problems)
            elif key == "settings":
                settings = _parse_settings(path, value_node)
            else:
                raise ConfigError(
                    path,
                    "unknown top-level key (expected feeds, settings)",
                    line=_line(key_node),
                    field=key,
                )
        except ConfigError as error:
            _collect(problems, error)
    raise_all(problems)
    return Config(path=path, feeds=tuple(feeds), settings=settings)


def _parse_feeds(path: Path, node: yaml.Node, problems: list[ConfigError]) -> list[FeedConfig]:
    """The feeds list; problems of each entry are added to `problems` and the entry
    skipped, so one run reports them all."""
    if isinstance(node, yaml.ScalarNode) and node.value in ("", "null", "~"):
        return []
    if not isinstance(node, yaml.SequenceNode):
        raise ConfigError(path, "must be a list", line=_line(node), field="feeds")
    feeds: list[FeedConfig] = []
    names: set[str] = set()
    for index, feed_node in enumerate(node.value):
        try:
            feed = _parse_feed(path, feed_node, index)
        except ConfigError as error:
            _collect(problems, error)
            continue
        if feed.name in names:
            problems.append(
                ConfigError(
                    path,
                    f"duplicate feed name {feed.name!r}",
                    line=_line(feed_node),
                    field=f"feeds[{index}].name",
                )
            )
        feeds.append(feed)
        names.add(feed.name)
    return feeds


def load_config(path: Path) -> Config:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"cannot read: {exc}") from None
    return parse_config(text, path)


def atomic_write_text(path: Path, text: str) -> None:
    """Write text to path via a temp file and rename, so a failure keeps the old file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _round_trip_yaml() -> YAML:
    from ruamel.yaml import YAML

    rt = YAML()
    rt.preserve_quotes = True
    rt.indent(mapping=2, sequence=4, offset=2)
    rt.width = 120
    return rt


def _edit(path: Path, change: Callable[[CommentedMap], None]) -> None:
    """Apply `change(document)` to feeds.yaml, keeping comments, validating before writing."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    rt = _round_trip_yaml()
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    load_config(path) if path.exists() else None
    loaded = rt.load(text) if text.strip() else None
    document = loaded if isinstance(loaded, CommentedMap) else CommentedMap()
    if document.get("feeds") is None:
        document["feeds"] = CommentedSeq()
    change(document)
    out = io.StringIO()
    rt.dump(document, out)
    new_text = out.getvalue()
    parse_config(new_text, path)
    atomic_write_text(path, new_text)


def add_feeds(path: Path, new_feeds: Iterable[FeedConfig]) -> list[FeedConfig]:
    """Append feeds to feeds.yaml; feeds whose name or URL is already there are skipped.

    Returns the feeds actually added.
    """
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    added: list[FeedConfig] = []

    def change(document: CommentedMap) -> None:
        names = {str(f.get("name")) for f in document["feeds"]}
        urls = {str(f.get("url")) for f in document["feeds"]}
        for feed in new_feeds:
            if feed.name in names or feed.url in urls:
                continue
            entry = CommentedMap()
            entry["name"] = feed.name
            entry["url"] = feed.url
            entry["kind"] = feed.kind
            tags = CommentedSeq(feed.tags)
            tags.fa.set_flow_style()
            entry["tags"] = tags
            document["feeds"].append(entry)
            names.add(feed.name)
            urls.add(feed.url)
            added.append(feed)

    _edit(path, change)
    return added


def remove_feed(path: Path, name: str) -> None:
    def change(document: CommentedMap) -> None:
        feeds = document["feeds"]
        for position, entry in enumerate(feeds):
            if str(entry.get("name")) == name:
                del feeds[position]
                return
        raise NotFound(f"no feed named {name!r} in {path}")

    _edit(path, change)


def set_feed_url(path: Path, name: str, url: str) -> None:
    """Point a feed at a new URL (after a permanent redirect)."""

    def change(document: CommentedMap) -> None:
        for entry in document["feeds"]:
            if str(entry.get("name")) == name:
                entry["url"] = url
                return
        raise NotFound(f"no feed named {name!r} in {path}")

    _edit(path, change)
