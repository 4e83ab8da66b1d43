"""OPML import and export: real third-party subscription lists, hand-broken samples,
and the export → import round trip."""

from __future__ import annotations

import codecs
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from radar.errors import ConfigError
from radar.feeds.config import KINDS, FeedConfig, add_feeds, load_config, validate_url
from radar.feeds.opml import export_opml, guess_kind, parse_opml, read_opml, slugify

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "opml"
CORPUS_FILES = sorted(CORPUS.glob("*.opml")) if CORPUS.is_dir() else []
AI_FEEDS = CORPUS / "awesome-AI-feeds__feedlist.opml"
TECH_RSS = CORPUS / "awesome-tech-rss__feeds.opml"


def corpus_file(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"OPML corpus file {path.name} is not present")
    return path


def assert_usable(feeds: list[FeedConfig]) -> None:
    """Every imported feed would pass feeds.yaml validation, with no name or URL twice."""
    assert all(validate_url(feed.url) is None for feed in feeds)
    assert all(feed.kind in KINDS for feed in feeds)
    assert all(feed.name and feed.name == feed.name.strip() for feed in feeds)
    assert len({feed.name for feed in feeds}) == len(feeds)
    assert len({feed.url for feed in feeds}) == len(feeds)


def by_name(feeds: list[FeedConfig]) -> dict[str, FeedConfig]:
    return {feed.name: feed for feed in feeds}


# --- the real corpus -----------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [pytest.param(p, id=p.name) for p in CORPUS_FILES]
    or [pytest.param(None, marks=pytest.mark.skip(reason="OPML corpus not present"))],
)
def test_every_corpus_file_imports_into_valid_feeds(path: Path, tmp_path: Path) -> None:
    result = read_opml(path)

    assert result.feeds
    assert_usable(result.feeds)
    feeds_yaml = tmp_path / "feeds.yaml"
    added = add_feeds(feeds_yaml, result.feeds)
    assert len(load_config(feeds_yaml).feeds) == len(added) == len(result.feeds)


