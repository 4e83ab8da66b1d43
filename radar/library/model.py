"""The team library in memory: entries (a URL, why it matters, tags, technologies).

Every change goes through a :class:`Library` method, which checks it (a person's
addition needs a note, the same URL is one entry, ...). Dates are passed in as
``today`` so behaviour is reproducible in tests.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from radar.errors import NotFound, RadarError

TYPES: tuple[str, ...] = (
    "paper",
    "post",
    "docs",
    "talk",
    "course",
    "runbook",
    "repo",
    "book",
    "video",
    "tool",
    "link",
)
"""Known entry types; `link` is what an import gets when nothing better is known."""
LEVELS: tuple[str, ...] = ("intro", "deep")
STATUSES: tuple[str, ...] = ("current", "outdated")
ID_LENGTH = 6


class LibraryError(RadarError):
    """A library change was refused (no note, bad URL, unknown type, ...)."""


@dataclass(frozen=True)
class Note:
    """One person's line on why an entry matters."""

    text: str
    by: str = ""
    date: date | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "by": self.by,
            "date": self.date.isoformat() if self.date else None,
        }


@dataclass(frozen=True)
class Entry:
    """One learning resource in the team library."""

    id: str
    url: str
    title: str
    type: str = "link"
    tags: tuple[str, ...] = ()
    technologies: tuple[str, ...] = ()
    added_by: str = ""
    added: date | None = None
    level: str = ""
    status: str = "current"
    reason: str = ""
    """Why an outdated entry is outdated (required with status outdated)."""
    notes: tuple[Note, ...] = ()

    @property
    def note(self) -> str:
        """The first note (why it was added), or '' for an import without one yet."""
        return self.notes[0].text if self.notes else ""

    @property
    def search_text(self) -> str:
        """What the library's search index reads: title, every note, tags, technologies."""
        parts = [self.title, *(n.text for n in self.notes), " ".join(self.tags)]
        parts.append(" ".join(self.technologies))
        return "\n".join(part for part in parts if part)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "title": self.title,
            "type": self.type,
            "tags": list(self.tags),
            "technologies": list(self.technologies),
            "added_by": self.added_by,
            "added": self.added.isoformat() if self.added else None,
            "level": self.level or None,
            "status": self.status,
            "reason": self.reason or None,
            "notes": [note.to_dict() for note in self.notes],
        }


def normalise_url(raw: str) -> str:
    """The form a URL is stored and compared in: scheme and host lower-cased, default
    ports and tracking parameters (utm_*) dropped. Fragments are kept: ``docs#section``
    anchors are distinct resources."""
    text = (raw or "").strip()
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise LibraryError(f"{raw!r} is not a web address (expected http:// or https://...)")
    host = parts.hostname.lower()
    port = parts.port
    if port and (parts.scheme.lower(), port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    if parts.username:
        host = f"{parts.username}@{host}"
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not k.startswith("utm_")
        ]
    )
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), host, path, query, parts.fragment))


def entry_id(url: str, taken: Iterable[str] = ()) -> str:
    """A short id derived from the URL (stable across machines, so two people adding the
    same link get the same id); lengthened in the rare case of a clash."""
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()
    used = set(taken)
    for length in range(ID_LENGTH, len(digest) + 1):
        if digest[:length] not in used:
            return digest[:length]
    raise LibraryError(f"cannot make an id for {url}")  # pragma: no cover - 64 hex digits


def clean_words(values: Iterable[str]) -> tuple[str, ...]:
    """Tags and technology names: trimmed, comma-separated values split, no repeats, sorted."""
    seen: list[str] = []
    for value in values:
        for part in str(value).split(","):
            part = part.strip()
            if part and part not in seen:
                seen.append(part)
    return tuple(sorted(seen, key=str.casefold))


def check_type(value: str) -> str:
    value = value.strip().casefold()
    if value not in TYPES:
        raise LibraryError(f"unknown type {value!r} (types: {', '.join(TYPES)})")
    return value


def check_level(value: str) -> str:
    value = value.strip().casefold()
    if value and value not in LEVELS:
        raise LibraryError(f"unknown level {value!r} (levels: {', '.join(LEVELS)})")
    return value


