"""`radar library ...`: the team library in data/library.yaml (add, list, show, note, edit,
remove, export, import)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import click

from radar.cli.common import AppContext, pass_app, print_json, print_table, say
from radar.cli.tech import BY_HELP, decided_by
from radar.library import Entry, Library, load_workspace_library, save_workspace_library
from radar.library.exchange import FORMATS, export, import_file
from radar.library.model import LEVELS, STATUSES, TYPES, LibraryError
from radar.techradar.model import today_utc
from radar.workspace import Workspace

WIDTH = 100


@click.group()
def library() -> None:
    """The team library: learning resources with a line on why each matters.

    It lives in data/library.yaml, meant to be committed and reviewed in git like the
    radar; `radar search` finds its entries together with news items.

    \b
    Examples:
      radar library add 42 --note "Why we chose FSDP2" --tech pytorch --type post
      radar library add https://arxiv.org/abs/2304.11277 --title "PyTorch FSDP" \\
          --note "The FSDP paper" --type paper
      radar library list --tech pytorch
      radar library export --format bibtex > papers.bib
    """


def _canonical_techs(workspace: Workspace, names: tuple[str, ...]) -> list[str]:
    """Technology names as the radar spells them; an unknown name is an error."""
    if not names:
        return []
    from radar.techradar import load_workspace_radar

    radar = load_workspace_radar(workspace)
    return [radar.get(part.strip()).name for name in names for part in name.split(",") if part]


def _save(workspace: Workspace, library: Library) -> None:
    save_workspace_library(workspace, library)


def _open(app: AppContext) -> tuple[Workspace, Library]:
    workspace = app.workspace.require()
    return workspace, load_workspace_library(workspace)


def _summary(entry: Entry) -> str:
    return f"{entry.id}  {entry.title}  <{entry.url}>"


@library.command("add")
@click.argument("target")
@click.option("--note", help="Why it matters (required; an item's private note is used if none).")
@click.option("--title", help="Title (needed for a URL that is not a stored item).")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable, or comma-separated).")
@click.option("--tech", "techs", multiple=True, help="A radar technology (repeatable).")
@click.option("--type", "kind", type=click.Choice(TYPES), help="What it is (default: link).")
@click.option("--level", type=click.Choice(LEVELS), help="intro or deep.")
@click.option("--by", help=BY_HELP)
@pass_app
def add(
    app: AppContext,
    target: str,
    note: str | None,
    title: str | None,
    tags: tuple[str, ...],
    techs: tuple[str, ...],
    kind: str | None,
    level: str | None,
    by: str | None,
) -> None:
    """Add a stored item (by id) or a URL to the team library, with a note.

    The same URL added again keeps one entry and appends your note to it. From an item,
    the title and URL come from the database and your private note (`radar items note`)
    is promoted when --note is not given.

    \b
    Examples:
      radar library add 42 --note "Explains the NCCL timeout we kept hitting" --tag debugging
      radar library add https://docs.vllm.ai/en/latest/serving#tuning \\
          --title "vLLM tuning guide" --note "Start here for serving" --tech vllm --type docs
    """
    workspace, lib = _open(app)
    url = target
    promoted = False
    if target.isdigit():
        from radar.store import Store

        with Store(workspace.db_path) as store:
            item = store.get_item(int(target))
            private = store.library.item_note(int(target))
        if not item["url"]:
            raise LibraryError(f"item {target} has no link to add")
        url, title = item["url"], title or item["title"]
        if not note and private is not None:
            note, promoted = private.text, True
    elif lib.find(target) is None and not title:
        raise LibraryError(f"give a --title for {target} (it is not a stored item)")
    entry, new = lib.add(
        url=url,
        title=title or "",
        note=note or "",
        by=decided_by(by),
        today=today_utc(),
        type=kind or "link",
        tags=tags,
        technologies=_canonical_techs(workspace, techs),
        level=level or "",
    )
    _save(workspace, lib)
    if promoted:
        say("using your private note on the item")
    say(("added " if new else "already in the library; note added to ") + _summary(entry))


@library.command("list")
@click.option("--tag", help="Only entries with this tag.")
@click.option("--tech", help="Only entries about this technology.")
@click.option("--type", "kind", type=click.Choice(TYPES), help="Only entries of this type.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_app
def list_entries(
    app: AppContext, tag: str | None, tech: str | None, kind: str | None, as_json: bool
) -> None:
    """List library entries with their ids.

    \b
    Example:
      radar library list --tech pytorch
    """
    _, lib = _open(app)
    entries = lib.select(tag=tag, technology=tech, type=kind)
    if as_json:
        print_json([entry.to_dict() for entry in entries])
        return
    if not entries:
        say("no library entries" + (" match" if tag or tech or kind else " yet"), err=True)
        return
    rows = [
        {
            "id": e.id,
            "type": e.type,
            "title": e.title,
            "technologies": list(e.technologies),
            "note": e.note or "no note yet",
        }
        for e in entries
    ]
    print_table(rows, ["id", "type", "title", "technologies", "note"])


@library.command("show")
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_app
def show(app: AppContext, key: str, as_json: bool) -> None:
    """Show one entry: link, fields and every note.

    \b
    Example:
      radar library show 3fa2c1
    """
    _, lib = _open(app)
    entry = lib.get(key)
    if as_json:
        print_json(entry.to_dict())
        return
    say(f"{entry.title}  ({entry.type} · {entry.id})")
    say(f"  {entry.url}")
    details = [
        ("technologies", ", ".join(entry.technologies)),
        ("tags", ", ".join(entry.tags)),
        ("level", entry.level),
        ("status", entry.status + (f": {entry.reason}" if entry.reason else "")),
        ("added", " by ".join(p for p in (str(entry.added or ""), entry.added_by) if p)),
    ]
    for label, value in details:
        if value:
            say(f"  {label + ':':<14}{value}")
    say("")
    say("Notes")
    if not entry.notes:
        say("  no note yet (add one with `radar library note`)")
    for note in entry.notes:
        who = ", ".join(p for p in (note.by, str(note.date or "")) if p)
        lead = "  - "
        say(
            textwrap.fill(
                note.text + (f" ({who})" if who else ""),
                width=WIDTH,
                initial_indent=lead,
                subsequent_indent="    ",
            )
        )


@library.command("note")
@click.argument("key")
@click.argument("text")
@click.option("--by", help=BY_HELP)
@pass_app
def note(app: AppContext, key: str, text: str, by: str | None) -> None:
    """Add your note to an entry (notes from several people are all kept).

    \b
    Example:
      radar library note 3fa2c1 "Section 4 is what matters for multi-node"
    """
    workspace, lib = _open(app)
    entry = lib.note(key, text, by=decided_by(by), today=today_utc())
    _save(workspace, lib)
    say(f"noted on {_summary(entry)}")


@library.command("edit")
@click.argument("key")
@click.option("--title", help="New title.")
@click.option("--tag", "tags", multiple=True, help="Replace the tags (repeatable).")
@click.option("--tech", "techs", multiple=True, help="Replace the technologies (repeatable).")
@click.option("--type", "kind", type=click.Choice(TYPES), help="New type.")
@click.option("--level", type=click.Choice([*LEVELS, ""]), help="intro, deep or '' to clear.")
@click.option("--status", type=click.Choice(STATUSES), help="current or outdated.")
@click.option("--reason", help="Why it is outdated (required with --status outdated).")
@pass_app
def edit(
    app: AppContext,
    key: str,
    title: str | None,
    tags: tuple[str, ...],
    techs: tuple[str, ...],
    kind: str | None,
    level: str | None,
    status: str | None,
    reason: str | None,
) -> None:
    """Change an entry's fields; --tag and --tech replace the old lists.

    \b
    Example:
      radar library edit 3fa2c1 --status outdated --reason "FSDP1 API; see the FSDP2 docs"
    """
    workspace, lib = _open(app)
    entry = lib.edit(
        key,
        title=title,
        tags=tags or None,
        technologies=_canonical_techs(workspace, techs) if techs else None,
        type=kind,
        level=level,
        status=status,
        reason=reason,
    )
    _save(workspace, lib)
    say(f"updated {_summary(entry)}")


@library.command("remove")
@click.argument("key")
@pass_app
def remove(app: AppContext, key: str) -> None:
    """Remove an entry from the library.

    \b
    Example:
      radar library remove 3fa2c1
    """
    workspace, lib = _open(app)
    entry = lib.remove(key)
    _save(workspace, lib)
    say(f"removed {_summary(entry)}")


@library.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="md", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to a file.")
@pass_app
def export_cmd(app: AppContext, fmt: str, output: str | None) -> None:
    """Export the library as Markdown, BibTeX (papers: arXiv ids and DOIs) or JSON.

    \b
    Examples:
      radar library export --format md > LIBRARY.md
      radar library export --format bibtex -o papers.bib
      radar library export --format json > library.json
    """
    _, lib = _open(app)
    text = export(lib, fmt)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        say(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


@library.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--by", help=BY_HELP)
@pass_app
def import_cmd(app: AppContext, path: str, by: str | None) -> None:
    """Import a library JSON export or a browser bookmarks file (bookmarks.html).

    Links already in the library are left as they are; imported links without a
    description are listed as "no note yet".

    \b
    Examples:
      radar library import library.json
      radar library import ~/Downloads/bookmarks.html
    """
    workspace, lib = _open(app)
    result = import_file(lib, Path(path), by=decided_by(by), today=today_utc())
    if result.added:
        _save(workspace, lib)
    say(f"imported {len(result.added)} entries, {result.already} already in the library")
    if result.skipped:
        say(f"skipped {len(result.skipped)} links that are not web addresses", err=True)
