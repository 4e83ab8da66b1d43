"""What radar sends: the digest and release alerts, as mail and chat payloads.

Mail is multipart: text/plain is the Markdown digest, text/html the HTML digest with
its stylesheet moved into ``style`` attributes (mail clients drop ``<style>``), then
sanitised again with nh3 so nothing active or external (scripts, images, frames,
event handlers) can reach a mailbox. Chat payloads are a compact summary with links:
Slack Block Kit with mrkdwn, a Teams Adaptive Card, or radar's digest JSON; they are
cut to fit the services' limits.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

SLACK_MAX_BLOCKS = 50
"""Slack refuses a message with more blocks than this."""
SLACK_MAX_SECTION = 3000
"""Slack's limit on a section's text."""
SLACK_MAX_HEADER = 150
TEAMS_MAX_BYTES = 28_000
"""Teams refuses webhook payloads above about 28 KB."""
TOP_IN_CHAT = 5
"""Top stories listed in a chat summary."""

_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL | re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.DOTALL | re.IGNORECASE)
_MAIL_TAGS = {
    "div",
    "span",
    "p",
    "br",
    "hr",
    "a",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "b",
    "i",
    "small",
    "code",
    "pre",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "section",
    "header",
    "footer",
    "details",
    "summary",
    "abbr",
    "time",
    "sup",
    "sub",
    "nav",
    "main",
    "article",
}
_MAIL_ATTRIBUTES = {
    "*": {"style", "title", "lang", "dir"},
    "a": {"href"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "time": {"datetime"},
}


@dataclass(frozen=True)
class Alert:
    """A new release of a watched technology, as the team is told about it."""

    technology: str
    slug: str
    ring: str
    version: str
    prerelease: bool
    title: str
    link: str | None
    pinned_older: tuple[str, ...] = ()
    """Repositories pinning an older version, once the usage scan exists (empty until then)."""

    @property
    def key(self) -> str:
        return f"{self.slug}@{self.version}"

    @property
    def headline(self) -> str:
        kind = "pre-release" if self.prerelease else "release"
        return f"{self.technology} {self.version} ({kind}; on our radar: {self.ring})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": "release_alert",
            "technology": self.technology,
            "slug": self.slug,
            "ring": self.ring,
            "version": self.version,
            "prerelease": self.prerelease,
            "title": self.title,
            "link": self.link,
            "pinned_older": list(self.pinned_older),
        }


# --- mail ---------------------------------------------------------------------------


def mail_html(html_digest: str) -> str:
    """The HTML digest made fit for a mailbox: inline styles, nothing external or active."""
    import html as html_lib

    import css_inline
    import nh3

    inlined = css_inline.inline(html_digest)
    body = _BODY.search(inlined)
    title = _TITLE.search(inlined)
    cleaned = nh3.clean(
        body.group(1) if body else inlined,
        tags=_MAIL_TAGS,
        attributes=_MAIL_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    heading = html_lib.escape(html_lib.unescape(title.group(1))) if title else "radar digest"
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{heading}</title></head>\n<body>{cleaned.strip()}</body></html>\n"
    )


def _mail(sender: str, to: tuple[str, ...], subject: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    return message


def digest_subject(digest: dict[str, Any]) -> str:
    summary = digest.get("summary", {})
    return (
        f"radar digest {digest['range']['label']}: {summary.get('stories', 0)} stories, "
        f"{summary.get('technologies_moved', 0)} radar moves"
    )


def digest_mail(
    digest: dict[str, Any], markdown: str, html: str, sender: str, to: tuple[str, ...]
) -> EmailMessage:
    """The digest as multipart/alternative: the Markdown, then the mail-safe HTML."""
    message = _mail(sender, to, digest_subject(digest))
    message.set_content(markdown, subtype="plain", charset="utf-8")
    message.add_alternative(mail_html(html), subtype="html", charset="utf-8")
    return message


def alert_text(alert: Alert) -> str:
    lines = [f"New {alert.headline}", ""]
    if alert.title:
        lines.append(alert.title)
    if alert.link:
        lines.append(alert.link)
    if alert.pinned_older:
        lines += ["", "Repositories pinning an older version:"]
        lines += [f"- {repo}" for repo in alert.pinned_older]
    return "\n".join(lines) + "\n"


def alert_mail(alert: Alert, sender: str, to: tuple[str, ...]) -> EmailMessage:
    message = _mail(sender, to, f"radar: {alert.headline}")
    message.set_content(alert_text(alert), subtype="plain", charset="utf-8")
    return message


# --- chat ---------------------------------------------------------------------------


def slack_escape(text: Any) -> str:
    """Text for Slack mrkdwn: &, < and > escaped, so feed text can neither link nor
    mention (``<!channel>``)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_link(url: str | None, label: str) -> str:
    label = slack_escape(label).replace("|", "¦")
    if not url or not url.startswith(("http://", "https://")):
        return label
    return f"<{url.replace('>', '%3E').replace('|', '%7C')}|{label}>"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _moves(digest: dict[str, Any]) -> list[dict[str, Any]]:
    return list(digest.get("radar_moves") or [])


def _stories(digest: dict[str, Any]) -> list[dict[str, Any]]:
    return list(digest.get("top_stories") or [])[:TOP_IN_CHAT]


