"""OPML subscription lists: lenient import into FeedConfigs, and OPML 2.0 export.

Real OPML files are often not well-formed XML, so import reads them in up to three
passes: the stdlib expat parser, the same parser after repairing common faults
(bare ``&``, HTML entities, stray ``<``), and finally a tag-soup scan of the
``<outline>`` tags. DTDs are stripped before parsing, so no entity is ever expanded.
What could not be imported is reported as a value, never raised.
"""

from __future__ import annotations

import codecs
import html
import html.entities
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit
from xml.parsers import expat

from radar.errors import ConfigError
from radar.feeds.config import KINDS, FeedConfig, validate_remote_url
from radar.safetext import clean_line

RADAR_NAMESPACE = "urn:x-radar:opml:1"
"""Namespace of radar's own outline attributes (``radar:kind``) in exported OPML."""


@dataclass(frozen=True)
class OpmlImport:
    """What an OPML file yielded."""

    feeds: list[FeedConfig]
    skipped: list[str]
    """One line per outline that was not imported, naming its line and title."""
    notes: list[str] = field(default_factory=list)
    """What import had to fix on the way (broken XML, encoding, feed:// URLs)."""


@dataclass
class _Outline:
    attrs: dict[str, str]
    """Attribute names lower-cased (``xmlUrl`` -> ``xmlurl``), values unescaped."""
    line: int
    children: list[_Outline] = field(default_factory=list)

    def text(self) -> str:
        return clean_line(self.attrs.get("title", "")) or clean_line(self.attrs.get("text", ""))

    def label(self) -> str:
        return repr(self.text()) if self.text() else "an untitled outline"


def parse_opml(data: bytes, *, source: str = "<opml>", allow_private: bool = False) -> OpmlImport:
    """Import the feeds of an OPML document, however broken; never raises.

    Only http(s) feeds are imported; feeds on loopback, private or link-local
    addresses are skipped unless `allow_private` (see `private_host`)."""
    outlines, notes = _read_outlines(data, source)
    return _import_outlines(outlines, notes, allow_private)


def read_opml(path: Path, *, allow_private: bool = False) -> OpmlImport:
    """Import an OPML file; ConfigError if it cannot be read or holds no outlines."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(path, "file not found") from None
    except OSError as exc:
        raise ConfigError(path, f"cannot read: {exc.strerror or exc}") from None
    outlines, notes = _read_outlines(data, str(path))
    if not outlines:
        raise ConfigError(path, "holds no <outline> elements; is it an OPML file?")
    return _import_outlines(outlines, notes, allow_private)


def guess_kind(url: str) -> str:
    """The feed kind a URL suggests: arXiv is papers, GitHub and PyPI release feeds are
    releases, anything else news."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    path = parts.path.rstrip("/")
    if host == "arxiv.org" or host.endswith(".arxiv.org"):
        return "papers"
    if host in ("github.com", "www.github.com") and path.endswith("/releases.atom"):
        return "releases"
    if host in ("pypi.org", "www.pypi.org") and path.startswith("/rss/project/"):
        return "releases"
    return "news"


def slugify(text: str) -> str:
    """A tag from a folder or category name: "Machine Learning" -> "machine-learning"."""
    lowered = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\W_]+", "-", lowered).strip("-")


# --- bytes to text -------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARED_ENCODING = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")


