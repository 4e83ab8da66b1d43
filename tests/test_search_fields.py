"""Words an item never shows are still searchable: its feed's name and tags, a release's
project and version, the technologies it is linked to. Lexical mode, real SQLite/FTS5,
through the real CLI (no model needed)."""

from __future__ import annotations

import json
import sqlite3

import pytest
from feedserver import rss

import radar.store as store_module
from radar.feeds.config import FeedConfig, add_feeds
from radar.store import Store

RELEASES = [
    {
        "title": "v0.13.1",
        "link": "https://github.example/acme/fastserve/releases/tag/v0.13.1",
        "pubDate": "Fri, 20 Nov 2026 21:00:00 GMT",
        "description": "Bug fixes: a crash at startup when prefix caching is off.",
    },
    {
        "title": "v0.12.3",
        "link": "https://github.example/acme/fastserve/releases/tag/v0.12.3",
        "pubDate": "Thu, 19 Nov 2026 16:00:00 GMT",
        "description": "Backport release for users who cannot move yet.",
    },
]
NEWS = [
    {
        "title": "Thirteen tips for faster dashboards",
        "link": "https://news.example/13",
        "pubDate": "Sat, 21 Nov 2026 09:00:00 GMT",
        "description": "Version 1 of our guide: 13 tips, 1 checklist.",
    }
]


def lexical(radar, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    out = radar("search", query, "--mode", "lexical", "--json").stdout
    return [hit["title"] for hit in json.loads(out)]


@pytest.fixture
def fetched(radar, workspace, server):
    add_feeds(
        workspace.feeds_path,
        [
            FeedConfig(
                "fastserve releases",
                server.route("/r.xml", body=rss(RELEASES, title="fastserve releases")),
                "releases",
                ("inference",),
            ),
            FeedConfig("Dash news", server.route("/n.xml", body=rss(NEWS)), "news", ("bi",)),
        ],
    )
    radar("fetch", "--no-index")
    return workspace


def test_a_release_titled_only_by_its_version_is_found_by_project_and_version(radar, fetched):
    assert lexical(radar, "fastserve 0.13.1")[0] == "v0.13.1"
    assert lexical(radar, "v0.13.1")[0] == "v0.13.1"
    assert "Thirteen tips for faster dashboards" not in lexical(radar, "fastserve 0.13.1")[:1]


def test_feed_names_and_tags_are_searchable_but_never_shown(radar, fetched):
    assert set(lexical(radar, "inference")) == {"v0.13.1", "v0.12.3"}
    hit = json.loads(radar("search", "inference", "--mode", "lexical", "--json").stdout)[0]
    assert "inference" not in hit["snippet"] and "inference" not in hit["title"]


def test_changing_a_feeds_tags_in_feeds_yaml_changes_what_finds_it(radar, fetched):
    text = fetched.feeds_path.read_text().replace("[bi]", "[dashboards-weekly]")
    fetched.feeds_path.write_text(text)
    radar("fetch", "--no-index")
    assert lexical(radar, "dashboards weekly") == ["Thirteen tips for faster dashboards"]
    assert "Thirteen tips for faster dashboards" not in lexical(radar, "bi")


def test_a_database_from_before_the_search_fields_gets_them_on_open(radar, fetched, monkeypatch):
    # Rebuild the database as the previous schema had it: no search_terms column, a
    # three-column FTS index; then open it with today's migrations.
    path = fetched.db_path
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        DROP TRIGGER items_ai; DROP TRIGGER items_ad; DROP TRIGGER items_au;
        DROP TABLE items_fts;
        ALTER TABLE items DROP COLUMN search_terms;
        CREATE VIRTUAL TABLE items_fts USING FTS5 (title, summary, content,
            tokenize='porter unicode61', content='items');
        INSERT INTO items_fts (items_fts) VALUES ('rebuild');
        DELETE FROM _migrations WHERE name = 'm006_search_fields';
        """
    )
    conn.close()
    assert "m006_search_fields" in [step.name for step in store_module.MIGRATIONS]
    with Store(path) as store:
        assert store.integrity_check() == "ok"
        terms = [row[0] for row in store.query("SELECT search_terms FROM items")]
    assert all(terms) and any("fastserve" in t and "0.13.1" in t for t in terms)
    assert lexical(radar, "fastserve 0.13.1")[0] == "v0.13.1"
