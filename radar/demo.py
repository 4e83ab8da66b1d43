"""The offline demo: serve the bundled demo feeds on 127.0.0.1 and build a workspace.

The feeds go through the same fetch path as real ones; only the server is local.
The bundled data is dated 2026-09-28 to 2026-11-22; the demo moves every date by whole
weeks so its last week is the latest one ended by the day it is built (`DemoDates`),
so `radar digest` without arguments shows the demo's busiest week. Tests build it
with a fixed day and get the bundled dates unchanged.
"""

from __future__ import annotations

import email.utils
import hashlib
import http.server
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import radar
from radar.errors import WorkspaceError
from radar.workspace import Workspace


def demo_data_dir() -> Path:
    """The folder holding the demo feeds: $RADAR_DEMO_DATA, else data/demo beside the package."""
    candidates = []
    if os.environ.get("RADAR_DEMO_DATA"):
        candidates.append(Path(os.environ["RADAR_DEMO_DATA"]))
    candidates.append(Path(radar.__file__).resolve().parents[1] / "data" / "demo")
    candidates.append(Path.cwd() / "data" / "demo")
    for candidate in candidates:
        if (candidate / "feeds.yaml").is_file():
            return candidate
    raise WorkspaceError(
        "demo data not found (looked in " + ", ".join(str(c) for c in candidates) + "); "
        "run from a radar checkout or set RADAR_DEMO_DATA"
    )


DATA_LAST_DAY = date(2026, 11, 22)
"""The last day of the bundled demo data (a Sunday, the end of ISO week 2026-W47)."""
DATA_BUSIEST_WEEK_MONDAY = date(2026, 11, 16)
"""The Monday of the demo's busiest week (2026-W47), with most radar moves."""


@dataclass(frozen=True)
class DemoDates:
    """How far the demo's dates move for a build on `today`: whole weeks, so weekdays
    and ISO weeks keep their shape; zero when built on 2026-11-22."""

    today: date

    @property
    def shift(self) -> timedelta:
        latest_sunday = self.today - timedelta(days=(self.today.weekday() + 1) % 7)
        return timedelta(weeks=(latest_sunday - DATA_LAST_DAY).days // 7)

    @property
    def busiest_week(self) -> str:
        """The ISO week (e.g. '2026-W47') the demo's busiest week lands in."""
        year, week, _ = (DATA_BUSIEST_WEEK_MONDAY + self.shift).isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def busiest_week_monday(self) -> date:
        return DATA_BUSIEST_WEEK_MONDAY + self.shift


_FEED_DATE = re.compile(rb"<(pubDate|lastBuildDate|updated|published|dc:date)>([^<]+)</\1>")
_ISO_DAY = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")


def _shift_feed_date(text: str, shift: timedelta) -> str:
    """One feed date moved by `shift`, in the format (and UTC offset) it came in."""
    stripped = text.strip()
    if stripped[:4].isdigit():
        moment = datetime.fromisoformat(stripped.replace("Z", "+00:00")) + shift
        shifted = moment.isoformat()
        return shifted.replace("+00:00", "Z") if stripped.endswith("Z") else shifted
    return email.utils.format_datetime(email.utils.parsedate_to_datetime(stripped) + shift)


def shift_feed_dates(body: bytes, shift: timedelta) -> bytes:
    """A demo feed with every item and feed date moved by `shift` (ids and links kept)."""
    if not shift:
        return body

    def moved(match: re.Match[bytes]) -> bytes:
        tag, value = match.group(1), match.group(2).decode("utf-8")
        new = _shift_feed_date(value, shift).encode("utf-8")
        return b"<" + tag + b">" + new + b"</" + tag + b">"

    return _FEED_DATE.sub(moved, body)


def shift_iso_days(text: str, shift: timedelta) -> str:
    """Every YYYY-MM-DD day in `text` (the demo radar's history) moved by `shift`."""
    if not shift:
        return text
    return _ISO_DAY.sub(lambda m: (date.fromisoformat(m.group(1)) + shift).isoformat(), text)


class _StaticFeedHandler(http.server.BaseHTTPRequestHandler):
    """Serves files under the root with ETag and Last-Modified, answering 304s."""

    root: Path
    shift: timedelta = timedelta(0)
    server_version = "radar-demo/1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        relative = self.path.split("?", 1)[0].lstrip("/")
        target = (self.root / relative).resolve()
        if self.root not in target.parents or not target.is_file():
            self.send_error(404)
            return
        body = shift_feed_dates(target.read_bytes(), self.shift)
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        modified = email.utils.formatdate(target.stat().st_mtime, usegmt=True)
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", modified)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return


@contextmanager
def serve_directory(
    root: Path, host: str = "127.0.0.1", shift: timedelta = timedelta(0)
) -> Iterator[int]:
    """Serve `root` over HTTP on a free port of `host` for the duration; yields the port.
    Feed dates are moved by `shift` (see `DemoDates`)."""
    handler = type("Handler", (_StaticFeedHandler,), {"root": root.resolve(), "shift": shift})
    server = http.server.ThreadingHTTPServer((host, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def prepare_workspace(target: Path, port: int, shift: timedelta = timedelta(0)) -> Workspace:
    """Create (or refresh) the demo workspace, pointing its feeds at the local server;
    a new radar file has its dates moved by `shift` like the feeds'."""
    source = demo_data_dir()
    workspace = Workspace(target.resolve())
    workspace.root.mkdir(parents=True, exist_ok=True)
    workspace.ensure_data_dir()
    feeds_text = (source / "feeds.yaml").read_text(encoding="utf-8").replace("{port}", str(port))
    workspace.feeds_path.write_text(feeds_text, encoding="utf-8")
    radar_file = source / "techradar.yaml"
    if radar_file.is_file() and not workspace.techradar_path.exists():
        radar_text = shift_iso_days(radar_file.read_text(encoding="utf-8"), shift)
        workspace.techradar_path.write_text(radar_text, "utf-8")
    return workspace
