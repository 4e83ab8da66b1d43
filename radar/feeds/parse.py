"""Feed bytes → `ParsedFeed`: feedparser does the format work, this module normalises its output.

Everything a feed says is untrusted. Text comes out plain and free of terminal control
characters, links come out canonical http(s) or None, dates come out aware UTC or None.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser

from radar.errors import FeedError
from radar.feeds.fastparse import parse_fast
from radar.feeds.model import Enclosure, Item, ParsedFeed
from radar.feeds.urls import canonical_url, split_fragment
from radar.safetext import clean_line, clean_text, html_to_text

__all__ = [
    "canonical_url",
    "cap_text_nodes",
    "parse_datetime",
    "parse_feed",
    "settle_fragments",
    "sniff_wide_encoding",
    "strip_entity_declarations",
]

TITLE_MAX_CHARS = 500
FALLBACK_TITLE_CHARS = 80
AUTHOR_MAX_CHARS = 200
SUMMARY_MAX_CHARS = 20_000
CONTENT_MAX_CHARS = 100_000
TAG_MAX_CHARS = 100
MAX_TAGS = 50
MAX_ENCLOSURES = 20
FUTURE_TOLERANCE = timedelta(days=1)
MAX_TEXT_NODE_BYTES = 512 * 1024
"""Text between two tags beyond this is cut before feedparser sees it (see cap_text_nodes)."""

_XML_MEDIA_TYPE = re.compile(
    r"^\s*(?:application|text)/(?:[\w.+-]+\+)?xml(?:-dtd|-external-parsed-entity)?\s*(?:;|$)", re.I
)
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
    fast: bool = True,
) -> ParsedFeed:
    """Parse an RSS, Atom or RDF document fetched from ``url`` into normalised items.

    ``headers`` are the HTTP response headers; only the charset of an XML Content-Type is
    used. A malformed document whose entries can still be read gives a ParsedFeed with
    ``problem`` set. Raises FeedError ``empty``, ``not_a_feed`` (an HTML page) or
    ``parse_error`` when there is no feed to read. With ``fast``, a plain RSS 2.0
    or Atom 1.0 document is read by radar.feeds.fastparse (same result, quicker);
    everything else, and ``fast=False``, goes through feedparser.
    """
    if _is_blank(content):
        raise FeedError("empty", "empty response body")
    problems: list[str] = []
    content = cap_text_nodes(content)
    content, stripped_entities = strip_entity_declarations(content)
    if stripped_entities:
        problems.append("entity declarations in the DOCTYPE were removed before parsing")
    result = None
    if fast and not stripped_entities:
        result = parse_fast(content, _xml_content_type(_header(headers, "content-type"), content))
    if result is None:
        result = _run_feedparser(content, url, headers or {})
    if result.get("bozo"):
        problems.insert(0, _describe(result.get("bozo_exception")))
    entries = result.get("entries") or []
    version = result.get("version") or ""
    feed = result.get("feed") or {}
    if not (version or entries or _is_bare_channel(feed, content, headers or {})):
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
    if skipped:
        problems.append(
            f"{skipped} entr{'y' if skipped == 1 else 'ies'} with no title, link "
            "or readable text skipped"
        )
    items = settle_fragments(items)

    return ParsedFeed(
        title=clean_line(_text_of(feed, "title", TITLE_MAX_CHARS), TITLE_MAX_CHARS),
        link=canonical_url(feed.get("link"), url),
        items=tuple(items),
        problem="; ".join(problems) or None,
        skipped=skipped,
        ttl_minutes=_ttl_minutes(feed.get("ttl")),
        version=version,
    )


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    return next((value for key, value in (headers or {}).items() if key.lower() == name), None)


def _is_blank(content: bytes) -> bool:
    for bom, _ in _BOM_ENCODINGS:
        if content.startswith(bom):
            content = content[len(bom) :]
            break
    return not content.strip(b" \t\r\n\x00")


def _run_feedparser(content: bytes, url: str, headers: Mapping[str, str]) -> Any:
    # No base URI for feedparser: it would resolve each guid it takes for a permalink
    # against it, so "1234" became "https://host/feeds/1234" and every guid changed when
    # the feed moved. We resolve links against ``url`` ourselves (see canonical_url).
    response_headers = {
        key.lower(): value for key, value in headers.items() if key.lower() != "content-location"
    }
    response_headers["content-type"] = _xml_content_type(
        response_headers.get("content-type"), content
    )
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


def _describe(exception: object) -> str:
    text = clean_line(str(exception or "malformed document"), 300)
    name = type(exception).__name__ if exception is not None else ""
    return f"{name}: {text}" if name and name not in text else text


def _document_head(content: bytes) -> str:
    return content[:4096].replace(b"\x00", b"").decode("utf-8", "replace")


def _is_bare_channel(feed: Mapping[str, Any], content: bytes, headers: Mapping[str, str]) -> bool:
    """A titled channel with no items, in no format feedparser names (old CDF): empty, not junk."""
    return bool(feed.get("title")) and not _looks_like_html(content, headers)


def _looks_like_html(content: bytes, headers: Mapping[str, str]) -> bool:
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    return bool(
        _LOOKS_LIKE_HTML.search(_document_head(content))
        or content_type.strip().lower().startswith(("text/html", "application/xhtml"))
    )


def _no_feed_error(content: bytes, url: str, headers: Mapping[str, str], result: Any) -> FeedError:
    if _looks_like_html(content, headers):
        return FeedError(
            "not_a_feed",
            f"{url} looks like an HTML page, not a feed; try `radar feeds discover {url}`",
        )
    if _document_head(content).lstrip("\ufeff \t\r\n").startswith(("{", "[")):
        return FeedError(
            "parse_error", f"{url} looks like JSON; only RSS, Atom and RDF feeds are supported"
        )
    reason = _describe(result.get("bozo_exception")) if result.get("bozo") else "no feed found"
    return FeedError("parse_error", f"{url} is not an RSS, Atom or RDF feed: {reason}")


# --- encodings ------------------------------------------------------------------------


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


_ZERO_BYTE_PATTERNS = {
    "000x": "utf-32be",
    "x000": "utf-32le",
    "0x0x": "utf-16be",
    "x0x0": "utf-16le",
}


def sniff_wide_encoding(content: bytes) -> str | None:
    """The encoding a byte-order mark names, or UTF-16/32 recognised from its zero bytes."""
    for bom, encoding in _BOM_ENCODINGS:
        if content.startswith(bom):
            return encoding
    zero_bytes = "".join("0" if byte == 0 else "x" for byte in content[:4])
    return _ZERO_BYTE_PATTERNS.get(zero_bytes)


# --- oversized text --------------------------------------------------------------------


def cap_text_nodes(content: bytes, max_bytes: int = MAX_TEXT_NODE_BYTES) -> bytes:
    """Cut every text node longer than ``max_bytes`` short, keeping the document well formed.

    feedparser handles an entity-escaped HTML description a few microseconds per entity, so
    a 5 MB one takes seconds, and we keep only the first CONTENT_MAX_CHARS of its text anyway.
    A cut lands just after ASCII whitespace or just before "&": in UTF-8 and the common
    legacy multi-byte encodings neither byte can be part of another character or of an
    entity reference. UTF-16/32 documents, CDATA sections, comments and attributes are left
    alone.
    """
    if len(content) <= max_bytes or sniff_wide_encoding(content) not in (None, "utf-8"):
        return content
    segments = content.split(b"<")
    if max(map(len, segments)) <= max_bytes:
        return content
    return b"<".join(_cap_segment(segment, max_bytes) for segment in segments)


def _cap_segment(segment: bytes, max_bytes: int) -> bytes:
    """``segment`` is what follows a "<": a tag's name and attributes, ">", then text."""
    if len(segment) <= max_bytes or segment.startswith((b"!", b"?")):
        return segment
    text_starts = segment.find(b">") + 1
    if text_starts == 0:
        return segment
    limit = text_starts + max_bytes
    cut = max(
        max(segment.rfind(space, text_starts, limit) for space in (b" ", b"\n", b"\t")) + 1,
        segment.rfind(b"&", text_starts, limit),
    )
    return segment[:cut] if cut > text_starts else segment


