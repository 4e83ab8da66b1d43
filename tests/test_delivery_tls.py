"""User stories for mailing the digest over TLS: a real aiosmtpd server on 127.0.0.1 that
speaks STARTTLS or implicit TLS with a certificate from a throwaway CA (trustme), which
radar is told to trust with `ca_file:` in settings.delivery.email."""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from delivery_servers import SmtpSink, free_port
from test_delivery import WEEK, _cycle, _email, _news_workspace

trustme = pytest.importorskip("trustme")
SECRET = "wr0ng-but-still-s3cret"
CA_BUNDLE = "test-ca.pem"


@pytest.fixture
def ca(workspace: Any) -> Any:
    """A throwaway certificate authority; its certificate is `CA_BUNDLE`, next to the
    workspace's feeds.yaml."""
    authority = trustme.CA()
    authority.cert_pem.write_to_path(str(Path(workspace.feeds_path).parent / CA_BUNDLE))
    return authority


@contextmanager
def tls_smtp_server(
    ca: Any,
    mode: str,
    *,
    names: tuple[str, ...] = ("127.0.0.1", "localhost"),
    login: tuple[str, str] | None = None,
) -> Iterator[SmtpSink]:
    """An SMTP server whose certificate, signed by `ca`, is for `names`; `mode` is
    ``starttls`` (plain connection upgraded on request) or ``ssl`` (TLS from the start)."""
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

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)
    sink = SmtpSink(port=free_port())
    extra: dict[str, Any] = (
        {"tls_context": context, "require_starttls": True}
        if mode == "starttls"
        else {"ssl_context": context}
    )
    if login is not None:
        extra |= {"authenticator": authenticate, "auth_required": True}
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port, **extra)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


def _secure_email(port: int, security: str, extra: str = "", *, trust: bool = True) -> str:
    """An email destination on 127.0.0.1 over `security`, trusting the test CA with
    `ca_file:` (a path relative to feeds.yaml, which lives in the test's directory)."""
    mail = _email(port, extra).replace("security: none", f"security: {security}")
    if not trust:
        return mail
    return mail.replace("}\n", f", ca_file: {CA_BUNDLE}}}\n")


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_the_digest_arrives_over_tls(workspace, radar, server, ca, security):
    with tls_smtp_server(ca, security) as smtp:
        _news_workspace(workspace, radar, server, _secure_email(smtp.port, security))
        sent = radar("digest", "--week", WEEK, "--send")
        assert f"email: sent the {WEEK} digest" in sent.stderr
        assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail.recipients == ["ml-team@example.org", "lead@example.org"]
    plain = mail.message.get_body(("plain",)).get_content()
    assert "Paged attention lands in the serving stack" in plain


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_a_certificate_for_another_host_is_refused_and_the_digest_queued(
    workspace, radar, server, ca, security
):
    with tls_smtp_server(ca, security, names=("mail.elsewhere.example",)) as smtp:
        _news_workspace(workspace, radar, server, _secure_email(smtp.port, security))
        result = radar("digest", "--week", WEEK, "--send", ok=False)
        assert result.exit_code == 1
        assert f"127.0.0.1:{smtp.port}" in result.stderr, "the message names the destination"
        assert "certificate is not valid for '127.0.0.1'" in result.stderr
        assert "email: queued" in result.stderr
        later = _cycle(workspace, datetime.now(UTC) + timedelta(hours=7))
        assert later.status == "ok", "a mail server with a bad certificate never fails a fetch"
        assert later.delivery is not None
        assert [o.status for o in later.delivery.outcomes] == ["queued"], "retried, queued again"
        assert not smtp.messages


def test_a_server_signed_by_a_ca_nobody_named_is_refused(workspace, radar, server, ca):
    with tls_smtp_server(ca, "ssl") as smtp:
        _news_workspace(workspace, radar, server, _secure_email(smtp.port, "ssl", trust=False))
        result = radar("digest", "--week", WEEK, "--send", ok=False)
        assert "certificate" in result.stderr and "email: queued" in result.stderr
        assert "settings.delivery.email.ca_file" in result.stderr, "the way out is named"
        assert not smtp.messages


def test_no_encryption_to_a_remote_server_is_refused_by_the_settings(workspace, radar):
    Path(workspace.feeds_path).write_text(
        "feeds: []\nsettings:\n  delivery:\n"
        "    email: {host: smtp.example.org, port: 25, security: none, "
        "from: radar@example.org, to: [ml-team@example.org]}\n",
        encoding="utf-8",
    )
    result = radar("fetch", "--no-index", ok=False)
    assert result.exit_code != 0
    assert "settings.delivery.email.security" in result.stderr
    assert "localhost" in result.stderr


def test_a_wrong_password_is_reported_in_the_servers_words_and_never_shown(
    workspace, radar, server, ca, monkeypatch
):
    extra = ", username: radar, password_env: RADAR_TEST_SMTP_PASSWORD"
    monkeypatch.setenv("RADAR_TEST_SMTP_PASSWORD", SECRET)
    with tls_smtp_server(ca, "starttls", login=("radar", "the-right-one")) as smtp:
        _news_workspace(workspace, radar, server, _secure_email(smtp.port, "starttls", extra))
        result = radar("digest", "--week", WEEK, "--send", ok=False)
        assert result.exit_code == 1
        assert "535" in result.stderr and "Authentication" in result.stderr
        assert "email: failed" in result.stderr, "a wrong password is not retried by itself"
        listed = radar("alerts", "list", "--json").stdout
        fetched = radar("fetch", "--no-index", "--json").stdout
        assert not smtp.messages
    from radar.store import Store

    with Store(workspace.db_path) as store:
        stored = json.dumps([d.__dict__ for d in store.delivery.recent()])
    assert "535" in stored, "the failure is recorded"
    for shown in (result.stdout, result.stderr, listed, fetched, stored):
        assert SECRET not in shown


def test_a_ca_file_that_is_missing_or_pointless_is_refused_by_the_settings(workspace, radar):
    Path(workspace.feeds_path).write_text(
        "feeds: []\nsettings:\n  delivery:\n"
        "    email: {host: smtp.example.org, security: starttls, ca_file: nowhere/ca.pem,\n"
        "            from: radar@example.org, to: [ml-team@example.org]}\n",
        encoding="utf-8",
    )
    missing = radar("fetch", "--no-index", ok=False)
    assert "settings.delivery.email.ca_file" in missing.stderr
    assert "nowhere/ca.pem" in missing.stderr and "no such file" in missing.stderr
    Path(workspace.feeds_path).write_text(
        "feeds: []\nsettings:\n  delivery:\n"
        f"    email: {{host: localhost, security: none, ca_file: {CA_BUNDLE},\n"
        "            from: radar@example.org, to: [ml-team@example.org]}\n",
        encoding="utf-8",
    )
    (Path(workspace.feeds_path).parent / CA_BUNDLE).write_text("not a certificate\n")
    pointless = radar("fetch", "--no-index", ok=False)
    assert "settings.delivery.email.ca_file" in pointless.stderr
    assert "only applies with security starttls or ssl" in pointless.stderr
