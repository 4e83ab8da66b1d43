"""`radar digest`: the weekly digest as Markdown, HTML or JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from radar.cli.common import AppContext, pass_app, say
from radar.cli.items import DATE

SUFFIX_FORMATS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json"}


def format_for(fmt: str | None, output: str | None) -> str:
    """The chosen format, else the one the output file's suffix names, else Markdown.
    An output suffix radar cannot write (digest.pdf) is an error, never a silent
    Markdown file."""
    if fmt:
        return fmt
    if output:
        suffix = Path(output).suffix.lower()
        if suffix not in SUFFIX_FORMATS:
            supported = ", ".join(SUFFIX_FORMATS)
            raise click.BadParameter(
                f"radar cannot write a {suffix or 'suffix-less'} digest to {output!r}; "
                f"use one of {supported}, or name the format with --format",
                param_hint="'-o' / '--output'",
            )
        return SUFFIX_FORMATS[suffix]
    return "md"


def write_output(text: str, output: str) -> None:
    """Write to exactly the path given (temp file + rename, so a failure keeps the old
    file), readable as the user's umask allows: a digest is made to be shared."""
    import os

    from radar.feeds.config import atomic_write_text

    path = Path(output)
    atomic_write_text(path, text)
    umask = os.umask(0)
    os.umask(umask)
    path.chmod(0o666 & ~umask)


def _say_if_empty(label: str, summary: dict[str, object]) -> None:
    """On stderr: an empty range names the weeks that have items and the command for
    the latest."""
    if not summary.get("empty"):
        return
    weeks = summary.get("weeks_with_items") or []
    if not isinstance(weeks, list) or not weeks:
        say(f"note: nothing in {label}, and no items are stored yet: run `radar fetch`", err=True)
        return
    listed = ", ".join(f"{week['week']} ({week['items']})" for week in weeks)
    say(f"note: nothing in {label}; weeks with items: {listed}", err=True)
    say(f"note: the latest: {weeks[0]['command']}", err=True)


@click.command()
@click.option("--week", help="ISO week, e.g. 2026-W47 (default: the last complete week, UTC).")
@click.option(
    "--since",
    type=DATE,
    help="First day (UTC, included) instead of a week: 2026-11-01, or 14d for 14 days ago.",
)
@click.option(
    "--until",
    type=DATE,
    help="Last day (UTC, included), like --since; default with --since: yesterday.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "html", "json"]),
    help="Output format (default: from -o's suffix, else md).",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE, not stdout.")
@click.option(
    "--top", type=click.IntRange(min=0), default=15, show_default=True, help="Top stories listed."
)
@click.option(
    "--send",
    is_flag=True,
    help="Send it to settings.delivery's destinations (email, webhook) instead of printing.",
)
@click.option(
    "--only",
    type=click.Choice(["email", "webhook"]),
    help="With --send: just this destination.",
)
@click.option(
    "--dry-run", is_flag=True, help="With --send: print what would be sent, send nothing."
)
@click.option("--resend", is_flag=True, help="With --send: send a range already sent again.")
@pass_app
def digest(
    app: AppContext,
    week: str | None,
    since: datetime | None,
    until: datetime | None,
    fmt: str | None,
    output: str | None,
    top: int,
    send: bool,
    only: str | None,
    dry_run: bool,
    resend: bool,
) -> None:
    """What happened in a week, organised around the team's tech radar.

    Sections: summary, radar moves, on our radar (items per technology, releases
    first), top stories (each story once, with the other feeds that covered it),
    rising technologies and terms, added to the team library, feed health. Items count
    by their publication date, else the time radar first saw them; ranges are whole
    UTC days.

    \b
    Examples:
      radar digest                              # last complete week, Markdown
      radar digest --week 2026-W47 -o digest.html
      radar digest --since 2026-11-01 --until 2026-11-30 --format json
      radar digest --since 14d                  # the last two weeks, up to yesterday
      radar digest --send                       # mail/post last week's digest, once
      radar digest --send --only webhook --dry-run
    """
    from radar.digest import day_range, iso_week, render_digest, workspace_digest
    from radar.techradar import today_utc

    workspace = app.workspace.require()
    if week and (since or until):
        raise click.UsageError("give either --week or --since/--until, not both")
    if week:
        period = iso_week(week)
    else:
        period = day_range(
            since.astimezone(UTC).date() if since else None,
            until.astimezone(UTC).date() if until else None,
            today_utc(),
        )
    if (only or dry_run or resend) and not send:
        raise click.UsageError("--only, --dry-run and --resend go with --send")
    if send:
        if fmt or output:
            raise click.UsageError("--send sends the digest; it takes no --format or --output")
        _send(app, workspace_digest(workspace, period, top=top), only, dry_run, resend)
        return
    chosen = format_for(fmt, output)
    built = workspace_digest(workspace, period, top=top)
    text = render_digest(built, chosen)
    _say_if_empty(period.label, built["summary"])
    if output:
        write_output(text, output)
        say(f"wrote the {period.label} digest ({chosen}) to {output}", err=True)
    else:
        click.echo(text, nl=False)


def _send(
    app: AppContext, built: dict[str, Any], only: str | None, dry_run: bool, resend: bool
) -> None:
    """Send (or show) the digest; exit 1 when some destination did not get it now."""
    from radar.delivery.outbox import send_digest
    from radar.digest import render_digest
    from radar.feeds.config import load_config
    from radar.store import Store, utc_now

    workspace = app.workspace.require()
    settings = load_config(workspace.feeds_path).settings.delivery
    with Store(workspace.db_path) as store:
        outcomes = send_digest(
            store,
            settings,
            built,
            render_digest(built, "md"),
            render_digest(built, "html"),
            now=utc_now(),
            only=only,
            resend=resend,
            dry_run=dry_run,
        )
    label = built["range"]["label"]
    undelivered = 0
    for outcome in outcomes:
        if outcome.status == "dry-run":
            say(f"--- {outcome.destination}: the {label} digest would be sent as:", err=True)
            click.echo(_dry_run_text(outcome.detail))
            continue
        line = f"{outcome.destination}: {outcome.status} the {label} digest"
        if outcome.detail:
            line += f": {outcome.detail}"
        say(line, err=True)
        undelivered += outcome.status in ("queued", "failed")
    if undelivered:
        raise click.exceptions.Exit(1)


def _dry_run_text(payload: str) -> str:
    """A stored payload as a person reads it: the mail's source, or the webhook's JSON."""
    import json

    data = json.loads(payload)
    if "mime" in data:
        return str(data["mime"]).replace("\r\n", "\n")
    return json.dumps(data["body"], ensure_ascii=False, indent=2)
