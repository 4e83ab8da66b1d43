"""The weekly digest, on a workspace built through the real fetch path: feeds served on
127.0.0.1 with items dated across several weeks, a radar with moves, the same story in
two feeds, a failing feed, a stale feed and a feed of hostile items.

Dates are relative to the last complete ISO week before today, so the default digest
(`radar digest` with no range) is that week whatever day the tests run.
"""

from __future__ import annotations

import email.utils
import json
import os
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from feedserver import rss, running_server

from radar.digest import iso_week, last_complete_week
from radar.digest.render import md_text, sparkline
from radar.digest.stories import safe_http_url, similar_titles
from radar.feeds.config import FeedConfig, add_feeds

TODAY = datetime.now(UTC).date()
WEEK = last_complete_week(TODAY)
MON = WEEK.first_day
LABEL = WEEK.week
assert LABEL is not None
NEXT_WEEK = WEEK.before(-1)
EARLIER_WEEK = WEEK.before(3)


def day(offset: int) -> date:
    """A day relative to the digest week's Monday."""
    return MON + timedelta(days=offset)


def rfc822(when: date, hour: int = 10, minute: int = 0, second: int = 0) -> str:
    moment = datetime(when.year, when.month, when.day, hour, minute, second, tzinfo=UTC)
    return email.utils.format_datetime(moment, usegmt=True)


def entry(guid: str, title: str, link: str, when: str, description: str = "") -> dict[str, str]:
    item = {"guid": guid, "title": title, "link": link, "pubDate": when}
    if description:
        item["description"] = description
    return item


BLOG = [
    entry(
        "b1",
        "vLLM 0.13 brings speculative decoding to the OpenAI-compatible server",
        "https://blog.example/vllm-013",
        rfc822(day(1)),
        "The vLLM server now drafts tokens with a small model.",
    ),
    entry(
        "b2",
        "Kubernetes operator for GPU autoscaling released today",
        "https://blog.example/k8s-gpu-operator",
        rfc822(day(2)),
        "Scale GPU node pools on queue depth.",
    ),
    entry(
        "b3",
        "Evaluating retrieval with synthetic questions",
        "https://blog.example/retrieval-eval?utm_source=rss",
        rfc822(day(3)),
        "Generate questions from your corpus, then measure recall.",
    ),
    entry(
        "b4",
        "Late Sunday post on data contracts",
        "https://blog.example/data-contracts",
        rfc822(day(6), 23, 59, 0),
    ),
    entry(
        "b5",
        "Early Monday post on feature stores",
        "https://blog.example/feature-stores",
        rfc822(day(7), 0, 0, 0),
    ),
    entry(
        "b6",
        "A profiler trick we keep coming back to",
        "https://blog.example/profiler-trick",
        rfc822(day(0), 8),
    ),
    entry("b7", "vLLM tuning notes", "https://blog.example/vllm-tuning", rfc822(day(-7))),
    entry("b8", "Notes from a quiet week", "https://blog.example/quiet", rfc822(day(-14))),
]
NEWSLETTER = [
    entry(
        "n1",
        "Serving with vLLM at scale: lessons from a month in production",
        "https://news.example/issue/vllm-at-scale",
        rfc822(day(4)),
    ),
    entry(
        "n2",
        "GPU autoscaling Kubernetes operator released",
        "https://news.example/issue/k8s-operator",
        rfc822(day(3), 12),
    ),
    entry(
        "n3",
        "Evaluating retrieval with synthetic questions",
        "https://blog.example/retrieval-eval?utm_medium=email",
        rfc822(day(3), 14),
    ),
    entry(
        "n4", "A first look at vLLM", "https://news.example/issue/vllm-first-look", rfc822(day(-21))
    ),
]
RELEASES = [
    entry(
        "r1",
        "v0.13.0",
        "https://github.example/vllm-project/vllm/releases/tag/v0.13.0",
        rfc822(day(2), 18),
    ),
    entry(
        "r2",
        "v0.12.0",
        "https://github.example/vllm-project/vllm/releases/tag/v0.12.0",
        rfc822(day(-10)),
    ),
]
OLD_BLOG = [entry("o1", "Our last post", "https://old.example/last", rfc822(day(-60)))]