def _releases(digest: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(technology, ring, story) for each release of a radar technology in the range."""
    found = []
    for group in digest.get("on_our_radar") or []:
        for tech in group.get("technologies", []):
            for story in tech.get("stories", []):
                if story.get("release"):
                    found.append((tech["name"], group["ring"], story))
    return found


def _release_label(tech: str, story: dict[str, Any]) -> str:
    return f"{tech} {story['release']['version']}"


def _counts_line(digest: dict[str, Any]) -> str:
    summary = digest.get("summary", {})
    return (
        f"{summary.get('items', 0)} items, {summary.get('stories', 0)} stories, "
        f"{summary.get('feeds_active', 0)} active feeds"
        + (f", {summary['feeds_failing']} failing" if summary.get("feeds_failing") else "")
    )


def slack_digest(digest: dict[str, Any]) -> dict[str, Any]:
    """A Block Kit summary: header, counts, radar moves, releases, top stories."""
    label = digest["range"]["label"]
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": _cut(f"radar digest {label}", SLACK_MAX_HEADER)},
        },
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": slack_escape(_counts_line(digest))}],
        },
    ]

    def section(title: str, lines: list[str]) -> None:
        if not lines:
            return
        text = f"*{title}*\n" + "\n".join(lines)
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, SLACK_MAX_SECTION)}}
        )

    section(
        "Radar moves",
        [
            f"• *{slack_escape(m['technology'])}*: {slack_escape(m['from'] or 'new')} → "
            f"{slack_escape(m['to'])}"
            for m in _moves(digest)
        ],
    )
    section(
        "Releases on our radar",
        [
            f"• {_slack_link(s.get('url'), _release_label(tech, s))} ({slack_escape(ring)})"
            for tech, ring, s in _releases(digest)[:10]
        ],
    )
    section(
        "Top stories",
        [
            f"• {_slack_link(s.get('url'), _cut(s.get('title') or '(untitled)', 200))}"
            + (f" · {slack_escape(s['feed'])}" if s.get("feed") else "")
            for s in _stories(digest)
        ],
    )
    return {
        "text": _cut(f"radar digest {label}: {_counts_line(digest)}", 300),
        "blocks": blocks[:SLACK_MAX_BLOCKS],
    }


def slack_alert(alert: Alert) -> dict[str, Any]:
    text = f"New {_slack_link(alert.link, alert.technology + ' ' + alert.version)}"
    detail = "pre-release" if alert.prerelease else "release"
    lines = [f"{text} ({detail}) · on our radar: *{slack_escape(alert.ring)}*"]
    if alert.pinned_older:
        lines.append(
            "Pinning an older version: " + ", ".join(map(slack_escape, alert.pinned_older))
        )
    return {
        "text": _cut(f"New {alert.headline}", 300),
        "blocks": [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": _cut("\n".join(lines), SLACK_MAX_SECTION)},
            }
        ],
    }


def _teams_escape(text: Any) -> str:
    """Text for an Adaptive Card TextBlock: markdown link and emphasis characters escaped."""
    out = str(text)
    for char in "\\[]()*_`<>":
        out = out.replace(char, "\\" + char)
    return out


def _teams_link(url: str | None, label: str) -> str:
    if not url or not url.startswith(("http://", "https://")):
        return _teams_escape(label)
    return f"[{_teams_escape(label)}]({url.replace(')', '%29').replace(' ', '%20')})"


def _teams_card(body: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": body,
                },
            }
        ],
    }


def _text_block(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}


def teams_digest(digest: dict[str, Any]) -> dict[str, Any]:
    """An Adaptive Card summary, trimmed (fewer stories) until it fits Teams' limit."""
    stories = _stories(digest)
    while True:
        body = [
            _text_block(
                f"radar digest {_teams_escape(digest['range']['label'])}",
                size="Large",
                weight="Bolder",
            ),
            _text_block(_teams_escape(_counts_line(digest)), isSubtle=True),
        ]
        moves = [
            f"- **{_teams_escape(m['technology'])}**: "
            f"{_teams_escape(m['from'] or 'new')} → {_teams_escape(m['to'])}"
            for m in _moves(digest)
        ]
        releases = [
            f"- {_teams_link(s.get('url'), _release_label(tech, s))} ({_teams_escape(ring)})"
            for tech, ring, s in _releases(digest)[:10]
        ]
        tops = [
            f"- {_teams_link(s.get('url'), _cut(s.get('title') or '(untitled)', 200))}"
            for s in stories
        ]
        for title, lines in (
            ("Radar moves", moves),
            ("Releases on our radar", releases),
            ("Top stories", tops),
        ):
            if lines:
                body.append(_text_block(title, weight="Bolder"))
                body.append(_text_block("\n".join(lines)))
        card = _teams_card(body)
        if len(json.dumps(card).encode()) <= TEAMS_MAX_BYTES or not stories:
            return card
        stories = stories[:-1]


def teams_alert(alert: Alert) -> dict[str, Any]:
    body = [
        _text_block(
            f"New {_teams_link(alert.link, alert.technology + ' ' + alert.version)}",
            weight="Bolder",
        ),
        _text_block(
            _teams_escape(
                ("pre-release" if alert.prerelease else "release")
                + f" · on our radar: {alert.ring}"
            )
        ),
    ]
    if alert.pinned_older:
        body.append(
            _text_block("Pinning an older version: " + _teams_escape(", ".join(alert.pinned_older)))
        )
    return _teams_card(body)


def webhook_digest(fmt: str, digest: dict[str, Any]) -> dict[str, Any]:
    if fmt == "slack":
        return slack_digest(digest)
    if fmt == "teams":
        return teams_digest(digest)
    return {"type": "digest", **digest}


def webhook_alert(fmt: str, alert: Alert) -> dict[str, Any]:
    if fmt == "slack":
        return slack_alert(alert)
    if fmt == "teams":
        return teams_alert(alert)
    return alert.to_dict()
