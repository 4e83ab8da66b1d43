"""`radar tech ...`: the team's tech radar in data/techradar.yaml."""

from __future__ import annotations

import textwrap
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from radar import techradar
from radar.cli.common import AppContext, CommandFunction, pass_app, print_json, print_table, say
from radar.dates import item_day
from radar.feeds.config import atomic_write_text
from radar.session import current_user
from radar.techradar import (
    DEFAULT_WINDOW_DAYS,
    FORMATS,
    Status,
    Technology,
    TechRadar,
    TechRadarError,
    parse_link,
    today_utc,
)
from radar.workspace import Workspace

if TYPE_CHECKING:
    from radar.usage.report import TechUsage

WHY_HELP = "Rationale, kept in the technology's history (required)."
BY_HELP = "Who decided (default: $RADAR_USER, else your login name)."
WIDTH = 100
PKG_HELP = "A package meaning it runs somewhere: ECOSYSTEM:NAME (pypi, conda, npm, image)."


def decided_by(by: str | None) -> str:
    """Who made a change: `--by` when given, else $RADAR_USER, else the login name."""
    return by or current_user()


def _open(app: AppContext) -> tuple[Workspace, TechRadar]:
    workspace = app.workspace.require()
    return workspace, techradar.load_workspace_radar(workspace)


def _save(workspace: Workspace, radar: TechRadar, changed: list[str]) -> None:
    """Write the file, then let the rest of radar catch up (links, database mirror)."""
    workspace.ensure_data_dir()
    techradar.save_radar(radar, workspace.techradar_path)
    techradar.radar_changed(workspace, radar, changed)


def _since(radar: TechRadar, since: datetime | None, window: int | None) -> date:
    if since is not None:
        return since.date()
    if window is not None:
        return today_utc() - timedelta(days=window)
    return radar.recent_since(today_utc())


window_options = [
    click.option(
        "--window",
        type=click.IntRange(min=1),
        help="Days back that count as recent for the new / moved markers "
        f"(default: since the latest `radar tech snapshot`, else {DEFAULT_WINDOW_DAYS}).",
    ),
    click.option(
        "--since",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        help="Count changes dated on or after this day instead.",
    ),
]


def _with_window(command: CommandFunction) -> CommandFunction:
    for option in reversed(window_options):
        command = option(command)
    return command


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


@click.group()
def tech() -> None:
    """The team's tech radar: technologies, rings, history, evidence.

    The radar lives in data/techradar.yaml (review it in git); every ring change
    is kept in the technology's history with its rationale.

    \b
    Examples:
      radar tech add vLLM --quadrant platforms --ring assess --why "2x throughput in our bench"
      radar tech move vllm trial --why "serving two models in staging since October"
      radar tech list --ring adopt
      radar tech render --format svg -o radar.svg
    """


@tech.command("add")
@click.argument("name")
@click.option("--quadrant", "-q", required=True, help="Quadrant, e.g. platforms.")
@click.option("--ring", "-r", required=True, help="Ring, e.g. assess.")
@click.option("--why", required=True, help=WHY_HELP)
@click.option("--owner", default="", help="Person or team who owns the decision.")
@click.option("--alias", "aliases", multiple=True, help="How the news writes it; repeatable.")
@click.option("--link", "links", multiple=True, help="URL or TITLE=URL; repeatable.")
@click.option("--alternative", "alternatives", multiple=True, help="An alternative; repeatable.")
@click.option("--description", default="", help="What it is, in a sentence or two.")
@click.option("--production-use", default="", help="Where it runs in production, if anywhere.")
@click.option("--package", "packages", multiple=True, help=PKG_HELP + " Repeatable.")
@click.option("--by", help=BY_HELP)
@pass_app
def add(
    app: AppContext,
    name: str,
    quadrant: str,
    ring: str,
    why: str,
    owner: str,
    aliases: tuple[str, ...],
    links: tuple[str, ...],
    alternatives: tuple[str, ...],
    description: str,
    production_use: str,
    packages: tuple[str, ...],
    by: str | None,
) -> None:
    """Put a technology on the radar.

    \b
    Example:
      radar tech add PyTorch -q languages-and-frameworks -r adopt \\
          --why "all training code uses it" --alias PyTorch --alias torch \\
          --link Docs=https://pytorch.org/docs --owner ml-platform \\
          --package pypi:torch --package conda:pytorch
    """
    workspace, radar = _open(app)
    added = radar.add(
        name,
        quadrant=quadrant,
        ring=ring,
        rationale=why,
        by=decided_by(by),
        description=description,
        aliases=aliases,
        owner=owner,
        links=[parse_link(link) for link in links],
        alternatives=alternatives,
        production_use=production_use,
        packages=packages,
    )
    _save(workspace, radar, [added.name])
    say(f"added {added.name} to {added.quadrant} / {added.ring}")


