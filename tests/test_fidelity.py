"""Every entry of feedparser's conformance feeds is stored, merged with a true duplicate, or
counted as unusable: the fidelity report's totals, rule by rule (bench/fidelity.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from conftest import shared_corpus

BENCH = Path(__file__).resolve().parents[1] / "bench" / "fidelity.py"


def load_fidelity() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fidelity", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fidelity"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_conformance_feeds_lose_nothing_silently():
    corpus = shared_corpus("feedparser")
    fidelity = load_fidelity()

    reports = fidelity.measure(fidelity.feed_files([corpus]), relative_to=[corpus])
    totals = fidelity.totals(reports)

    assert totals == {
        "files": 2106,
        "not a feed": 7,
        "entries": 1217,
        "stored": 557,
        # No title, no link and no readable text (markup such as <span></span>, a
        # base64 image, only an author or a date): nothing to show, open or search.
        # They are counted and reported with the feed, not stored.
        "dropped: no title, link or text": 658,
        # Two fixtures that repeat one untitled, unlinked, undated entry verbatim.
        "merged: same title+day": 2,
        "doubtful merges": 0,
        "unaccounted files": 0,
    }
    merged = sorted(report.path for report in reports if report.merges)
    assert merged == [
        "wellformed/lang/entry_content_xml_lang_blank_3.xml",
        "wellformed/node_precedence/atom10_title.xml",
    ]


def test_the_daily_page_feed_is_stored_whole():
    fidelity = load_fidelity()
    daily_page = Path(__file__).parent / "data" / "daily-page.xml"

    [report] = fidelity.measure([daily_page])

    assert (report.entries, report.stored, report.merges, report.drops) == (12, 12, [], 0)


def test_a_feed_with_unusable_entries_says_how_many_it_skipped(radar, workspace, server):
    from feedserver import rss

    from radar.feeds.config import FeedConfig, add_feeds

    body = rss([{"title": "Kept", "guid": "1"}, {"description": "&lt;span&gt;&lt;/span&gt;"}])
    add_feeds(workspace.feeds_path, [FeedConfig("Sparse", server.route("/s.xml", body=body))])

    result = radar("fetch", "--no-index")

    assert "1 new item" in result.stderr
    assert "1 entry with no title, link or readable text skipped" in result.stderr
