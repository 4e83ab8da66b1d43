"""`radar search`, `radar similar` and `radar index ...`."""

from __future__ import annotations

import json
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import click

from radar.cli.common import AppContext, human_value, pass_app, print_json, say
from radar.cli.items import DATE, tech_filter_slug
from radar.cli.progress import ProgressLine
from radar.dates import item_day
from radar.feeds.config import KINDS, load_config
from radar.search import MODES, SCOPES, SORTS, WEAK_NOTES, Searcher, SearchResult, explain_text
from radar.store import ItemFilter, Store

if TYPE_CHECKING:
    from radar.embed import Embedder
    from radar.feeds.config import Settings
    from radar.workspace import Workspace


def _show(result: SearchResult, as_json: bool, *, empty_hint: str = "") -> None:
    for note in result.notes:
        say(f"note: {note}", err=True)
    if result.hits and result.weak:
        say(
            f"note: weak match: {WEAK_NOTES[result.mode]} ({result.mode} mode); "
            "it may not answer the query",
            err=True,
        )
    if as_json:
        print_json([hit.as_dict() for hit in result.hits])
        return
    if not result.hits:
        say(f"no results{empty_hint}", err=True)
        return
    for hit in result.hits:
        date = item_day(hit.published, hit.first_seen)
        if hit.is_library:
            date = f"added {hit.first_seen}" if hit.first_seen else ""
            say(f"{hit.entry_id:>6}  {date}  {hit.score:.2f}  [library] {hit.url}")
        else:
            say(f"{hit.id:>6}  {date}  {hit.score:.2f}  {hit.feed or '-'}")
        say(f"        {hit.title}")
        if hit.snippet:
            say(f"        {hit.snippet[:160]}")
        if hit.explain is not None:
            say(f"        why: {explain_text(hit.explain)}")


SCORE = click.FloatRange(0.0, 1.0)


@click.command()
@click.argument("query", required=False)
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--since", type=DATE, help="Published on or after (2026-11-01, or 30d): a filter.")
@click.option("--until", type=DATE, help="Published before this day/time: a filter.")
@click.option("--feed", help="Only items from this feed.")
@click.option("--tag", help="Only items from feeds with this tag.")
@click.option("--kind", type=click.Choice(KINDS), help="Only items from feeds of this kind.")
@click.option("--tech", help="Only items mentioning this technology (name, alias or slug).")
@click.option("--mode", type=click.Choice(MODES), default="hybrid", show_default=True)
@click.option(
    "--in",
    "scope",
    type=click.Choice(SCOPES),
    default="all",
    show_default=True,
    help="Search news items, the team library, or both (library entries are marked).",
)
@click.option(
    "--sort",
    type=click.Choice(SORTS),
    default="relevance",
    show_default=True,
    help="date: the matches that are not weak, newest first.",
)
@click.option(
    "--recent",
    is_flag=True,
    help="Favour recent items within relevance (as 'latest' or 'newest' in the query does).",
)
@click.option(
    "--min-score",
    type=SCORE,
    metavar="0..1",
    help="Leave out results scoring below this (see 'Scores' below).",
)
@click.option("--explain", is_flag=True, help="Show why each result matched.")
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
    sort: str,
    recent: bool,
    min_score: float | None,
    explain: bool,
    batch_file: str | None,
    as_json: bool,
    scope: str = "all",
) -> None:
    """Find items by meaning and by words (hybrid), or by one of them (--mode).

    --since/--until/--feed/--tag/--kind/--tech filter before ranking. Results are
    ordered by relevance; --recent, or "latest", "newest", "recent" or "what's new"
    in the query, makes freshness part of relevance and puts the releases of a
    project the query names in version order ("what's new in vllm": the highest
    version first, not a backport published later); --sort date lists the
    matches newest first instead.

    
    Scores (0 to 1, in --json and after each date):
      semantic  cosine similarity of query and item
      lexical   share of the query's words the item holds, weighted by rarity
      hybrid    fused evidence: 1 = first in both lists, every word, same meaning
    A note says "weak match" when even the best result scores below 0.25
    (semantic) or 0.3 (lexical); in hybrid, when no result has a cosine of
    0.25 or more and none holds every word of the query. --sort date lists
    results scoring at least those values (0.15 in hybrid).

    
    Examples:
      radar search "serving LLMs with paged attention"
      radar search "latest vllm release"
      radar search "int4 quantisation" --since 30d --kind papers --json
      radar search "autoscaling" --tech ray --sort date --min-score 0.3
      radar search "reduce GPU memory when serving" --explain
      radar search --batch queries.txt --json > results.jsonl
      radar search "fsdp sharding" --in library   # only the team library


    Library entries (`--in all`, the default, when no item filter is given) are
    marked [library] and show their entry id (`radar library show ID`).
    """
    if query is not None and batch_file:
        raise click.UsageError("give a QUERY or --batch FILE, not both")
    if query is None and not batch_file:
        raise click.UsageError("give a QUERY (or --batch FILE with one query per line)")
    if query is not None and not query.strip():
        raise click.UsageError("the search query is empty; give some words to search for")
    workspace = app.workspace.require()
    config = load_config(workspace.feeds_path)
    with Store(workspace.db_path) as store:
        feed = store.resolve_feed(feed) if feed else None
        tag = store.resolve_tag(tag) if tag else None
        tech_slug = tech_filter_slug(store, workspace, tech)
        filters = ItemFilter(
            feed=feed, tag=tag, kind=kind, since=since, until=until, tech=tech_slug
        )
        searcher = Searcher(workspace, store, config.settings.model)
        search = partial(
            searcher.search,
            limit=limit,
            mode=mode,
            sort=sort,
            recent=recent,
            min_score=min_score,
            explain=explain,
            scope=scope,
        )
        if batch_file:
            for line in Path(batch_file).read_text(encoding="utf-8").splitlines():
                if line.strip():
                    result = search(line.strip(), filters)
                    click.echo(
                        json.dumps(
                            {
                                "query": line.strip(),
                                "weak": result.weak,
                                "results": [h.as_dict() for h in result.hits],
                            },
                            ensure_ascii=False,
                        )
                    )
            return
        assert query is not None
        result = search(query, filters)
        _show(result, as_json, empty_hint=_why_empty(store, filters, min_score))


