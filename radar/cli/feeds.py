"""`radar feeds ...`: manage subscriptions in feeds.yaml and see their health."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import click

from radar.cli.common import AppContext, pass_app, print_json, print_table, say
from radar.feeds.config import KINDS, FeedConfig, add_feeds, feed_location, load_config, remove_feed
from radar.store import FeedStatusRow, Store

FIRST_FEED_HINT = (
    "`radar feeds add https://pytorch.org/blog/feed.xml` adds one, "
    "`radar feeds import-opml FILE` a reader's export"
)


@click.group()
def feeds() -> None:
    """Add, remove, list, import and export feeds; see their status.

    \b
    Examples:
      radar feeds add https://pytorch.org/blog/feed.xml --name "PyTorch blog" --tag pytorch
      radar feeds list --json
      radar feeds status
    """


@feeds.command("add")
@click.argument("url")
@click.option(
    "--name", help="Unique display name (default: the URL's host and path, or the file's name)."
)
@click.option("--kind", type=click.Choice(KINDS), default="news", show_default=True)
@click.option("--tag", "tags", multiple=True, help="A tag; repeat for several.")
@pass_app
def add(app: AppContext, url: str, name: str | None, kind: str, tags: tuple[str, ...]) -> None:
    """Add a feed to feeds.yaml (comments and layout are kept).

    URL is a feed's address; without a scheme https:// is assumed. A local file (a
    path, or file:///...) works too, for feeds a team generates: it is read from disk
    on every fetch.

    \b
    Examples:
      radar feeds add https://github.com/vllm-project/vllm/releases.atom \\
          --name "vLLM releases" --kind releases --tag serving
      radar feeds add pytorch.org/blog/feed.xml
      radar feeds add ./build/team-notes.xml --name "Team notes"
    """
    workspace = app.workspace.require()
    try:
        url = feed_location(url)
    except ValueError as exc:
        raise click.BadParameter(f"{url!r} {exc}", param_hint="URL") from None
    if not name:
        parts = urlsplit(url)
        if parts.scheme == "file":
            name = Path(parts.path).name
        else:
            name = f"{parts.hostname}{parts.path}".rstrip("/")
    config = load_config(workspace.feeds_path)
    for existing in config.feeds:
        if existing.name == name:
            raise click.BadParameter(
                f"a feed named {name!r} exists; choose another --name", param_hint="'--name'"
            )
        if existing.url == url:
            raise click.BadParameter(
                f"{url} is already subscribed as {existing.name!r}", param_hint="URL"
            )
    add_feeds(workspace.feeds_path, [FeedConfig(name=name, url=url, kind=kind, tags=tags)])
    say(f"added {name!r}")


@feeds.command("discover")
@click.argument("url")
@click.option("--add", "add_first", is_flag=True, help="Subscribe to the first feed found.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_app
def discover_cmd(app: AppContext, url: str, add_first: bool, as_json: bool) -> None:
    """Find the feeds a web page offers (its <link rel="alternate"> tags, then common paths).

    \b
    Example:
      radar feeds discover https://pytorch.org/blog/ --add
    """
    from radar.feeds.discover import discover

    workspace = app.workspace.require()
    config = load_config(workspace.feeds_path)
    found = discover(url, config.settings)
    if as_json:
        print_json([vars(feed) for feed in found])
    elif not found:
        say(f"no feed found at {url}", err=True)
    else:
        print_table([vars(feed) for feed in found], ["url", "title", "items"])
    if add_first and found:
        first = found[0]
        added = add_feeds(
            workspace.feeds_path, [FeedConfig(name=first.title or url, url=first.url)]
        )
        say(f"added {added[0].name!r}" if added else f"{first.url} is already subscribed", err=True)
    if not found:
        raise click.exceptions.Exit(1)


@feeds.command("remove")
@click.argument("name")
@pass_app
def remove(app: AppContext, name: str) -> None:
    """Remove a feed from feeds.yaml. Items it delivered stay stored.

    \b
    Example:
      radar feeds remove "PyTorch blog"
    """
    workspace = app.workspace.require()
    name = load_config(workspace.feeds_path).feed(name).name
    remove_feed(workspace.feeds_path, name)
    say(f"removed {name!r} (its stored items are kept)")


@feeds.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_app
def list_feeds(app: AppContext, as_json: bool) -> None:
    """List subscribed feeds: name, url, kind, tags.

    \b
    Example:
      radar feeds list --json | jq '.[].url'
    """
    config = load_config(app.workspace.require().feeds_path)
    rows = [feed.as_dict() for feed in config.feeds]
    if as_json:
        print_json(rows)
    elif not rows:
        say(f"no feeds in {config.path} yet: {FIRST_FEED_HINT}", err=True)
    else:
        print_table(rows, ["name", "kind", "tags", "url"])


@feeds.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_app
def status(app: AppContext, as_json: bool) -> None:
    """Per-feed health: last fetch, status, consecutive errors, last error, items.

    \b
    Example:
      radar feeds status --json | jq '.[] | select(.error_count > 0)'
    """
    workspace = app.workspace.require()
    config = load_config(workspace.feeds_path)
    with Store(workspace.db_path) as store:
        store.sync_feeds(config.feeds)
        rows = store.feed_status()
    out = [
        {
            "name": row["name"],
            "url": row["url"],
            "last_fetched": row["last_fetched"],
            "last_status": _status_label(row),
            "error_count": row["error_count"],
            "last_error": row["last_error"],
            "item_count": row["item_count"],
            "problem": row["problem"],
            "retry_after": row["retry_after"],
            "next_due": row["next_due"],
        }
        for row in rows
    ]
    if as_json:
        print_json(out)
    elif not out:
        say(f"no feeds to report on: {FIRST_FEED_HINT}", err=True)
    else:
        print_table(
            out,
            [
                "name",
                "last_fetched",
                "last_status",
                "error_count",
                "item_count",
                "next_due",
                "last_error",
            ],
        )


def _status_label(row: FeedStatusRow) -> str | None:
    """HTTP status when the server answered normally, else the error kind."""
    if row["last_status"] in ("ok", "not_modified") and row["http_status"]:
        return str(row["http_status"])
    return row["last_status"]


@feeds.command("import-opml")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--allow-private",
    is_flag=True,
    help="Also import feeds on loopback, private or link-local addresses (skipped by default).",
)
@pass_app
def import_opml(app: AppContext, file: str, allow_private: bool) -> None:
    """Add the feeds of an OPML file; folders become tags. Broken files are read leniently.

    Only http:// and https:// feeds are imported, never local files. Feeds on
    localhost, private (10.x, 192.168.x, ...) or link-local addresses are skipped and
    listed unless --allow-private is given: an OPML file from the internet must not
    point radar at the machines around it.

    \b
    Examples:
      radar feeds import-opml ~/Downloads/subscriptions.opml
      radar feeds import-opml internal-feeds.opml --allow-private
    """
    from radar.feeds.opml import read_opml

    workspace = app.workspace.require()
    imported = read_opml(Path(file), allow_private=allow_private)
    added = add_feeds(workspace.feeds_path, imported.feeds)
    already = len(imported.feeds) - len(added)
    say(
        f"imported {len(added)} feeds from {file}"
        + (f"; {already} already subscribed" if already else "")
    )
    for reason in imported.skipped:
        say(f"  skipped: {reason}", err=True)


@feeds.command("export-opml")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@pass_app
def export_opml(app: AppContext, file: str | None) -> None:
    """Write the feeds as OPML 2.0 (tags become folders) to FILE or stdout.

    \b
    Example:
      radar feeds export-opml team-feeds.opml
    """
    from radar.feeds.config import atomic_write_text
    from radar.feeds.opml import export_opml as render

    config = load_config(app.workspace.require().feeds_path)
    text = render(list(config.feeds))
    if file:
        atomic_write_text(Path(file), text)
        say(f"wrote {len(config.feeds)} feeds to {file}", err=True)
    else:
        click.echo(text, nl=False)