# Titles keep markup as literal text (CDATA or escaped); links that are not http(s)
# are dropped when parsing, and the digest checks them again.
HOSTILE = [
    entry(
        "h1",
        "<![CDATA[<script>alert(1)</script> CDATA title]]>",
        "javascript:alert(1)",
        rfc822(day(1), 11),
        "<![CDATA[<img src=x onerror=alert(2)> body]]>",
    ),
    entry(
        "h2",
        "&lt;img src=x onerror=alert(3)&gt; image title",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCg0KTwvc2NyaXB0Pg==",
        rfc822(day(1), 12),
        "plain",
    ),
    entry(
        "h3",
        "&lt;svg onload=alert(5)&gt;&lt;script&gt;alert(6)&lt;/script&gt;&lt;/svg&gt; svg title",
        "https://evil.example/svg",
        rfc822(day(1), 13),
        "&amp;lt;b&amp;gt;bold&amp;lt;/b&amp;gt; "
        "&amp;lt;script&amp;gt;alert(7)&amp;lt;/script&amp;gt;",
    ),
    entry(
        "h4",
        "[click me](javascript:alert(8)) and `code` *em* &lt;b&gt;x&lt;/b&gt; www.evil.example",
        " JaVaScRiPt:alert(9)",
        rfc822(day(1), 14),
    ),
    entry(
        "h5",
        '&lt;div style="background:url(javascript:alert(10));width:expression(alert(11))"&gt;css',
        'https://evil.example/css"onmouseover="alert(12)',
        rfc822(day(1), 15),
    ),
    entry(
        "h6",
        "&lt;scr&lt;script&gt;ipt&gt;alert(13)&lt;/scr&lt;/script&gt;ipt&gt; "
        "&quot;&gt;&lt;img src=x onerror=alert(14)&gt; "
        "&lt;a href=&quot;javascript&amp;#58;alert(15)&quot;&gt;broken",
        "https://evil.example/broken?q=<script>",
        rfc822(day(1), 16),
        "&lt;iframe src=javascript:alert(16)&gt;&lt;/iframe&gt;&lt;!-- --&gt;&lt;math&gt;x",
    ),
]


def radar_yaml(*, deepspeed_move: date) -> str:
    """The radar file: vLLM moves assess -> trial in the week; DeepSpeed moves to hold
    on `deepspeed_move`; JAX has no news."""
    return f"""\
rings: [adopt, trial, assess, hold]
quadrants: [techniques, platforms, tools, languages-and-frameworks]
technologies:
  - name: DeepSpeed
    quadrant: languages-and-frameworks
    ring: hold
    description: Distributed training library.
    aliases: [DeepSpeed]
    history:
      - {{date: {day(-50)}, ring: assess, rationale: Might fit 70B fine-tuning., by: chen}}
      - {{date: {deepspeed_move}, ring: hold, rationale: FSDP2 covers it., by: chen}}
  - name: JAX
    quadrant: languages-and-frameworks
    ring: assess
    description: Composable transformations of NumPy programs.
    aliases: [JAX]
    history:
      - {{date: {day(-90)}, ring: assess, rationale: Research uses it., by: ana}}
  - name: vLLM
    quadrant: platforms
    ring: trial
    description: High-throughput LLM inference and serving engine.
    aliases: [vLLM, vllm]
    history:
      - {{date: {day(-40)}, ring: assess, rationale: 2x throughput in our bench., by: ana}}
      - {{date: {day(2)}, ring: trial, rationale: Six weeks in staging without incidents., by: bo}}
"""


Run = Callable[..., Result]


