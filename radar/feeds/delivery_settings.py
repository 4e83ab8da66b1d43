"""The ``settings: delivery:`` and ``settings: alerts:`` blocks of feeds.yaml.

Where the digest and release alerts go (an SMTP server, a chat webhook), when the
weekly digest is sent by itself, and which rings' releases alert. Parsed from the YAML
nodes like every other setting, so each problem names the file, line and field, and
all of them are reported together. A password never appears here: only the name of
the environment variable that holds it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from radar.errors import ConfigError, raise_all

SECURITY_MODES = ("starttls", "ssl", "none")
WEBHOOK_FORMATS = ("slack", "teams", "json")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class EmailSettings:
    """An SMTP destination for the digest and alerts."""

    host: str
    port: int
    sender: str
    """The From address (``from:`` in the file)."""
    to: tuple[str, ...]
    security: str = "starttls"
    """starttls, ssl, or none (only for a server on localhost)."""
    username: str | None = None
    password_env: str | None = None
    """Name of the environment variable holding the password; never the password."""
    ca_file: Path | None = None
    """A PEM file of CA certificates trusted for this server, besides the system's store
    (a company relay signed by a private CA); relative to the feeds file."""


@dataclass(frozen=True)
class WebhookSettings:
    """A chat webhook: Slack (Block Kit), Teams (Adaptive Card) or radar's JSON."""

    url: str = field(repr=False)
    """The full URL; its path usually is the token, so it is never shown (see `host`)."""
    format: str = "slack"

    @property
    def host(self) -> str:
        """What errors and listings may show: the URL's path usually is the secret."""
        return urlsplit(self.url).hostname or "?"


@dataclass(frozen=True)
class WeeklySettings:
    """A fetch or watch run after this time (UTC) sends last week's digest, once."""

    day: str = "monday"
    time: str = "08:00"

    @property
    def weekday(self) -> int:
        return WEEKDAYS.index(self.day)

    @property
    def minutes(self) -> int:
        hours, minutes = self.time.split(":")
        return int(hours) * 60 + int(minutes)


@dataclass(frozen=True)
class DeliverySettings:
    email: EmailSettings | None = None
    webhook: WebhookSettings | None = None
    weekly: WeeklySettings | None = None

    @property
    def destinations(self) -> list[str]:
        """The configured destinations, by name: email, webhook."""
        return [name for name in ("email", "webhook") if getattr(self, name) is not None]


