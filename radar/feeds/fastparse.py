"""A fast path for plain, well-formed RSS 2.0 and Atom 1.0: lxml reads the document,
feedparser's rules fill in the fields radar stores.

feedparser is the reference and stays the fallback. This path takes a document only when
every element it meets is one it knows to map exactly as feedparser would (the same
stripping, URL joining, HTML guessing, date parsing, and feedparser's own text fix-ups),
and answers None for anything else: another format, another encoding, a DOCTYPE,
xml:base, an element or attribute it does not know, nested markup, a repeated field.
It returns feedparser-shaped dictionaries, so radar's normalisation after parsing is the
same code on both paths. tests/test_fast_parse.py compares both paths field by field on
every file of the feedparser corpus.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from typing import Any

from feedparser.datetimes import _parse_date
from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.urls import _urljoin

_looks_like_html = _FeedParserMixin.looks_like_html

CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"
ATOM = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"
SY = "{http://purl.org/rss/1.0/modules/syndication/}"

_ITEM_FIELDS = frozenset(
    {
        "title",
        "link",
        "description",
        "guid",
        "pubDate",
        "author",
        "category",
        "comments",
        "enclosure",
        CONTENT + "encoded",
        DC + "creator",
    }
)
_REPEATABLE = frozenset({"category"})
_IGNORED_CHANNEL_FIELDS = frozenset(
    {
        "description",
        "language",
        "copyright",
        "managingEditor",
        "webMaster",
        "pubDate",
        "lastBuildDate",
        "category",
        "generator",
        "docs",
        "cloud",
        "rating",
        "skipHours",
        "skipDays",
        SY + "updatePeriod",
        SY + "updateFrequency",
    }
)
_XML_DECLARED_ENCODING = re.compile(rb"^<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)")
_CHARSET = re.compile(r"charset=([\w.:-]+)", re.I)
_ENTITY_IN_LINK = re.compile("&([A-Za-z0-9_]+);")
_UTF8_BOM = b"\xef\xbb\xbf"


class _Decline(Exception):
    """The document has something this path does not map exactly: feedparser reads it."""


def parse_fast(content: bytes, content_type: str) -> dict[str, Any] | None:
    """feedparser's result (``feed``, ``entries``, ``version``, ``bozo``) for a plain
    RSS 2.0 or Atom 1.0 document in UTF-8, or None where feedparser must read it.

    ``content_type`` is the Content-Type radar shows feedparser (see parse._xml_content_type).
    """
    if not _plain_utf8(content, content_type):
        return None
    try:
        return _read(content)
    except _Decline:
        return None


def _plain_utf8(content: bytes, content_type: str) -> bool:
    charset = _CHARSET.search(content_type)
    if charset and charset.group(1).lower() not in ("utf-8", "utf8"):
        return False
    head = content[:1024]
    if head.startswith(_UTF8_BOM):
        return False
    declared = _XML_DECLARED_ENCODING.match(head.lstrip())
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        return False
    return (
        b"<!DOCTYPE" not in head
        and b"xml:base" not in content
        and (b"<rss" in head or b"<feed" in head)
    )


def _read(content: bytes) -> dict[str, Any]:
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, remove_comments=False
    )
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError:
        raise _Decline from None
    if root.tag == ATOM + "feed":
        return _read_atom(root)
    if root.tag != "rss" or root.get("version") != "2.0" or _extra_attributes(root, {"version"}):
        raise _Decline
    channels = list(root)
    if len(channels) != 1 or channels[0].tag != "channel" or channels[0].attrib:
        raise _Decline
    feed: dict[str, Any] = {}
    entries: list[dict[str, Any]] = []
    seen: set[str] = set()
    for child in channels[0]:
        tag = child.tag
        if tag == "item":
            entries.append(_entry(child))
        elif tag in _IGNORED_CHANNEL_FIELDS or tag in ("image", "textInput"):
            continue  # feedparser keeps these where radar never looks
        elif tag == ATOM + "link" and child.get("rel") in ("self", "hub") and not len(child):
            continue
        elif tag in ("title", "link", "ttl") and tag not in seen:
            seen.add(tag)
            _channel_field(feed, tag, child)
        else:
            raise _Decline
    return {"feed": feed, "entries": entries, "version": "rss20", "bozo": False}


def _extra_attributes(element: Any, allowed: set[str]) -> bool:
    return any(name not in allowed for name in element.attrib)


def _attribute(element: Any, name: str) -> str | None:
    """An attribute as feedparser's strict (SAX) parser hands it over: as the XML says."""
    value: str | None = element.get(name)
    return value


