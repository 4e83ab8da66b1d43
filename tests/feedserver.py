"""A real HTTP server on 127.0.0.1 for tests: routes are set per test.

Each route answers with a body (bytes or a callable), headers and a status; it can
honour conditional GET, redirect, delay, trickle, stream a huge body generated on the
fly, or drop the connection. Every request is recorded so tests can assert what radar
sent, and streamed bytes are counted so they can assert when radar hung up.
"""

from __future__ import annotations

import email.utils
import hashlib
import http.server
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


class _QuietServer(http.server.ThreadingHTTPServer):
    """A client hanging up on a kept-alive connection is normal, not a server error:
    socketserver would print its traceback to stderr from the server thread, into
    whatever stderr a CLI test happens to be capturing at that moment."""

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


@dataclass
class Route:
    body: bytes | Callable[[], bytes] = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    conditional: bool = True
    """Send ETag/Last-Modified and answer 304 to a matching conditional request."""
    delay: float = 0.0
    trickle: float | None = None
    """Seconds between single bytes of the body, for a server that dribbles."""
    hang: bool = False
    """Accept the request and never answer."""
    content_type: str = "application/rss+xml; charset=utf-8"
    raw_body: bool = False
    """Send `body` exactly as given (e.g. pre-compressed) without Content-Length fix-ups."""
    stream: Callable[[], Iterable[bytes]] | None = None
    """Send these chunks instead of `body`, made as they are sent (a body too big to build).
    Without a Content-Length in `headers` the body ends when the connection closes."""


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    at: float
    client: tuple[str, int] = ("", 0)
    """The client's address and port: one port per TCP connection."""


class FeedServer:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self.streamed: dict[str, int] = {}
        """Body bytes of a `stream` route the socket took, per path, before the client left."""
        self._stop = threading.Event()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                server.requests.append(
                    Seen(
                        self.path,
                        {k.lower(): v for k, v in self.headers.items()},
                        time.time(),
                        self.client_address[:2],
                    )
                )
                route = server.routes.get(self.path)
                if route is None:
                    self._reply(404, b"not found", {"Content-Type": "text/plain"})
                    return
                server._answer(self, route)

            def _reply(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self.httpd = _QuietServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.host = host
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def route(self, path: str, **kwargs: object) -> str:
        self.routes[path] = Route(**kwargs)  # type: ignore[arg-type]
        return self.url(path)

    def requests_to(self, path: str) -> list[Seen]:
        return [seen for seen in self.requests if seen.path == path]

    def _answer(self, handler: http.server.BaseHTTPRequestHandler, route: Route) -> None:
        if route.hang:
            self._stop.wait(120)
            return
        if route.delay:
            time.sleep(route.delay)
        if route.stream is not None:
            self._stream(handler, route, route.stream())
            return
        body = route.body() if callable(route.body) else route.body
        headers = {"Content-Type": route.content_type, **route.headers}
        if route.conditional and route.status == 200:
            etag = '"' + hashlib.sha1(body).hexdigest()[:12] + '"'
            modified = email.utils.formatdate(1_700_000_000, usegmt=True)
            headers.setdefault("ETag", etag)
            headers.setdefault("Last-Modified", modified)
            if handler.headers.get("If-None-Match") == headers["ETag"]:
                handler.send_response(304)
                handler.send_header("ETag", headers["ETag"])
                handler.send_header("Content-Length", "0")
                handler.end_headers()
                return
        handler.send_response(route.status)
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        try:
            if route.trickle is not None:
                for index in range(len(body)):
                    handler.wfile.write(body[index : index + 1])
                    handler.wfile.flush()
                    if self._stop.wait(route.trickle):
                        return
            else:
                handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            return

    def _stream(
        self, handler: http.server.BaseHTTPRequestHandler, route: Route, chunks: Iterable[bytes]
    ) -> None:
        handler.send_response(route.status)
        headers = {"Content-Type": route.content_type, **route.headers}
        if "content-length" not in {key.lower() for key in headers}:
            headers["Connection"] = "close"
            handler.close_connection = True
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        self.streamed[handler.path] = 0
        try:
            for chunk in chunks:
                if self._stop.is_set():
                    return
                handler.wfile.write(chunk)
                self.streamed[handler.path] += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True

    def start(self) -> FeedServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def running_server(host: str = "127.0.0.1") -> Iterator[FeedServer]:
    server = FeedServer(host).start()
    try:
        yield server
    finally:
        server.stop()


def rss(
    items: list[dict[str, str]], title: str = "Test feed", link: str = "https://example.org/"
) -> bytes:
    """A small RSS 2.0 document; each item dict may hold title, link, guid, pubDate, description."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0"><channel>',
        f"<title>{title}</title><link>{link}</link><description>t</description>",
    ]
    for item in items:
        parts.append("<item>")
        for key in ("title", "link", "guid", "pubDate", "description"):
            if key in item:
                parts.append(f"<{key}>{item[key]}</{key}>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode("utf-8")


HUGE_RSS_HEAD = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title><description>'


def streamed_rss(size: int) -> Callable[[], Iterator[bytes]]:
    """Exactly `size` bytes of one endless RSS description, made chunk by chunk (for a
    route's `stream=`): a huge body never held in memory."""

    def chunks() -> Iterator[bytes]:
        yield HUGE_RSS_HEAD
        filler = b"x" * (256 * 1024)
        left = size - len(HUGE_RSS_HEAD)
        while left > 0:
            yield filler[:left]
            left -= len(filler)

    return chunks
