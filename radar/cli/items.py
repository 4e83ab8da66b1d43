"""`radar items ...`: list, show and mark stored items."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import click

from radar.cli.common import AppContext, pass_app, print_json, print_table, say
from radar.dates import date_fields, item_day
from radar.store import ItemFilter, Store
from radar.workspace import Workspace


class DateParam(click.ParamType):
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


def item_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "feed": row.get("feed"),
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


@items.command("list")
@click.option("--feed", help="Only items delivered by this feed.")
@click.option("--since", type=DATE, help="Published on or after (2026-11-01, or 7d).")
@click.option("--unread", is_flag=True, help="Only unread items.")
@click.option("--starred", is_flag=True, help="Only starred items.")
@click.option("--tech", help="Only items mentioning this technology (name, alias or slug).")
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
        feed = store.resolve_feed(feed) if feed else None
        tech_slug = tech_filter_slug(store, workspace, tech)
        rows = store.list_items(
            ItemFilter(feed=feed, since=since, unread=unread, starred=starred, tech=tech_slug),
            limit=limit,
        )
    if as_json:
        print_json([item_json(row) for row in rows])
        return
    for row in rows:
        row["flags"] = ("*" if row["starred"] else " ") + (" " if row["read"] else "N")
        row["date"] = item_day(row["published"], row["first_seen"])
    print_table(rows, ["id", "flags", "date", "feed", "title"])


def tech_filter_slug(store: Store, workspace: Workspace, name: str | None) -> str | None:
    """The slug for a --tech NAME filter (links brought up to date); NotFound if unknown."""
    if name is None:
        return None
    from radar.techradar.links import resolve_tech

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
    say()
    say(row["content"] or row["summary"])


@items.command("mark")
@click.argument("item_id", type=int)
@click.option("--read/--unread", default=None, help="Mark read or unread.")
@click.option("--star/--unstar", default=None, help="Star or unstar.")
@pass_app
def mark(app: AppContext, item_id: int, read: bool | None, star: bool | None) -> None:
    """Mark an item read/unread or star/unstar it. Marks survive re-fetches.

    \b
    Example:
      radar items mark 42 --read --star
    """
    if read is None and star is None:
        raise click.UsageError("give --read, --unread, --star or --unstar")
    workspace = app.workspace.require()
    with Store(workspace.db_path) as store:
        store.mark(item_id, read=read, starred=star)
    say(f"item {item_id} updated")