def _text(element: Any) -> str:
    """The element's text as feedparser's pop() leaves it, before the final fix-ups."""
    if len(element) or not isinstance(element.tag, str):
        raise _Decline  # nested markup or comments: feedparser's own business
    return (element.text or "").strip()


def _finish(text: str) -> str:
    """feedparser's last steps for every UTF-8 document's text (mixin.pop)."""
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        text = text.encode("iso-8859-1").decode("utf-8")
    return text.translate(_cp1252)


def _titled(text: str) -> tuple[str, dict[str, str]]:
    kind = "text/html" if _looks_like_html(text) else "text/plain"
    return _finish(text), {"type": kind}


def _channel_field(feed: dict[str, Any], tag: str, element: Any) -> None:
    if element.attrib:
        raise _Decline
    text = _text(element)
    if tag == "title":
        feed["title"], feed["title_detail"] = _titled(text)
    elif tag == "link":
        feed["link"] = _ENTITY_IN_LINK.sub(r"&\g<1>", _finish(_urljoin("", text)))
    else:
        feed["ttl"] = _finish(text)


def _entry(item: Any) -> dict[str, Any]:
    if item.attrib:
        raise _Decline
    entry: dict[str, Any] = {}
    seen: set[str] = set()
    for child in item:
        tag = child.tag
        if tag not in _ITEM_FIELDS:
            raise _Decline
        if tag not in _REPEATABLE:
            if tag in seen:
                raise _Decline
            seen.add(tag)
        _ENTRY_FIELDS[tag](entry, child)
    if "author" in seen and DC + "creator" in seen:
        raise _Decline
    return entry


def _plain(element: Any) -> str:
    if element.attrib:
        raise _Decline
    return _text(element)


def _title(entry: dict[str, Any], element: Any) -> None:
    entry["title"], entry["title_detail"] = _titled(_plain(element))


def _link(entry: dict[str, Any], element: Any) -> None:
    text = _plain(element)
    if not text:
        raise _Decline
    link = _finish(_urljoin("", text)).replace("&amp;", "&")
    link = _ENTITY_IN_LINK.sub(r"&\g<1>", link)
    entry["link"] = link
    entry.setdefault("links", []).append({"rel": "alternate", "type": "text/html", "href": link})


def _description(entry: dict[str, Any], element: Any) -> None:
    if "summary" in entry and "content" not in entry:
        raise _Decline  # a second description: feedparser would take it for content
    entry["summary"] = _finish(_plain(element))
    entry["summary_detail"] = {"type": "text/html"}


def _content(entry: dict[str, Any], element: Any) -> None:
    value = _finish(_plain(element))
    entry.setdefault("content", []).append({"type": "text/html", "value": value})
    entry.setdefault("summary", value)


def _guid(entry: dict[str, Any], element: Any) -> None:
    if _extra_attributes(element, {"isPermaLink"}):
        raise _Decline
    is_link = (_attribute(element, "isPermaLink") or "true") == "true"
    text = _text(element)
    if is_link and text:
        text = _urljoin("", text)
    value = _finish(text)
    entry["id"] = value
    entry.setdefault("guidislink", is_link and "link" not in entry)
    if is_link:
        entry.setdefault("link", value)


def _published(entry: dict[str, Any], element: Any) -> None:
    value = _finish(_plain(element))
    entry["published"] = value
    entry["published_parsed"] = _parse_date(value)


def _author(entry: dict[str, Any], element: Any) -> None:
    value = _finish(_plain(element))
    if not value or "@" in value or "(" in value:
        raise _Decline  # feedparser splits name and e-mail by its own rules
    entry["author"] = value
    entry["author_detail"] = {"name": value}