@dataclass
class Library:
    """The whole library, entries kept sorted by id (the file's order)."""

    entries: list[Entry] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    """Comment lines at the top of the file, kept as they were."""
    comments: dict[str, list[str]] = field(default_factory=dict)
    """Comment lines written above an entry, by entry id (hand edits keep their comments)."""

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def find(self, key: str) -> Entry | None:
        """The entry with this id (or unique id prefix) or URL; None when there is none."""
        key = key.strip()
        for entry in self.entries:
            if entry.id == key:
                return entry
        if "://" in key:
            try:
                url = normalise_url(key)
            except LibraryError:
                return None
            return next((entry for entry in self.entries if entry.url == url), None)
        matches = [entry for entry in self.entries if key and entry.id.startswith(key)]
        return matches[0] if len(matches) == 1 else None

    def get(self, key: str) -> Entry:
        found = self.find(key)
        if found is None:
            raise NotFound(f"no library entry {key!r} (see `radar library list`)")
        return found

    def _put(self, entry: Entry) -> None:
        self.entries = [e for e in self.entries if e.id != entry.id] + [entry]
        self.entries.sort(key=lambda e: e.id)

    def add(
        self,
        *,
        url: str,
        title: str,
        note: str,
        by: str,
        today: date,
        type: str = "link",
        tags: Iterable[str] = (),
        technologies: Iterable[str] = (),
        level: str = "",
        require_note: bool = True,
    ) -> tuple[Entry, bool]:
        """Add a resource; the same URL already there gets the note appended instead.

        Returns the entry and whether it is new."""
        url = normalise_url(url)
        note = (note or "").strip()
        if require_note and not note:
            raise LibraryError("say why it matters: a library entry needs --note")
        existing = self.find(url)
        if existing is not None:
            merged = replace(
                existing,
                tags=clean_words([*existing.tags, *tags]),
                technologies=clean_words([*existing.technologies, *technologies]),
            )
            if note and note not in {n.text for n in existing.notes}:
                merged = replace(merged, notes=(*existing.notes, Note(note, by, today)))
            self._put(merged)
            return merged, False
        entry = Entry(
            id=entry_id(url, (e.id for e in self.entries)),
            url=url,
            title=(title or "").strip() or url,
            type=check_type(type or "link"),
            tags=clean_words(tags),
            technologies=clean_words(technologies),
            added_by=by,
            added=today,
            level=check_level(level),
            notes=(Note(note, by, today),) if note else (),
        )
        self._put(entry)
        return entry, True

    def add_entry(self, entry: Entry) -> bool:
        """Take an entry as it is (an import); False when its URL is already there."""
        if self.find(entry.url) is not None:
            return False
        self._put(replace(entry, id=entry_id(entry.url, (e.id for e in self.entries))))
        return True

    def note(self, key: str, text: str, *, by: str, today: date) -> Entry:
        text = (text or "").strip()
        if not text:
            raise LibraryError("the note is empty")
        entry = self.get(key)
        updated = replace(entry, notes=(*entry.notes, Note(text, by, today)))
        self._put(updated)
        return updated

    def edit(
        self,
        key: str,
        *,
        title: str | None = None,
        tags: Iterable[str] | None = None,
        technologies: Iterable[str] | None = None,
        type: str | None = None,
        level: str | None = None,
        status: str | None = None,
        reason: str | None = None,
    ) -> Entry:
        """Change fields; tags and technologies given replace the old lists."""
        entry = self.get(key)
        changes: dict[str, Any] = {}
        if title is not None:
            if not title.strip():
                raise LibraryError("the title must not be empty")
            changes["title"] = title.strip()
        if tags is not None:
            changes["tags"] = clean_words(tags)
        if technologies is not None:
            changes["technologies"] = clean_words(technologies)
        if type is not None:
            changes["type"] = check_type(type)
        if level is not None:
            changes["level"] = check_level(level)
        if status is not None:
            status = status.strip().casefold()
            if status not in STATUSES:
                raise LibraryError(f"unknown status {status!r} (statuses: {', '.join(STATUSES)})")
            changes["status"] = status
            if status == "current":
                changes["reason"] = ""
        if reason is not None:
            changes["reason"] = reason.strip()
        updated = replace(entry, **changes)
        if updated.status == "outdated" and not updated.reason:
            raise LibraryError("an outdated entry needs a reason: say why with --reason")
        self._put(updated)
        return updated

    def remove(self, key: str) -> Entry:
        entry = self.get(key)
        self.entries = [e for e in self.entries if e.id != entry.id]
        self.comments.pop(entry.id, None)
        return entry

    def select(
        self,
        *,
        tag: str | None = None,
        technology: str | None = None,
        type: str | None = None,
    ) -> list[Entry]:
        """Entries with this tag, technology and type (case-insensitive), in file order."""

        def has(values: tuple[str, ...], wanted: str | None) -> bool:
            return wanted is None or wanted.casefold() in {v.casefold() for v in values}

        return [
            entry
            for entry in self.entries
            if has(entry.tags, tag)
            and has(entry.technologies, technology)
            and (type is None or entry.type == type.casefold())
        ]

    def added_between(self, start: date, end: date) -> list[Entry]:
        """Entries added on or after `start` and before `end`, oldest first."""
        found = [e for e in self.entries if e.added is not None and start <= e.added < end]
        return sorted(found, key=lambda e: (e.added or start, e.id))