def _decode(data: bytes, source: str) -> tuple[str, list[str]]:
    """Decode by BOM, then UTF-8, then the declared encoding, then cp1252.

    UTF-8 wins over a contradicting declaration: bytes that decode as UTF-8 are
    almost never meant as anything else.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace"), []
    if data[:2] in (b"<\x00", b"\x00<"):
        encoding = "utf-16-le" if data[0] == ord("<") else "utf-16-be"
        return data.decode(encoding, errors="replace").lstrip("\ufeff"), []
    declared = _declared_codec(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if declared not in (None, "utf-8") and not data.isascii():
            return text, [f"{source}: declares encoding {declared} but is UTF-8; read as UTF-8"]
        return text, []
    if declared not in (None, "utf-8"):
        try:
            return data.decode(declared), []
        except (UnicodeDecodeError, LookupError):
            pass
    return data.decode("cp1252", errors="replace"), [
        f"{source}: not valid UTF-8; read as Windows-1252"
    ]


def _declared_codec(data: bytes) -> str | None:
    match = _DECLARED_ENCODING.search(data[:512])
    if not match:
        return None
    try:
        return codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return None


# --- text to outlines ----------------------------------------------------------------

_XML_DECLARATION = re.compile(r"\A\s*<\?xml\b[^>]*>", re.IGNORECASE)
_DOCTYPE = re.compile(r"<!DOCTYPE\b[^\[>]*(?:\[.*?\]\s*)?[^>]*>", re.IGNORECASE | re.DOTALL)
_COMMENT_OR_CDATA = re.compile(r"<!--.*?(?:-->|\Z)|<!\[CDATA\[.*?(?:\]\]>|\Z)", re.DOTALL)
_OUTLINE_START = re.compile(r"<outline\b", re.IGNORECASE)


def _keep_newlines(match: re.Match[str]) -> str:
    return "\n" * match.group().count("\n")


def _read_outlines(data: bytes, source: str) -> tuple[list[_Outline], list[str]]:
    """Parse strictly, then after repair, then as tag soup; the notes say which."""
    text, notes = _decode(data, source)
    text = _XML_DECLARATION.sub(_keep_newlines, text)
    text = _DOCTYPE.sub(_keep_newlines, text)
    expected = len(_OUTLINE_START.findall(_COMMENT_OR_CDATA.sub("", text)))
    try:
        return _parse_xml(text, expected), notes
    except _NotWellFormed as exc:
        problem = str(exc)
    try:
        outlines = _parse_xml(_repair(text), expected)
    except _NotWellFormed:
        notes.append(f"{source} is broken XML ({problem}); read its <outline> tags leniently")
        return _scan_tag_soup(text), notes
    notes.append(f"{source} is broken XML ({problem}); repaired it and parsed again")
    return outlines, notes


class _NotWellFormed(Exception):
    pass


def _parse_xml(text: str, expected: int) -> list[_Outline]:
    """Parse with expat, refusing any DTD; fail unless every <outline> tag was seen."""
    roots: list[_Outline] = []
    open_elements: list[_Outline | None] = []
    parser = expat.ParserCreate(encoding="utf-8")

    def start(name: str, attributes: dict[str, str]) -> None:
        if name.rpartition(":")[2].lower() != "outline":
            open_elements.append(None)
            return
        node = _Outline(_lower_keys(attributes.items()), parser.CurrentLineNumber)
        parent = next((n for n in reversed(open_elements) if n is not None), None)
        (parent.children if parent else roots).append(node)
        open_elements.append(node)

    def end(name: str) -> None:
        open_elements.pop()

    def refuse(*args: object) -> NoReturn:
        raise _NotWellFormed("DTDs and entity declarations are not allowed")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(text.encode("utf-8"), True)
    except expat.ExpatError as exc:
        raise _NotWellFormed(f"{expat.ErrorString(exc.code)} at line {exc.lineno}") from None
    found = sum(1 for _ in _walk(roots, ()))
    if found < expected:
        raise _NotWellFormed(f"only {found} of {expected} outlines are elements")
    return roots


def _lower_keys(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    attrs: dict[str, str] = {}
    for key, value in pairs:
        attrs.setdefault(key.lower(), value)
    return attrs


_INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_AMPERSAND = re.compile(r"&(#[0-9]{1,8};|#[xX][0-9a-fA-F]{1,8};|[A-Za-z][A-Za-z0-9]{0,31};)?")
_QUOTED_WITH_LT = re.compile(r"""(=\s*)("[^"\n<]*<[^"\n]*"|'[^'\n<]*<[^'\n]*')""")
_BARE_LT = re.compile(r"<(?![A-Za-z_:/!?])")
_XML_ENTITIES = frozenset({"amp;", "lt;", "gt;", "quot;", "apos;"})


def _repair(text: str) -> str:
    """Fix what hand-edited OPML gets wrong, without changing any line numbers."""
    text = _INVALID_XML_CHARS.sub("", text)
    text = _AMPERSAND.sub(_fix_ampersand, text)
    text = _QUOTED_WITH_LT.sub(lambda m: m.group(1) + m.group(2).replace("<", "&lt;"), text)
    return _BARE_LT.sub("&lt;", text)


def _fix_ampersand(match: re.Match[str]) -> str:
    reference = match.group(1)
    if reference is None:
        return "&amp;"
    if reference.startswith("#"):
        digits = reference[1:-1]
        code = int(digits[1:], 16) if digits[:1] in "xX" and digits else int(digits)
        return match.group() if _is_xml_char(code) else ""
    if reference in _XML_ENTITIES:
        return match.group()
    replacement = html.entities.html5.get(reference)
    if replacement is None:
        return "&amp;" + reference
    return html.escape(replacement, quote=True)


def _is_xml_char(code: int) -> bool:
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


_OUTLINE_TAG = re.compile(
    r"""<(/?)outline\b((?:[^>"']|"[^"]*"|'[^']*')*|[^>]*)(?:>|\Z)""", re.IGNORECASE
)
_ATTRIBUTE = re.compile(
    r"""([^\s=/>"']+)\s*=\s*(?:"([^"]*)(?:"|\Z)|'([^']*)(?:'|\Z)|([^\s"'>]+))"""
)


def _scan_tag_soup(text: str) -> list[_Outline]:
    """Read <outline> tags and their nesting with regular expressions, as a last resort."""
    text = _COMMENT_OR_CDATA.sub(_keep_newlines, text)
    roots: list[_Outline] = []
    open_outlines: list[_Outline] = []
    line, counted_to = 1, 0
    for match in _OUTLINE_TAG.finditer(text):
        if match.group(1):
            if open_outlines:
                open_outlines.pop()
            continue
        line += text.count("\n", counted_to, match.start())
        counted_to = match.start()
        body = match.group(2)
        attrs = _lower_keys(
            (m.group(1), html.unescape(_first_group(m))) for m in _ATTRIBUTE.finditer(body)
        )
        node = _Outline(attrs, line)
        (open_outlines[-1].children if open_outlines else roots).append(node)
        if not body.rstrip().endswith("/"):
            open_outlines.append(node)
    return roots


def _first_group(match: re.Match[str]) -> str:
    value = next((g for g in match.groups()[1:] if g is not None), "")
    return _INVALID_XML_CHARS.sub("", value)


# --- outlines to feeds ---------------------------------------------------------------


_MAX_FOLDER_TAGS = 10
"""Folders nested deeper than this add no more tags (and cost no quadratic time)."""


def _walk(
    roots: list[_Outline], folders: tuple[str, ...]
) -> Iterator[tuple[_Outline, tuple[str, ...]]]:
    """Every outline in document order with the folder tags above it (no recursion,
    so a file of ten thousand unclosed tags cannot exhaust the stack)."""
    pending: list[tuple[_Outline, tuple[str, ...]]] = [(n, folders) for n in reversed(roots)]
    while pending:
        node, above = pending.pop()
        yield node, above
        inner = above
        if not _feed_url(node) and len(above) < _MAX_FOLDER_TAGS:
            tag = slugify(node.text())
            inner = (*above, tag) if tag else above
        pending.extend((child, inner) for child in reversed(node.children))


def _feed_url(node: _Outline) -> str:
    return (node.attrs.get("xmlurl") or node.attrs.get("url") or "").strip()


class _Importer:
    def __init__(self, notes: list[str], allow_private: bool = False) -> None:
        self.allow_private = allow_private
        self.feeds: list[FeedConfig] = []
        self.skipped: list[str] = []
        self.notes = notes
        self.names: set[str] = set()
        self.first_with_url: dict[tuple[str, ...], _Outline] = {}

    def add(self, node: _Outline, folders: tuple[str, ...]) -> None:
        where = f"line {node.line}: {node.label()}"
        raw_url = _feed_url(node)
        if not raw_url:
            if not node.children:
                html_url = node.attrs.get("htmlurl", "").strip()
                extra = f" (only htmlUrl {_shorten(html_url)})" if html_url else ""
                self.skipped.append(f"{where} has no xmlUrl{extra}")
            return
        if node.attrs.get("type", "").strip().lower() == "include":
            self.skipped.append(f"{where} includes another OPML file, which is not followed")
            return
        url, problem = _usable_url(raw_url)
        if problem:
            self.skipped.append(f"{where} has URL {_shorten(raw_url)}, which {problem}")
            return
        private = None if self.allow_private else private_host(url)
        if private:
            self.skipped.append(
                f"{where} has URL {_shorten(raw_url)}, on {private} "
                "(give --allow-private to import it)"
            )
            return
        if url != raw_url:
            self.notes.append(f"{where}: converted {_shorten(raw_url)} to {url}")
        key = _url_key(url)
        first = self.first_with_url.get(key)
        if first is not None:
            self.skipped.append(
                f"{where} duplicates the feed at line {first.line} ({first.label()}): {url}"
            )
            return
        self.first_with_url[key] = node
        self.feeds.append(
            FeedConfig(
                name=self._unique_name(node.text() or urlsplit(url).hostname or url),
                url=url,
                kind=_kind(node, url),
                tags=_tags(node, folders),
            )
        )

    def _unique_name(self, base: str) -> str:
        name, number = base, 2
        while name in self.names:
            name, number = f"{base} ({number})", number + 1
        self.names.add(name)
        return name


def _import_outlines(
    roots: list[_Outline], notes: list[str], allow_private: bool = False
) -> OpmlImport:
    importer = _Importer(notes, allow_private)
    for node, folders in _walk(roots, ()):
        importer.add(node, folders)
    return OpmlImport(feeds=importer.feeds, skipped=importer.skipped, notes=importer.notes)


def _usable_url(raw: str) -> tuple[str, str | None]:
    """The URL to subscribe to (feed:// becomes http://) or why there is none."""
    url = raw
    if raw[:5].lower() == "feed:":
        rest = raw[5:]
        url = "http:" + rest if rest.startswith("//") else rest
    try:
        problem = validate_remote_url(url)
        urlsplit(url).port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return url, "is not a valid URL"
    return url, problem


def private_host(url: str) -> str | None:
    """What kind of nearby address `url` points at ('a loopback address', ...), or None.

    Judged on the address as written: IP literals (also in their decimal and IPv6-mapped
    forms) and the ``localhost`` names. Host names are not resolved here."""
    import ipaddress

    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return "a loopback address"
    try:
        address = ipaddress.ip_address(int(host) if host.isdigit() else host)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    for kind, test in (
        ("a loopback address", address.is_loopback),
        ("a link-local address", address.is_link_local),
        ("a private address", address.is_private or address.is_unspecified),
    ):
        if test:
            return kind
    return None


def _url_key(url: str) -> tuple[str, ...]:
    """Equal for URLs that name the same feed: scheme, host case, default port and a
    trailing slash do not matter."""
    parts = urlsplit(url)
    port = parts.port
    return (
        (parts.hostname or "").lower(),
        "" if port in (None, 80, 443) else str(port),
        parts.path.rstrip("/"),
        parts.query,
    )


def _kind(node: _Outline, url: str) -> str:
    declared = (node.attrs.get("radar:kind") or node.attrs.get("kind") or "").strip().lower()
    return declared if declared in KINDS else guess_kind(url)


def _tags(node: _Outline, folders: tuple[str, ...]) -> tuple[str, ...]:
    """Folder and category tags; radar's own export is trusted to hold them verbatim."""
    category = node.attrs.get("category")
    if "radar:kind" in node.attrs and category is not None:
        tags = [tag.strip() for tag in category.split(",")]
    else:
        tags = list(folders)
        for value in (category or "").split(","):
            tags.extend(slugify(part) for part in value.split("/"))
    return tuple(dict.fromkeys(tag for tag in tags if tag))


def _shorten(text: str, limit: int = 80) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


# --- export --------------------------------------------------------------------------


def export_opml(feeds: Sequence[FeedConfig], *, title: str = "radar feeds") -> str:
    """OPML 2.0 with one folder per first tag; all tags go into ``category`` and the
    kind into ``radar:kind`` so importing the result restores every feed exactly
    (tags containing a comma cannot be represented)."""
    groups: dict[str | None, list[FeedConfig]] = {}
    for feed in feeds:
        groups.setdefault(feed.tags[0] if feed.tags else None, []).append(feed)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<opml version="2.0" xmlns:radar="{RADAR_NAMESPACE}">',
        "  <head>",
        f"    <title>{_escape(title)}</title>",
        "  </head>",
        "  <body>",
    ]
    for folder, members in groups.items():
        if folder is None:
            lines.extend(f"    {_feed_outline(feed)}" for feed in members)
            continue
        lines.append(f'    <outline text="{_escape(folder)}" title="{_escape(folder)}">')
        lines.extend(f"      {_feed_outline(feed)}" for feed in members)
        lines.append("    </outline>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _feed_outline(feed: FeedConfig) -> str:
    attributes = {
        "type": "rss",
        "text": feed.name,
        "title": feed.name,
        "xmlUrl": feed.url,
    }
    if feed.tags:
        attributes["category"] = ",".join(feed.tags)
    attributes["radar:kind"] = feed.kind
    rendered = " ".join(f'{key}="{_escape(value)}"' for key, value in attributes.items())
    return f"<outline {rendered}/>"


def _escape(value: str) -> str:
    value = _INVALID_XML_CHARS.sub("", value)
    escaped = html.escape(value, quote=True).replace("&#x27;", "'")
    return escaped.replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;")
