"""The outbox: every message is stored before it is sent, then sent, retried or given up.

A message whose destination is down stays pending and is retried by later runs with
exponential backoff (:func:`next_attempt`); one a server refused for good (a webhook
4xx, an SMTP 5xx) is marked failed with the server's words. A digest range is sent
once per destination unless asked to resend.
"""

from __future__ import annotations

import email.policy
import json
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from radar.delivery.messages import Alert, alert_mail, digest_mail, webhook_alert, webhook_digest
from radar.delivery.transport import DeliveryFailed, post_webhook, send_email
from radar.feeds.delivery_settings import DeliverySettings
from radar.store import Store
from radar.store.delivery import FAILED, PENDING, SENT, Delivery, stamp

log = logging.getLogger("radar.delivery")
log.addHandler(logging.NullHandler())

FIRST_RETRY = timedelta(minutes=5)
MAX_RETRY = timedelta(hours=6)


def next_attempt(now: datetime, attempts: int) -> datetime:
    """When to try again after `attempts` failed tries: 5 min, 10, 20, … at most 6 h."""
    return now + min(FIRST_RETRY * (1 << max(attempts - 1, 0)), MAX_RETRY)


@dataclass(frozen=True)
class Outcome:
    """What happened to one message on one destination."""

    destination: str
    range_key: str
    status: str
    """sent, queued (will be retried), failed (refused for good), skipped (sent before),
    or dry-run."""
    detail: str = ""
    delivery_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "destination": self.destination,
            "range": self.range_key,
            "status": self.status,
            "detail": self.detail,
            "id": self.delivery_id,
        }


def _choose(settings: DeliverySettings, only: str | None) -> list[str]:
    from radar.errors import RadarError

    configured = settings.destinations
    if only is not None:
        if only not in configured:
            raise RadarError(
                f"no {only} destination is configured (settings.delivery.{only} in feeds.yaml)"
            )
        return [only]
    if not configured:
        raise RadarError(
            "no destination is configured: add settings.delivery.email or "
            "settings.delivery.webhook to feeds.yaml"
        )
    return configured


def _payload(
    destination: str,
    settings: DeliverySettings,
    mail: Callable[[str, tuple[str, ...]], EmailMessage],
    chat: Callable[[str], dict[str, Any]],
) -> str:
    """The stored message for one configured destination: ``mail(sender, to)`` builds
    the mail, ``chat(format)`` the webhook body."""
    if destination == "email":
        assert settings.email is not None  # destinations lists configured ones only
        message = mail(settings.email.sender, settings.email.to)
        # CRLF line ends as SMTP wants them: smtplib sends bytes exactly as given.
        return json.dumps({"mime": message.as_string(policy=email.policy.SMTP)})
    assert settings.webhook is not None
    return json.dumps({"format": settings.webhook.format, "body": chat(settings.webhook.format)})


def send_digest(
    store: Store,
    settings: DeliverySettings,
    digest: dict[str, Any],
    markdown: str,
    html: str,
    *,
    now: datetime,
    only: str | None = None,
    resend: bool = False,
    dry_run: bool = False,
    environ: Mapping[str, str] | None = None,
) -> list[Outcome]:
    """Queue the digest for each chosen destination and try to send it now."""
    from radar.delivery.messages import digest_subject

    label = digest["range"]["label"]
    subject = digest_subject(digest)
    outcomes = []
    for destination in _choose(settings, only):
        before = store.delivery.for_range("digest", destination, label)
        earlier = next((d for d in before if d.status in (SENT, PENDING)), None)
        if earlier is not None and not resend:
            when = earlier.sent_at or earlier.created_at
            what = "sent" if earlier.status == SENT else "queued"
            outcomes.append(
                Outcome(
                    destination,
                    label,
                    "skipped",
                    f"already {what} ({when[:16]}); --resend sends it again",
                    earlier.id,
                )
            )
            continue
        payload = _payload(
            destination,
            settings,
            lambda sender, to: digest_mail(digest, markdown, html, sender, to),
            lambda fmt: webhook_digest(fmt, digest),
        )
        if dry_run:
            outcomes.append(Outcome(destination, label, "dry-run", payload))
            continue
        if earlier is not None:  # --resend of a queued one: its retry would send it twice
            store.delivery.mark_failed(earlier.id, stamp(now), "superseded by --resend")
        delivery_id = store.delivery.enqueue(
            "digest", destination, label, subject, payload, stamp(now)
        )
        outcomes.append(attempt(store, store.delivery.get(delivery_id), settings, now, environ))
    return outcomes