def _add_tag(
    entry: dict[str, Any], term: str | None, scheme: str | None, label: str | None
) -> None:
    """feedparser's _add_tag: nothing for an empty tag, no duplicates."""
    tags = entry.setdefault("tags", [])
    if not term and not scheme and not label:
        return
    tag = {"term": term, "scheme": scheme, "label": label}
    if tag not in tags:
        tags.append(tag)


def _category(entry: dict[str, Any], element: Any) -> None:
    if _extra_attributes(element, {"domain", "term", "scheme", "label"}):
        raise _Decline
    scheme = _attribute(element, "scheme")
    _add_tag(
        entry,
        _attribute(element, "term"),
        _attribute(element, "domain") if scheme is None else scheme,
        _attribute(element, "label"),
    )
    term = _finish(_text(element))
    if not term:
        return
    tags = entry["tags"]
    if tags and not tags[-1]["term"]:
        tags[-1]["term"] = term
    else:
        _add_tag(entry, term, None, None)


def _comments(entry: dict[str, Any], element: Any) -> None:
    _plain(element)  # kept by feedparser, not by radar


def _enclosure(entry: dict[str, Any], element: Any) -> None:
    if len(element) or _extra_attributes(element, {"url", "length", "type"}):
        raise _Decline
    if element.text and element.text.strip():
        raise _Decline
    found: dict[str, str] = {"rel": "enclosure"}
    for name, key in (("url", "href"), ("length", "length"), ("type", "type")):
        value = _attribute(element, name)
        if value is not None:
            found[key] = value.lower() if name == "type" else value
    entry.setdefault("enclosures", []).append(found)


_ENTRY_FIELDS: Mapping[str, Any] = {
    "title": _title,
    "link": _link,
    "description": _description,
    "guid": _guid,
    "pubDate": _published,
    "author": _author,
    "category": _category,
    "comments": _comments,
    "enclosure": _enclosure,
    CONTENT + "encoded": _content,
    DC + "creator": _author,
}


# --- Atom 1.0 ----------------------------------------------------------------------------

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_IGNORED_ATOM_FEED_FIELDS = frozenset(
    ATOM + name
    for name in (
        "updated",
        "subtitle",
        "rights",
        "generator",
        "icon",
        "logo",
        "author",
        "contributor",
        "category",
    )
)
_TEXT_TYPES = {None: "text/plain", "text": "text/plain", "html": "text/html"}
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def _read_atom(root: Any) -> dict[str, Any]:
    if _extra_attributes(root, {_XML_LANG}):
        raise _Decline
    feed: dict[str, Any] = {}
    entries: list[dict[str, Any]] = []
    seen: set[str] = set()
    for child in root:
        tag = child.tag
        if tag == ATOM + "entry":
            entries.append(_atom_entry(child))
        elif tag in _IGNORED_ATOM_FEED_FIELDS:
            continue  # kept by feedparser at the feed level, where radar never looks
        elif tag == ATOM + "title" and tag not in seen:
            seen.add(tag)
            feed["title"], feed["title_detail"] = _atom_text(child)
        elif tag == ATOM + "link":
            _atom_link(feed, child)
        elif tag == ATOM + "id" and tag not in seen:
            seen.add(tag)
            _atom_id(feed, child)  # an id before any link stands in for the link
        else:
            raise _Decline
    return {"feed": feed, "entries": entries, "version": "atom10", "bozo": False}


def _atom_text(element: Any) -> tuple[str, dict[str, str]]:
    """An Atom text construct: plain text or escaped HTML (xhtml is feedparser's)."""
    if _extra_attributes(element, {"type", _XML_LANG}):
        raise _Decline
    kind = _attribute(element, "type")
    kind = kind.lower() if kind is not None else None
    if kind not in _TEXT_TYPES:
        raise _Decline
    return _finish(_text(element)), {"type": _TEXT_TYPES[kind]}