# --- entity declarations ---------------------------------------------------------------

_ENTITY_KEYWORD = "<!ENTITY"
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
    codec = sniff_wide_encoding(content) or ""
    if not codec.startswith(("utf-16", "utf-32")):
        codec = "latin-1"  # stands for any ASCII-compatible encoding: it round-trips every byte
    if _ENTITY_KEYWORD.encode(codec) not in content:
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
    if published is None and not published_future:
        # Atom entries often carry only <updated>, and feedparser files RSS 1.0's dc:date
        # there too; it is the best publication date such an entry has.
        published = updated
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


# Anchors that point into an article's page rather than name an article of their own.
_NAVIGATION_FRAGMENT = re.compile(
    r"(?:comments?|respond|reply|more(?:-\d+)?|disqus_thread|content|main|top|"
    r"(?:page|read)[-_]?more)\Z",
    re.I,
)


def settle_fragments(items: list[Item]) -> list[Item]:
    """Keep a link's fragment where it tells items apart, drop it elsewhere.

    A fragment is part of an item's identity when another entry of the same document links
    the same page with a different fragment (a daily page with one anchor per post), or
    when the item's GUID ends in it (``<guid>…26.html#a080605</guid>``) and it is not a
    navigation anchor such as ``#comments`` or ``#more-12``. Anywhere else it is dropped,
    so the same article linked with and without an anchor by two feeds stays one item.
    Tracking-only fragments (``#utm_source=…``) never get this far (see canonical_url).
    """
    fragments_of: dict[str, set[str]] = {}
    for item in items:
        if item.url:
            page, fragment = split_fragment(item.url)
            fragments_of.setdefault(page, set()).add(fragment)
    settled = []
    for item in items:
        page, fragment = split_fragment(item.url or "")
        if fragment and not (
            len(fragments_of[page]) > 1
            or (
                item.guid is not None
                and item.guid.rpartition("#")[2] == fragment
                and not _NAVIGATION_FRAGMENT.match(fragment)
            )
        ):
            item = replace(item, url=page)
        settled.append(item)
    return settled


def _entry_link(entry: Any, base: str) -> str | None:
    link = entry.get("link")
    if dict.get(entry, "guidislink") and not _is_absolute_http(link):
        link = None  # RSS guids default to isPermaLink="true", yet "1234" is no link
    candidates = [entry.get("feedburner_origlink"), link]
    for alternate in entry.get("links") or []:
        if isinstance(alternate, Mapping) and alternate.get("rel", "alternate") == "alternate":
            candidates.append(alternate.get("href"))
    for candidate in candidates:
        if isinstance(candidate, str) and (
            url := canonical_url(candidate, base, keep_fragment=True)
        ):
            return url
    return None


def _is_absolute_http(value: object) -> bool:
    return isinstance(value, str) and value.strip().lower().startswith(("http://", "https://"))


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
            return datetime(*parsed[:6]).replace(tzinfo=UTC)
        except (TypeError, ValueError, OverflowError):
            pass
    raw = dict.get(entry, key)
    return parse_datetime(raw) if isinstance(raw, str) else None


def parse_datetime(raw: str) -> datetime | None:
    """An RFC 822 or ISO 8601 date as aware UTC; a date without a zone is taken as UTC."""
    raw = raw.strip()
    if not raw or len(raw) > 100:
        return None
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