def queue_alert(store: Store, settings: DeliverySettings, alert: Alert, now: datetime) -> list[int]:
    """Store one release alert's message for every configured destination."""
    ids = []
    for destination in settings.destinations:
        payload = _payload(
            destination,
            settings,
            lambda sender, to: alert_mail(alert, sender, to),
            lambda fmt: webhook_alert(fmt, alert),
        )
        subject = f"radar: {alert.headline}"
        ids.append(
            store.delivery.enqueue("alert", destination, alert.key, subject, payload, stamp(now))
        )
    return ids


def attempt(
    store: Store,
    delivery: Delivery,
    settings: DeliverySettings,
    now: datetime,
    environ: Mapping[str, str] | None = None,
) -> Outcome:
    """Send one stored message; record and return what happened. Never raises for a
    destination's failure."""
    env = os.environ if environ is None else environ
    payload = json.loads(delivery.payload)
    try:
        if delivery.destination == "email":
            if settings.email is None:
                raise DeliveryFailed(
                    "email: no longer configured (settings.delivery.email)", retry=True
                )
            send_email(settings.email, payload["mime"].encode("utf-8"), env)
        else:
            if settings.webhook is None:
                raise DeliveryFailed(
                    "webhook: no longer configured (settings.delivery.webhook)", retry=True
                )
            post_webhook(
                settings.webhook, json.dumps(payload["body"], ensure_ascii=False).encode("utf-8")
            )
    except DeliveryFailed as failure:
        return _record_failure(store, delivery, now, failure)
    store.delivery.mark_sent(delivery.id, stamp(now))
    log.info(
        "%s %s sent to %s",
        delivery.kind,
        delivery.range_key,
        delivery.destination,
        extra={"radar_event": "delivery", "radar_fields": {"id": delivery.id, "status": SENT}},
    )
    return Outcome(delivery.destination, delivery.range_key, SENT, "", delivery.id)


def _record_failure(
    store: Store, delivery: Delivery, now: datetime, failure: DeliveryFailed
) -> Outcome:
    error = str(failure)
    fields = {"id": delivery.id, "attempts": delivery.attempts + 1}
    if failure.retry:
        retry_at = next_attempt(now, delivery.attempts + 1)
        store.delivery.mark_retry(delivery.id, stamp(now), stamp(retry_at), error)
        log.warning(
            "%s %s to %s queued, retry after %s: %s",
            delivery.kind,
            delivery.range_key,
            delivery.destination,
            stamp(retry_at)[:16],
            error,
            extra={"radar_event": "delivery", "radar_fields": {**fields, "status": "queued"}},
        )
        return Outcome(
            delivery.destination,
            delivery.range_key,
            "queued",
            f"{error}; retrying after {stamp(retry_at)[:16]}",
            delivery.id,
        )
    store.delivery.mark_failed(delivery.id, stamp(now), error)
    log.error(
        "%s %s to %s refused: %s",
        delivery.kind,
        delivery.range_key,
        delivery.destination,
        error,
        extra={"radar_event": "delivery", "radar_fields": {**fields, "status": FAILED}},
    )
    return Outcome(delivery.destination, delivery.range_key, FAILED, error, delivery.id)


def deliver_due(
    store: Store,
    settings: DeliverySettings,
    now: datetime,
    environ: Mapping[str, str] | None = None,
    destinations: Sequence[str] | None = None,
) -> list[Outcome]:
    """Send every pending message whose retry time has come. A destination that fails
    is not tried again in this pass (its other messages wait for the next run)."""
    chosen = list(destinations if destinations is not None else settings.destinations)
    outcomes: list[Outcome] = []
    down: set[str] = set()
    for delivery in store.delivery.due(stamp(now), chosen):
        if delivery.destination in down:
            continue
        outcome = attempt(store, delivery, settings, now, environ)
        if outcome.status == "queued":
            down.add(delivery.destination)
        outcomes.append(outcome)
    return outcomes
