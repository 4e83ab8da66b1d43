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


# --- feeds and config ------------------------------------------------------------------


def feed_urls(radar) -> dict[str, str]:  # type: ignore[no-untyped-def]
    feeds = json.loads(radar("feeds", "list", "--json").stdout)
    return {feed["name"]: feed["url"] for feed in feeds}


def test_feeds_add_takes_a_bare_host_and_path_as_https(radar):
    radar("feeds", "add", "example.com/blog/feed.xml")
    assert feed_urls(radar) == {"example.com/blog/feed.xml": "https://example.com/blog/feed.xml"}


def test_a_feed_file_the_team_generates_is_added_by_its_path_and_fetched_from_disk(radar, tmp_path):
    generated = tmp_path / "build" / "team-notes.xml"
    generated.parent.mkdir()
    generated.write_bytes(
        rss([{"guid": "n1", "title": "Notes from the GPU budget review", "link": "https://t/1"}])
    )
    radar("feeds", "add", str(generated), "--name", "Team notes")
    assert feed_urls(radar) == {"Team notes": generated.as_uri()}
    radar("fetch", "--no-index")
    titles = [row["title"] for row in json.loads(radar("items", "list", "--json").stdout)]
    assert titles == ["Notes from the GPU budget review"]
    status = json.loads(radar("feeds", "status", "--json").stdout)[0]
    assert status["error_count"] == 0

    generated.unlink()
    radar("fetch", "--all", "--no-index")
    status = json.loads(radar("feeds", "status", "--json").stdout)[0]
    assert status["last_status"] == "not_found" and str(generated) in status["last_error"]


@pytest.mark.parametrize(
    ("typed", "complaint"),
    [
        ("ftp://example.com/feed.xml", "ftp://"),
        ("./no-such-dir/feed.xml", "names no file"),
        ("not a feed", "neither a URL"),
    ],
)
def test_feeds_add_reports_a_bad_address_as_an_argument_error(radar, typed, complaint):
    result = radar("feeds", "add", typed, ok=False)
    assert result.exit_code == 2
    assert "Invalid value for URL" in result.stderr and complaint in result.stderr
    assert "feeds.yaml" not in result.stderr
    assert feed_urls(radar) == {}


OPML = """<?xml version="1.0"?>
<opml version="2.0"><head><title>Shared list</title></head><body>
  <outline text="Public blog" xmlUrl="https://blog.example/feed.xml"/>
  <outline text="Home folder" xmlUrl="file:///home/alice/.ssh/id_rsa"/>
  <outline text="Relative file" xmlUrl="../../etc/passwd"/>
  <outline text="Router" xmlUrl="http://192.168.1.1/status.xml"/>
  <outline text="Cloud metadata" xmlUrl="http://169.254.169.254/latest/meta-data/"/>
  <outline text="This machine" xmlUrl="http://localhost:8080/feed.xml"/>
  <outline text="Loopback v6" xmlUrl="http://[::1]/feed.xml"/>
</body></opml>
"""


def test_import_opml_never_reads_local_files_and_skips_nearby_hosts_unless_allowed(radar, tmp_path):
    shared = tmp_path / "shared.opml"
    shared.write_text(OPML)
    result = radar("feeds", "import-opml", str(shared))
    assert feed_urls(radar) == {"Public blog": "https://blog.example/feed.xml"}
    for name in ("Home folder", "Relative file", "Router", "Cloud metadata", "This machine"):
        assert name in result.stderr
    assert "--allow-private" in result.stderr
    assert "a link-local address" in result.stderr and "a loopback address" in result.stderr

    radar("feeds", "import-opml", str(shared), "--allow-private")
    urls = feed_urls(radar)
    assert "Router" in urls and "Cloud metadata" in urls and "This machine" in urls
    assert not any(url.startswith("file:") or "passwd" in url for url in urls.values())