@pytest.mark.parametrize(
    "path",
    [pytest.param(p, id=p.name) for p in CORPUS_FILES]
    or [pytest.param(None, marks=pytest.mark.skip(reason="OPML corpus not present"))],
)
def test_any_truncation_of_a_corpus_file_imports_without_raising(path: Path) -> None:
    data = path.read_bytes()
    for cut in range(0, len(data), max(1, len(data) // 150)):
        result = parse_opml(data[:cut])
        assert_usable(result.feeds)


def test_awesome_ai_feeds_is_recovered_despite_unescaped_ampersands() -> None:
    path = corpus_file(AI_FEEDS)

    result = read_opml(path)

    # 71 feeds in one folder named "ios"; expat alone stops at line 11.
    assert len(result.feeds) == 71
    assert result.skipped == []
    assert {feed.tags for feed in result.feeds} == {("ios",)}
    assert any("broken XML" in note and "line 11" in note for note in result.notes)
    feeds = by_name(result.feeds)
    assert feeds["News & Blog - DeepMind"].url == "https://deepmind.com/blog/feed/basic"
    # The same title twice with different URLs: both kept, the second renamed.
    assert feeds["OpenAI Blog"].url == "https://openai.com/feed.xml?format=xml"
    assert feeds["OpenAI Blog (2)"].url == "https://blog.openai.com/rss"
    assert {feed.kind for feed in result.feeds} == {"news"}


def test_awesome_tech_rss_folders_become_tags_and_duplicate_urls_are_reported() -> None:
    path = corpus_file(TECH_RSS)

    result = read_opml(path)

    # 141 feeds, of which two repeat an earlier URL (http vs https).
    assert len(result.feeds) == 139
    assert len(result.skipped) == 2
    assert result.skipped[0].startswith("line 82: 'Grab Tech' duplicates the feed at line 56")
    assert result.skipped[1].startswith("line 145: 'Nautilus' duplicates the feed at line 135")
    assert result.notes == []
    ml_feeds = [feed for feed in result.feeds if feed.tags == ("machine-learning",)]
    assert len(ml_feeds) == 23
    feeds = by_name(result.feeds)
    assert feeds["DeepMind"].tags == ("machine-learning",)  # trailing space stripped
    assert feeds["Machine Learning"].url == "http://www.reddit.com/r/MachineLearning/.rss"
    assert feeds["Eric Jang"].url == "http://blog.evjang.com/feeds/posts/default?alt=rss"
    assert feeds["Eric Jang (2)"].url == "https://evjang.com/feed"
    assert sum(feed.tags == ("products-ideas",) for feed in result.feeds) == 4


# --- hand-broken samples -------------------------------------------------------------


def test_unescaped_ampersand_html_entity_and_bare_less_than_are_repaired() -> None:
    data = b"""<?xml version="1.0"?>
<opml version="1.0"><head><title>Mine & yours &nbsp;</title></head><body>
<outline text="Q&A" title="Q&A" type="rss" xmlUrl="https://example.com/feed?a=1&b=2"/>
<outline title="Caf&eacute; &lt;3 &copy;" xmlUrl="https://cafe.example/rss"/>
<outline title="1 < 2" xmlUrl="https://lt.example/rss"/>
</body></opml>"""

    result = parse_opml(data, source="mine.opml")

    assert [(feed.name, feed.url) for feed in result.feeds] == [
        ("Q&A", "https://example.com/feed?a=1&b=2"),
        ("Café <3 ©", "https://cafe.example/rss"),
        ("1 < 2", "https://lt.example/rss"),
    ]
    assert result.notes and result.notes[0].startswith("mine.opml is broken XML")


def test_nested_folders_and_categories_become_slugified_tags() -> None:
    data = b"""<opml version="2.0"><body>
  <outline text="ML">
    <outline text="Machine Learning Research">
      <outline text="Deep" xmlUrl="https://deep.example/rss"
               category="/Deep Learning/NLP, Weekly Reads,ml"/>
    </outline>
    <outline text="Shallow" xmlUrl="https://shallow.example/rss"/>
  </outline>
  <outline text="Top" xmlUrl="https://top.example/rss"/>
</body></opml>"""

    feeds = by_name(parse_opml(data).feeds)

    assert feeds["Deep"].tags == (
        "ml",
        "machine-learning-research",
        "deep-learning",
        "nlp",
        "weekly-reads",
    )
    assert feeds["Shallow"].tags == ("ml",)
    assert feeds["Top"].tags == ()


def test_outlines_without_a_feed_url_are_reported_by_line_and_title() -> None:
    data = b"""<opml><body>
<outline text="Has one" xmlUrl="https://ok.example/rss"/>
<outline text="Foo" htmlUrl="https://foo.example/"/>
<outline title="Bar"></outline>
<outline/>
<outline text="Empty" xmlUrl="  "/>
</body></opml>"""

    result = parse_opml(data)

    assert [feed.name for feed in result.feeds] == ["Has one"]
    assert result.skipped == [
        "line 3: 'Foo' has no xmlUrl (only htmlUrl 'https://foo.example/')",
        "line 4: 'Bar' has no xmlUrl",
        "line 5: an untitled outline has no xmlUrl",
        "line 6: 'Empty' has no xmlUrl",
    ]


def test_duplicate_urls_are_skipped_and_duplicate_names_numbered() -> None:
    data = b"""<opml><body>
<outline text="Blog" xmlUrl="http://Example.com/feed/"/>
<outline text="Blog" xmlUrl="https://example.com/feed"/>
<outline text="Blog" xmlUrl="https://example.com/other"/>
<outline text="Blog" xmlUrl="https://example.com:8443/feed"/>
</body></opml>"""

    result = parse_opml(data)

    assert [(feed.name, feed.url) for feed in result.feeds] == [
        ("Blog", "http://Example.com/feed/"),
        ("Blog (2)", "https://example.com/other"),
        ("Blog (3)", "https://example.com:8443/feed"),
    ]
    assert result.skipped == [
        "line 3: 'Blog' duplicates the feed at line 2 ('Blog'): https://example.com/feed"
    ]


def test_feed_scheme_is_converted_and_other_schemes_are_skipped() -> None:
    data = b"""<opml><body>
<outline text="Feedy" xmlUrl="feed://feedy.example/rss"/>
<outline text="Wrapped" xmlUrl="feed:https://wrapped.example/rss"/>
<outline text="Evil" xmlUrl="javascript:alert(document.cookie)"/>
<outline text="Local" xmlUrl="file:///etc/passwd"/>
<outline text="Hostless" xmlUrl="http:///path"/>
<outline text="Bad port" xmlUrl="http://example.com:99999/rss"/>
</body></opml>"""

    result = parse_opml(data)

    assert [(feed.name, feed.url) for feed in result.feeds] == [
        ("Feedy", "http://feedy.example/rss"),
        ("Wrapped", "https://wrapped.example/rss"),
    ]
    assert "line 2: 'Feedy': converted 'feed://feedy.example/rss'" in result.notes[0]
    assert [line.split(" has URL")[0] for line in result.skipped] == [
        "line 4: 'Evil'",
        "line 5: 'Local'",
        "line 6: 'Hostless'",
        "line 7: 'Bad port'",
    ]
    assert "must be an http:// or https:// URL" in result.skipped[0]


def test_doctype_entity_bomb_is_never_expanded() -> None:
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    ]
    data = (
        '<?xml version="1.0"?>\n<!DOCTYPE opml [\n' + "\n".join(levels) + "\n]>\n"
        '<opml><body><outline title="&lol9;" xmlUrl="https://bomb.example/rss"/>'
        '<outline title="x" xmlUrl="file:///etc/passwd"/></body></opml>'
    ).encode()

    result = parse_opml(data)

    assert [(feed.name, feed.url) for feed in result.feeds] == [
        ("&lol9;", "https://bomb.example/rss")
    ]


def test_external_entity_is_not_resolved() -> None:
    data = b"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<opml><body><outline title="&xxe;" xmlUrl="https://xxe.example/rss"/></body></opml>"""

    assert [feed.name for feed in parse_opml(data).feeds] == ["&xxe;"]


def test_missing_body_odd_attribute_spelling_and_feeds_nested_in_feeds() -> None:
    data = b"""<opml version="1.1">
<outline text="News">
  <outline text="lower" xmlurl="https://lower.example/rss"/>
  <outline text="plain url" url="https://url.example/rss" type="link"/>
  <outline text="parent feed" xmlUrl="https://parent.example/rss">
    <outline text="child feed" xmlUrl="https://child.example/rss"/>
  </outline>
</outline>
</opml>"""

    feeds = by_name(parse_opml(data).feeds)

    assert feeds["lower"].url == "https://lower.example/rss"
    assert feeds["plain url"].url == "https://url.example/rss"
    assert feeds["child feed"].tags == ("news",)


def test_name_falls_back_from_title_to_text_to_host() -> None:
    data = b"""<opml><body>
<outline title="Title" text="Text" xmlUrl="https://a.example/rss"/>
<outline title="  " text="Only text" xmlUrl="https://b.example/rss"/>
<outline xmlUrl="https://WWW.C.example/rss"/>
<outline title="Line&#10;break&#9;tab" xmlUrl="https://d.example/rss"/>
</body></opml>"""

    names = [feed.name for feed in parse_opml(data).feeds]

    assert names == ["Title", "Only text", "www.c.example", "Line break tab"]


def test_tag_soup_recovers_unclosed_and_truncated_outlines() -> None:
    data = b"""<opml><body>
<outline text="Folder">
<outline text="One" xmlUrl="https://one.example/rss">
<!-- <outline text="Commented out" xmlUrl="https://gone.example/rss"/> -->
<outline text='Two & co' xmlUrl=https://two.example/rss />
</body>
<outline text="Cut off" xmlUrl="https://cut.example/rs"""

    result = parse_opml(data)

    assert [(feed.name, feed.url, feed.tags) for feed in result.feeds] == [
        ("One", "https://one.example/rss", ("folder",)),
        ("Two & co", "https://two.example/rss", ("folder",)),
        ("Cut off", "https://cut.example/rs", ("folder",)),
    ]
    assert "read its <outline> tags leniently" in result.notes[0]


def test_deeply_nested_unclosed_outlines_do_not_exhaust_the_stack() -> None:
    data = (
        b"<opml><body>"
        + b'<outline text="f">' * 20_000
        + b"""
<outline text="Deep" xmlUrl="https://deep.example/rss"/>"""
    )

    result = parse_opml(data)

    assert [feed.name for feed in result.feeds] == ["Deep"]
    assert result.feeds[0].tags == ("f",)


@pytest.mark.parametrize(
    ("declared", "encoding", "bom"),
    [
        ("ISO-8859-1", "utf-8", codecs.BOM_UTF8),
        ("ISO-8859-1", "utf-8", b""),
        ("UTF-8", "cp1252", b""),
        ("windows-1252", "cp1252", b""),
        ("UTF-16", "utf-16-le", codecs.BOM_UTF16_LE),
        ("UTF-16", "utf-16-be", codecs.BOM_UTF16_BE),
        ("UTF-16", "utf-16-le", b""),
    ],
)
def test_encodings_are_detected_whatever_the_declaration_says(
    declared: str, encoding: str, bom: bytes
) -> None:
    text = (
        f"<?xml version='1.0' encoding='{declared}'?>"
        "<opml><body><outline title='Café — Ünïcode' xmlUrl='https://enc.example/'/></body></opml>"
    )

    result = parse_opml(bom + text.encode(encoding))

    assert [feed.name for feed in result.feeds] == ["Café — Ünïcode"]


def test_kind_is_guessed_from_the_url_unless_declared() -> None:
    data = b"""<opml xmlns:radar="urn:x-radar:opml:1"><body>
<outline text="arXiv cs.LG" xmlUrl="https://export.arxiv.org/rss/cs.LG"/>
<outline text="torch" xmlUrl="https://github.com/pytorch/pytorch/releases.atom"/>
<outline text="numpy" xmlUrl="https://pypi.org/rss/project/numpy/releases.xml"/>
<outline text="blog" xmlUrl="https://github.blog/feed/"/>
<outline text="docs" xmlUrl="https://docs.example/rss" radar:kind="docs"/>
<outline text="bogus" xmlUrl="https://arxiv.org/a/x.atom" radar:kind="podcasts"/>
</body></opml>"""

    kinds = {feed.name: feed.kind for feed in parse_opml(data).feeds}

    assert kinds == {
        "arXiv cs.LG": "papers",
        "torch": "releases",
        "numpy": "releases",
        "blog": "news",
        "docs": "docs",
        "bogus": "papers",
    }


def test_guess_kind_and_slugify() -> None:
    assert guess_kind("http://arxiv.org/rss/cs.CL") == "papers"
    assert guess_kind("https://github.com/org/repo/commits.atom") == "news"
    assert slugify("Machine Learning") == "machine-learning"
    assert slugify("  Products & Ideas ") == "products-ideas"
    assert slugify("ML@CMU_blog") == "ml-cmu-blog"
    assert slugify("导出订阅") == "导出订阅"


def test_garbage_never_raises_and_yields_nothing() -> None:
    for data in (b"", b"\x00\xff<<<&&&>>>", b"<html><body><p>hi</p></body></html>", b"<opml>"):
        result = parse_opml(data)
        assert result.feeds == [] and result.skipped == []


# --- reading files -------------------------------------------------------------------


def test_read_opml_reports_unreadable_or_outline_free_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        read_opml(tmp_path / "missing.opml")
    with pytest.raises(ConfigError, match="cannot read"):
        read_opml(tmp_path)
    rss = tmp_path / "feed.xml"
    rss.write_text("<rss><channel><title>not opml</title></channel></rss>")
    with pytest.raises(ConfigError, match="no <outline> elements") as caught:
        read_opml(rss)
    assert caught.value.path == rss


def test_read_opml_accepts_a_file_whose_outlines_are_all_skipped(tmp_path: Path) -> None:
    path = tmp_path / "links.opml"
    path.write_text('<opml><body><outline text="x" xmlUrl="javascript:void(0)"/></body></opml>')

    result = read_opml(path)

    assert result.feeds == [] and len(result.skipped) == 1


# --- export --------------------------------------------------------------------------

TEAM_FEEDS = [
    FeedConfig("arXiv cs.LG", "https://export.arxiv.org/rss/cs.LG", "papers", ("papers", "ml")),
    FeedConfig(
        "PyTorch releases",
        "https://github.com/pytorch/pytorch/releases.atom",
        "releases",
        ("Frameworks", "LLM Ops", "ml"),
    ),
    FeedConfig(
        "Docs & <Guides> \"quoted\" 'single'", "https://docs.example/rss?a=1&b=2", "docs", ("ml",)
    ),
    FeedConfig("Café — naïve", "http://cafe.example/feed", "news", ()),
    FeedConfig("Lil'Log", "https://lilianweng.github.io/index.xml", "news", ("papers",)),
    FeedConfig("Untagged news", "https://news.example/rss", "news", ()),
]


def test_export_then_import_restores_every_feed_exactly() -> None:
    text = export_opml(TEAM_FEEDS)

    result = parse_opml(text.encode("utf-8"))

    assert result.skipped == [] and result.notes == []
    assert sorted(result.feeds, key=lambda f: f.name) == sorted(TEAM_FEEDS, key=lambda f: f.name)


def test_export_is_well_formed_opml_2_with_a_folder_per_first_tag() -> None:
    root = ET.fromstring(export_opml(TEAM_FEEDS, title="Team & friends"))

    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title") == "Team & friends"
    body = root.find("body")
    assert body is not None
    folders = {o.get("text"): o for o in body.findall("outline") if o.get("xmlUrl") is None}
    assert set(folders) == {"papers", "Frameworks", "ml"}
    assert [o.get("text") for o in folders["papers"]] == ["arXiv cs.LG", "Lil'Log"]
    pytorch = folders["Frameworks"].find("outline")
    assert pytorch is not None
    assert pytorch.get("category") == "Frameworks,LLM Ops,ml"
    assert pytorch.get("type") == "rss"
    assert pytorch.get("{urn:x-radar:opml:1}kind") == "releases"
    top_level = [o.get("text") for o in body.findall("outline") if o.get("xmlUrl")]
    assert top_level == ["Café — naïve", "Untagged news"]


def test_plain_opml_readers_see_folders_as_slugified_tags() -> None:
    """A feed reader that keeps folders but drops radar's attributes still gives tags."""
    root = ET.fromstring(export_opml(TEAM_FEEDS))
    for outline in root.iter("outline"):
        outline.attrib.pop("category", None)
        outline.attrib.pop("{urn:x-radar:opml:1}kind", None)
    foreign = ET.tostring(root, encoding="utf-8")

    feeds = by_name(parse_opml(foreign).feeds)

    assert feeds["PyTorch releases"].tags == ("frameworks",)
    assert feeds["PyTorch releases"].kind == "releases"  # guessed again from the URL
    assert feeds["Untagged news"].tags == ()


def test_export_of_nothing_is_an_empty_but_valid_document() -> None:
    root = ET.fromstring(export_opml([]))

    assert root.find("body") is not None
    assert list(root.iter("outline")) == []
