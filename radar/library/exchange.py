"""The library out and in: Markdown, BibTeX and JSON exports; JSON and browser-bookmark imports.

BibTeX covers papers: an arXiv link becomes an entry with its eprint id, a DOI link an
entry with its DOI. The bookmarks import reads the Netscape bookmark file every browser
exports (folders become tags; Firefox's TAGS attribute is read too).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from radar.errors import ConfigError
from radar.library.model import (
    LEVELS,
    STATUSES,
    TYPES,
    Entry,
    Library,
    LibraryError,
    Note,
    clean_words,
    normalise_url,
)
from radar.techradar.model import slugify

FORMATS = ("md", "bibtex", "json")
JSON_VERSION = 1

_ARXIV = re.compile(
    r"arxiv\.org/(?:abs|pdf|html)/(?P<id>(?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7}))(?:v\d+)?",
    re.IGNORECASE,
)
_DOI = re.compile(r"(?:doi\.org/|doi:)(?P<doi>10\.\d{4,9}/[^\s?#]+)", re.IGNORECASE)


def arxiv_id(url: str) -> str | None:
    found = _ARXIV.search(url)
    return found.group("id").removesuffix(".pdf") if found else None


def doi_of(url: str) -> str | None:
    found = _DOI.search(url)
    return found.group("doi") if found else None


# -- export --------------------------------------------------------------------


def to_json(library: Library) -> str:
    document = {"radar_library": JSON_VERSION, "entries": [e.to_dict() for e in library]}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def to_markdown(library: Library) -> str:
    """One section per type, entries by title, each with its notes and tags."""
    lines = ["# Team library", ""]
    for kind in sorted({entry.type for entry in library}, key=lambda t: TYPES.index(t)):
        lines.append(f"## {kind.capitalize()}")
        lines.append("")
        entries = sorted((e for e in library if e.type == kind), key=lambda e: e.title.casefold())
        for entry in entries:
            title = entry.title.replace("[", "\\[").replace("]", "\\]")
            extra = []
            if entry.technologies:
                extra.append("technologies: " + ", ".join(entry.technologies))
            if entry.tags:
                extra.append("tags: " + ", ".join(entry.tags))
            if entry.status == "outdated":
                extra.append(f"outdated: {entry.reason}")
            suffix = f" ({'; '.join(extra)})" if extra else ""
            lines.append(f"- [{title}]({entry.url}){suffix}")
            for note in entry.notes:
                who = ", ".join(part for part in (note.by, str(note.date or "")) if part)
                lines.append(f"  - {note.text}" + (f" ({who})" if who else ""))
            if not entry.notes:
                lines.append("  - no note yet")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _bib_text(text: str) -> str:
    """Text safe inside a BibTeX {...} field: LaTeX specials escaped, braces dropped."""
    text = text.replace("\\", " ").replace("{", "(").replace("}", ")")
    for special in "&%$#_":
        text = text.replace(special, "\\" + special)
    return " ".join(text.split())


def is_paper(entry: Entry) -> bool:
    return entry.type == "paper" or arxiv_id(entry.url) is not None or doi_of(entry.url) is not None


def to_bibtex(library: Library) -> str:
    """BibTeX entries for the library's papers (other types have no BibTeX form)."""
    blocks = []
    for entry in library:
        if not is_paper(entry):
            continue
        fields: list[tuple[str, str]] = [("title", "{" + _bib_text(entry.title) + "}")]
        kind = "misc"
        eprint = arxiv_id(entry.url)
        doi = doi_of(entry.url)
        if eprint:
            fields += [("eprint", eprint), ("archiveprefix", "arXiv")]
            if re.match(r"\d{4}\.", eprint):
                fields.append(("year", f"20{eprint[:2]}"))
        elif doi:
            kind = "article"
            fields.append(("doi", doi))
        elif entry.added:
            fields.append(("year", str(entry.added.year)))
        fields.append(("url", entry.url))
        if entry.note:
            fields.append(("note", _bib_text(entry.note)))
        if entry.technologies or entry.tags:
            fields.append(("keywords", _bib_text(", ".join((*entry.technologies, *entry.tags)))))
        body = ",\n".join(
            f"  {name} = {value if value.startswith('{') else '{' + value + '}'}"
            for name, value in fields
        )
        blocks.append(f"@{kind}{{radar-{entry.id},\n{body}\n}}\n")
    return "\n".join(blocks)


def export(library: Library, fmt: str) -> str:
    if fmt == "json":
        return to_json(library)
    if fmt == "md":
        return to_markdown(library)
    if fmt == "bibtex":
        return to_bibtex(library)
    raise LibraryError(f"unknown export format {fmt!r} (use {', '.join(FORMATS)})")


# -- import --------------------------------------------------------------------


@dataclass
class ImportResult:
    added: list[Entry] = field(default_factory=list)
    already: int = 0
    skipped: list[str] = field(default_factory=list)
    """Links that are not web addresses (javascript:, place:, file:), by title."""


