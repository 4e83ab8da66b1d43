"""Real receivers on 127.0.0.1 for delivery tests: an SMTP server (aiosmtpd) that keeps
every message it accepts, and an HTTP webhook receiver that keeps every POST body.

Both can answer with a refusal of the test's choosing, and the webhook receiver can be
started late on a port chosen up front, for a destination that is down, then up.
"""

from __future__ import annotations

import email
import email.policy
import http.server
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class SmtpSink:
    port: int
    messages: list[Received] = field(default_factory=list)
    refuse_with: str | None = None
    """An SMTP reply (``"554 5.7.1 Message rejected as spam"``) given to DATA instead of 250."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.refuse_with:
            return self.refuse_with
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(login: tuple[str, str] | None = None) -> Iterator[SmtpSink]:
    """With `login`, the server asks for AUTH (offered without TLS: 127.0.0.1 only)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def authenticate(
        server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and (data.login.decode(), data.password.decode()) == login
        )
        # handled=False: aiosmtpd then answers 535 itself (with its default, handled=True,
        # a refused login gets no reply at all and the client waits for its timeout)
        return AuthResult(success=ok, handled=False)

    sink = SmtpSink(port=free_port())
    extra: dict[str, Any] = {}
    if login is not None:
        extra = {"authenticator": authenticate, "auth_require_tls": False, "auth_required": True}
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port, **extra)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@dataclass
class Post:
    path: str
    body: Any
    content_type: str


class WebhookReceiver:
    """Answers POSTs with `status` and `reply`, keeping each JSON body in `posts`."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.posts: list[Post] = []
        self.status = 200
        self.reply = b"ok"
        self._server: http.server.ThreadingHTTPServer | None = None

    def url(self, path: str = "/services/T000/B000/s3cr3tT0ken") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                receiver.posts.append(
                    Post(self.path, json.loads(raw), self.headers.get("Content-Type", ""))
                )
                self.send_response(receiver.status)
                self.send_header("Content-Length", str(len(receiver.reply)))
                self.end_headers()
                self.wfile.write(receiver.reply)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@contextmanager
def webhook_receiver(*, started: bool = True) -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    if started:
        receiver.start()
    try:
        yield receiver
    finally:
        receiver.stop()
