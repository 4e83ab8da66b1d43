"""Untrusted text (feeds, imported files, error messages) made safe and plain.

The one terminal sanitiser (:func:`strip_controls`) and the one HTML-to-text converter
(:func:`html_to_text`) live here, so the CLI, the TUI, the digest, the logs and the feed
parser all show the same characters. Pure and stdlib-only: any layer may import it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

DEFAULT_MAX_CHARS = 100_000

# What a terminal would act on, removed as a whole so no "[31m" debris is left: CSI, OSC
# (terminated, or cut off within 512 characters), DCS/SOS/PM/APC strings, nF and other
# two-character escapes, and their single-byte C1 forms.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b\x9c]{0,512}(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[PX^_][^\x1b\x9c]{0,512}(?:\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]{0,512}(?:\x07|\x1b\\|\x9c)?"
)
_C1_SEQUENCE_START = re.compile("[\x90\x98\x9b\x9d-\x9f]")
# C0 except tab and newline, DEL, C1, bidi embeddings/overrides/isolates (they reorder what a
# terminal shows: "\u202eexe.txt" reads as "txt.exe") and lone surrogates (not UTF-8).
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")
_ANY_WHITESPACE = re.compile(r"\s+")
_NEWLINE_RUN = re.compile(r" *\n[\s]*")


def strip_controls(text: str) -> str:
    """Text a terminal shows literally: escape sequences, control characters (all but tab
    and newline; carriage returns too) and bidi overrides and isolates removed."""
    if not text or not _CONTROL_CHARS.search(text):  # every sequence starts with a control
        return text
    if "\x1b" in text or _C1_SEQUENCE_START.search(text):
        text = _ESCAPE_SEQUENCE.sub("", text)
    return _CONTROL_CHARS.sub("", text)


def _newlines(text: str) -> str:
    """CRLF and lone CR as newlines: line breaks a feed meant, kept before controls go."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


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
    text = _ANY_WHITESPACE.sub(" ", strip_controls(_newlines(text[: max_chars * 4]))).strip()
    return truncate_words(text, max_chars)


def clean_text(text: str, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """Safe plain text that keeps line breaks: controls removed, blank-line runs collapsed."""
    text = strip_controls(_newlines(text[: max_chars * 4]))
    text = _HORIZONTAL_SPACE.sub(" ", text)
    text = _NEWLINE_RUN.sub("\n", text).strip()
    return truncate_words(text, max_chars)


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


class _TextExtractor(HTMLParser):
    """Collects the visible text of an HTML fragment, one line per block element, and,
    when asked, its anchors as (text, href)."""

    def __init__(self, stop_after_chars: int, *, collect_links: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.links: list[tuple[str, str]] = []
        self.collected_chars = 0
        self.stop_after_chars = stop_after_chars
        self._collect_links = collect_links
        self._skip_depth = 0
        self._pre_depth = 0
        self._in_head = False
        self._href: str | None = None
        self._anchor_text: list[str] = []

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
        elif tag == "a" and self._collect_links:
            self._href = dict(attrs).get("href")
            self._anchor_text = []
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
        elif tag == "a" and self._href:
            self.links.append((" ".join("".join(self._anchor_text).split()), self._href.strip()))
            self._href = None
        if tag in _BLOCK_ELEMENTS:
            self._break()
        elif tag in _CELL_ELEMENTS:
            self.pieces.append(" ")

    def handle_data(self, data: str) -> None:
        if self._skip_depth or self._in_head:
            return
        if self._pre_depth:
            data = _HORIZONTAL_SPACE.sub(" ", _newlines(data))
        else:
            data = _ANY_WHITESPACE.sub(" ", data)
        self.pieces.append(data)
        self.collected_chars += len(data)
        if self._href is not None:
            self._anchor_text.append(data)

    def _break(self) -> None:
        if self.pieces and self.pieces[-1] != "\n":
            self.pieces.append("\n")


_FEED_CHUNK_CHARS = 32_768


def _extract(html: str, max_chars: int, *, collect_links: bool) -> _TextExtractor:
    # Whitespace collapses when pieces are joined, so collect generously before cutting.
    extractor = _TextExtractor(stop_after_chars=2 * max_chars + 64, collect_links=collect_links)
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
    return extractor


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
    return clean_text("".join(_extract(html, max_chars, collect_links=False).pieces), max_chars)


def html_to_text_and_links(
    html: str, max_chars: int = DEFAULT_MAX_CHARS
) -> tuple[str, list[tuple[str, str]]]:
    """:func:`html_to_text`, and the fragment's anchors as (visible text, href) in order;
    the hrefs are as written (relative ones too): the caller decides which it keeps."""
    if not html:
        return "", []
    extractor = _extract(html, max_chars, collect_links=True)
    links = [(clean_line(title), strip_controls(href).strip()) for title, href in extractor.links]
    return clean_text("".join(extractor.pieces), max_chars), links
