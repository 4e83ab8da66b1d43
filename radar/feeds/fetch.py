"""Fetching feeds over HTTP with async httpx (one small connection pool per host).

Bounded concurrency overall and per host, conditional GET, redirects followed by
hand (so permanent moves and bad schemes are seen), a total deadline per feed, and
a size cap applied to decompressed bytes while streaming. A failure is returned as
a value on the result, never raised, so one bad feed never stops the others.

A ``file://`` feed (only feeds.yaml can name one: a person wrote it there) is read
from disk with the same size cap, its modification time standing in for
Last-Modified. Redirects never lead to a file.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import time
import zlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from radar.feeds.config import Settings

PERMANENT_REDIRECTS = {301, 308}
REDIRECTS = {301, 302, 303, 307, 308}
CHUNK = 64 * 1024


@dataclass(frozen=True)
class FetchRequest:
    name: str
    url: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class FetchResult:
    """What happened to one feed. ``status`` is ok, not_modified or error."""

    name: str
    url: str
    status: str
    http_status: int | None = None
    content: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    final_url: str | None = None
    permanent_url: str | None = None
    """Where a chain of permanent redirects led: the feed's new address."""
    error_kind: str | None = None
    error: str | None = None
    retry_after: datetime | None = None
    elapsed: float = 0.0
    bytes: int = 0
    """Size of the decompressed body (kept after ``content`` is released)."""

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


