"""A new user's first day, through the real CLI: dates read the same in every command,
an empty digest says where the items are, and the demo is dated around the day it is
built."""

from __future__ import annotations

import email.utils
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from feedserver import rss

from radar.digest import last_complete_week

TODAY = datetime.now(UTC).date()
DATED_DAY = last_complete_week(TODAY).first_day + timedelta(days=2)


def rfc822(day: date) -> str:
    return email.utils.format_datetime(
        datetime(day.year, day.month, day.day, 9, tzinfo=UTC), usegmt=True
    )


@pytest.fixture
def blog(radar, server):  # type: ignore[no-untyped-def]
    """A workspace subscribed to one blog: one dated post, one without any date."""
    url = server.route(
        "/blog.xml",
        body=rss(
            [
                {
                    "guid": "dated",
                    "title": "Quantised attention kernels explained",
                    "link": "https://blog.example/kernels",
                    "pubDate": rfc822(DATED_DAY),
                    "description": "How int8 attention kernels keep accuracy.",
                },
                {
                    "guid": "undated",
                    "title": "Glossary of serving metrics",
                    "link": "https://blog.example/glossary",
                    "description": "Quantised serving metrics in one page.",
                },
            ]
        ),
    )
    radar("feeds", "add", url, "--name", "Kernel blog")
    radar("fetch", "--no-index")
    return radar


def item_id(radar, title: str) -> int:  # type: ignore[no-untyped-def]
    rows = json.loads(radar("items", "list", "--json").stdout)
    return next(row["id"] for row in rows if row["title"] == title)


# --- one rule for undated items --------------------------------------------------------


def test_an_undated_item_shows_the_day_radar_first_saw_it_in_every_command(blog):
    seen = f"seen {TODAY.isoformat()}"
    listing = blog("items", "list").stdout
    glossary_line = next(line for line in listing.splitlines() if "Glossary" in line)
    kernels_line = next(line for line in listing.splitlines() if "Quantised attention" in line)
    assert seen in glossary_line
    assert DATED_DAY.isoformat() in kernels_line and "seen" not in kernels_line

    shown = blog("items", "show", str(item_id(blog, "Glossary of serving metrics"))).stdout
    assert seen in shown and "undated" not in shown

    found = blog("search", "glossary serving", "--mode", "lexical").stdout
    assert seen in found and "undated" not in found


def test_json_says_published_null_with_first_seen_beside_it(blog):
    listed = {row["title"]: row for row in json.loads(blog("items", "list", "--json").stdout)}
    glossary = listed["Glossary of serving metrics"]
    assert glossary["published"] is None
    assert glossary["first_seen"].startswith(TODAY.isoformat())
    assert listed["Quantised attention kernels explained"]["published"].startswith(
        DATED_DAY.isoformat()
    )

    shown = json.loads(blog("items", "show", str(glossary["id"]), "--json").stdout)
    assert shown["published"] is None and shown["first_seen"] == glossary["first_seen"]

    hits = json.loads(blog("search", "glossary", "--mode", "lexical", "--json").stdout)
    assert hits[0]["published"] is None and hits[0]["first_seen"] == glossary["first_seen"]


# --- the digest ------------------------------------------------------------------------


def test_an_empty_digest_names_the_weeks_that_have_items_and_the_command_for_the_latest(blog):
    result = blog("digest", "--week", "2020-W10")
    # The undated post counts from when radar first saw it (this week).
    latest, dated = iso_label(TODAY), iso_label(DATED_DAY)
    assert "Nothing was published or first seen in this range." in result.stdout
    assert f"Weeks with items: {latest} (1), {dated} (1)" in result.stdout
    assert f"radar digest --week {latest}" in result.stdout
    assert f"weeks with items: {latest} (1), {dated} (1)" in result.stderr
    assert f"radar digest --week {latest}" in result.stderr

    data = json.loads(blog("digest", "--week", "2020-W10", "--format", "json").stdout)
    weeks = [entry["week"] for entry in data["summary"]["weeks_with_items"]]
    assert weeks == [latest, dated]


def iso_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def test_digest_since_takes_a_relative_age_like_search(blog):
    data = json.loads(blog("digest", "--since", "14d", "--format", "json").stdout)
    assert data["range"]["since"] == (TODAY - timedelta(days=14)).isoformat()
    assert data["range"]["until"] == (TODAY - timedelta(days=1)).isoformat()
    titles = [story["title"] for story in data["top_stories"]]
    assert "Quantised attention kernels explained" in titles


def test_an_undated_story_in_the_digest_is_marked_seen(blog):
    data = json.loads(blog("digest", "--since", "2d", "--until", "0d", "--format", "json").stdout)
    glossary = next(s for s in data["top_stories"] if s["title"].startswith("Glossary"))
    assert glossary["published"] is None and glossary["first_seen"]
    text = blog("digest", "--since", "2d", "--until", "0d").stdout
    assert f"seen {TODAY.isoformat()}" in text


def test_a_digest_to_a_file_radar_cannot_write_is_an_error_naming_the_suffixes(blog, tmp_path):
    target = tmp_path / "digest.pdf"
    result = blog("digest", "-o", str(target), ok=False)
    assert result.exit_code == 2
    assert ".pdf" in result.stderr and ".md" in result.stderr and ".html" in result.stderr
    assert not target.exists()
    blog("digest", "-o", str(tmp_path / "digest.html"))
    assert (tmp_path / "digest.html").read_text().lstrip().startswith("<!")


# --- the demo, dated around the day it is built ----------------------------------------


def test_the_demo_built_on_a_later_day_has_its_busiest_week_as_the_last_complete_one(
    tmp_path, monkeypatch
):
    from conftest import Cli

    from radar.cli.demo import DemoDates
    from radar.demo import demo_data_dir, prepare_workspace, serve_directory
    from radar.feeds.config import load_config
    from radar.ingest import run_fetch
    from radar.store import Store

    assert DemoDates(date(2026, 11, 22)).shift == timedelta(0), "tests' build stays pinned"
    built_on = date(2026, 12, 4)  # a Friday: the last complete week is 2026-W48
    dates = DemoDates(built_on)
    assert dates.busiest_week == "2026-W48"
    with serve_directory(demo_data_dir(), shift=dates.shift) as port:
        workspace = prepare_workspace(tmp_path / "radar-demo", port, dates.shift)
        config = load_config(workspace.feeds_path)
        with Store(workspace.db_path) as store:
            run_fetch(store, config)
    radar = Cli(workspace)
    newest = json.loads(radar("items", "list", "--limit", "200", "--json").stdout)
    published = sorted(row["published"][:10] for row in newest if row["published"])
    assert published[0] == "2026-10-05" and published[-1] == "2026-11-28", "a week later"

    digest = json.loads(radar("digest", "--week", "2026-W48", "--format", "json").stdout)
    assert digest["summary"]["items"] >= 46
    assert digest["summary"]["technologies_moved"] == 8, "the radar's history moved too"
