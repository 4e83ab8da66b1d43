"""`radar search`, `radar similar` and `radar index ...`."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from radar.cli.common import AppContext, pass_app, print_json, say
from radar.cli.items import DATE, tech_filter_slug
from radar.cli.progress import ProgressLine
from radar.feeds.config import KINDS, load_config
from radar.search import MODES, Searcher, SearchResult
from radar.store import ItemFilter, Store


def _show(result: SearchResult, as_json: bool) -> None:
    for note in result.notes:
        say(f"note: {note}", err=True)
    if as_json:
        print_json([hit.as_dict() for hit in result.hits])
        return
    if not result.hits:
        say("no results", err=True)
        return
    for hit in result.hits:
        date = (hit.published or "")[:10] or "undated"
        say(f"{hit.id:>6}  {date}  {hit.feed or '-'}")
        say(f"        {hit.title}")
        if hit.snippet:
            say(f"        {hit.snippet[:160]}")


@click.command()
@click.argument("query", required=False)
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--since", type=DATE, help="Published on or after (2026-11-01, or 30d).")
@click.option("--until", type=DATE, help="Published before this day/time.")
@click.option("--feed", help="Only items from this feed.")
@click.option("--tag", help="Only items from feeds with this tag.")
@click.option("--kind", type=click.Choice(KINDS), help="Only items from feeds of this kind.")
@click.option("--tech", help="Only items mentioning this technology (name, alias or slug).")
@click.option("--mode", type=click.Choice(MODES), default="hybrid", show_default=True)
@click.option(
    "--batch",
    "batch_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Read one query per line; print one JSON line per query.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of results.")
@pass_app
def search(
    app: AppContext,
    query: str | None,
    limit: int,
    since: datetime | None,
    until: datetime | None,
    feed: str | None,
    tag: str | None,
    kind: str | None,
    tech: str | None,
    mode: str,
    batch_file: str | None,
    as_json: bool,
) -> None:
    """Find items by meaning and by words (hybrid), or by one of them (--mode).

    \b
    Examples:
      radar search "serving LLMs with paged attention"
      radar search "int4 quantisation" --since 30d --kind papers --json
      radar search "autoscaling" --tech ray
      radar search --batch queries.txt --json > results.jsonl
    """
    if bool(query) == bool(batch_file):
        raise click.UsageError("give a QUERY or --batch FILE (not both)")
    workspace = app.workspace.require()
    config = load_config(workspace.feeds_path)
    with Store(workspace.db_path) as store:
        if feed:
            store.feed_row(feed)
        tech_slug = tech_filter_slug(store, workspace, tech)
        filters = ItemFilter(
            feed=feed, tag=tag, kind=kind, since=since, until=until, tech=tech_slug
        )
        searcher = Searcher(workspace, store, config.settings.model)
        if batch_file:
            for line in Path(batch_file).read_text(encoding="utf-8").splitlines():
                if line.strip():
                    result = searcher.search(line.strip(), filters, limit=limit, mode=mode)
                    click.echo(
                        json.dumps(
                            {"query": line.strip(), "results": [h.as_dict() for h in result.hits]},
                            ensure_ascii=False,
                        )
                    )
            return
        assert query is not None
        _show(searcher.search(query, filters, limit=limit, mode=mode), as_json)


@click.command()
@click.argument("item_id", type=int)
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of results.")
@pass_app
def similar(app: AppContext, item_id: int, limit: int, as_json: bool) -> None:
    """More like this: items closest in meaning to ITEM_ID (itself excluded).

    \b
    Example:
      radar similar 42 --limit 5
    """
    workspace = app.workspace.require()
    config = load_config(workspace.feeds_path)
    with Store(workspace.db_path) as store:
        _show(
            Searcher(workspace, store, config.settings.model).similar(item_id, limit=limit), as_json
        )


@click.group()
def index() -> None:
    """Inspect, verify and rebuild the semantic search index.

    \b
    Examples:
      radar index status
      radar index verify --repair
      radar index rebuild
    """


@index.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def status(app: AppContext, as_json: bool) -> None:
    """What the index holds, which model built it and with which backend.

    \b
    Example:
      radar index status --json
    """
    from radar.embed import chosen_embed_backend
    from radar.index import read_meta

    workspace = app.workspace.require()
    config = load_config(workspace.feeds_path)
    meta = read_meta(workspace)
    with Store(workspace.db_path) as store:
        items = store.item_count()
        embedded = store.conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
    data = {
        "path": str(workspace.index_path),
        "exists": workspace.index_path.exists(),
        "model": meta.model if meta else None,
        "configured_model": config.settings.model,
        "dim": meta.dim if meta else None,
        "kind": meta.kind if meta else None,
        "nlist": meta.nlist if meta else 0,
        "nprobe": meta.nprobe if meta else 0,
        "recall_at_10": meta.recall_at_10 if meta else None,
        "fingerprint": meta.fingerprint if meta else None,
        "backend": (meta.backend or "unknown") if meta else None,
        "configured_backend": chosen_embed_backend(config.settings.embed_backend),
        "indexed": meta.count if meta else 0,
        "items": items,
        "embedded": embedded,
        "built_at": meta.built_at if meta else None,
        "size_bytes": workspace.index_path.stat().st_size if workspace.index_path.exists() else 0,
    }
    if as_json:
        print_json(data)
    else:
        for key, value in data.items():
            say(f"{key:>18}: {value}")


def _embedder(workspace, settings):  # type: ignore[no-untyped-def]
    from radar.embed import load_embedder

    return load_embedder(
        settings.model,
        cache_dir=workspace.models_dir,
        purpose="bulk",
        embed_backend=settings.embed_backend,
    )


@index.command("verify")
@click.option("--repair", is_flag=True, help="Fix what verify finds (embed, add, remove).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def verify(app: AppContext, repair: bool, as_json: bool) -> None:
    """Compare the index with the database: missing, extra and stale items.

    Exit status 1 when they differ (and --repair was not given).

    \b
    Example:
      radar index verify --repair
    """
    from radar.index import sync_index
    from radar.index import verify as run_verify

    workspace = app.workspace.require()
    config = load_config(workspace.feeds_path)
    with Store(workspace.db_path) as store:
        embedder = _embedder(workspace, config.settings)
        report = run_verify(store, workspace, embedder.info)
        if repair and not report.ok:
            line = ProgressLine()
            try:
                mismatch = report.index_fingerprint not in (None, report.fingerprint)
                sync_index(
                    store, workspace, embedder, progress=line.counter("embedding"), rebuild=mismatch
                )
            finally:
                line.close()
            after = run_verify(store, workspace, embedder.info)
        else:
            after = report
    if as_json:
        print_json({**report.as_dict(), "repaired": repair and not report.ok, "ok_after": after.ok})
    else:
        say(
            f"items {report.items}, indexed {report.indexed}; missing {len(report.missing)}, "
            f"extra {len(report.extra)}, stale {len(report.stale)}"
            + (
                ""
                if report.index_fingerprint in (None, report.fingerprint)
                else "; built with another model"
            )
        )
        if repair and not report.ok:
            say("repaired" if after.ok else "repair incomplete")
    if not after.ok:
        raise click.exceptions.Exit(1)


@index.command("rebuild")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def rebuild(app: AppContext, as_json: bool) -> None:
    """Rebuild the index from scratch with the configured model (re-embeds as needed).

    \b
    Example:
      radar index rebuild
    """
    from radar.index import update_index

    workspace = app.workspace.require()
    config = load_config(workspace.feeds_path)
    line = ProgressLine()
    with Store(workspace.db_path) as store:
        try:
            stats = update_index(
                store,
                workspace,
                config.settings.model,
                progress=line.counter("embedding"),
                rebuild=True,
                embed_backend=config.settings.embed_backend,
            )
        finally:
            line.close()
    if as_json:
        print_json(vars(stats))
    else:
        say(f"index rebuilt: {stats.total} items ({stats.embedded} embedded with {stats.backend})")