def make_runner(root: Path) -> Run:
    from radar.cli import cli

    def run(*args: str, ok: bool = True) -> Result:
        result = CliRunner().invoke(cli, ["-w", str(root), *args], catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, f"{args}: {result.output}"
        return result

    return run


def build_workspace(root: Path, *, with_radar: bool) -> Run:
    root.mkdir(parents=True)
    (root / "feeds.yaml").write_text("feeds: []\n", encoding="utf-8")
    if with_radar:
        (root / "data").mkdir()
        (root / "data" / "techradar.yaml").write_text(
            radar_yaml(deepspeed_move=NEXT_WEEK.first_day), encoding="utf-8"
        )
    run = make_runner(root)
    with running_server() as server:
        broken = server.route("/broken.xml", body=b"oops", status=500)
        add_feeds(
            root / "feeds.yaml",
            [
                FeedConfig("Blog", server.route("/blog.xml", body=rss(BLOG))),
                FeedConfig("Newsletter", server.route("/news.xml", body=rss(NEWSLETTER))),
                FeedConfig(
                    "vLLM releases",
                    server.route(
                        "/vllm.xml",
                        body=rss(
                            RELEASES, link="https://github.example/vllm-project/vllm/releases"
                        ),
                    ),
                    kind="releases",
                ),
                FeedConfig("Old blog", server.route("/old.xml", body=rss(OLD_BLOG))),
                FeedConfig("Broken", broken),
                FeedConfig("Hostile", server.route("/hostile.xml", body=rss(HOSTILE))),
            ],
        )
        run("fetch", "--no-index")
    items = json.loads(run("items", "list", "--json", "--limit", "500").stdout)
    starred = next(item["id"] for item in items if item["title"].startswith("A profiler trick"))
    run("items", "mark", str(starred), "--star")
    return run


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return build_workspace(tmp_path_factory.mktemp("digest") / "ws", with_radar=True)


@pytest.fixture(scope="module")
def week_json(ws: Run) -> dict[str, Any]:
    return json.loads(ws("digest", "--week", LABEL, "--format", "json").stdout)


@pytest.fixture(scope="module")
def week_md(ws: Run) -> str:
    return ws("digest", "--week", LABEL).stdout


@pytest.fixture(scope="module")
def week_html(ws: Run) -> str:
    return ws("digest", "--week", LABEL, "--format", "html").stdout


def all_stories(digest: dict[str, Any]) -> list[dict[str, Any]]:
    listed = [
        story
        for group in digest["on_our_radar"]
        for tech in group["technologies"]
        for story in tech["stories"]
    ]
    return listed + digest["top_stories"]


def story_titled(digest: dict[str, Any], start: str) -> dict[str, Any]:
    found = [story for story in all_stories(digest) if story["title"].startswith(start)]
    assert len(found) == 1, f"{start!r}: {[s['title'] for s in all_stories(digest)]}"
    return found[0]


# --- structure -------------------------------------------------------------------------


def test_markdown_has_the_six_sections_in_order_and_states_the_range(week_md):
    headings = re.findall(r"^## (.+)$", week_md, re.MULTILINE)
    assert headings == [
        "Summary",
        "Radar moves this week",
        "On our radar",
        "Top stories",
        "Rising",
        "Feed health",
    ]
    assert week_md.startswith(f"# radar digest: {LABEL}\n")
    assert f"{MON.day} " in week_md.splitlines()[2] and "(UTC)" in week_md.splitlines()[2]


def test_json_carries_the_same_sections_and_the_range(week_json):
    assert list(week_json) == [
        "range",
        "summary",
        "radar_moves",
        "on_our_radar",
        "top_stories",
        "rising",
        "feed_health",
        "team_library",
    ]
    assert week_json["range"]["week"] == LABEL
    assert week_json["range"]["since"] == MON.isoformat()
    assert week_json["range"]["until"] == WEEK.last_day.isoformat()
    assert week_json["range"]["end"] == f"{NEXT_WEEK.first_day.isoformat()}T00:00:00Z"


def test_summary_counts_items_feeds_and_moves(week_json):
    summary = week_json["summary"]
    # Blog b1-b4 and b6, Newsletter n1-n2 (n3 is b3's link), one release, six hostile.
    assert summary["items"] == 5 + 2 + 1 + 6
    assert summary["stories"] == summary["items"] - 1, "the two autoscaling posts are one story"
    assert summary["feeds_configured"] == 6
    assert summary["feeds_active"] == 4
    assert summary["feeds_failing"] == 1
    assert summary["feeds_stale"] == 1
    assert summary["technologies_moved"] == 1
    assert summary["technologies_mentioned"] == 1


def test_radar_moves_show_from_to_date_who_and_why_inside_the_week_only(ws, week_json, week_md):
    assert week_json["radar_moves"] == [
        {
            "technology": "vLLM",
            "slug": "vllm",
            "quadrant": "platforms",
            "from": "assess",
            "to": "trial",
            "direction": "in",
            "date": day(2).isoformat(),
            "by": "bo",
            "rationale": "Six weeks in staging without incidents.",
        }
    ]
    assert (
        f"- **vLLM**: Assess → **Trial** ({day(2).isoformat()}, bo): "
        "Six weeks in staging without incidents." in week_md
    )
    assert "DeepSpeed" not in week_md, "its move is dated next Monday"
    following = json.loads(ws("digest", "--week", NEXT_WEEK.week, "--format", "json").stdout)
    assert [(m["technology"], m["from"], m["to"]) for m in following["radar_moves"]] == [
        ("DeepSpeed", "assess", "hold")
    ]


def test_on_our_radar_lists_releases_first_then_mentions_and_omits_quiet_technologies(
    week_json, week_md
):
    assert [group["ring"] for group in week_json["on_our_radar"]] == ["trial"]
    (vllm,) = week_json["on_our_radar"][0]["technologies"]
    assert vllm["name"] == "vLLM" and vllm["mentions"] == 3
    release, *mentions = vllm["stories"]
    assert release["release"] == {
        "project": "vllm",
        "version": "0.13.0",
        "prerelease": False,
        "title_adds": False,
    }
    assert {story["title"] for story in mentions} == {
        "vLLM 0.13 brings speculative decoding to the OpenAI-compatible server",
        "Serving with vLLM at scale: lessons from a month in production",
    }
    release_line = (
        "Release [vllm 0.13.0](https://github.example/vllm-project/vllm/releases/tag/v0.13.0)"
    )
    assert release_line in week_md
    assert "JAX" not in week_md, "a technology without news this week is omitted"
    assert "vLLM tuning notes" not in week_md, "last week's mention is not this week's news"


def test_a_story_in_two_feeds_appears_once_with_also_covered_by(week_json, week_md):
    same_link = story_titled(week_json, "Evaluating retrieval")
    assert same_link["url"] == "https://blog.example/retrieval-eval"
    assert [a["feed"] for a in same_link["also_covered_by"]] == ["Newsletter"]
    reworded = story_titled(week_json, "Kubernetes operator for GPU autoscaling")
    assert reworded["also_covered_by"] == [
        {
            "feed": "Newsletter",
            "url": "https://news.example/issue/k8s-operator",
            "title": "GPU autoscaling Kubernetes operator released",
            "same": "title",
            "similarity": reworded["also_covered_by"][0]["similarity"],
        }
    ]
    assert "GPU autoscaling Kubernetes operator released" not in week_md.replace(
        "Kubernetes operator for GPU autoscaling released today", ""
    )
    assert week_md.count("Evaluating retrieval with synthetic questions") == 1
    assert "also covered by Newsletter" in week_md
    assert "also covered by [Newsletter](https://news.example/issue/k8s-operator)" in week_md


def test_every_story_appears_once_across_the_digest_on_one_line(week_json, week_md):
    ids = [story["id"] for story in all_stories(week_json)]
    assert len(ids) == len(set(ids))
    for story in all_stories(week_json):
        lines = [line for line in week_md.splitlines() if md_text(story["title"]) in line]
        if story["release"] is None:
            assert len(lines) == 1, story["title"]


def test_top_stories_rank_by_the_documented_score(week_json):
    top = week_json["top_stories"]
    scores = [story["score"] for story in top]
    assert scores == sorted(scores, reverse=True)
    assert top[0]["title"] == "A profiler trick we keep coming back to"
    assert top[0]["starred"] is True and top[0]["score_parts"]["starred"] is True
    # Two feeds carried each of the next two; the later one first.
    assert [story["title"][:20] for story in top[1:3]] == [
        "Evaluating retrieval",
        "Kubernetes operator ",
    ]
    for story in top:
        parts = story["score_parts"]
        expected = 2 * (parts["feeds"] - 1) + 3 * parts["starred"] + parts["recency"]
        assert story["score"] == pytest.approx(expected)
        assert 0 <= parts["recency"] <= 1


def test_rising_shows_technologies_with_a_trend_line(week_json, week_md, week_html):
    rising = week_json["rising"]
    assert rising["window_days"] == 7 and len(rising["windows"]) == 8
    assert rising["windows"][-1] == MON.isoformat()
    (vllm,) = rising["technologies"]
    assert vllm["name"] == "vLLM" and vllm["count"] == 3
    assert vllm["counts"][-1] == 3 and len(vllm["counts"]) == 8
    assert vllm["baseline"] == pytest.approx(sum(vllm["counts"][3:7]) / 4)
    assert f"`{sparkline(vllm['counts'])}`" in week_md
    assert "<svg" in week_html and "<polyline" in week_html


def test_feed_health_lists_failing_and_stale_feeds_with_their_last_error(week_json, week_md):
    health = {feed["name"]: feed for feed in week_json["feed_health"]}
    assert set(health) == {"Broken", "Old blog"}
    assert health["Broken"]["state"] == "failing"
    assert health["Broken"]["http_status"] == 500 and health["Broken"]["last_error"]
    assert health["Old blog"]["state"] == "stale"
    assert health["Old blog"]["newest_item"] == day(-60).isoformat()
    assert "- **Broken** failing (" in week_md and "HTTP 500" in week_md
    assert "- **Old blog** stale: no new item in 30 days" in week_md


# --- ranges ----------------------------------------------------------------------------


def test_week_boundaries_sunday_2359_is_in_monday_0000_is_next(ws, week_md):
    assert "Late Sunday post on data contracts" in week_md
    assert "Early Monday post on feature stores" not in week_md
    following = ws("digest", "--week", NEXT_WEEK.week).stdout
    assert "Early Monday post on feature stores" in following
    assert "Late Sunday post on data contracts" not in following
    sunday = ws("digest", "--since", str(day(6)), "--until", str(day(6))).stdout
    assert "Late Sunday post" in sunday and "Early Monday post" not in sunday
    monday = ws("digest", "--since", str(day(7)), "--until", str(day(7))).stdout
    assert "Early Monday post" in monday and "Late Sunday post" not in monday


def test_since_until_of_a_whole_week_is_that_week(ws, week_md):
    assert ws("digest", "--since", str(MON), "--until", str(WEEK.last_day)).stdout == week_md


def test_default_is_the_last_complete_iso_week(ws, week_md):
    assert ws("digest").stdout == week_md


def test_an_earlier_range_is_labelled_by_its_days(ws):
    text = ws("digest", "--since", str(day(-21)), "--until", str(day(-7))).stdout
    assert text.startswith(f"# radar digest: {day(-21)} to {day(-7)}\n")
    assert "A first look at vLLM" in text and "vLLM tuning notes" in text


# --- determinism and output ------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_same_database_and_range_give_byte_identical_output(ws, fmt):
    first = ws("digest", "--week", LABEL, "--format", fmt).stdout_bytes
    second = ws("digest", "--week", LABEL, "--format", fmt).stdout_bytes
    assert first == second and len(first) > 500


def test_output_file_is_written_where_asked_in_the_format_its_suffix_names(ws, tmp_path):
    target = tmp_path / "out dir" / "weekly.html"
    result = ws("digest", "--week", LABEL, "-o", str(target))
    assert result.stdout == ""
    assert f"to {target}" in result.stderr
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask, "shareable, as umask allows"
    ws("digest", "--week", LABEL, "-o", str(tmp_path / "d.json"))
    assert json.loads((tmp_path / "d.json").read_text())["range"]["week"] == LABEL


def test_bad_ranges_are_one_line_errors(ws):
    bad_week = ws("digest", "--week", "2026-W60", ok=False)
    assert bad_week.exit_code == 2 and "2026-W60" in bad_week.stderr
    assert len(bad_week.stderr.strip().splitlines()) == 1
    backwards = ws("digest", "--since", "2026-11-20", "--until", "2026-11-10", ok=False)
    assert backwards.exit_code == 2 and "before it starts" in backwards.stderr
    both = ws("digest", "--week", LABEL, "--since", "2026-11-20", ok=False)
    assert both.exit_code == 2


def test_an_empty_week_gives_a_short_valid_digest_that_says_so(ws):
    text = ws("digest", "--week", "2020-W10").stdout
    assert "Nothing was published or first seen in this range." in text
    assert len(text.splitlines()) < 25
    data = json.loads(ws("digest", "--week", "2020-W10", "--format", "json").stdout)
    assert data["summary"]["empty"] is True and data["summary"]["items"] == 0
    assert data["on_our_radar"] == [] and data["top_stories"] == []
    page = ws("digest", "--week", "2020-W10", "--format", "html").stdout
    assert "Nothing was published" in page and page.rstrip().endswith("</html>")
    Page.parse(page)


def test_without_a_radar_summary_top_stories_rising_and_health_remain(tmp_path):
    run = build_workspace(tmp_path / "plain", with_radar=False)
    text = run("digest", "--week", LABEL).stdout
    assert re.findall(r"^## (.+)$", text, re.MULTILINE) == [
        "Summary",
        "Top stories",
        "Rising",
        "Feed health",
    ]
    data = json.loads(run("digest", "--week", LABEL, "--format", "json").stdout)
    assert data["radar_moves"] == [] and data["on_our_radar"] == []
    assert data["summary"]["has_radar"] is False
    assert any(story["title"].startswith("vLLM 0.13") for story in data["top_stories"])
    assert "On our radar" not in run("digest", "--week", LABEL, "--format", "html").stdout


# --- hostile content ---------------------------------------------------------------------


class Page(HTMLParser):
    """Every tag and attribute of an HTML document, and its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @classmethod
    def parse(cls, html: str) -> Page:
        page = cls()
        page.feed(html)
        page.close()
        return page


ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "div", "header", "section", "footer",
    "h1", "h2", "h3", "h4", "p", "ul", "ol", "li", "a", "span", "b", "code", "table", "tr",
    "td", "svg", "polyline",
}  # fmt: skip


def test_hostile_items_leave_no_executable_content_in_the_html(week_html):
    page = Page.parse(week_html)
    tags = {tag for tag, _ in page.tags}
    assert "script" not in tags and tags <= ALLOWED_TAGS, tags - ALLOWED_TAGS
    for tag, attrs in page.tags:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name, value)
            assert name != "style", "no inline styles, so no CSS expressions"
            lowered = (value or "").casefold().replace(" ", "")
            assert "javascript:" not in lowered and "data:" not in lowered, (tag, name, value)
            if name in ("href", "src", "action", "formaction", "xlink:href"):
                assert tag == "a" and re.match(r"https?://", value or ""), (tag, name, value)
    assert "expression(" not in week_html.split("</style>")[0], "the page's own CSS is clean"
    text = "".join(page.text)
    # Hostile titles are shown as the literal text they are.
    assert "<script>alert(1)</script> CDATA title" in text
    assert "<img src=x onerror=alert(3)> image title" in text
    # A summary with markup is reduced to its words by nh3.
    assert "bold" in text and "alert(7)" not in text


def test_hostile_links_never_become_hrefs(week_json):
    for story in all_stories(week_json):
        assert story["url"] is None or re.match(r"https?://[^\s\"<>]+$", story["url"])
    assert story_titled(week_json, "<div style=")["url"] == (
        "https://evil.example/css%22onmouseover=%22alert(12)"
    )


def test_hostile_titles_cannot_inject_markdown_links_or_html(week_md):
    assert not re.search(r"(?<!\\)<", week_md.replace("<!--", "")), "every < is escaped"
    for destination in re.findall(r"(?<!\\)\]\(([^)]*)\)", week_md):
        assert destination.startswith(("https://", "http://")), destination
    assert r"\[click me\](javascript:alert(8))" in week_md
    assert "www\\.evil.example" in week_md, "no autolink either"


# --- units -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, safe",
    [
        ("https://example.org/a?b=1", True),
        ("http://example.org", True),
        ("javascript:alert(1)", False),
        (" JaVaScRiPt:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("vbscript:msgbox(1)", False),
        ("//example.org/relative", False),
        ("/relative", False),
        ("https://exa mple.org/", False),
        ("https://example.org/\x00", False),
        ('https://example.org/"><script>', True),
        ("https:///nohost", False),
    ],
)
def test_only_absolute_http_urls_are_links(url, safe):
    checked = safe_http_url(url)
    assert (checked is not None) is safe
    assert checked is None or not set('"<>`') & set(checked)


def test_markdown_escaping_and_sparklines():
    assert md_text("[a](javascript:x) <b> `c` *d* _e_ ~f~ &g") == (
        r"\[a\](javascript:x) \<b\> \`c\` \*d\* \_e\_ \~f\~ \&g"
    )
    assert md_text("see https://x.example and www.y.example") == (
        r"see https\://x.example and www\.y.example"
    )
    assert md_text("line\none\x1b[31m red") == "line one red"
    assert md_text("file\u202efdp.exe \u2067rtl\u2069") == "filefdp.exe rtl"
    assert sparkline([0, 1, 2, 4, 8]) == "▁▂▃▅█"
    assert sparkline([0, 0]) == "▁▁"


def test_title_similarity_needs_three_shared_words():
    assert (
        similar_titles(
            "Kubernetes operator for GPU autoscaling released today",
            "GPU autoscaling Kubernetes operator released",
        )
        >= 0.6
    )
    assert similar_titles("vLLM v0.12.0", "vLLM v0.12.0rc1") == 0.0


def test_iso_weeks():
    week = iso_week("2026-W47")
    assert (week.first_day, week.last_day) == (date(2026, 11, 16), date(2026, 11, 22))
    assert last_complete_week(date(2026, 11, 23)) == week
    assert last_complete_week(date(2026, 11, 29)) == week
    assert iso_week("2020-W53").first_day == date(2020, 12, 28)