@dataclass(frozen=True)
class AlertSettings:
    releases: tuple[str, ...] = ()
    """Rings whose technologies' new releases alert (empty: no release alerts)."""
    prereleases: bool = False
    ring_lines: dict[str, int] = field(default_factory=dict, compare=False)
    """Line of each ring name in feeds.yaml, for the run-start check against the radar."""
    path: Path | None = field(default=None, compare=False)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _is_empty(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.value in ("", "null", "~")


def _value(path: Path, node: yaml.Node, where: str) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise ConfigError(path, "expected a single value", line=_line(node), field=where)
    try:
        return yaml.constructor.SafeConstructor().construct_object(node)
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(
            path, f"not a valid value: {problem}", line=_line(node), field=where
        ) from None


def _fields(
    path: Path, node: yaml.Node, where: str, known: tuple[str, ...], problems: list[ConfigError]
) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """The mapping's entries by key; unknown keys are problems."""
    if not isinstance(node, yaml.MappingNode):
        problems.append(ConfigError(path, "must be a mapping", line=_line(node), field=where))
        return {}
    entries: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key not in known:
            problems.append(
                ConfigError(
                    path,
                    f"unknown setting (known: {', '.join(known)})",
                    line=_line(key_node),
                    field=f"{where}.{key}",
                )
            )
            continue
        entries[key] = (key_node, value_node)
    return entries


def _required(
    path: Path,
    node: yaml.Node,
    entries: dict[str, tuple[yaml.Node, yaml.Node]],
    names: tuple[str, ...],
    where: str,
    problems: list[ConfigError],
) -> bool:
    missing = [name for name in names if name not in entries]
    for name in missing:
        problems.append(ConfigError(path, "is required", line=_line(node), field=f"{where}.{name}"))
    return not missing


def _text(path: Path, node: yaml.Node, where: str) -> str:
    value = _value(path, node, where)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(path, "must be a non-empty string", line=_line(node), field=where)
    return value.strip()


def _address(path: Path, node: yaml.Node, where: str) -> str:
    value = _text(path, node, where)
    if not _EMAIL.match(value):
        raise ConfigError(path, f"{value!r} is not an email address", line=_line(node), field=where)
    return value


def _choice(path: Path, node: yaml.Node, where: str, choices: tuple[str, ...]) -> str:
    value = _value(path, node, where)
    text = str(value).strip().lower() if isinstance(value, str) else None
    if text not in choices:
        raise ConfigError(
            path, f"{value!r} is not one of {', '.join(choices)}", line=_line(node), field=where
        )
    return text


def _each(problems: list[ConfigError], parse: Any, *args: Any) -> Any:
    """parse(*args), or None with its problem collected."""
    try:
        return parse(*args)
    except ConfigError as error:
        problems.append(error)
        return None


_EMAIL_KEYS = (
    "host",
    "port",
    "security",
    "from",
    "to",
    "username",
    "password_env",
    "ca_file",
)


def _parse_email(path: Path, node: yaml.Node, problems: list[ConfigError]) -> EmailSettings | None:
    where = "settings.delivery.email"
    count = len(problems)
    entries = _fields(path, node, where, _EMAIL_KEYS, problems)
    if not _required(path, node, entries, ("host", "from", "to"), where, problems):
        return None
    host = _each(problems, _text, path, entries["host"][1], f"{where}.host")
    sender = _each(problems, _address, path, entries["from"][1], f"{where}.from")
    to_node = entries["to"][1]
    recipients: list[str] = []
    if isinstance(to_node, yaml.SequenceNode):
        for index, item in enumerate(to_node.value):
            found = _each(problems, _address, path, item, f"{where}.to[{index}]")
            if found:
                recipients.append(found)
        if not to_node.value:
            problems.append(
                ConfigError(path, "names no recipient", line=_line(to_node), field=f"{where}.to")
            )
    else:
        found = _each(problems, _address, path, to_node, f"{where}.to")
        if found:
            recipients.append(found)
    security = "starttls"
    if "security" in entries:
        security = (
            _each(
                problems, _choice, path, entries["security"][1], f"{where}.security", SECURITY_MODES
            )
            or security
        )
        if security == "none" and host and host.lower() not in LOCAL_HOSTS:
            problems.append(
                ConfigError(
                    path,
                    f"none (no encryption) is only allowed for a server on localhost, "
                    f"not {host}; use starttls or ssl",
                    line=_line(entries["security"][1]),
                    field=f"{where}.security",
                )
            )
    port = {"starttls": 587, "ssl": 465, "none": 25}[security]
    if "port" in entries:
        port_node = entries["port"][1]
        value = _each(problems, _value, path, port_node, f"{where}.port")
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 65536:
            port = value
        elif value is not None:
            problems.append(
                ConfigError(
                    path,
                    f"must be a port number, got {value!r}",
                    line=_line(port_node),
                    field=f"{where}.port",
                )
            )
    username = None
    if "username" in entries:
        username = _each(problems, _text, path, entries["username"][1], f"{where}.username")
    password_env = None
    if "password_env" in entries:
        env_node = entries["password_env"][1]
        password_env = _each(problems, _text, path, env_node, f"{where}.password_env")
        if password_env and not _ENV_NAME.match(password_env):
            problems.append(
                ConfigError(
                    path,
                    "must name an environment variable (letters, digits, _), not hold the "
                    "password itself",
                    line=_line(env_node),
                    field=f"{where}.password_env",
                )
            )
            password_env = None
    ca_file = None
    if "ca_file" in entries:
        ca_node = entries["ca_file"][1]
        named = _each(problems, _text, path, ca_node, f"{where}.ca_file")
        if named:
            ca_file = path.parent / Path(named).expanduser()
            if security == "none" or not ca_file.is_file():
                problems.append(
                    ConfigError(
                        path,
                        "only applies with security starttls or ssl"
                        if security == "none"
                        else f"no such file: {ca_file}",
                        line=_line(ca_node),
                        field=f"{where}.ca_file",
                    )
                )
    if len(problems) > count or not host or not sender:
        return None
    return EmailSettings(
        host=host,
        port=port,
        sender=sender,
        to=tuple(recipients),
        security=security,
        username=username,
        password_env=password_env,
        ca_file=ca_file,
    )


def _parse_webhook(
    path: Path, node: yaml.Node, problems: list[ConfigError]
) -> WebhookSettings | None:
    where = "settings.delivery.webhook"
    count = len(problems)
    entries = _fields(path, node, where, ("url", "format"), problems)
    if not _required(path, node, entries, ("url",), where, problems):
        return None
    url_node = entries["url"][1]
    url = _each(problems, _text, path, url_node, f"{where}.url")
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            problems.append(
                ConfigError(
                    path,
                    "must be an http:// or https:// URL",
                    line=_line(url_node),
                    field=f"{where}.url",
                )
            )
        elif parts.scheme == "http" and parts.hostname not in LOCAL_HOSTS:
            problems.append(
                ConfigError(
                    path,
                    "must be https:// (plain http only for a receiver on localhost)",
                    line=_line(url_node),
                    field=f"{where}.url",
                )
            )
    fmt = "slack"
    if "format" in entries:
        fmt = (
            _each(problems, _choice, path, entries["format"][1], f"{where}.format", WEBHOOK_FORMATS)
            or fmt
        )
    if len(problems) > count or not url:
        return None
    return WebhookSettings(url=url, format=fmt)


def _parse_weekly(
    path: Path, node: yaml.Node, problems: list[ConfigError]
) -> WeeklySettings | None:
    where = "settings.delivery.weekly"
    count = len(problems)
    entries = _fields(path, node, where, ("day", "time"), problems)
    day, time = "monday", "08:00"
    if "day" in entries:
        day = _each(problems, _choice, path, entries["day"][1], f"{where}.day", WEEKDAYS) or day
    if "time" in entries:
        time_node = entries["time"][1]
        raw = _each(problems, _value, path, time_node, f"{where}.time")
        if isinstance(raw, int) and not isinstance(raw, bool):
            raw = f"{raw // 60}:{raw % 60:02d}"  # YAML 1.1 reads 08:00 unquoted as 480
        match = _TIME.match(str(raw).strip()) if raw is not None else None
        if match is None:
            problems.append(
                ConfigError(
                    path,
                    f'{raw!r} is not a time of day; write e.g. "08:00" (UTC)',
                    line=_line(time_node),
                    field=f"{where}.time",
                )
            )
        else:
            time = f"{int(match.group(1)):02d}:{match.group(2)}"
    if len(problems) > count:
        return None
    return WeeklySettings(day=day, time=time)


def parse_delivery(path: Path, node: yaml.Node) -> DeliverySettings:
    """The ``settings.delivery`` block; every problem in it is raised together."""
    if _is_empty(node):
        return DeliverySettings()
    problems: list[ConfigError] = []
    entries = _fields(path, node, "settings.delivery", ("email", "webhook", "weekly"), problems)
    parsers = {"email": _parse_email, "webhook": _parse_webhook, "weekly": _parse_weekly}
    values: dict[str, Any] = {}
    for key, (_key_node, value_node) in entries.items():
        if not _is_empty(value_node):
            values[key] = parsers[key](path, value_node, problems)
    raise_all(problems)
    return DeliverySettings(**values)


def parse_alerts(path: Path, node: yaml.Node) -> AlertSettings:
    """The ``settings.alerts`` block; ring names are checked against the radar when a
    run starts (:func:`radar.delivery.alerts.check_rings`), not here."""
    if _is_empty(node):
        return AlertSettings(path=path)
    problems: list[ConfigError] = []
    entries = _fields(path, node, "settings.alerts", ("releases", "prereleases"), problems)
    rings: list[str] = []
    lines: dict[str, int] = {}
    if "releases" in entries:
        rings_node = entries["releases"][1]
        items = rings_node.value if isinstance(rings_node, yaml.SequenceNode) else None
        if items is None and not _is_empty(rings_node):
            problems.append(
                ConfigError(
                    path,
                    "must be a list of rings, e.g. [adopt, trial]",
                    line=_line(rings_node),
                    field="settings.alerts.releases",
                )
            )
        for index, item in enumerate(items or []):
            ring = _each(problems, _text, path, item, f"settings.alerts.releases[{index}]")
            if ring:
                rings.append(ring.lower())
                lines[ring.lower()] = _line(item)
    prereleases = False
    if "prereleases" in entries:
        value_node = entries["prereleases"][1]
        value = _each(problems, _value, path, value_node, "settings.alerts.prereleases")
        if isinstance(value, bool):
            prereleases = value
        elif value is not None:
            problems.append(
                ConfigError(
                    path,
                    f"must be true or false, got {value!r}",
                    line=_line(value_node),
                    field="settings.alerts.prereleases",
                )
            )
    raise_all(problems)
    return AlertSettings(
        releases=tuple(rings), prereleases=prereleases, ring_lines=lines, path=path
    )
