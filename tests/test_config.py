"""feeds.yaml: validation names file, line and field; edits keep comments; bad input writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from radar.errors import ConfigError
from radar.feeds.config import FeedConfig, add_feeds, load_config, remove_feed
from radar.workspace import resolve


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        ("feeds:\n  - name: a\n    url: ftp://x/feed\n", 3, "feeds[0].url", "http"),
        ("feeds:\n  - name: a\n    url: http://x/f\n    kind: blog\n", 4, "feeds[0].kind", "blog"),
        ("feeds:\n  - url: http://x/f\n", 2, "feeds[0].name", "required"),
        (
            "feeds:\n  - name: a\n    url: http://x/f\n    colour: red\n",
            4,
            "feeds[0].colour",
            "unknown",
        ),
        (
            "feeds:\n  - name: a\n    url: http://x/a\n  - name: a\n    url: http://x/b\n",
            4,
            "feeds[1].name",
            "duplicate",
        ),
        (
            "feeds:\n  - name: a\n    url: http://x/f\n    tags: pytorch\n",
            4,
            "feeds[0].tags",
            "list",
        ),
        ("settings:\n  concurrency: many\n", 2, "settings.concurrency", "int"),
        ("settings:\n  concurency: 3\n", 2, "settings.concurency", "unknown setting"),
        ("settings:\n  embed_backend: fp16\n", 2, "settings.embed_backend", "int8, fp32"),
        ("feeds:\n  - name: a\n   url: http://x\n", 3, None, "YAML"),
        ("- just\n- a list\n", 1, None, "mapping"),
        ("feeds:\n  - name:\n    url: http://x/f\n", 2, "feeds[0].name", "non-empty"),
        ("feeds:\n  - name: !team a\n    url: http://x/f\n", 2, "feeds[0].name", "!team"),
        ("settings:\n  timeout: !!float fast\n", 2, "settings.timeout", "not a valid value"),
    ],
)
def test_invalid_feeds_yaml_names_file_line_and_field(tmp_path, text, line, field, words):
    path = write(tmp_path / "feeds.yaml", text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    error = caught.value
    assert error.path == path
    assert error.line == line
    assert error.field == field
    assert words.lower() in str(error).lower()
    assert str(path) in str(error)


def test_a_long_feed_list_is_read_in_order_with_its_values_typed(tmp_path):
    lines = ["settings:", "  timeout: 5", "  log_file: true", "feeds:"]
    for n in range(500):
        lines += [f"  - name: 'feed {n}'", f"    url: http://127.0.0.{2 + n % 50}/feed{n}.xml"]
        lines += ["    kind: papers" if n % 2 else "    tags: [llm, '2026', 7]"]
    lines += ["  - name: feed 250", "    url: http://x/again"]
    path = write(tmp_path / "feeds.yaml", "\n".join(lines) + "\n")

    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert (caught.value.line, caught.value.field) == (1505, "feeds[500].name")

    path.write_text("\n".join(lines[:-2]) + "\n", encoding="utf-8")
    config = load_config(path)
    assert [feed.name for feed in config.feeds] == [f"feed {n}" for n in range(500)]
    assert config.feeds[1].kind == "papers" and config.feeds[2].tags == ("llm", "2026", "7")
    assert config.settings.timeout == 5.0 and config.settings.log_file == "data/logs/radar.log"


def test_settings_block_is_read_with_types(tmp_path):
    path = write(tmp_path / "feeds.yaml", "feeds: []\nsettings:\n  concurrency: 4\n  timeout: 5\n")
    config = load_config(path)
    assert config.settings.concurrency == 4
    assert config.settings.timeout == 5.0
    assert config.feeds == ()


def test_adding_and_removing_feeds_keeps_comments_and_order(tmp_path):
    original = (
        "# team feeds: reviewed in PRs\n"
        "feeds:\n"
        "  - name: PyTorch blog   # the main one\n"
        "    url: https://pytorch.org/blog/feed.xml\n"
        "    kind: news\n"
        "    tags: [pytorch]\n"
    )
    path = write(tmp_path / "feeds.yaml", original)
    add_feeds(
        path,
        [
            FeedConfig(
                "vLLM releases",
                "https://github.com/vllm-project/vllm/releases.atom",
                "releases",
                ("serving",),
            )
        ],
    )
    text = path.read_text()
    assert text.startswith(original)
    assert "  - name: vLLM releases\n" in text
    assert [f.name for f in load_config(path).feeds] == ["PyTorch blog", "vLLM releases"]
    remove_feed(path, "vLLM releases")
    assert path.read_text() == original


def test_an_invalid_file_is_never_rewritten(tmp_path):
    broken = "feeds:\n  - name: a\n    url: gopher://old\n"
    path = write(tmp_path / "feeds.yaml", broken)
    with pytest.raises(ConfigError):
        add_feeds(path, [FeedConfig("b", "https://b.example/feed")])
    assert path.read_text() == broken
    assert list(tmp_path.iterdir()) == [path], "no temp files left behind"


def test_workspace_is_flag_then_env_then_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RADAR_HOME", raising=False)
    assert resolve().root == tmp_path.resolve()
    monkeypatch.setenv("RADAR_HOME", str(tmp_path / "env"))
    assert resolve().root == (tmp_path / "env").resolve()
    assert resolve(tmp_path / "flag").root == (tmp_path / "flag").resolve()


def test_cli_reports_config_errors_in_one_line_with_exit_2(radar, workspace):
    workspace.feeds_path.write_text("feeds:\n  - name: a\n    url: nope\n")
    result = radar("feeds", "list", ok=False)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert f"{workspace.feeds_path}:3: feeds[0].url" in result.stderr


def test_cli_outside_a_workspace_says_how_to_make_one(tmp_path):
    from click.testing import CliRunner

    from radar.cli import cli

    result = CliRunner().invoke(cli, ["--workspace", str(tmp_path), "feeds", "list"])
    assert result.exit_code == 2
    assert "radar init" in result.stderr


def test_init_creates_a_usable_workspace_and_never_overwrites(tmp_path):
    from click.testing import CliRunner

    from radar.cli import cli

    target = tmp_path / "team"
    result = CliRunner().invoke(cli, ["init", str(target)])
    assert result.exit_code == 0, result.output
    assert (target / "data").is_dir()
    feeds = load_config(target / "feeds.yaml").feeds
    assert len(feeds) >= 3
    (target / "feeds.yaml").write_text("feeds: []\n")
    CliRunner().invoke(cli, ["init", str(target)])
    assert (target / "feeds.yaml").read_text() == "feeds: []\n"


def test_feeds_add_list_remove_via_cli(radar):
    radar(
        "feeds",
        "add",
        "https://pytorch.org/blog/feed.xml",
        "--name",
        "PyTorch",
        "--tag",
        "pytorch",
        "--tag",
        "training",
    )
    radar("feeds", "add", "https://rss.arxiv.org/rss/cs.LG", "--kind", "papers")
    import json

    listed = json.loads(radar("feeds", "list", "--json").stdout)
    assert listed == [
        {
            "name": "PyTorch",
            "url": "https://pytorch.org/blog/feed.xml",
            "kind": "news",
            "tags": ["pytorch", "training"],
        },
        {
            "name": "rss.arxiv.org/rss/cs.LG",
            "url": "https://rss.arxiv.org/rss/cs.LG",
            "kind": "papers",
            "tags": [],
        },
    ]
    duplicate = radar("feeds", "add", "https://pytorch.org/blog/feed.xml", ok=False)
    assert duplicate.exit_code == 2 and "already subscribed" in duplicate.stderr
    radar("feeds", "remove", "PyTorch")
    assert [f["name"] for f in json.loads(radar("feeds", "list", "--json").stdout)] == [
        "rss.arxiv.org/rss/cs.LG"
    ]
    missing = radar("feeds", "remove", "nope", ok=False)
    assert missing.exit_code == 2 and "nope" in missing.stderr
