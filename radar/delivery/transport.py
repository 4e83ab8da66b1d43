"""Sending one message: SMTP (stdlib smtplib) or an HTTP webhook (httpx).

A failure is a :class:`DeliveryFailed` that says whether trying again later may help
(connection refused, timeouts, webhook 5xx or 429, SMTP 4xx) or not (webhook 4xx,
SMTP 5xx: the server's own words are kept, since they say what to fix). Error text
never carries a secret: the webhook URL shows only its host (its path usually is the
token) and the SMTP password is scrubbed from anything a server echoes.
"""

from __future__ import annotations

import base64
import smtplib
import socket
import ssl
from collections.abc import Mapping

import httpx

from radar.errors import RadarError
from radar.feeds.delivery_settings import EmailSettings, WebhookSettings

TIMEOUT = 20.0
"""Seconds for connecting to a destination and for each of its replies."""
MAX_SERVER_WORDS = 300
_UNKNOWN_ISSUER = (18, 19, 20, 21)
"""OpenSSL verify codes for a certificate whose issuer is not trusted (self-signed, or
signed by a CA the store lacks), as opposed to one for another host or out of date."""


class DeliveryFailed(RadarError):
    """A message did not reach its destination; ``retry`` when a later attempt may."""

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def _words(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return " ".join(text.split())[:MAX_SERVER_WORDS]


def smtp_password(settings: EmailSettings, environ: Mapping[str, str]) -> str | None:
    """The password from the environment variable the file names; DeliveryFailed
    (retryable: the variable may be set for the next run) when it is not set."""
    if not settings.password_env:
        return None
    password = environ.get(settings.password_env)
    if not password:
        raise DeliveryFailed(
            f"email: the environment variable {settings.password_env} "
            "(settings.delivery.email.password_env) is not set",
            retry=True,
        )
    return password


def tls_context(settings: EmailSettings) -> ssl.SSLContext:
    """The system's trusted CAs, plus `ca_file` when the settings name one."""
    context = ssl.create_default_context()
    if settings.ca_file is not None:
        try:
            context.load_verify_locations(cafile=settings.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise DeliveryFailed(
                f"email: cannot read the CA file {settings.ca_file} "
                f"(settings.delivery.email.ca_file): {getattr(exc, 'strerror', None) or exc}",
                retry=True,
            ) from None
    return context


def send_email(
    settings: EmailSettings, mime: bytes, environ: Mapping[str, str], *, timeout: float = TIMEOUT
) -> None:
    """Send an already built message to the configured recipients."""
    password = smtp_password(settings, environ)
    secrets = [password or ""]
    if password:
        secrets.append(base64.b64encode(password.encode()).decode())
    where = f"email via {settings.host}:{settings.port}"
    context = tls_context(settings) if settings.security != "none" else None
    try:
        if settings.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=timeout, context=context
            )
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
        with client:
            if settings.security == "starttls":
                client.starttls(context=context)
            if settings.username and password:
                client.login(settings.username, password)
            refused = client.sendmail(settings.sender, list(settings.to), mime)
    except smtplib.SMTPRecipientsRefused as exc:
        words = "; ".join(
            f"{who}: {code} {_words(msg)}" for who, (code, msg) in exc.recipients.items()
        )
        raise DeliveryFailed(
            _scrub(f"{where}: recipients refused: {words}", secrets), retry=False
        ) from None
    except smtplib.SMTPResponseException as exc:
        words = _scrub(
            f"{where}: the server said {exc.smtp_code} {_words(exc.smtp_error)}", secrets
        )
        raise DeliveryFailed(words, retry=exc.smtp_code < 500) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise DeliveryFailed(_scrub(f"{where}: {exc}", secrets), retry=False) from None
    except ssl.SSLCertVerificationError as exc:
        why = str(exc.verify_message or exc.reason).rstrip(".")
        hint = (
            "; a private CA can be trusted with settings.delivery.email.ca_file"
            if exc.verify_code in _UNKNOWN_ISSUER
            else ""
        )
        raise DeliveryFailed(
            f"{where}: TLS failed: the server's certificate was not accepted ({why}){hint}",
            retry=True,
        ) from None
    except ssl.SSLError as exc:
        raise DeliveryFailed(f"{where}: TLS failed: {exc.reason or exc}", retry=True) from None
    except (OSError, smtplib.SMTPException) as exc:
        reason = (
            "timed out"
            if isinstance(exc, socket.timeout | TimeoutError)
            else str(exc) or type(exc).__name__
        )
        raise DeliveryFailed(_scrub(f"{where}: {reason}", secrets), retry=True) from None
    if refused:
        words = "; ".join(f"{who}: {code} {_words(msg)}" for who, (code, msg) in refused.items())
        raise DeliveryFailed(
            _scrub(f"{where}: some recipients refused: {words}", secrets), retry=False
        )


def post_webhook(
    settings: WebhookSettings,
    body: bytes,
    *,
    timeout: float = TIMEOUT,
    transport: httpx.BaseTransport | None = None,
) -> None:
    """POST a JSON body to the webhook."""
    where = f"webhook ({settings.host})"
    try:
        with httpx.Client(timeout=timeout, transport=transport, follow_redirects=False) as client:
            response = client.post(
                settings.url,
                content=body,
                headers={"Content-Type": "application/json; charset=utf-8"},
            )
    except httpx.TimeoutException:
        raise DeliveryFailed(f"{where}: timed out", retry=True) from None
    except httpx.HTTPError as exc:
        reason = _scrub(str(exc), [settings.url]) or type(exc).__name__
        raise DeliveryFailed(f"{where}: {reason}", retry=True) from None
    if response.is_success:
        return
    words = _scrub(_words(response.text), [settings.url]) or response.reason_phrase
    retry = response.status_code >= 500 or response.status_code in (408, 429)
    raise DeliveryFailed(f"{where}: HTTP {response.status_code}: {words}", retry=retry)