def _why_empty(store: Store, filters: ItemFilter, min_score: float | None) -> str:
    """Why a search found nothing, and what to try: said after "no results"."""
    if store.item_count() == 0:
        return ": nothing is stored yet; `radar fetch` brings the feeds' items in"
    used = [
        f"--{name} {value}"
        for name, value in (("feed", filters.feed), ("tag", filters.tag), ("kind", filters.kind))
        if value
    ]
    used += ["--since"] * bool(filters.since) + ["--until"] * bool(filters.until)
    used += ["--tech"] * bool(filters.tech) + ["--min-score"] * (min_score is not None)
    if used:
        return f" with {', '.join(used)}; try without some of them"
    return "; try other words, or --mode semantic to search by meaning alone"


@click.command()
@click.argument("item_id", type=int)
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option(
    "--min-score", type=SCORE, metavar="0..1", help="Leave out results scoring below this."
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of results.")
@pass_app
def similar(
    app: AppContext, item_id: int, limit: int, min_score: float | None, as_json: bool
) -> None:
    """More like this: items closest in meaning to ITEM_ID (itself excluded).

    Scores are cosine similarities (0 to 1), as in `radar search --mode semantic`,
    with the same "weak match" note below 0.25.

    \b
    Example:
      radar similar 42 --limit 5 --min-score 0.5
    """
    workspace = app.workspace.require()
    config = load_config(workspace.feeds_path)
    with Store(workspace.db_path) as store:
        searcher = Searcher(workspace, store, config.settings.model)
        _show(searcher.similar(item_id, limit=limit, min_score=min_score), as_json)


@click.group()
def index() -> None:
    """Inspect, verify and rebuild the semantic search index.

    \b
    Examples:
      radar index status
      radar index verify --repair
      radar index compact
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
        embedded = store.embedded_count()
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
        "delta_count": meta.delta_count if meta else 0,
        "removed_count": len(meta.removed) if meta else 0,
        "size_bytes": workspace.index_path.stat().st_size if workspace.index_path.exists() else 0,
    }
    if as_json:
        print_json(data)
    else:
        for key, value in data.items():
            say(f"{key:>18}: {human_value(value)}")


def _embedder(workspace: Workspace, settings: Settings) -> Embedder:
    from radar.embed import check_model_available, load_embedder
    from radar.ops.runner import preparing_message

    # A model not on this machine fails here at once; a first export is said, not silent.
    if check_model_available(settings.model, workspace.models_dir) != "export":
        say(preparing_message(settings.model) + "…", err=True)
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


@index.command("compact")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def compact(app: AppContext, as_json: bool) -> None:
    """Merge the delta index into the main index file now (nothing is re-embedded).

    A fetch adds new items to a small delta index beside the main file and merges it
    by itself once it grows past 5% of the main index; this merges it at once.

    \b
    Example:
      radar index compact
    """
    from radar.index import compact_index
    from radar.lock import WorkspaceLock

    workspace = app.workspace.require()
    with WorkspaceLock(workspace.lock_path), Store(workspace.db_path) as store:
        meta = compact_index(store, workspace)
    data = {"indexed": meta.count if meta else 0, "exists": meta is not None}
    if as_json:
        print_json(data)
    elif meta is None:
        say("no search index yet; nothing to compact")
    else:
        say(f"index compacted: {meta.count} items in {workspace.index_path.name}")