def test_discovery_and_redirects_never_lead_to_a_local_file(radar, server, tmp_path):
    secret = tmp_path / "secret.xml"
    secret.write_bytes(rss([{"guid": "s", "title": "Private notes", "link": "https://p/1"}]))
    page = server.route(
        "/page",
        content_type="text/html",
        body=(
            f'<html><head><link rel="alternate" type="application/rss+xml" '
            f'href="{secret.as_uri()}"></head></html>'
        ).encode(),
    )
    found = radar("feeds", "discover", page, "--add", ok=False)
    assert found.exit_code == 1 and feed_urls(radar) == {}

    moved = server.route("/moved.xml", status=301, headers={"Location": secret.as_uri()})
    radar("feeds", "add", moved, "--name", "Moved")
    radar("fetch", "--no-index")
    assert json.loads(radar("items", "list", "--json").stdout) == []
    status = json.loads(radar("feeds", "status", "--json").stdout)[0]
    assert status["last_status"] == "bad_redirect"
    assert feed_urls(radar) == {"Moved": moved}


BROKEN_FEEDS_YAML = """\
feeds:
  - name: PyTorch blog
    url: pytorch.org/blog/feed.xml
  - name: arXiv
    url: https://rss.arxiv.org/rss/cs.LG
    kind: paper
  - url: https://example.com/nameless.xml
  - name: Releases
    url: https://github.com/vllm-project/vllm/releases.atom
    colour: blue
settings:
  concurrency: many
  timout: 20
"""


def test_a_broken_feeds_yaml_reports_every_problem_in_one_run(radar, workspace):
    workspace.feeds_path.write_text(BROKEN_FEEDS_YAML)
    result = radar("feeds", "list", ok=False)
    assert result.exit_code == 2
    for field, line in [
        ("feeds[0].url", 3),
        ("feeds[1].kind", 6),
        ("feeds[2].name", 7),
        ("feeds[3].colour", 10),
        ("settings.concurrency", 12),
        ("settings.timout", 13),
    ]:
        assert f"feeds.yaml:{line}: {field}:" in result.stderr, field
    assert "6 problems" in result.stderr
    assert workspace.feeds_path.read_text() == BROKEN_FEEDS_YAML


@pytest.fixture
def two_feeds(radar, server):  # type: ignore[no-untyped-def]
    for name, tag in (("PyTorch blog", "training"), ("PyPI: ray", "distributed")):
        slug = name.split()[0].strip(":").lower()
        url = server.route(
            f"/{slug}.xml",
            body=rss([{"guid": slug, "title": f"News from {name}", "link": f"https://{slug}/1"}]),
        )
        radar("feeds", "add", url, "--name", name, "--tag", tag)
    radar("fetch", "--no-index")
    return radar


def test_feed_names_match_ignoring_case_and_on_a_unique_prefix(two_feeds):
    listed = json.loads(two_feeds("items", "list", "--feed", "pytorch", "--json").stdout)
    assert [row["title"] for row in listed] == ["News from PyTorch blog"]
    found = two_feeds("search", "news", "--mode", "lexical", "--feed", "pypi", "--json").stdout
    assert [hit["title"] for hit in json.loads(found)] == ["News from PyPI: ray"]
    two_feeds("fetch", "--feed", "PYTORCH", "--no-index")

    ambiguous = two_feeds("items", "list", "--feed", "py", ok=False)
    assert ambiguous.exit_code == 2
    assert "'PyPI: ray'" in ambiguous.stderr and "'PyTorch blog'" in ambiguous.stderr

    two_feeds("feeds", "remove", "pypi")
    assert list(feed_urls(two_feeds)) == ["PyTorch blog"]


def test_a_feed_or_tag_that_matches_nothing_is_an_error_naming_what_exists(two_feeds):
    typo = two_feeds("items", "list", "--feed", "PyTroch blog", ok=False)
    assert typo.exit_code == 2
    assert "did you mean 'PyTorch blog'" in typo.stderr

    tag = two_feeds("search", "news", "--mode", "lexical", "--tag", "serving", ok=False)
    assert tag.exit_code == 2
    assert "no tag named 'serving'" in tag.stderr
    assert "'distributed'" in tag.stderr and "'training'" in tag.stderr

    fetch = two_feeds("fetch", "--feed", "arxiv", ok=False)
    assert fetch.exit_code == 2 and "'PyPI: ray', 'PyTorch blog'" in fetch.stderr


