"""Feed bytes → `ParsedFeed`: feedparser does the format work, this module normalises its output.

Everything a feed says is untrusted. Text comes out plain and free of terminal control
characters, links come out canonical http(s) or None, dates come out aware UTC or None.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser

from radar.errors import FeedError
from radar.feeds.model import Enclosure, Item, ParsedFeed
from radar.feeds.text import canonical_url, clean_line, clean_text, html_to_text

__all__ = ["canonical_url", "parse_feed"]

TITLE_MAX_CHARS = 500
FALLBACK_TITLE_CHARS = 80
AUTHOR_MAX_CHARS = 200
SUMMARY_MAX_CHARS = 20_000
CONTENT_MAX_CHARS = 100_000
TAG_MAX_CHARS = 100
MAX_TAGS = 50
MAX_ENCLOSURES = 20
FUTURE_TOLERANCE = timedelta(days=1)

_XML_MEDIA_TYPE = re.compile(r"^\s*(?:application|text)/(?:[\w.+-]+\+)?xml\s*(?:;|$)", re.I)
_CHARSET_PARAM = re.compile(r";\s*charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_LOOKS_LIKE_HTML = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<meta\s", re.I)
_PLAIN_TYPES = frozenset({"text/plain", "text"})
_MARKUP_TYPES = frozenset({"text/html", "html", "application/xhtml+xml", "xhtml"})


def parse_feed(
    content: bytes,
    *,
    url: str,
    headers: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> ParsedFeed:
    """Parse an RSS, Atom or RDF document fetched from ``url`` into normalised items.

    ``headers`` are the HTTP response headers; only the charset of an XML Content-Type is
    used. A malformed document whose entries can still be read gives a ParsedFeed with
    ``problem`` set. Raises FeedError ``empty``, ``not_a_feed`` (an HTML page) or
    ``parse_error`` when there is no feed to read.
    """
    if _is_blank(content):
        raise FeedError("empty", "empty response body")
    problems: list[str] = []
    content, stripped_entities = strip_entity_declarations(content)
    if stripped_entities:
        problems.append("entity declarations in the DOCTYPE were removed before parsing")
    result = _run_feedparser(content, url, headers or {})
    if result.get("bozo"):
        problems.insert(0, _describe(result.get("bozo_exception")))
    entries = result.get("entries") or []
    version = result.get("version") or ""
    if not version and not entries:
        raise _no_feed_error(content, url, headers or {}, result)

    latest_allowed = (now or datetime.now(UTC)) + FUTURE_TOLERANCE
    items: list[Item] = []
    skipped = future_dates = 0
    for entry in entries:
        item, dropped_dates = _entry_to_item(entry, url, latest_allowed)
        future_dates += dropped_dates
        if item is None:
            skipped += 1
        else:
            items.append(item)
    if future_dates:
        problems.append(f"{future_dates} date(s) more than a day in the future were ignored")

    feed = result.get("feed") or {}
    return ParsedFeed(
        title=clean_line(_text_of(feed, "title", TITLE_MAX_CHARS), TITLE_MAX_CHARS),
        link=canonical_url(feed.get("link"), url),
        items=tuple(items),
        problem="; ".join(problems) or None,
        skipped=skipped,
        ttl_minutes=_ttl_minutes(feed.get("ttl")),
        version=version,
    )


def _is_blank(content: bytes) -> bool:
    for bom, _ in _BOM_ENCODINGS:
        if content.startswith(bom):
            content = content[len(bom) :]
            break
    return not content.strip(b" \t\r\n\x00")


def _run_feedparser(content: bytes, url: str, headers: Mapping[str, str]) -> Any:
    response_headers = {key.lower(): value for key, value in headers.items()}
    response_headers["content-type"] = _xml_content_type(
        response_headers.get("content-type"), content
    )
    # The URL we fetched is the base for relative links; a server's own Content-Location
    # is ignored, as browsers do.
    response_headers["content-location"] = url
    try:
        # A BytesIO, never raw bytes: feedparser tries to open a bytes argument as a file path.
        return feedparser.parse(
            io.BytesIO(content),
            response_headers=response_headers,
            # We turn HTML into plain text ourselves and never render it, so feedparser's
            # sanitiser and in-HTML link resolution are pure cost. Item links still resolve.
            resolve_relative_uris=False,
            sanitize_html=False,
        )
    except MemoryError:
        raise
    except Exception as exc:  # a parser bug on hostile input must not stop a whole update
        raise FeedError("parse_error", f"{url}: feedparser failed: {exc!r}") from exc


def _xml_content_type(content_type: str | None, content: bytes) -> str:
    """The Content-Type to show feedparser: always XML, with the charset we trust.

    feedparser follows RFC 3023, which decodes ``text/xml`` without a charset as ASCII and
    flags every non-XML type as malformed; servers mislabel feeds so often that the
    document's own XML declaration is the better guide (RFC 7303), so only an XML type's
    charset is kept. A byte-order mark, or UTF-16/32 bytes, win over everything: feedparser
    would otherwise decode a UTF-16 document whose declaration names no encoding as UTF-8.
    """
    sniffed = sniff_wide_encoding(content)
    if sniffed:
        return f"application/xml; charset={sniffed}"
    if content_type and _XML_MEDIA_TYPE.match(content_type):
        charset = _CHARSET_PARAM.search(content_type)
        if charset:
            return f"application/xml; charset={charset.group(1)}"
    return "application/xml"


_BOM_ENCODINGS = (
    (b"\x00\x00\xfe\xff", "utf-32be"),
    (b"\xff\xfe\x00\x00", "utf-32le"),
    (b"\xfe\xff", "utf-16be"),
    (b"\xff\xfe", "utf-16le"),
    (b"\xef\xbb\xbf", "utf-8"),
)


def sniff_wide_encoding(content: bytes) -> str | None:
    """The encoding a byte-order mark names, or UTF-16/32 recognised from its zero bytes."""
    for bom, encoding in _BOM_ENCODINGS:
        if content.startswith(bom):
            return encoding
    head = content[:4]
    if len(head) < 4 or head.count(0) not in (2, 3):
        return None
    zeros = tuple(byte == 0 for byte in head)
    return {
        (True, True, True, False): "utf-32be",
        (False, True, True, True): "utf-32le",
        (True, False, True, False): "utf-16be",
        (False, True, False, True): "utf-16le",
    }.get(zeros)


def _describe(exception: object) -> str:
    text = clean_line(str(exception or "malformed document"), 300)
    name = type(exception).__name__ if exception is not None else ""
    return f"{name}: {text}" if name and name not in text else text


def _no_feed_error(content: bytes, url: str, headers: Mapping[str, str], result: Any) -> FeedError:
    head = content[:4096].replace(b"\x00", b"").decode("utf-8", "replace")
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if _LOOKS_LIKE_HTML.search(head) or content_type.lower().startswith("text/html"):
        return FeedError(
            "not_a_feed",
            f"{url} looks like an HTML page, not a feed; try `radar feeds discover {url}`",
        )
    if head.lstrip("\ufeff \t\r\n").startswith(("{", "[")):
        return FeedError(
            "parse_error", f"{url} looks like JSON; only RSS, Atom and RDF feeds are supported"
        )
    reason = _describe(result.get("bozo_exception")) if result.get("bozo") else "no feed found"
    return FeedError("parse_error", f"{url} is not an RSS, Atom or RDF feed: {reason}")


# --- entity declarations ---------------------------------------------------------------

_ENTITY_KEYWORD = "<!ENTITY"
_WIDE_CODECS = ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
# The internal subset, matched atomically (no catastrophic backtracking on hostile input),
# with quoted strings and comments skipped whole so a "]" or ">" inside them does not end it.
_INTERNAL_SUBSET = re.compile(
    r"<!DOCTYPE[^\[>]*+\[(?>(?:<!--.*?-->|\"[^\"]*\"|'[^']*'|[^\]\"'<]|<(?!!--))*)\]\s*>", re.S
)
_ELEMENT_START = re.compile(r"<[A-Za-z_]")


def strip_entity_declarations(content: bytes) -> tuple[bytes, bool]:
    """Remove a DOCTYPE's internal subset when it declares entities; say whether it did.

    feedparser's loose parser expands the declared entities it deems safe with no limit on
    the result, so a small document that references a large entity thousands of times grows
    to gigabytes; and the strict parser spends seconds before expat's amplification guard
    stops a billion-laughs document. Real feeds need no declared entities (the loose parser
    still knows HTML's), so none are let through. UTF-16/32 documents are checked too.
    """
    if _ENTITY_KEYWORD.encode("ascii") in content:
        codec = "latin-1"  # any ASCII-compatible encoding; latin-1 round-trips every byte
    else:
        codec = next((c for c in _WIDE_CODECS if _ENTITY_KEYWORD.encode(c) in content), "")
        if not codec:
            return content, False
    text = content.decode(codec, "replace")
    stripped = _strip_internal_subset(text)
    if stripped is None:
        return content, False
    return stripped.encode(codec, "replace"), True


def _strip_internal_subset(text: str) -> str | None:
    """The document without its DOCTYPE's internal subset, or None if it has none to strip.

    Only a DOCTYPE before the root element counts; "<!ENTITY" in an article's text is not a
    declaration. A subset too malformed to delimit gets its DOCTYPE made inert instead,
    which both of feedparser's parsers then ignore.
    """
    doctype_at = text.find("<!DOCTYPE")
    if doctype_at < 0:
        return None
    first_element = _ELEMENT_START.search(text)
    if first_element is not None and first_element.start() < doctype_at:
        return None
    bracket_at, close_at = text.find("[", doctype_at), text.find(">", doctype_at)
    if bracket_at < 0 or 0 <= close_at < bracket_at:
        return None  # a DOCTYPE without an internal subset declares nothing
    subset = _INTERNAL_SUBSET.match(text, doctype_at)
    if subset is None:
        return text[:doctype_at] + "<!-DOCTYPE" + text[doctype_at + len("<!DOCTYPE") :]
    if _ENTITY_KEYWORD not in subset.group():
        return None
    return text[:doctype_at] + text[subset.end() :]


# --- entries ---------------------------------------------------------------------------


def _entry_to_item(entry: Any, base: str, latest_allowed: datetime) -> tuple[Item | None, int]:
    """One feedparser entry as an Item (None when it holds nothing), and future dates dropped."""
    summary = _text_of(entry, "summary", SUMMARY_MAX_CHARS)
    content = _longest_content(entry)
    if content == summary:
        content = ""
    title = clean_line(_text_of(entry, "title", TITLE_MAX_CHARS), TITLE_MAX_CHARS)
    if not title:
        title = clean_line(summary or content, FALLBACK_TITLE_CHARS)
    link = _entry_link(entry, base)
    if not title and not link:
        return None, 0

    published, published_future = _checked_date(_entry_date(entry, "published"), latest_allowed)
    updated, updated_future = _checked_date(_entry_date(entry, "updated"), latest_allowed)
    guid = dict.get(entry, "id")
    item = Item(
        guid=(guid.strip() or None) if isinstance(guid, str) else None,
        url=link,
        title=title,
        author=_author(entry),
        published=published,
        updated=updated,
        summary=summary,
        content=content,
        tags=_tags(entry),
        enclosures=_enclosures(entry, base),
    )
    return item, published_future + updated_future


def _text_of(container: Any, key: str, max_chars: int) -> str:
    """Plain text of a feedparser text construct, read as HTML unless typed plain text."""
    value = container.get(key)
    if not isinstance(value, str) or not value:
        return ""
    detail = container.get(f"{key}_detail") or {}
    return _as_text(value, detail.get("type"), max_chars)


def _as_text(value: str, content_type: str | None, max_chars: int) -> str:
    content_type = (content_type or "text/html").lower()
    if content_type in _PLAIN_TYPES:
        return clean_text(value, max_chars)
    if content_type in _MARKUP_TYPES or content_type.endswith("xml"):
        return html_to_text(value, max_chars)
    return ""  # base64 images and other non-text payloads


def _longest_content(entry: Any) -> str:
    texts = [
        _as_text(part.get("value") or "", part.get("type"), CONTENT_MAX_CHARS)
        for part in entry.get("content") or []
        if isinstance(part, Mapping)
    ]
    return max(texts, key=len, default="")


def _entry_link(entry: Any, base: str) -> str | None:
    candidates = [entry.get("feedburner_origlink"), entry.get("link")]
    for link in entry.get("links") or []:
        if isinstance(link, Mapping) and link.get("rel", "alternate") == "alternate":
            candidates.append(link.get("href"))
    for candidate in candidates:
        if isinstance(candidate, str) and (url := canonical_url(candidate, base)):
            return url
    return None


def _author(entry: Any) -> str:
    author = entry.get("author")
    if not isinstance(author, str) or not author:
        author = (entry.get("author_detail") or {}).get("name") or ""
    return clean_line(author, AUTHOR_MAX_CHARS)


def _tags(entry: Any) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for tag in entry.get("tags") or []:
        if not isinstance(tag, Mapping):
            continue
        term = clean_line(tag.get("term") or tag.get("label") or "", TAG_MAX_CHARS)
        if term:
            seen.setdefault(term, None)
        if len(seen) >= MAX_TAGS:
            break
    return tuple(seen)


def _enclosures(entry: Any, base: str) -> tuple[Enclosure, ...]:
    found: dict[str, Enclosure] = {}
    for enclosure in entry.get("enclosures") or []:
        url = canonical_url(enclosure.get("href"), base)
        if url is None or url in found:
            continue
        found[url] = Enclosure(
            url=url,
            type=clean_line(enclosure.get("type") or "", 100),
            length=_non_negative_int(enclosure.get("length")),
        )
        if len(found) >= MAX_ENCLOSURES:
            break
    return tuple(found.values())


def _non_negative_int(value: object) -> int | None:
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 18:
        return int(value.strip())
    return None


def _ttl_minutes(value: object) -> int | None:
    return _non_negative_int(value)


# --- dates -----------------------------------------------------------------------------


def _entry_date(entry: Any, key: str) -> datetime | None:
    # dict.get: FeedParserDict maps a missing "updated" to "published" with a warning.
    parsed = dict.get(entry, f"{key}_parsed")
    if parsed:
        try:
            return datetime(*parsed[:6], tzinfo=UTC)
        except (TypeError, ValueError, OverflowError):
            pass
    raw = dict.get(entry, key)
    return parse_datetime(raw) if isinstance(raw, str) else None


def parse_datetime(raw: str) -> datetime | None:
    """An RFC 822 or ISO 8601 date as aware UTC; a date without a zone is taken as UTC."""
    raw = raw.strip()
    if not raw or len(raw) > 100:
        return None
    value: datetime | None
    try:
        value = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        try:
            value = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _checked_date(value: datetime | None, latest_allowed: datetime) -> tuple[datetime | None, int]:
    """The date, or None (counted) when it claims to be more than a day in the future."""
    if value is not None and value > latest_allowed:
        return None, 1
    return value, 0