@tech.command("move")
@click.argument("name")
@click.argument("ring")
@click.option("--why", required=True, help=WHY_HELP)
@click.option("--by", help=BY_HELP)
@pass_app
def move(app: AppContext, name: str, ring: str, why: str, by: str | None) -> None:
    """Move a technology to another ring; the rationale goes into its history.

    \b
    Example:
      radar tech move vllm adopt --why "serves all chat traffic since November"
    """
    workspace, radar = _open(app)
    current = radar.get(name)
    before = techradar.RETIRED if current.retired else current.ring
    moved = radar.move(name, ring, rationale=why, by=decided_by(by))
    _save(workspace, radar, [moved.name])
    say(f"moved {moved.name}: {before} -> {moved.ring}")


@tech.command("edit")
@click.argument("name")
@click.option("--description", help="Replace the description.")
@click.option("--owner", help="Replace the owner.")
@click.option("--add-alias", "add_aliases", multiple=True, help="Add an alias; repeatable.")
@click.option("--remove-alias", "remove_aliases", multiple=True, help="Remove an alias.")
@click.option("--link", "links", multiple=True, help="Add a link (URL or TITLE=URL).")
@click.option("--remove-link", "remove_links", multiple=True, help="Remove the link with this URL.")
@click.option("--alternative", "alternatives", multiple=True, help="Add an alternative.")
@click.option("--remove-alternative", "remove_alternatives", multiple=True)
@click.option("--production-use", help="Replace where it runs in production.")
@click.option("--add-package", "add_packages", multiple=True, help=PKG_HELP + " Repeatable.")
@click.option("--remove-package", "remove_packages", multiple=True, help="Remove a package.")
@click.option("--quadrant", help="Move it to another quadrant (no history entry).")
@click.option("--reviewed", is_flag=True, help="Also mark it reviewed today.")
@pass_app
def edit(
    app: AppContext,
    name: str,
    description: str | None,
    owner: str | None,
    add_aliases: tuple[str, ...],
    remove_aliases: tuple[str, ...],
    links: tuple[str, ...],
    remove_links: tuple[str, ...],
    alternatives: tuple[str, ...],
    remove_alternatives: tuple[str, ...],
    production_use: str | None,
    add_packages: tuple[str, ...],
    remove_packages: tuple[str, ...],
    quadrant: str | None,
    reviewed: bool,
) -> None:
    """Change a technology's details (not its ring: use `move`).

    \b
    Example:
      radar tech edit vllm --add-alias "vLLM engine" --owner serving-team --reviewed
      radar tech edit vllm --add-package pypi:vllm --add-package image:vllm/vllm-openai
    """
    workspace, radar = _open(app)
    changed = radar.edit(
        name,
        description=description,
        owner=owner,
        add_aliases=add_aliases,
        remove_aliases=remove_aliases,
        add_links=[parse_link(link) for link in links],
        remove_links=remove_links,
        add_alternatives=alternatives,
        remove_alternatives=remove_alternatives,
        add_packages=add_packages,
        remove_packages=remove_packages,
        production_use=production_use,
        quadrant=quadrant,
        reviewed=reviewed,
    )
    _save(workspace, radar, [radar.get(name).name])
    say(f"updated {radar.get(name).name}: {', '.join(changed) or 'reviewed'}")


