"""Feed health, computed once for everyone: `radar doctor`, the digest's "feeds failing"
and the summary at the end of a fetch all read it from here, so they always agree.

A feed is *failing* when it is gone (HTTP 410), when it has never succeeded and its
last fetch failed, or when it failed more than ``max_feed_errors`` fetches in a row;
*retrying* when it failed fewer times than that after an earlier success; *stale*
when it fetches fine but had no new item within ``stale_after``; *new* when it has
not been fetched yet; else *ok*.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from radar.store import Store

FAILING, RETRYING, STALE, NEW, OK = "failing", "retrying", "stale", "new", "ok"

CAUSES: dict[str, str] = {
    "dns_error": "Offline, or a proxy? Host names do not resolve",
    "connection_refused": "Offline, or a proxy or firewall in the way? Connections are refused",
    "connect_error": "Offline, or a proxy or firewall in the way? Connections fail",
    "network_error": "Offline, or a proxy? The network fails",
    "timeout": "Offline, or a proxy? Servers do not answer in time",
    "tls_error": "A proxy intercepting HTTPS? TLS fails (SSL_CERT_FILE adds a CA)",
    "protocol_error": "A proxy in the way? Servers answer with broken HTTP",
    "proxy_error": "The proxy refuses: check HTTPS_PROXY / HTTP_PROXY",
}
"""Error kinds that say "the network", not "this feed": when every failure is one of
these, the cause is almost certainly the machine's connection, and this says so."""


@dataclass
class FeedState:
    """One configured feed as health checks see it."""

    name: str
    kind: str
    state: str
    errors: int
    last_status: str | None
    http_status: int | None
    last_error: str | None
    gone: bool
    last_ok: datetime | None
    last_fetched: datetime | None
    next_due: datetime | None
    newest_item: datetime | None
    """When the feed last published something we stored (item date, never after first seen)."""
    items: int

    @property
    def failing(self) -> bool:
        return self.state == FAILING

    @property
    def stale(self) -> bool:
        return self.state == STALE

    @property
    def never_succeeded(self) -> bool:
        return self.last_ok is None and self.last_fetched is not None

    @property
    def reason(self) -> str:
        """Why it is failing, in a few words: ``dns_error ×4, never succeeded``."""
        text = f"{self.last_status or 'error'} ×{self.errors}"
        if self.gone:
            text = "gone (HTTP 410)"
        return text + (", never succeeded" if self.never_succeeded else "")


def classify(
    *,
    gone: bool,
    errors: int,
    last_ok: datetime | None,
    last_fetched: datetime | None,
    newest_item: datetime | None,
    stale_cutoff: datetime,
    max_feed_errors: int,
) -> str:
    """The state of one feed (see the module docstring)."""
    if gone or (errors > 0 and last_ok is None) or errors > max_feed_errors:
        return FAILING
    if errors > 0:
        return RETRYING
    if last_fetched is None and last_ok is None:
        return NEW
    if last_ok is not None and (newest_item is None or newest_item < stale_cutoff):
        return STALE
    return OK


def feed_states(
    store: Store, *, max_feed_errors: int, stale_after: timedelta, as_of: datetime
) -> list[FeedState]:
    """Every configured feed's state as of ``as_of`` (items dated later are not counted).

    The digest passes the end of its range, doctor the current time.
    """
    rows = store.feed_health(as_of)
    cutoff = as_of - stale_after
    states = []
    for row in rows:
        errors = row.error_count
        last_ok, last_fetched = row.last_ok, row.last_fetched
        newest = row.newest_item
        state = classify(
            gone=row.gone,
            errors=errors,
            last_ok=last_ok,
            last_fetched=last_fetched,
            newest_item=newest,
            stale_cutoff=cutoff,
            max_feed_errors=max_feed_errors,
        )
        states.append(
            FeedState(
                name=row.name,
                kind=row.kind,
                state=state,
                errors=errors,
                last_status=row.last_status,
                http_status=row.http_status,
                last_error=row.last_error,
                gone=row.gone,
                last_ok=last_ok,
                last_fetched=last_fetched,
                next_due=row.next_due,
                newest_item=newest,
                items=row.items,
            )
        )
    return states


def kind_counts(kinds: Iterable[str | None]) -> Counter[str]:
    """How many failures of each error kind, most common first when listed."""
    return Counter(kind or "error" for kind in kinds)


def common_cause(kinds: Counter[str]) -> str | None:
    """When every failure points at the network (and there are several), what to check.

    ``None`` when the failures differ in kind in a way that points at the feeds
    themselves (a 404 here, a parse error there).
    """
    total = sum(kinds.values())
    if total < 2 or not kinds or any(kind not in CAUSES for kind in kinds):
        return None
    if len(kinds) == 1:
        (kind,) = kinds
        return f"every error is {kind}. {CAUSES[kind]}."
    listed = ", ".join(f"{count} {kind}" for kind, count in kinds.most_common())
    return f"every error is a network error ({listed}). Offline, or a proxy?"


def describe_kinds(kinds: Counter[str]) -> str:
    """``139 dns_error, 5 connection_refused``."""
    return ", ".join(f"{count} {kind}" for kind, count in kinds.most_common())
