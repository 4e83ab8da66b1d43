"""The offline demo: serve the bundled demo feeds on 127.0.0.1 and build a workspace.

The feeds go through the same fetch path as real ones; only the server is local.
"""

from __future__ import annotations

import email.utils
import hashlib
import http.server
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
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


class _StaticFeedHandler(http.server.BaseHTTPRequestHandler):
    """Serves files under the root with ETag and Last-Modified, answering 304s."""

    root: Path
    server_version = "radar-demo/1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        relative = self.path.split("?", 1)[0].lstrip("/")
        target = (self.root / relative).resolve()
        if self.root not in target.parents or not target.is_file():
            self.send_error(404)
            return
        body = target.read_bytes()
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
def serve_directory(root: Path, host: str = "127.0.0.1") -> Iterator[int]:
    """Serve `root` over HTTP on a free port of `host` for the duration; yields the port."""
    handler = type("Handler", (_StaticFeedHandler,), {"root": root.resolve()})
    server = http.server.ThreadingHTTPServer((host, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def prepare_workspace(target: Path, port: int) -> Workspace:
    """Create (or refresh) the demo workspace, pointing its feeds at the local server."""
    source = demo_data_dir()
    workspace = Workspace(target.resolve())
    workspace.root.mkdir(parents=True, exist_ok=True)
    workspace.ensure_data_dir()
    feeds_text = (source / "feeds.yaml").read_text(encoding="utf-8").replace("{port}", str(port))
    workspace.feeds_path.write_text(feeds_text, encoding="utf-8")
    radar_file = source / "techradar.yaml"
    if radar_file.is_file() and not workspace.techradar_path.exists():
        workspace.techradar_path.write_text(radar_file.read_text(encoding="utf-8"), "utf-8")
    return workspace