@tech.command("remove")
@click.argument("name")
@click.option("--why", required=True, help=WHY_HELP)
@click.option("--by", help=BY_HELP)
@pass_app
def remove(app: AppContext, name: str, why: str, by: str | None) -> None:
    """Retire a technology. It stays in the file and its history says why.

    \b
    Example:
      radar tech remove "Great Expectations" --why "replaced by in-house checks in dbt"
    """
    workspace, radar = _open(app)
    retired = radar.remove(name, rationale=why, by=decided_by(by))
    _save(workspace, radar, [retired.name])
    say(f"retired {retired.name} (kept in history; `radar tech move` brings it back)")


@tech.command("review")
@click.argument("name")
@click.option("--note", default="", help="What the review concluded; kept in history.")
@click.option("--by", help=BY_HELP)
@pass_app
def review(app: AppContext, name: str, note: str, by: str | None) -> None:
    """Mark a technology reviewed today (its ring stays).

    \b
    Example:
      radar tech review polars --note "still the right call for feature jobs"
    """
    workspace, radar = _open(app)
    reviewed = radar.review(name, note=note, by=decided_by(by))
    _save(workspace, radar, [reviewed.name])
    say(f"reviewed {reviewed.name} on {reviewed.last_reviewed}")


def _row(radar: TechRadar, tech: Technology, mentions: dict[str, int]) -> dict[str, Any]:
    return {
        "name": tech.name,
        "quadrant": tech.quadrant,
        "ring": tech.ring,
        "owner": tech.owner,
        "last_reviewed": tech.last_reviewed,
        "mentions_30d": mentions.get(tech.name, 0),
        "status": "Retired" if tech.retired else radar.status_of(tech).value,
        "retired": tech.retired,
    }


@tech.command("snapshot")
@pass_app
def snapshot(app: AppContext) -> None:
    """Mark the radar as published today (a new 'volume').

    From then on, the ★ new / ▲ ▼ moved markers in list, render and export count
    changes made after this snapshot.

    \b
    Example:
      radar tech snapshot && radar tech export --format byor-csv -o volume.csv
    """
    workspace, radar = _open(app)
    when = radar.snapshot()
    _save(workspace, radar, [])
    say(f"snapshot {when}: later changes will show as new or moved")


