"""`radar items ...`: list, show and mark stored items."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from radar.cli.common import (
    AppContext,
    CommandFunction,
    pass_app,
    print_json,
    print_table,
    say,
)
from radar.dates import date_fields, item_day
from radar.store import ItemFilter, ItemRow, Store
from radar.workspace import Workspace


class DateParam(click.ParamType[datetime]):
    """A day (2026-11-20), a UTC timestamp, or a relative age like 7d / 12h."""

    name = "date"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        units = {"d": "days", "h": "hours", "w": "weeks"}
        if text[:-1].isdigit() and text[-1:] in units:
            return datetime.now(UTC) - timedelta(**{units[text[-1]]: int(text[:-1])})
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            self.fail(
                f"{text!r} is not a date (use 2026-11-20, 2026-11-20T08:00Z or 7d)", param, ctx
            )
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


DATE = DateParam()


def item_json(row: ItemRow) -> dict[str, Any]:
    return {
        "id": row["id"],
        "feed": row["feed"],
        "title": row["title"],
        "url": row["url"],
        **date_fields(row),
        "summary": row["summary"],
        "read": row["read"],
        "starred": row["starred"],
    }


@click.group()
def items() -> None:
    """List, show and mark stored items.

    \b
    Examples:
      radar items list --since 7d --unread
      radar items show 42
      radar items mark 42 --star
    """


def item_filters(function: CommandFunction) -> CommandFunction:
    """The filters `items list` and `items mark --all-read` share."""
    for option in reversed(
        [
            click.option(
                "--feed", help="Only items delivered by this feed (any case, or a unique prefix)."
            ),
            click.option("--since", type=DATE, help="Published on or after (2026-11-01, or 7d)."),
            click.option("--unread", is_flag=True, help="Only unread items."),
            click.option("--starred", is_flag=True, help="Only starred items."),
            click.option(
                "--tech", help="Only items mentioning this technology (name, alias or slug)."
            ),
        ]
    ):
        function = option(function)
    return function


def _filters(
    store: Store,
    workspace: Workspace,
    feed: str | None,
    since: datetime | None,
    unread: bool,
    starred: bool,
    tech: str | None,
) -> ItemFilter:
    return ItemFilter(
        feed=store.resolve_feed(feed) if feed else None,
        since=since,
        unread=unread,
        starred=starred,
        tech=tech_filter_slug(store, workspace, tech),
    )


def _chosen_filters(
    feed: str | None, since: datetime | None, unread: bool, starred: bool, tech: str | None
) -> list[str]:
    """The filters given, as typed: for messages about what matched."""
    chosen = [f"--feed {feed!r}" if feed else "", f"--tech {tech!r}" if tech else ""]
    chosen += ["--since " + since.strftime("%Y-%m-%d") if since else ""]
    chosen += ["--unread" if unread else "", "--starred" if starred else ""]
    return [text for text in chosen if text]


@items.command("list")
@item_filters
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_app
def list_items(
    app: AppContext,
    feed: str | None,
    since: datetime | None,
    unread: bool,
    starred: bool,
    tech: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """List stored items, newest first.

    \b
    Example:
      radar items list --feed "arXiv cs.LG" --since 2026-11-01 --json
      radar items list --tech ray --since 30d
    """
    workspace = app.workspace.require()
    with Store(workspace.db_path) as store:
        filters = _filters(store, workspace, feed, since, unread, starred, tech)
        rows = store.list_items(filters, limit=limit)
        matched = store.count_items(filters) if len(rows) == limit else len(rows)
        stored = store.item_count() if not rows else matched
    if as_json:
        print_json([item_json(row) for row in rows])
    elif not rows:
        _say_why_empty(stored, _chosen_filters(feed, since, unread, starred, tech))
    else:
        table = [
            {
                "id": row["id"],
                "flags": ("*" if row["starred"] else " ") + (" " if row["read"] else "N"),
                "date": item_day(row["published"], row["first_seen"]),
                "feed": row["feed"],
                "title": row["title"],
            }
            for row in rows
        ]
        print_table(table, ["id", "flags", "date", "feed", "title"])
    if matched > len(rows):
        sys.stdout.flush()  # the note follows the table, also when both go to one pipe
        say(
            f"showing the newest {len(rows)} of {matched} matching items; --limit N shows more",
            err=True,
        )


def _say_why_empty(stored: int, chosen: list[str]) -> None:
    if not stored:
        say("no items stored yet: `radar fetch` fetches your feeds (`radar feeds list`)", err=True)
    else:
        say(
            f"none of the {stored} stored items match {' '.join(chosen)}; "
            "drop a filter to see more",
            err=True,
        )


def tech_filter_slug(store: Store, workspace: Workspace, name: str | None) -> str | None:
    """The slug for a --tech NAME filter (links brought up to date); NotFound if unknown."""
    if name is None:
        return None
    from radar.techradar.link_store import resolve_tech

    return resolve_tech(store, workspace, name).slug


@items.command("show")
@click.argument("item_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the item as JSON.")
@pass_app
def show(app: AppContext, item_id: int, as_json: bool) -> None:
    """Show one item in full.

    \b
    Example:
      radar items show 42
    """
    workspace = app.workspace.require()
    with Store(workspace.db_path) as store:
        row = store.get_item(item_id)
        private = store.library.item_note(item_id)
    if as_json:
        print_json(
            {
                **item_json(row),
                "feeds": row["feeds"],
                "content": row["content"],
                "author": row["author"],
                "tags": row["tags"],
            }
        )
        return
    say(row["title"])
    byline = [", ".join(row["feeds"]), item_day(row["published"], row["first_seen"]), row["author"]]
    say(" · ".join(part for part in byline if part))
    if row["url"]:
        say(row["url"])
    if private is not None:
        say(f"your note: {private.text}")
    say()
    say(row["content"] or row["summary"])


@items.command("note")
@click.argument("item_id", type=int)
@click.argument("text")
@pass_app
def note(app: AppContext, item_id: int, text: str) -> None:
    """Keep a private note on an item (in your database only; "" removes it).

    `radar library add ITEM_ID` without --note promotes it to the team library.

    \b
    Example:
      radar items note 42 "Explains the NCCL timeout; share with the team"
    """
    from radar.store import to_iso, utc_now

    workspace = app.workspace.require()
    with Store(workspace.db_path) as store:
        store.library.set_item_note(item_id, text.strip(), to_iso(utc_now()) or "")
    say(f"noted on item {item_id}" if text.strip() else f"note removed from item {item_id}")


@items.command("mark")
@click.argument("item_id", type=int, required=False)
@click.option("--read/--unread", default=None, help="Mark read or unread.")
@click.option("--star/--unstar", default=None, help="Star or unstar.")
@click.option(
    "--all-read",
    is_flag=True,
    help="Mark every item read, or those the filters below choose (as in `items list`).",
)
@item_filters
@pass_app
def mark(
    app: AppContext,
    item_id: int | None,
    read: bool | None,
    star: bool | None,
    all_read: bool,
    feed: str | None,
    since: datetime | None,
    unread: bool,
    starred: bool,
    tech: str | None,
) -> None:
    """Mark an item read/unread or star/unstar it, or mark many read with --all-read.
    Marks survive re-fetches.

    \b
    Examples:
      radar items mark 42 --read --star
      radar items mark --all-read                          # everything
      radar items mark --all-read --feed "arXiv cs.LG" --since 7d
    """
    chosen = _chosen_filters(feed, since, unread, starred, tech)
    if all_read:
        if item_id is not None or read is not None or star is not None:
            raise click.UsageError("--all-read marks many items: give no ITEM_ID, --read or --star")
        _mark_all_read(app.workspace.require(), feed, since, unread, starred, tech, chosen)
        return
    if chosen:
        raise click.UsageError(f"{' '.join(chosen)} only go with --all-read")
    if item_id is None:
        raise click.UsageError("give an ITEM_ID (see `radar items list`), or --all-read")
    if read is None and star is None:
        raise click.UsageError("give --read, --unread, --star or --unstar")
    workspace = app.workspace.require()
    with Store(workspace.db_path) as store:
        store.mark(item_id, read=read, starred=star)
    say(f"item {item_id} updated")


def _mark_all_read(
    workspace: Workspace,
    feed: str | None,
    since: datetime | None,
    unread: bool,
    starred: bool,
    tech: str | None,
    chosen: list[str],
) -> None:
    with Store(workspace.db_path) as store:
        filters = _filters(store, workspace, feed, since, unread, starred, tech)
        matched = store.count_items(filters)
        changed = store.mark_all(filters, read=True)
    which = f"matching {' '.join(chosen)}" if chosen else "stored"
    say(f"marked {changed} items read ({matched} {which}; the rest were read already)")
