"""Feed URLs made canonical: absolute http(s), tracking parameters out, fragments decided.

Pure and stdlib-only, so the parser and the store share one idea of "the same page".
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "mc_cid",
        "mc_eid",
        "ref_src",
        "igshid",
        "_hsenc",
        "_hsmi",
        "yclid",
        "spm",
        "xtor",
    }
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_VALID_HOST = re.compile(r"[^\s/?#@<>\"'`{}|\\^%]+\Z")
_URL_CONTROL_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _is_tracking_param(name: str) -> bool:
    name = unquote(name).strip().lower()
    return name.startswith("utm_") or name in TRACKING_PARAMS


def _drop_tracking_params(query: str) -> str:
    kept = [
        pair for pair in query.split("&") if pair and not _is_tracking_param(pair.split("=", 1)[0])
    ]
    return "&".join(kept)


def canonical_url(
    url: str | None, base: str | None = None, *, keep_fragment: bool = False
) -> str | None:
    """The canonical http(s) form of ``url`` resolved against ``base``, or None.

    Scheme and host are lower-cased, default ports dropped, tracking parameters (``utm_*``,
    ``fbclid``, …) removed with the other parameters kept in order. The fragment is dropped
    (a ``#!`` route is kept, since it names the page) unless ``keep_fragment``; even then a
    fragment made only of tracking parameters (``#utm_source=rss``, ``#xtor=RSS-3``) goes.
    Anything not http(s) (``javascript:``, ``data:``, ``mailto:``) or unparseable gives None.
    """
    if not url:
        return None
    url = _URL_CONTROL_CHARS.sub("", url).strip()
    if not url:
        return None
    try:
        absolute = urljoin(base, url) if base else url
        parts = urlsplit(absolute)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS or not parts.hostname:
            return None
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname
    if not _VALID_HOST.match(host):
        return None
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@{netloc}"
    fragment = parts.fragment
    if not fragment.startswith("!") and (not keep_fragment or is_tracking_fragment(fragment)):
        fragment = ""
    path = (parts.path or "/").replace(" ", "%20")
    query = _drop_tracking_params(parts.query).replace(" ", "%20")
    return urlunsplit((scheme, netloc, path, query, fragment.replace(" ", "%20")))


def is_tracking_fragment(fragment: str) -> bool:
    """A fragment that only carries analytics parameters, which no page uses as an anchor."""
    pairs = [pair for pair in re.split(r"[&;]", fragment) if pair]
    return bool(pairs) and all(
        "=" in pair and _is_tracking_param(pair.split("=", 1)[0]) for pair in pairs
    )


def split_fragment(url: str) -> tuple[str, str]:
    """``url`` without its fragment, and the fragment ("" when there is none).

    A ``#!`` route names a page of its own, so it stays part of the page.
    """
    page, _, fragment = url.partition("#")
    if fragment.startswith("!"):
        return url, ""
    return page, fragment