@tech.command("list")
@click.option("--ring", "-r", help="Only this ring.")
@click.option("--quadrant", "-q", help="Only this quadrant.")
@click.option("--all", "include_retired", is_flag=True, help="Include retired technologies.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_app
def list_(
    app: AppContext, ring: str | None, quadrant: str | None, include_retired: bool, as_json: bool
) -> None:
    """List technologies with ring, owner, last review and recent news mentions.

    Marks after a name count from the last `radar tech snapshot`: ★ new on the
    radar, ▲ moved in (towards adopt), ▼ moved out (towards hold); (retired) with
    --all. mentions_30d: news items linked to it in the last 30 days.

    \b
    Example:
      radar tech list --quadrant platforms --json
    """
    workspace, radar = _open(app)
    techs = radar.technologies if include_retired else radar.active()
    if ring:
        wanted_ring = radar.resolve_ring(ring)
        techs = [t for t in techs if t.ring == wanted_ring]
    if quadrant:
        wanted_quadrant = radar.resolve_quadrant(quadrant)
        techs = [t for t in techs if t.quadrant == wanted_quadrant]
    techradar.refresh_links(workspace)
    mentions = techradar.mention_counts(workspace)
    rows = [_row(radar, tech, mentions) for tech in techs]
    if as_json:
        print_json(rows)
        return
    if not rows:
        if radar.technologies:
            say("no technologies match these filters; `radar tech list --all` lists every one")
        else:
            say("the radar is empty; put a first technology on it with")
            say('  radar tech add NAME --quadrant QUADRANT --ring RING --why "..."')
        return
    for row in rows:
        row["name"] = _marked(row["name"], row["status"])
    print_table(rows, ["name", "quadrant", "ring", "owner", "last_reviewed", "mentions_30d"])
    marks = {row["status"] for row in rows}
    legend = [text for status, text in LEGEND if status in marks]
    if legend:
        say("   ".join(legend) + "   (since the last snapshot)")


LEGEND = (
    (Status.NEW.value, f"{Status.NEW.symbol} new"),
    (Status.MOVED_IN.value, f"{Status.MOVED_IN.symbol} moved in (towards adopt)"),
    (Status.MOVED_OUT.value, f"{Status.MOVED_OUT.symbol} moved out (towards hold)"),
)
"""The marks `tech list` puts after names, explained under the table when shown."""


def _marked(name: str, status: str) -> str:
    if status == "Retired":
        return f"{name} (retired)"
    return f"{name} {Status(status).symbol}".rstrip()


@tech.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_app
def show(app: AppContext, name: str, as_json: bool) -> None:
    """Show a technology: its record, full history and evidence from the news.

    \b
    Example:
      radar tech show vllm
    """
    workspace, radar = _open(app)
    found = radar.get(name)
    status = "Retired" if found.retired else radar.status_of(found).value
    techradar.refresh_links(workspace)
    evidence = techradar.evidence(workspace, found)
    usage = _usage_of(workspace, radar, found)
    from radar.library import load_workspace_library, resources_for

    resources = resources_for(load_workspace_library(workspace), found.names)
    if as_json:
        print_json(
            {
                **found.to_dict(),
                "status": status,
                "evidence": evidence,
                "usage": usage.to_dict() if usage else None,
                "learning_resources": [entry.to_dict() for entry in resources],
            }
        )
        return
    _print_record(found, status)
    _print_usage(found, usage)
    _print_evidence(evidence)
    _print_resources(resources)


def _print_resources(resources: list[Any]) -> None:
    """The team library's entries about the technology (radar library add --tech)."""
    if not resources:
        return
    say("")
    say("Learning resources (team library)")
    for entry in resources:
        state = f" [outdated: {entry.reason}]" if entry.status == "outdated" else ""
        say(f"  {entry.id}  {entry.type:<8} {entry.title}{state}")
        say(f"          {entry.url}")
        say(f"          {entry.note or 'no note yet'}")


def _usage_of(workspace: Workspace, radar: TechRadar, found: Technology) -> TechUsage | None:
    """Where the technology runs, from the latest `radar usage scan` (None: never scanned)."""
    from radar.usage.service import current_report

    report = current_report(workspace, radar)
    return report.find(found.name) if report else None


def _print_usage(found: Technology, usage: TechUsage | None) -> None:
    if usage is None and not found.packages:
        return
    say("")
    say(f"Where it runs ({', '.join(found.packages) or 'no packages named'})")
    if usage is None:
        say("  no usage scan yet: run `radar usage scan PATH...`")
        return
    if not usage.usages:
        say(f"  no scanned repository uses it  [{usage.verdict}]")
        return
    for item in usage.usages:
        dependency = item.dependency
        version = dependency.pinned or dependency.spec or "any version"
        kind = "" if dependency.direct else " (lock file)"
        say(f"  {item.repo}  {dependency.file}:{dependency.line or '-'}  {version}{kind}")
    say(f"  verdict: {usage.verdict}")
    for behind in usage.behind:
        say(f"    {behind.describe()}")


def _print_record(found: Technology, status: str) -> None:
    say(f"{found.name}  ({found.quadrant} · {found.ring} · {status})")
    for paragraph in found.description.split("\n\n") if found.description else []:
        say(textwrap.fill(paragraph, width=WIDTH, initial_indent="  ", subsequent_indent="  "))
    details = [
        ("aliases", ", ".join(found.aliases)),
        ("owner", found.owner),
        ("alternatives", ", ".join(found.alternatives)),
        ("production use", found.production_use),
        ("last reviewed", str(found.last_reviewed or "never")),
        ("entered", str(found.entered)),
    ]
    for label, value in details:
        if value:
            say(f"  {label + ':':<16}{value}")
    for link in found.links:
        title = f"{link.title} " if link.title != link.url else ""
        say(f"  {'link:':<16}{title}<{link.url}>")
    say("")
    say("History")
    for entry in found.history:
        by = f" ({entry.by})" if entry.by else ""
        lead = f"  {entry.date}  {entry.ring:<9} "
        say(
            textwrap.fill(
                f"{entry.rationale}{by}",
                width=WIDTH,
                initial_indent=lead,
                subsequent_indent=" " * len(lead),
            )
        )


def _print_evidence(evidence: dict[str, Any]) -> None:
    say("")
    say("Evidence")
    if not evidence.get("recent") and not evidence.get("relevant"):
        say("  no news items linked to it yet")
    for heading in ("recent", "relevant"):
        items = evidence.get(heading) or []
        if items:
            say(f"  most {heading}:")
        for item in items:
            day = item_day(item.get("published"), item.get("first_seen"))
            say(f"    {item.get('id', ''):>6}  {day:<15}  {item.get('title', '')}")
            if item.get("url"):
                say(f"            {'':<15}  <{item['url']}>")
    weekly = evidence.get("weekly_mentions") or []
    if weekly:
        counts = [w.get("count", 0) if isinstance(w, dict) else int(w) for w in weekly]
        say(f"  mentions per week (oldest first): {' '.join(str(c) for c in counts)}")
    release = evidence.get("latest_release")
    if release:
        published = str(release.get("published") or "")[:10]
        pre = release.get("latest_prerelease")
        newer = f" (pre-release {pre} is newer)" if pre else ""
        say(
            f"  latest release: {release['project']} {release['version']}  {published}{newer}"
            f"  <{release.get('url') or ''}>"
        )


@tech.command("stale")
@click.option("--days", type=click.IntRange(min=0), default=180, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_app
def stale(app: AppContext, days: int, as_json: bool) -> None:
    """List technologies whose last review is more than DAYS days old.

    \b
    Example:
      radar tech stale --days 90
    """
    _, radar = _open(app)
    today = today_utc()
    rows = [
        {
            "name": t.name,
            "quadrant": t.quadrant,
            "ring": t.ring,
            "owner": t.owner,
            "last_reviewed": t.review_date(),
            "days_since_review": (today - t.review_date()).days,
        }
        for t in radar.stale(days, today=today)
    ]
    if as_json:
        print_json(rows)
    elif rows:
        print_table(rows, ["name", "ring", "owner", "last_reviewed", "days_since_review"])
    else:
        say(f"nothing unreviewed for more than {days} days")


@tech.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="File (default: stdout).")
@_with_window
@pass_app
def export(
    app: AppContext, fmt: str, output: str | None, window: int | None, since: datetime | None
) -> None:
    """Export the radar as Thoughtworks BYOR CSV/JSON, Zalando or Backstage data.

    \b
    Example:
      radar tech export --format byor-csv -o radar.csv
      radar tech export --format backstage --since 2026-09-01 > techradar.json
    """
    _, radar = _open(app)
    text = techradar.export_radar(radar, fmt, since=_since(radar, since, window))
    _write_or_print(text, output, f"{len(radar.active())} technologies as {fmt}")


@tech.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Default: guessed from FILE.")
@click.option("--extend", is_flag=True, help="Add unknown rings/quadrants instead of skipping.")
@click.option(
    "--date",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Date for history entries (default: the file's date, else today).",
)
@click.option(
    "--quadrant-names",
    help="Zalando: comma-separated names of the file's quadrants 0,1,2,3 "
    "(default: this radar's quadrants in order).",
)
@click.option("--ring-names", help="Zalando: comma-separated names of the file's rings.")
@click.option("--by", help=BY_HELP)
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_app
def import_(
    app: AppContext,
    file: str,
    fmt: str | None,
    extend: bool,
    as_of: Any,
    quadrant_names: str | None,
    ring_names: str | None,
    by: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Merge technologies from a BYOR, Zalando or Backstage file into the radar.

    New technologies are added; known ones get a history entry when the file puts
    them in another ring. Entries with unknown rings or quadrants are skipped
    (with the reason) unless --extend.

    \b
    Examples:
      radar tech import radar.csv
      radar tech import config.json --format zalando \\
          --quadrant-names "languages,infrastructure,datastores,data management" --extend
    """
    workspace, radar = _open(app)
    path = Path(file)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TechRadarError(f"cannot read {path}: {exc}") from None
    fmt = fmt or techradar.detect_format(text, path.name)
    report = techradar.import_radar(
        radar,
        text,
        fmt,
        source=path.name,
        as_of=_day(as_of),
        by=decided_by(by),
        extend=extend,
        quadrant_names=_names(quadrant_names),
        ring_names=_names(ring_names),
    )
    if (report.added or report.updated) and not dry_run:
        _save(workspace, radar, [*report.added, *report.updated])
    if as_json:
        print_json({"file": str(path), "format": fmt, "dry_run": dry_run, **report.to_dict()})
        return
    counts = report.counts()
    verb = "would import" if dry_run else "imported"
    say(
        f"{verb} {path.name} ({fmt}): {counts['added']} added, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged, {counts['skipped']} skipped"
    )
    for extra, kind in ((report.new_rings, "rings"), (report.new_quadrants, "quadrants")):
        if extra:
            say(f"  new {kind}: {', '.join(extra)}")
    for entry, reason in report.skipped:
        say(f"  skipped {entry}: {reason}")


def _names(text: str | None) -> list[str] | None:
    if not text:
        return None
    return [name.strip() for name in text.split(",")]


@tech.command("render")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "svg"]),
    help="Default: text, or svg when --output ends in .svg.",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="File (default: stdout).")
@click.option("--no-picture", is_flag=True, help="Text: only the lists, no drawing.")
@click.option("--title", default="Tech radar", show_default=True, help="SVG title.")
@_with_window
@pass_app
def render(
    app: AppContext,
    fmt: str | None,
    output: str | None,
    no_picture: bool,
    title: str,
    window: int | None,
    since: datetime | None,
) -> None:
    """Draw the radar: an SVG file or a text view for the terminal.

    \b
    Examples:
      radar tech render
      radar tech render -o radar.svg
    """
    _, radar = _open(app)
    fmt = fmt or ("svg" if output and output.lower().endswith(".svg") else "text")
    start = _since(radar, since, window)
    if fmt == "svg":
        text = techradar.render_svg(radar, title=title, since=start)
    else:
        text = techradar.render_text(radar, since=start, picture=not no_picture)
    _write_or_print(text, output, f"the radar as {fmt}")


def _write_or_print(text: str, output: str | None, what: str) -> None:
    """Write a file, or print: file formats verbatim, the text view terminal-safe."""
    if output:
        atomic_write_text(Path(output), text)
        say(f"wrote {what} to {output}", err=True)
    elif what.endswith("as text"):
        say(text, nl=False)
    else:
        click.echo(text, nl=False)


@tech.command("suggest-packages")
@click.option("--apply", "apply_", is_flag=True, help="Write the suggestions to the radar file.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_app
def suggest_packages(app: AppContext, apply_: bool, as_json: bool) -> None:
    """Propose package names for technologies from their names and aliases.

    A technology aliased `vllm` gets `pypi:vllm`. Once `radar usage scan` has run, only
    names some scanned repository really uses are proposed (in any ecosystem, e.g.
    `image:vllm/vllm-openai` for an alias `vllm-openai`). Nothing is written without
    --apply; there are no prompts (safe for cron and CI).

    \b
    Example:
      radar tech suggest-packages && radar tech suggest-packages --apply
    """
    from radar.techradar.packages import suggest_packages as propose
    from radar.usage.service import seen_packages

    workspace, radar = _open(app)
    seen = seen_packages(workspace)
    suggestions: dict[str, list[str]] = {}
    for tech in radar.active():
        found = propose(tech.names, tech.packages, seen)
        if found:
            suggestions[tech.name] = found
    if as_json:
        print_json([{"name": name, "packages": found} for name, found in suggestions.items()])
    else:
        for name, found in suggestions.items():
            say(f"{name}: {', '.join(found)}")
        if not suggestions:
            say("no suggestions")
    if apply_ and suggestions:
        for name, found in suggestions.items():
            radar.edit(name, add_packages=found)
        _save(workspace, radar, list(suggestions))
        say(f"added packages to {len(suggestions)} technologies", err=as_json)
    elif suggestions and not as_json:
        say("(nothing written: add --apply to write these)")
