"""A real HTTP/2 server on 127.0.0.1 for tests and benches: hypercorn over TLS.

The certificate is made on the spot by a throwaway certificate authority (trustme); point
a client at `ca_file` to trust it. The TLS listener offers h2 and http/1.1 by ALPN, so a
client that cannot speak HTTP/2 still gets its feeds; an optional plain listener speaks
HTTP/1.1 only. Routes answer with a body after a delay, honour If-None-Match, and every
request is recorded with its HTTP version and the client's port (one port per connection).
"""

from __future__ import annotations

import asyncio
import hashlib
import tempfile
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class H2Route:
    body: bytes
    delay: float = 0.0
    content_type: str = "application/rss+xml; charset=utf-8"

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'


@dataclass
class H2Seen:
    path: str
    http_version: str
    client_port: int
    headers: dict[str, str]


@dataclass
class H2Server:
    """Start with `start()`, stop with `stop()`; URLs come from `route()`."""

    host: str = "127.0.0.1"
    plain: bool = False
    """Also listen for plain-text HTTP/1.1 (`plain_url`)."""
    http2: bool = True
    """Offer h2 by ALPN; False makes a TLS server that speaks HTTP/1.1 only."""
    routes: dict[str, H2Route] = field(default_factory=dict)
    requests: list[H2Seen] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="radar-h2-")
        self.ca_file = Path(self._dir.name) / "ca.pem"
        self.port = 0
        self.plain_port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def route(self, path: str, body: bytes, delay: float = 0.0) -> str:
        self.routes[path] = H2Route(body, delay)
        return self.url(path)

    def url(self, path: str) -> str:
        return f"https://{self.host}:{self.port}{path}"

    def plain_url(self, path: str) -> str:
        return f"http://{self.host}:{self.plain_port}{path}"

    def connections(self) -> int:
        """Distinct client connections that have sent requests so far."""
        return len({seen.client_port for seen in self.requests})

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.statuses.clear()

    async def _app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        with self._lock:
            self.requests.append(
                H2Seen(scope["path"], scope["http_version"], scope["client"][1], headers)
            )
        route = self.routes.get(scope["path"])
        if route is None:
            status, body, extra = 404, b"not found", [(b"content-type", b"text/plain")]
        elif headers.get("if-none-match") == route.etag:
            status, body, extra = 304, b"", [(b"etag", route.etag.encode())]
        else:
            status, body = 200, route.body
            extra = [(b"content-type", route.content_type.encode()), (b"etag", route.etag.encode())]
        if route is not None and route.delay:
            await asyncio.sleep(route.delay)
        with self._lock:
            self.statuses[status] += 1
        response_headers = [*extra, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": response_headers})
        await send({"type": "http.response.body", "body": body})

    def start(self) -> H2Server:
        import trustme
        from hypercorn.app_wrappers import ASGIWrapper
        from hypercorn.asyncio.run import worker_serve
        from hypercorn.config import Config

        authority = trustme.CA()
        authority.cert_pem.write_to_path(str(self.ca_file))
        certificate = authority.issue_cert(self.host, "localhost")
        cert_file = Path(self._dir.name) / "server.pem"
        key_file = Path(self._dir.name) / "server.key"
        certificate.cert_chain_pems[0].write_to_path(str(cert_file))
        certificate.private_key_pem.write_to_path(str(key_file))

        config = Config()
        config.bind = [f"{self.host}:0"]
        if self.plain:
            config.insecure_bind = [f"{self.host}:0"]
        config.certfile, config.keyfile = str(cert_file), str(key_file)
        config.alpn_protocols = ["h2", "http/1.1"] if self.http2 else ["http/1.1"]
        config.accesslog = config.errorlog = None
        config.keep_alive_timeout = 60

        # Port 0 picks a free port; hypercorn builds its sockets from the config, so build
        # them here, read the ports back, and listen at once: a client that connects before
        # the server's loop runs simply waits in the backlog.
        sockets = config.create_sockets()
        for sock in [*sockets.secure_sockets, *sockets.insecure_sockets]:
            sock.listen(config.backlog)
        self.port = sockets.secure_sockets[0].getsockname()[1]
        if self.plain:
            self.plain_port = sockets.insecure_sockets[0].getsockname()[1]
        self._loop = asyncio.new_event_loop()
        self._stopping = asyncio.Event()
        stopping = self._stopping

        def run() -> None:
            assert self._loop is not None
            self._loop.run_until_complete(
                worker_serve(
                    ASGIWrapper(self._app),  # type: ignore[arg-type]
                    config,
                    sockets=sockets,
                    shutdown_trigger=stopping.wait,
                )
            )
            self._loop.close()

        self._thread = threading.Thread(target=run, daemon=True, name="h2server")
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        if self._thread is not None:
            self._thread.join(10)
        self._dir.cleanup()
