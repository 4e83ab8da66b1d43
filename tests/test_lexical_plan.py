"""The lexical query plan: words in most items are dropped while rarer ones remain, and a
query that would still score too many rows covers the newest items only.

Real SQLite/FTS5 through the real CLI; lexical mode needs no model.
"""

from __future__ import annotations

import json

import pytest
from feedserver import rss

import radar.search as search_module
from radar.feeds.config import FeedConfig, add_feeds
from radar.search import Searcher
from radar.store import Store


def weekly(n: int, extra: str = "") -> dict[str, str]:
    return {
        "title": f"Weekly update {n}",
        "link": f"https://news.example/{n}",
        "guid": f"w{n}",
        "description": f"Release notes number {n}. {extra}",
    }


@pytest.fixture
def fetched(radar, workspace, server):
    items = [weekly(n) for n in range(30)]
    items[7] = weekly(7, "Paged attention lands in the kernel library.")
    items[19] = weekly(19, "A paged KV cache for serving.")
    url = server.route("/w.xml", body=rss(items))
    add_feeds(workspace.feeds_path, [FeedConfig("Weekly", url)])
    radar("fetch", "--no-index")
    return workspace


def lexical(radar, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    out = radar("search", query, "--mode", "lexical", "--limit", "50", "--json").stdout
    return [hit["title"] for hit in json.loads(out)]


def test_a_word_in_most_items_does_not_drag_them_all_in(radar, fetched):
    # "update" is in every item: it used to make all 30 match, ranked by noise.
    assert sorted(lexical(radar, "paged update")) == ["Weekly update 19", "Weekly update 7"]


def test_a_query_of_only_common_words_still_finds_items(radar, fetched):
    assert len(lexical(radar, "weekly update")) == 30


def test_the_plan_keeps_rare_words_and_names_what_it_dropped(fetched):
    with Store(fetched.db_path) as store:
        searcher = Searcher(fetched, store, "unused")
        query, floor = searcher.lexical_plan("paged attention weekly update")
    assert query == '"paged" OR "attention"' and floor == 0


def test_over_the_row_budget_only_the_newest_items_are_scored(radar, fetched, monkeypatch):
    monkeypatch.setattr(search_module, "ROW_BUDGET", 10)
    titles = lexical(radar, "weekly update")
    numbers = sorted(int(title.split()[-1]) for title in titles)
    # 30 matches, a budget of 10: the newest third of ids (items arrive in feed order).
    assert 8 <= len(numbers) <= 12 and numbers[-1] == 29
    assert all(n >= 17 for n in numbers)