# --- small things ----------------------------------------------------------------------


def test_items_list_says_how_many_matched_when_it_stops_at_the_limit(two_feeds):
    result = two_feeds("items", "list", "--limit", "1")
    assert len(result.stdout.strip().splitlines()) == 2  # header and one item
    assert "showing the newest 1 of 2 matching items" in result.stderr
    assert "showing" not in two_feeds("items", "list").stderr


def test_empty_lists_say_why_and_what_to_do(radar):
    assert "`radar feeds add" in radar("feeds", "list").stderr
    assert "`radar feeds add" in radar("feeds", "status").stderr
    assert "`radar fetch`" in radar("items", "list").stderr
    assert "radar tech add" in radar("tech", "list").stdout


def test_empty_runs_and_searches_say_why_and_what_to_do(radar):
    assert "`radar fetch` makes the first one" in radar("runs").stderr
    nothing = radar("search", "quantised kernels", "--mode", "lexical")
    assert "nothing is stored yet" in nothing.stderr and "`radar fetch`" in nothing.stderr


def test_a_search_that_finds_nothing_names_its_filters(blog):
    found = blog("search", "quantised kernels", "--mode", "lexical")
    assert "Quantised attention kernels explained" in found.stdout
    filtered = blog("search", "quantised kernels", "--mode", "lexical", "--kind", "papers")
    assert "no results with --kind papers; try without some of them" in filtered.stderr
    unknown = blog("search", "zeppelin", "--mode", "lexical")
    assert "no results; try other words" in unknown.stderr


def test_an_empty_filtered_list_names_the_filters(two_feeds):
    two_feeds("items", "mark", "--all-read")
    result = two_feeds("items", "list", "--unread", "--feed", "pytorch")
    assert "none of the 2 stored items match --feed 'pytorch' --unread" in result.stderr


def test_mark_all_read_takes_the_filters_of_items_list(two_feeds):
    done = two_feeds("items", "mark", "--all-read", "--feed", "pytorch")
    assert "marked 1 items read" in done.stdout
    unread = json.loads(two_feeds("items", "list", "--unread", "--json").stdout)
    assert [row["title"] for row in unread] == ["News from PyPI: ray"]
    two_feeds("items", "mark", "--all-read")
    assert json.loads(two_feeds("items", "list", "--unread", "--json").stdout) == []

    mixed = two_feeds("items", "mark", "1", "--all-read", ok=False)
    assert mixed.exit_code == 2 and "--all-read" in mixed.stderr
    stray = two_feeds("items", "mark", "1", "--read", "--feed", "pytorch", ok=False)
    assert stray.exit_code == 2 and "only go with --all-read" in stray.stderr


def test_index_status_prints_values_as_a_person_reads_them(radar):
    shown = radar("index", "status").stdout
    assert "exists: no" in shown and "model: —" in shown
    assert "None" not in shown and "False" not in shown


def test_tech_list_explains_its_marks(radar):
    radar("tech", "add", "vLLM", "--quadrant", "platforms", "--ring", "assess", "--why", "fast")
    listed = radar("tech", "list").stdout
    assert "vLLM ★" in listed and "★ new" in listed and "▲" not in listed
    assert "★ new" in radar("tech", "list", "--help").stdout


def test_tech_show_lists_evidence_with_item_ids(radar, server):
    url = server.route(
        "/vllm.xml",
        body=rss([{"guid": "v", "title": "vLLM 0.13 speeds up decoding", "link": "https://v/1"}]),
    )
    radar("feeds", "add", url, "--name", "Serving")
    radar("tech", "add", "vLLM", "--quadrant", "platforms", "--ring", "assess", "--why", "fast")
    radar("fetch", "--no-index")
    item = json.loads(radar("items", "list", "--json").stdout)[0]
    shown = radar("tech", "show", "vLLM").stdout
    evidence = shown[shown.index("Evidence") :]
    line = next(line for line in evidence.splitlines() if "vLLM 0.13" in line)
    assert line.split()[0] == str(item["id"])
