"""The text that gets embedded for an item, and the hash that says it is unchanged."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

TEXT_RECIPE = "title+summary/content v1; max 256 tokens"
"""How :func:`item_text` builds an item's text; part of every fingerprint and text hash."""

_WHITESPACE = re.compile(r"\s+")
_TRAILING_ELLIPSIS = re.compile(r"\s*(?:\[\s*(?:\.\.\.|…)\s*\]|\.\.\.|…)$")


def item_text(title: str, summary: str, content: str, max_chars: int = 2000) -> str:
    """The text embedded for an item: title, summary, then whatever content adds.

    Whitespace is collapsed, parts that repeat an earlier one are dropped (a summary
    that is the opening of the content gives way to the content), and the result is
    cut on a word boundary to at most ``max_chars`` characters.
    """
    title, summary, content = _squash(title), _squash(summary), _squash(content)
    summary, content = _dedupe_body(summary, content)
    parts: list[str] = []
    for part in (title, summary, content):
        if part and part.casefold() not in (seen.casefold() for seen in parts):
            parts.append(part)
    return _cut_on_word(" \n".join(parts), max_chars)


def text_hash(text: str) -> str:
    """A stable hex digest of ``text`` under :data:`TEXT_RECIPE`, to skip re-embedding."""
    payload = f"{TEXT_RECIPE}\x00{text}".encode("utf-8", "surrogatepass")
    return hashlib.blake2b(payload, digest_size=20).hexdigest()


def _squash(text: str | None) -> str:
    return _WHITESPACE.sub(" ", text or "").strip()


def _dedupe_body(summary: str, content: str) -> tuple[str, str]:
    """Drop from ``summary``/``content`` what the other already says."""
    if not summary or not content:
        return summary, content
    stem = _TRAILING_ELLIPSIS.sub("", summary)
    if not stem or content.startswith(stem):
        return "", content
    if summary in content:
        return summary, _squash(content.replace(summary, " ", 1))
    if content in summary:
        return summary, ""
    return summary, content


def _cut_on_word(text: str, max_chars: int) -> str:
    if max_chars <= 0:
        return ""
    if len(text) <= max_chars:
        return text
    window = text[: max_chars + 1]
    boundary = max(window.rfind(" "), window.rfind("\n"))
    if boundary > max_chars // 2:
        return window[:boundary].rstrip()
    return text[:max_chars].rstrip()


def clean_texts(texts: Sequence[str]) -> list[str]:
    """Texts safe for the tokenizer: lone surrogates (from bad JSON escapes) replaced."""
    return [t if t.isascii() else t.encode("utf-8", "replace").decode("utf-8") for t in texts]