class FetchFailure(Exception):
    def __init__(
        self,
        kind: str,
        message: str,
        *,
        http_status: int | None = None,
        retry_after: datetime | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.http_status = http_status
        self.retry_after = retry_after


def parse_retry_after(value: str | None, now: datetime | None = None) -> datetime | None:
    """Retry-After is either delta-seconds or an HTTP date."""
    if not value:
        return None
    now = now or datetime.now(UTC)
    value = value.strip()
    if value.isdigit():
        return now + timedelta(seconds=min(int(value), 7 * 24 * 3600))
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return min(moment, now + timedelta(days=7))


async def _drain(response: httpx.Response, limit: int = 64 * 1024) -> None:
    """Read a body we do not need (a 304's or a redirect's), so the connection goes back
    to the pool instead of being closed: a new TCP+TLS handshake per 304 otherwise.
    A body over `limit` is not worth reading; the connection is dropped instead."""
    seen = 0
    async for chunk in response.aiter_raw():
        seen += len(chunk)
        if seen > limit:
            return


class _Decoder:
    """Decompresses gzip/deflate bodies incrementally, never past the size cap."""

    def __init__(self, encoding: str, cap: int) -> None:
        self.cap = cap
        self.size = 0
        self.parts: list[bytes] = []
        encoding = encoding.strip().lower()
        if encoding in ("gzip", "x-gzip"):
            self.zlib: zlib._Decompress | None = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self.zlib = zlib.decompressobj()
        elif encoding in ("", "identity"):
            self.zlib = None
        else:
            raise FetchFailure("decode_error", f"unsupported Content-Encoding {encoding!r}")
        self.encoding = encoding

    def _keep(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.cap:
            raise self._too_large()
        self.parts.append(data)

    def _too_large(self) -> FetchFailure:
        return FetchFailure(
            "too_large", f"response larger than the {self.cap // (1024 * 1024)} MiB cap"
        )

    def expect(self, length: int) -> None:
        """Refuse before downloading a body announced over the cap (decoding only grows it)."""
        if length > self.cap:
            raise self._too_large()

    def feed(self, chunk: bytes) -> None:
        if self.zlib is None:
            self._keep(chunk)
            return
        data = chunk
        try:
            while data:
                room = self.cap - self.size + 1
                out = self.zlib.decompress(data, room)
                self._keep(out)
                data = self.zlib.unconsumed_tail
        except zlib.error as exc:
            if self.encoding == "deflate" and self.size == 0 and not self.parts:
                self.zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                self.feed(chunk)
                return
            raise FetchFailure("decode_error", f"broken {self.encoding} data: {exc}") from None

    def finish(self) -> bytes:
        if self.zlib is not None:
            try:
                self._keep(self.zlib.flush())
            except zlib.error as exc:
                raise FetchFailure("decode_error", f"broken {self.encoding} data: {exc}") from None
            if self.encoding != "deflate" and not self.zlib.eof:
                raise FetchFailure("decode_error", f"truncated {self.encoding} data")
        return b"".join(self.parts)


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and what it was raised from (httpx wraps the OS error)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _classify_transport_error(exc: Exception) -> FetchFailure:
    text = str(exc) or exc.__class__.__name__
    if isinstance(exc, httpx.ConnectTimeout):
        return FetchFailure("timeout", f"connect timed out ({text})")
    if isinstance(exc, httpx.TimeoutException):
        return FetchFailure("timeout", f"server did not answer in time ({exc.__class__.__name__})")
    if isinstance(exc, httpx.ConnectError):
        lowered = " ".join(str(part) for part in _causes(exc)).lower()
        if (
            "name or service not known" in lowered
            or "nodename nor servname" in lowered
            or ("temporary failure in name resolution" in lowered)
            or "no address associated" in lowered
            or "getaddrinfo" in lowered
        ):
            return FetchFailure("dns_error", f"host name not found ({text})")
        if "refused" in lowered or any(
            isinstance(part, ConnectionRefusedError) for part in _causes(exc)
        ):
            return FetchFailure("connection_refused", f"connection refused ({text})")
        return FetchFailure("connect_error", text)
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return FetchFailure("bad_url", text)
    if isinstance(exc, httpx.RemoteProtocolError):
        return FetchFailure("protocol_error", text)
    return FetchFailure("network_error", f"{exc.__class__.__name__}: {text}")


STREAMS_PER_HOST = 100
"""Requests in flight at once to a host that answered over HTTP/2, all on one connection
(RFC 9113 asks servers to allow at least 100; a server that allows fewer is obeyed)."""


def _http2_available() -> bool:
    try:
        import h2  # noqa: F401
    except ImportError:
        return False
    return True


class _Host:
    """One host's connection pool and the gate that bounds its requests in flight.

    The gate admits ``per_host`` requests, one per HTTP/1.1 connection. Once the host
    speaks HTTP/2, every request shares its single connection and the gate widens to
    STREAMS_PER_HOST. httpcore's trace events tell as soon as the TLS handshake has
    chosen HTTP/2, a round trip before the first response would.
    """

    def __init__(self, client: httpx.AsyncClient, per_host: int, *, may_multiplex: bool) -> None:
        self.client = client
        self.gate = asyncio.Semaphore(per_host)
        self._per_host = per_host
        self.multiplexed = False
        self.extensions: dict[str, object] = {"trace": self._trace} if may_multiplex else {}

    def saw(self, http_version: str) -> None:
        """The host answered in this HTTP version: no more tracing; widen for HTTP/2."""
        self.extensions = {}
        if http_version == "HTTP/2" and not self.multiplexed:
            self.multiplexed = True
            for _ in range(max(0, STREAMS_PER_HOST - self._per_host)):
                self.gate.release()

    async def _trace(self, event: str, info: object) -> None:
        if event.startswith("http2."):
            self.saw("HTTP/2")


class Fetcher:
    """Fetch many feeds with global and per-host limits; shared settings and headers."""

    def __init__(self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None):
        self.settings = settings
        self._transport = transport
        self._global = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, _Host] = {}
        self._ssl_context: ssl.SSLContext | None = None
        self._wants_http2 = settings.http2 and transport is None

    def _ssl(self) -> ssl.SSLContext:
        """Loading the CA bundle takes ~30 ms, so every host's client shares one context."""
        if self._ssl_context is None:
            self._ssl_context = ssl.create_default_context()
        return self._ssl_context

    def _new_client(self, https: bool) -> httpx.AsyncClient:
        # One small pool per host: httpcore scans every pooled connection on each
        # request, so a single pool of hundreds of connections costs seconds.
        return httpx.AsyncClient(
            timeout=httpx.Timeout(self.settings.timeout, connect=min(self.settings.timeout, 10.0)),
            limits=httpx.Limits(
                max_connections=self.settings.per_host,
                max_keepalive_connections=self.settings.per_host,
            ),
            # HTTP/2 only where TLS can negotiate it (ALPN); plain http stays HTTP/1.1.
            http2=https and self._wants_http2 and _http2_available(),
            follow_redirects=False,
            headers={
                "User-Agent": self.settings.user_agent,
                "Accept": (
                    "application/atom+xml, application/rss+xml, application/rdf+xml, "
                    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
                ),
                "Accept-Encoding": "gzip, deflate",
            },
            transport=self._transport,
            verify=self._ssl(),
            trust_env=False,
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.gather(*(host.client.aclose() for host in self._hosts.values()))

    def _host(self, url: str) -> _Host:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        key = f"{scheme}://{parts.hostname}:{parts.port or ''}"
        if key not in self._hosts:
            client = self._new_client(https := scheme == "https")
            self._hosts[key] = _Host(
                client, self.settings.per_host, may_multiplex=https and self._wants_http2
            )
        return self._hosts[key]

    async def fetch(self, request: FetchRequest) -> FetchResult:
        started = time.monotonic()
        result = FetchResult(name=request.name, url=request.url, status="error")
        try:
            await self._follow(request, result)
        except FetchFailure as failure:
            result.status = "error"
            result.error_kind = failure.kind
            result.error = failure.message
            result.http_status = failure.http_status or result.http_status
            result.retry_after = failure.retry_after
            result.content = b""
        except TimeoutError:
            result.status = "error"
            result.error_kind = "timeout"
            result.error = f"gave up after the {self.settings.deadline:g} s deadline"
            result.content = b""
        result.elapsed = time.monotonic() - started
        return result

    async def _follow(self, request: FetchRequest, result: FetchResult) -> None:
        if urlsplit(request.url).scheme.lower() == "file":
            await asyncio.to_thread(self._read_file, request, result)
            return
        url = request.url
        seen = {url}
        all_permanent = True
        conditional = {}
        if request.etag:
            conditional["If-None-Match"] = request.etag
        if request.last_modified:
            conditional["If-Modified-Since"] = request.last_modified
        loop = asyncio.get_running_loop()
        deadline_at: float | None = None
        for _hop in range(self.settings.max_redirects + 1):
            scheme = urlsplit(url).scheme.lower()
            if scheme not in ("http", "https"):
                raise FetchFailure("bad_redirect", f"redirected to a non-http(s) URL: {url[:200]}")
            # Wait for a slot first; the deadline counts only time spent on the network.
            host = self._host(url)
            async with host.gate, self._global:
                if deadline_at is None:
                    deadline_at = loop.time() + self.settings.deadline
                async with asyncio.timeout_at(deadline_at):
                    location = await self._get(host, url, conditional, result)
            if location is None:
                result.final_url = url
                if url != request.url and all_permanent:
                    result.permanent_url = url
                return
            status, target = location
            all_permanent = all_permanent and status in PERMANENT_REDIRECTS
            url = urljoin(url, target)
            if url in seen:
                raise FetchFailure("redirect_loop", f"redirect loop at {url[:200]}")
            seen.add(url)
        raise FetchFailure(
            "too_many_redirects", f"more than {self.settings.max_redirects} redirects"
        )

    def _read_file(self, request: FetchRequest, result: FetchResult) -> None:
        """A local feed file, read as the server of a conditional GET would answer."""
        from email.utils import formatdate
        from urllib.request import url2pathname

        path = url2pathname(urlsplit(request.url).path)
        try:
            with open(path, "rb") as handle:
                stat = os.fstat(handle.fileno())
                modified = formatdate(stat.st_mtime, usegmt=True)
                result.final_url = request.url
                result.headers = {"last-modified": modified}
                if request.last_modified == modified:
                    result.status = "not_modified"
                    return
                if stat.st_size > self.settings.max_bytes:
                    raise FetchFailure(
                        "too_large", f"{path} is larger than {self.settings.max_bytes} bytes"
                    )
                content = handle.read(self.settings.max_bytes + 1)
        except FileNotFoundError:
            raise FetchFailure("not_found", f"no file at {path}") from None
        except IsADirectoryError:
            raise FetchFailure("not_a_feed", f"{path} is a folder, not a feed file") from None
        except OSError as exc:
            raise FetchFailure("file_error", f"cannot read {path}: {exc.strerror}") from None
        if len(content) > self.settings.max_bytes:
            raise FetchFailure("too_large", f"{path} grew past {self.settings.max_bytes} bytes")
        result.content = content
        result.bytes = len(content)
        result.status = "ok"

    async def _get(
        self, host: _Host, url: str, conditional: dict[str, str], result: FetchResult
    ) -> tuple[int, str] | None:
        """GET one URL. Returns (status, Location) for a redirect, None when done."""
        try:
            async with host.client.stream(
                "GET", url, headers=conditional, extensions=host.extensions
            ) as response:
                host.saw(response.http_version)
                status = response.status_code
                result.http_status = status
                result.headers = {k.lower(): v for k, v in response.headers.items()}
                if status in REDIRECTS:
                    target = response.headers.get("location")
                    if not target:
                        raise FetchFailure(
                            "bad_redirect", f"HTTP {status} without a Location", http_status=status
                        )
                    await _drain(response)
                    return status, target
                if status == 304:
                    result.status = "not_modified"
                    await _drain(response)
                    return None
                if status >= 400:
                    raise self._http_failure(response)
                decoder = _Decoder(
                    response.headers.get("content-encoding", ""), self.settings.max_bytes
                )
                announced = response.headers.get("content-length", "")
                if announced.isdigit():
                    decoder.expect(int(announced))
                async for chunk in response.aiter_raw(CHUNK):
                    decoder.feed(chunk)
                result.content = decoder.finish()
                result.bytes = len(result.content)
                result.status = "ok"
                return None
        except FetchFailure:
            raise
        except httpx.HTTPError as exc:
            raise _classify_transport_error(exc) from None
        except OSError as exc:
            raise FetchFailure("network_error", str(exc)) from None

    @staticmethod
    def _http_failure(response: httpx.Response) -> FetchFailure:
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if status == 410:
            return FetchFailure("gone", "HTTP 410 Gone: the feed was removed", http_status=status)
        if status == 404:
            return FetchFailure("not_found", "HTTP 404 Not Found", http_status=status)
        if status == 429:
            return FetchFailure(
                "rate_limited",
                "HTTP 429 Too Many Requests",
                http_status=status,
                retry_after=retry_after,
            )
        if status >= 500:
            return FetchFailure(
                "server_error",
                f"HTTP {status} {response.reason_phrase}".strip(),
                http_status=status,
                retry_after=retry_after,
            )
        return FetchFailure(
            "http_error", f"HTTP {status} {response.reason_phrase}".strip(), http_status=status
        )


async def fetch_all(
    requests: Sequence[FetchRequest],
    settings: Settings,
    on_result: Callable[[FetchResult], Awaitable[None]],
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> None:
    """Fetch every request concurrently, handing each result to `on_result` as it lands."""
    async with Fetcher(settings, transport=transport) as fetcher:

        async def one(request: FetchRequest) -> None:
            await on_result(await fetcher.fetch(request))

        await asyncio.gather(*(one(request) for request in requests))