def _atom_link(context: dict[str, Any], element: Any) -> None:
    if len(element) or (element.text or "").strip():
        raise _Decline
    if _extra_attributes(element, {"rel", "type", "href", "hreflang", "title", "length"}):
        raise _Decline
    link: dict[str, str] = {str(name): str(value) for name, value in element.attrib.items()}
    if "href" not in link:
        raise _Decline  # feedparser would read the element's text as the link
    for name in ("rel", "type"):
        if name in link:
            link[name] = link[name].lower()
    link.setdefault("rel", "alternate")
    link.setdefault("type", "application/atom+xml" if link["rel"] == "self" else "text/html")
    link["href"] = _urljoin("", link["href"])
    context.setdefault("links", []).append(link)
    if link["rel"] == "enclosure":
        context.setdefault("enclosures", []).append(link)  # feedparser derives them so
    if link["rel"] == "alternate" and link["type"] in _HTML_TYPES:
        context["link"] = link["href"]


def _atom_entry(element: Any) -> dict[str, Any]:
    if element.attrib:
        raise _Decline
    entry: dict[str, Any] = {}
    seen: set[str] = set()
    for child in element:
        tag = child.tag
        if tag not in _ATOM_ENTRY_FIELDS:
            raise _Decline
        if tag not in (ATOM + "link", ATOM + "category"):
            if tag in seen:
                raise _Decline
            seen.add(tag)
        _ATOM_ENTRY_FIELDS[tag](entry, child)
    return entry


def _atom_id(entry: dict[str, Any], element: Any) -> None:
    text = _plain(element)
    value = _finish(_urljoin("", text) if text else text)
    entry["id"] = value
    entry.setdefault("guidislink", "link" not in entry)
    entry.setdefault("link", value)


def _atom_title(entry: dict[str, Any], element: Any) -> None:
    entry["title"], entry["title_detail"] = _atom_text(element)


def _atom_date(key: str) -> Any:
    def read(entry: dict[str, Any], element: Any) -> None:
        value = _finish(_plain(element))
        entry[key] = value
        entry[f"{key}_parsed"] = _parse_date(value)

    return read


def _atom_summary(entry: dict[str, Any], element: Any) -> None:
    if "summary" in entry and "content" not in entry:
        raise _Decline  # a second summary: feedparser would take it for content
    entry["summary"], entry["summary_detail"] = _atom_text(element)


def _atom_content(entry: dict[str, Any], element: Any) -> None:
    value, detail = _atom_text(element)
    entry.setdefault("content", []).append({"type": detail["type"], "value": value})
    entry.setdefault("summary", value)


def _atom_author(entry: dict[str, Any], element: Any) -> None:
    if element.attrib or (element.text or "").strip():
        raise _Decline
    detail: dict[str, str] = {}
    for child in element:
        name = child.tag[len(ATOM) :] if child.tag.startswith(ATOM) else ""
        if name not in ("name", "email", "uri") or name in detail:
            raise _Decline
        detail[name] = _finish(_plain(child))
        if (child.tail or "").strip():
            raise _Decline
    name, email = detail.get("name"), detail.get("email")
    if not name:
        raise _Decline
    entry["author"] = f"{name} ({email})" if email else name
    entry["author_detail"] = detail


def _atom_category(entry: dict[str, Any], element: Any) -> None:
    _category(entry, element)


def _thumbnail(entry: dict[str, Any], element: Any) -> None:
    """A media:thumbnail (GitHub puts the author's avatar there): nothing radar keeps."""
    if len(element) or (element.text or "").strip():
        raise _Decline
    if _extra_attributes(element, {"url", "width", "height"}):
        raise _Decline


_ATOM_ENTRY_FIELDS: Mapping[str, Any] = {
    ATOM + "id": _atom_id,
    ATOM + "title": _atom_title,
    ATOM + "link": _atom_link,
    ATOM + "updated": _atom_date("updated"),
    ATOM + "published": _atom_date("published"),
    ATOM + "summary": _atom_summary,
    ATOM + "content": _atom_content,
    ATOM + "author": _atom_author,
    ATOM + "category": _atom_category,
    MEDIA + "thumbnail": _thumbnail,
}