def _day(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def entries_from_json(text: str, path: Path) -> list[Entry]:
    """Entries from a `radar library export --format json` file."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(path, f"not valid JSON: {exc.msg}", line=exc.lineno) from None
    if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
        raise ConfigError(path, "not a radar library export (expected an `entries` list)")
    entries = []
    for index, raw in enumerate(document["entries"]):
        where = f"entries[{index}]"
        if not isinstance(raw, dict) or not raw.get("url"):
            raise ConfigError(path, "needs a url", field=where)
        try:
            url = normalise_url(str(raw["url"]))
        except LibraryError as exc:
            raise ConfigError(path, str(exc), field=f"{where}.url") from None
        notes = tuple(
            Note(str(n.get("text", "")).strip(), str(n.get("by") or ""), _day(n.get("date")))
            for n in raw.get("notes") or []
            if isinstance(n, dict) and str(n.get("text", "")).strip()
        )
        kind = str(raw.get("type") or "link")
        status = str(raw.get("status") or "current")
        entries.append(
            Entry(
                id="",
                url=url,
                title=str(raw.get("title") or "").strip() or url,
                type=kind if kind in TYPES else "link",
                tags=clean_words(raw.get("tags") or []),
                technologies=clean_words(raw.get("technologies") or []),
                added_by=str(raw.get("added_by") or ""),
                added=_day(raw.get("added")),
                level=str(raw.get("level") or "") if raw.get("level") in LEVELS else "",
                status=status if status in STATUSES and raw.get("reason") else "current",
                reason=str(raw.get("reason") or "") if status == "outdated" else "",
                notes=notes,
            )
        )
    return entries


@dataclass
class _Bookmark:
    url: str
    title: str = ""
    folders: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    added: date | None = None
    description: str = ""


class _BookmarkParser(HTMLParser):
    """Reads <DT><A HREF=...>title</A> links, <H3> folders and <DD> descriptions."""

    SPECIAL_FOLDERS = ("personal_toolbar_folder", "unfiled_bookmarks_folder")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bookmarks: list[_Bookmark] = []
        self.folders: list[str] = []
        self._pending_folder: str | None = None
        self._folder_is_special = False
        self._stack: list[bool] = []
        """Per open <DL>: whether it pushed a folder name."""
        self._in: str | None = None
        self._text: list[str] = []
        self._current: _Bookmark | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key.lower(): value or "" for key, value in attrs}
        if tag == "h3":
            self._finish_text()
            self._in, self._text = "h3", []
            self._folder_is_special = any(values.get(key) for key in self.SPECIAL_FOLDERS)
        elif tag == "dl":
            self._finish_text()
            pushed = self._pending_folder is not None
            if pushed:
                self.folders.append(self._pending_folder or "")
            self._pending_folder = None
            self._stack.append(pushed)
        elif tag == "a":
            self._finish_text()
            added = None
            if values.get("add_date", "").isdigit():
                added = datetime.fromtimestamp(int(values["add_date"]), UTC).date()
            tags = tuple(t for t in values.get("tags", "").split(",") if t.strip())
            self._current = _Bookmark(
                url=values.get("href", ""), folders=tuple(self.folders), tags=tags, added=added
            )
            self._in, self._text = "a", []
        elif tag == "dd":
            self._finish_text()
            if self.bookmarks:
                self._in, self._text = "dd", []
        elif tag == "dt":
            self._finish_text()

    def handle_endtag(self, tag: str) -> None:
        if tag == "h3" and self._in == "h3":
            name = " ".join("".join(self._text).split())
            self._pending_folder = "" if self._folder_is_special else name
            self._in = None
        elif tag == "a" and self._in == "a" and self._current is not None:
            self._current.title = " ".join("".join(self._text).split())
            self.bookmarks.append(self._current)
            self._current, self._in = None, None
        elif tag == "dl":
            self._finish_text()
            if self._stack and self._stack.pop() and self.folders:
                self.folders.pop()

    def handle_data(self, data: str) -> None:
        if self._in is not None:
            self._text.append(data)

    def _finish_text(self) -> None:
        if self._in == "dd" and self.bookmarks:
            self.bookmarks[-1].description = " ".join("".join(self._text).split())
        if self._in == "dd":
            self._in = None

    def close(self) -> None:
        super().close()
        self._finish_text()


def entries_from_bookmarks(
    text: str, path: Path, *, by: str, today: date
) -> tuple[list[Entry], list[str]]:
    """Entries from a Netscape bookmark file; also the titles of links skipped (not web)."""
    if "<dt>" not in text.lower() and "<a " not in text.lower():
        raise ConfigError(path, "not a bookmarks file (no <DT><A HREF=...> links found)")
    parser = _BookmarkParser()
    parser.feed(text)
    parser.close()
    entries, skipped = [], []
    for mark in parser.bookmarks:
        try:
            url = normalise_url(mark.url)
        except LibraryError:
            skipped.append(mark.title or mark.url)
            continue
        folder_tags = [slugify(name) for name in mark.folders if name]
        when = mark.added or today
        entries.append(
            Entry(
                id="",
                url=url,
                title=mark.title or url,
                type="paper" if arxiv_id(url) or doi_of(url) else "link",
                tags=clean_words([*folder_tags, *(slugify(t) for t in mark.tags)]),
                added_by=by,
                added=when,
                notes=(Note(mark.description, by, when),) if mark.description else (),
            )
        )
    return entries, skipped


def import_file(library: Library, path: Path, *, by: str, today: date) -> ImportResult:
    """Add the entries of a JSON export or a bookmarks HTML file; known URLs are kept."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"cannot read: {exc}") from None
    result = ImportResult()
    if text.lstrip().startswith("{"):
        entries = entries_from_json(text, path)
    else:
        entries, result.skipped = entries_from_bookmarks(text, path, by=by, today=today)
    for entry in entries:
        if library.add_entry(entry):
            result.added.append(library.get(entry.url))
        else:
            result.already += 1
    return result
