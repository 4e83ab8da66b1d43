"""Untrusted feed text made safe and plain: HTML to text, control characters out, URLs canonical.

Everything here is pure and stdlib-only, so the store, the digest and the TUI can reuse it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

DEFAULT_MAX_CHARS = 100_000

# An ESC-introduced sequence (CSI, OSC, DCS/SOS/PM/APC strings, two-character escapes) or a
# C1 CSI. Removing the whole sequence, not just ESC, keeps "[31m" debris out of the text.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]{0,512}(?:\x07|\x1b\\)"
    r"|\x1b[PX^_][^\x1b]{0,512}\x1b\\"
    r"|\x1b[ -/]*[0-~]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
)
# C0 except tab and newline, DEL, C1, bidi embeddings/overrides/isolates (they reorder what a
# terminal shows) and lone surrogates (they cannot be written as UTF-8).
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")
_ANY_WHITESPACE = re.compile(r"\s+")
_NEWLINE_RUN = re.compile(r" *\n[\s]*")

_SKIPPED_ELEMENTS = frozenset(
    {"script", "style", "title", "template", "noscript", "iframe", "svg", "math"}
)
_BLOCK_ELEMENTS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div",
        "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
        "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary",
        "table", "tbody", "tfoot", "thead", "tr", "ul",
    }
)  # fmt: skip
_CELL_ELEMENTS = frozenset({"td", "th"})
_HEAD_ELEMENTS = frozenset(
    {"base", "link", "meta", "noscript", "script", "style", "template", "title", "head"}
)


def strip_control_chars(text: str) -> str:
    """Remove terminal escape sequences and control characters, keeping tabs and newlines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x1b" in text or "\x9b" in text:
        text = _ESCAPE_SEQUENCE.sub("", text)
    return _CONTROL_CHARS.sub("", text)


def truncate_words(text: str, max_chars: int) -> str:
    """Cut ``text`` to at most ``max_chars`` characters at a word boundary, ending in "…"."""
    if len(text) <= max_chars:
        return text
    if max_chars <= 1:
        return text[:max_chars]
    head = text[: max_chars - 1]
    boundary = max(head.rfind(" "), head.rfind("\n"), head.rfind("\t"))
    if boundary >= max_chars * 0.6:
        head = head[:boundary]
    return head.rstrip() + "…"


def clean_line(text: str, max_chars: int = 1_000) -> str:
    """One line of safe plain text: controls removed, all whitespace collapsed to single spaces."""
    text = _ANY_WHITESPACE.sub(" ", strip_control_chars(text[: max_chars * 4])).strip()
    return truncate_words(text, max_chars)


def clean_text(text: str, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """Safe plain text that keeps line breaks: controls removed, blank-line runs collapsed."""
    text = strip_control_chars(text[: max_chars * 4])
    text = _HORIZONTAL_SPACE.sub(" ", text)
    text = _NEWLINE_RUN.sub("\n", text).strip()
    return truncate_words(text, max_chars)


class _TextExtractor(HTMLParser):
    """Collects the visible text of an HTML fragment, one line per block element."""

    def __init__(self, stop_after_chars: int) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.collected_chars = 0
        self.stop_after_chars = stop_after_chars
        self._skip_depth = 0
        self._pre_depth = 0
        self._in_head = False

    @property
    def full(self) -> bool:
        return self.collected_chars >= self.stop_after_chars

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "head":
            self._in_head = True
        elif self._in_head and tag not in _HEAD_ELEMENTS:  # as browsers do when </head> is missing
            self._in_head = False
        if tag in _SKIPPED_ELEMENTS:
            self._skip_depth += 1
        elif tag == "pre":
            self._pre_depth += 1
        if tag in _BLOCK_ELEMENTS:
            self._break()
        elif tag in _CELL_ELEMENTS or tag == "img":
            self.pieces.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_ELEMENTS:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._in_head = False
        elif tag in _SKIPPED_ELEMENTS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag == "pre":
            self._pre_depth = max(0, self._pre_depth - 1)
        if tag in _BLOCK_ELEMENTS:
            self._break()
        elif tag in _CELL_ELEMENTS:
            self.pieces.append(" ")

    def handle_data(self, data: str) -> None:
        if self._skip_depth or self._in_head:
            return
        if self._pre_depth:
            data = data.replace("\r\n", "\n").replace("\r", "\n")
            data = _HORIZONTAL_SPACE.sub(" ", data)
        else:
            data = _ANY_WHITESPACE.sub(" ", data)
        self.pieces.append(data)
        self.collected_chars += len(data)

    def _break(self) -> None:
        if self.pieces and self.pieces[-1] != "\n":
            self.pieces.append("\n")


_FEED_CHUNK_CHARS = 32_768


def html_to_text(html: str, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """Visible text of an HTML fragment as safe plain text of at most ``max_chars`` characters.

    Script, style and head content is dropped, block elements become single line breaks,
    entities are unescaped, and terminal control characters are removed. Malformed markup
    never raises. Parsing stops once enough text is collected and never reads more than
    ``max_chars * 20`` characters of markup, so a multi-megabyte description stays cheap.
    """
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        return clean_text(html, max_chars)
    # Whitespace collapses when pieces are joined, so collect generously before cutting.
    extractor = _TextExtractor(stop_after_chars=2 * max_chars + 64)
    markup = html[: max_chars * 20]
    try:
        for start in range(0, len(markup), _FEED_CHUNK_CHARS):
            extractor.feed(markup[start : start + _FEED_CHUNK_CHARS])
            if extractor.full:
                break
        else:
            # An unfinished tag or comment at the end is markup, not text: close() would
            # emit it as text (a cut-off <a title="…"> would show its attribute).
            if extractor.rawdata.lstrip().startswith("<"):
                extractor.rawdata = ""
            extractor.close()
    except (AssertionError, ValueError):  # HTMLParser asserts on some malformed declarations
        pass
    return clean_text("".join(extractor.pieces), max_chars)


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
