"""User stories for reaching the team: `radar digest --send` to a real SMTP server and a
real webhook receiver on 127.0.0.1, release alerts from fetch runs, the retry queue
and the weekly schedule."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from delivery_servers import smtp_server, webhook_receiver
from feedserver import rss

WEEK = "2026-W47"  # Monday 16 to Sunday 22 November 2026
MONDAY_AFTER = datetime(2026, 11, 23, tzinfo=UTC)
TOKEN = "s3cr3tT0ken"


def _news(server) -> str:  # type: ignore[no-untyped-def]
    items = [
        {
            "title": "Paged attention lands in the serving stack",
            "link": "https://news.example.org/paged-attention",
            "guid": "n1",
            "pubDate": "Tue, 17 Nov 2026 09:00:00 GMT",
            "description": "A long read on KV caches.",
        },
        {
            "title": "&lt;script&gt;alert(1)&lt;/script&gt;Quantised kernels compared",
            "link": "https://news.example.org/kernels",
            "guid": "n2",
            "pubDate": "Wed, 18 Nov 2026 09:00:00 GMT",
            "description": '&lt;img src="https://tracker.example.net/p.gif" '
            'onerror="alert(2)"&gt;Int8 against fp16 on two CPUs.',
        },
    ]
    return server.route("/feeds/news.xml", body=rss(items, title="ML news"))


def _write_feeds(workspace, feeds: str, settings: str) -> None:  # type: ignore[no-untyped-def]
    Path(workspace.feeds_path).write_text(f"feeds:\n{feeds}settings:\n{settings}", encoding="utf-8")


def _news_workspace(workspace, radar, server, delivery: str) -> None:  # type: ignore[no-untyped-def]
    url = _news(server)
    _write_feeds(workspace, f"  - name: ML news\n    url: {url}\n", f"  delivery:\n{delivery}")
    radar("fetch", "--no-index")


def _email(port: int, extra: str = "") -> str:
    return (
        f"    email: {{host: 127.0.0.1, port: {port}, security: none, "
        f"from: radar@example.org, to: [ml-team@example.org, lead@example.org]{extra}}}\n"
    )


def _webhook(url: str, fmt: str) -> str:
    return f"    webhook: {{url: '{url}', format: {fmt}}}\n"


def test_the_digest_arrives_as_a_multipart_mail_once(workspace, radar, server):
    with smtp_server() as smtp:
        _news_workspace(workspace, radar, server, _email(smtp.port))
        sent = radar("digest", "--week", WEEK, "--send")
        assert f"email: sent the {WEEK} digest" in sent.stderr
        assert len(smtp.messages) == 1
        mail = smtp.messages[0]
        assert mail.recipients == ["ml-team@example.org", "lead@example.org"]
        assert mail.message["From"] == "radar@example.org"
        assert WEEK in mail.message["Subject"]
        plain = mail.message.get_body(("plain",)).get_content()
        html = mail.message.get_body(("html",)).get_content()
        assert "Paged attention lands in the serving stack" in plain
        assert "Paged attention lands in the serving stack" in html

        again = radar("digest", "--week", WEEK, "--send")
        assert "email: skipped" in again.stderr and "already sent" in again.stderr
        assert len(smtp.messages) == 1, "a range is sent once to a destination"
        radar("digest", "--week", WEEK, "--send", "--resend")
        assert len(smtp.messages) == 2


def test_the_html_part_is_mail_safe_and_sanitised(workspace, radar, server):
    with smtp_server() as smtp:
        _news_workspace(workspace, radar, server, _email(smtp.port))
        radar("digest", "--week", WEEK, "--send")
        html = smtp.messages[0].message.get_body(("html",)).get_content()
    assert "Quantised kernels compared" in html
    lowered = html.lower()
    for active in ("<script", "onerror", "<img", "<style", "<link", "javascript:"):
        assert active not in lowered, active
    assert "tracker.example.net" not in html, "no external asset reaches the mailbox"
    assert 'style="' in html, "the stylesheet is inlined for mail clients"


@pytest.mark.parametrize("fmt", ["slack", "teams", "json"])
def test_the_digest_posts_to_a_webhook_in_each_format(workspace, radar, server, fmt):
    with webhook_receiver() as hook:
        _news_workspace(workspace, radar, server, _webhook(hook.url(), fmt))
        result = radar("digest", "--week", WEEK, "--send", "--only", "webhook")
        assert f"webhook: sent the {WEEK} digest" in result.stderr
        assert len(hook.posts) == 1
        post = hook.posts[0]
    assert post.content_type.startswith("application/json")
    text = json.dumps(post.body)
    assert "Paged attention lands in the serving stack" in text
    if fmt == "slack":
        assert post.body["blocks"][0]["type"] == "header"
        assert WEEK in post.body["blocks"][0]["text"]["text"]
        assert "<https://news.example.org/paged-attention|Paged attention" in text
        assert "<script>" not in text, "feed text cannot inject Slack markup"
        assert len(post.body["blocks"]) <= 50
    elif fmt == "teams":
        card = post.body["attachments"][0]
        assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
        assert card["content"]["type"] == "AdaptiveCard"
        assert len(json.dumps(post.body).encode()) <= 28_000
    else:
        assert post.body["type"] == "digest"
        assert post.body["range"]["label"] == WEEK


def test_dry_run_shows_the_message_and_sends_nothing(workspace, radar, server):
    with webhook_receiver() as hook, smtp_server() as smtp:
        _news_workspace(workspace, radar, server, _email(smtp.port) + _webhook(hook.url(), "slack"))
        shown = radar("digest", "--week", WEEK, "--send", "--dry-run")
        assert "Content-Type: multipart/alternative" in shown.stdout
        assert '"blocks"' in shown.stdout
        assert TOKEN not in shown.stdout + shown.stderr
        assert not hook.posts and not smtp.messages
        radar("digest", "--week", WEEK, "--send")
        assert len(hook.posts) == 1 and len(smtp.messages) == 1, "a dry run records no send"


def test_a_refusing_webhook_is_reported_in_its_own_words_without_the_secret(
    workspace, radar, server
):
    with webhook_receiver() as hook:
        hook.status, hook.reply = 404, b"no_service"
        _news_workspace(workspace, radar, server, _webhook(hook.url(), "slack"))
        result = radar("digest", "--week", WEEK, "--send", ok=False)
    assert result.exit_code == 1
    assert "webhook: failed" in result.stderr
    assert "HTTP 404: no_service" in result.stderr
    assert TOKEN not in result.stderr + result.stdout


def test_a_refusing_mail_server_is_reported_and_not_retried(workspace, radar, server):
    with smtp_server() as smtp:
        smtp.refuse_with = "554 5.7.1 Message rejected as spam"
        _news_workspace(workspace, radar, server, _email(smtp.port))
        result = radar("digest", "--week", WEEK, "--send", ok=False)
        assert result.exit_code == 1
        assert "554" in result.stderr and "rejected as spam" in result.stderr
        smtp.refuse_with = None
        radar("fetch", "--no-index")
        assert not smtp.messages, "a message refused for good is not retried by itself"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_the_smtp_password_comes_from_the_environment_and_never_shows(
    workspace, radar, server, monkeypatch
):
    secret = "hunter2-very-secret"
    with smtp_server(login=("radar", secret)) as smtp:
        extra = ", username: radar, password_env: RADAR_TEST_SMTP_PASSWORD"
        _news_workspace(workspace, radar, server, _email(smtp.port, extra))
        missing = radar("digest", "--week", WEEK, "--send", ok=False)
        assert "RADAR_TEST_SMTP_PASSWORD" in missing.stderr and "not set" in missing.stderr
        monkeypatch.setenv("RADAR_TEST_SMTP_PASSWORD", secret)
        radar("digest", "--week", WEEK, "--send", "--resend")
        assert len(smtp.messages) == 1
    from radar.store import Store

    with Store(workspace.db_path) as store:
        stored = json.dumps([d.__dict__ for d in store.delivery.recent()])
    assert secret not in stored


def _cycle(workspace, now: datetime):  # type: ignore[no-untyped-def]
    from radar.feeds.config import load_config
    from radar.ops.runner import run_cycle
    from radar.store import Store

    config = load_config(workspace.feeds_path)
    with Store(workspace.db_path) as store:
        return run_cycle(store, workspace, config, index=False, all_feeds=True, clock=lambda: now)


def test_a_down_webhook_queues_the_digest_and_a_later_run_delivers_it(workspace, radar, server):
    with webhook_receiver(started=False) as hook:
        _news_workspace(workspace, radar, server, _webhook(hook.url(), "json"))
        down = radar("digest", "--week", WEEK, "--send", ok=False)
        assert down.exit_code == 1
        assert "webhook: queued" in down.stderr and "retrying after" in down.stderr
        assert TOKEN not in down.stderr

        later = datetime.now(UTC)
        result = _cycle(workspace, later)
        assert result.status == "ok", "a destination that is down never fails the fetch"
        assert result.delivery is not None
        assert [o.status for o in result.delivery.outcomes] in ([], ["queued"])

        hook.start()
        _cycle(workspace, later + timedelta(seconds=30))
        assert not hook.posts, "the retry waits for its backoff"
        result = _cycle(workspace, later + timedelta(hours=7))
        assert [o.status for o in result.delivery.outcomes] == ["sent"]
        from radar.ops.runner import summary_lines

        assert "delivered 1 message" in summary_lines(result, 1.0, later)
        assert [post.body["range"]["label"] for post in hook.posts] == [WEEK]
        _cycle(workspace, later + timedelta(hours=20))
        assert len(hook.posts) == 1, "sent once"
        assert "already sent" in radar("digest", "--week", WEEK, "--send").stderr


def test_weekly_schedule_sends_last_weeks_digest_once(workspace, radar, server):
    with webhook_receiver() as hook:
        _news_workspace(workspace, radar, server, _webhook(hook.url(), "slack"))
        with Path(workspace.feeds_path).open("a", encoding="utf-8") as feeds:
            feeds.write('    weekly: {day: monday, time: "08:00"}\n')
        _cycle(workspace, MONDAY_AFTER + timedelta(hours=7))
        assert not hook.posts, "not before the weekly time"
        result = _cycle(workspace, MONDAY_AFTER + timedelta(hours=9))
        assert result.delivery is not None and result.delivery.weekly == WEEK
        assert len(hook.posts) == 1
        assert WEEK in hook.posts[0].body["blocks"][0]["text"]["text"]
        _cycle(workspace, MONDAY_AFTER + timedelta(hours=10))
        _cycle(workspace, MONDAY_AFTER + timedelta(days=3))
        assert len(hook.posts) == 1, "once a week"


def _release_items(versions: list[str], server) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    return [
        {
            "title": version,
            "link": server.url(f"/downloads/{version}"),
            "guid": server.url(f"/downloads/{version}"),
            "pubDate": f"Mon, {day:02d} Nov 2026 10:00:00 GMT",
            "description": "Bug fixes.",
        }
        for day, version in enumerate(versions, start=1)
    ]


def _release_workspace(workspace, radar, server, hook, alerts: str, delivery: str = "") -> None:  # type: ignore[no-untyped-def]
    url = server.route(
        "/feeds/vllm.xml",
        body=rss(_release_items(["v0.12.2", "v0.12.3", "v0.13.0rc1"], server), title="Releases"),
    )
    feeds = f"  - name: vllm releases\n    url: {url}\n    kind: releases\n"
    delivery = delivery or _webhook(hook.url(), "json")
    _write_feeds(workspace, feeds, f"  delivery:\n{delivery}{alerts}")
    radar(
        "tech", "add", "vLLM", "--quadrant", "platforms", "--ring", "trial",
        "--why", "fast LLM serving",
    )  # fmt: skip


def _alerted(hook) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.body["version"] for p in hook.posts if p.body.get("type") == "release_alert"]


def test_a_new_release_of_a_watched_technology_alerts_once(workspace, radar, server):
    with webhook_receiver() as hook:
        _release_workspace(
            workspace, radar, server, hook, "  alerts:\n    releases: [adopt, trial]\n"
        )
        fetched = radar("fetch", "--no-index")
        assert "release alert: vLLM 0.12.3" in fetched.stderr, "the run's log says so"
        assert "vllm@0.12.3 sent to webhook" in fetched.stderr
        assert _alerted(hook) == ["0.12.3"], "a first fetch alerts only the newest release"
        alert = hook.posts[0].body
        assert (alert["technology"], alert["ring"], alert["prerelease"]) == (
            "vLLM",
            "trial",
            False,
        )
        assert alert["link"] == server.url("/downloads/v0.12.3")

        server.route(
            "/feeds/vllm.xml",
            body=rss(
                _release_items(["v0.12.2", "v0.12.3", "v0.13.0rc1", "v0.11.9", "v0.12.4"], server),
                title="Releases",
            ),
        )
        radar("fetch", "--no-index", "--all")
        assert _alerted(hook) == ["0.12.3", "0.12.4"], "a backport of an older line stays quiet"
        radar("fetch", "--no-index", "--all")
        assert _alerted(hook) == ["0.12.3", "0.12.4"], "each release alerts once, ever"

        listed = json.loads(radar("alerts", "list", "--json").stdout)
        assert [row["version"] for row in listed] == ["0.12.4", "0.12.3"]
        assert listed[0]["deliveries"]["webhook"]["status"] == "sent"
        assert TOKEN not in json.dumps(listed)
        assert "vLLM" in radar("alerts", "list").stdout


def test_turning_alerts_on_does_not_flood_and_prereleases_are_opt_in(workspace, radar, server):
    with webhook_receiver() as hook:
        _release_workspace(workspace, radar, server, hook, "")
        radar("fetch", "--no-index")
        text = Path(workspace.feeds_path).read_text(encoding="utf-8")
        Path(workspace.feeds_path).write_text(
            text + "  alerts:\n    releases: [trial]\n    prereleases: true\n", encoding="utf-8"
        )
        radar("fetch", "--no-index", "--all")
        assert _alerted(hook) == [], "releases radar already had never alert"
        server.route(
            "/feeds/vllm.xml",
            body=rss(_release_items(["v0.12.3", "v0.13.0rc1", "v0.13.0rc2"], server), "Releases"),
        )
        radar("fetch", "--no-index", "--all")
        assert _alerted(hook) == ["0.13.0rc2"]
        assert hook.posts[0].body["prerelease"] is True


def test_an_alert_ring_missing_from_the_radar_stops_the_run_naming_both_files(
    workspace, radar, server
):
    with webhook_receiver() as hook:
        _release_workspace(
            workspace, radar, server, hook, "  alerts:\n    releases: [trial, experimenting]\n"
        )
        result = radar("fetch", "--no-index", ok=False)
    assert result.exit_code == 2
    assert "feeds.yaml" in result.stderr and "techradar.yaml" in result.stderr
    assert "settings.alerts.releases[1]" in result.stderr and "experimenting" in result.stderr


def test_delivery_settings_report_every_problem_with_line_and_field(workspace, radar):
    Path(workspace.feeds_path).write_text(
        "feeds: []\n"
        "settings:\n"
        "  delivery:\n"
        "    email:\n"
        "      host: smtp.example.org\n"
        "      security: none\n"
        "      from: radar\n"
        "      to: [ml-team@example.org]\n"
        "      password_env: hunter2 is my password\n"
        "    webhook: {url: 'http://hooks.example.com/x', format: discord}\n"
        "    weekly: {day: someday, time: '25:00'}\n"
        "  alerts:\n"
        "    releases: adopt\n",
        encoding="utf-8",
    )
    result = radar("feeds", "list", ok=False)
    message = result.stderr
    for field, line in [
        ("settings.delivery.email.security", 6),
        ("settings.delivery.email.from", 7),
        ("settings.delivery.email.password_env", 9),
        ("settings.delivery.webhook.url", 10),
        ("settings.delivery.webhook.format", 10),
        ("settings.delivery.weekly.day", 11),
        ("settings.delivery.weekly.time", 11),
        ("settings.alerts.releases", 13),
    ]:
        assert f"feeds.yaml:{line}: {field}" in message, (field, message)
    assert "hunter2" not in message.replace("'hunter2 is my password'", ""), "only quoted back"


def test_a_complete_delivery_block_is_read(tmp_path):
    from radar.feeds.config import parse_config

    config = parse_config(
        "settings:\n"
        "  delivery:\n"
        "    email: {host: smtp.example.org, port: 587, security: starttls, "
        "from: radar@example.org, to: [ml-team@example.org], username: radar, "
        "password_env: RADAR_SMTP_PASSWORD}\n"
        '    webhook: {url: "https://hooks.slack.com/services/T/B/x", format: slack}\n'
        '    weekly: {day: monday, time: "08:00"}\n'
        "  alerts:\n"
        "    releases: [adopt, trial]\n"
        "    prereleases: false\n",
        tmp_path / "feeds.yaml",
    )
    delivery = config.settings.delivery
    assert delivery.email is not None and delivery.email.password_env == "RADAR_SMTP_PASSWORD"
    assert delivery.webhook is not None and delivery.webhook.host == "hooks.slack.com"
    assert delivery.weekly is not None and delivery.weekly.minutes == 8 * 60
    assert config.settings.alerts.releases == ("adopt", "trial")


def test_doctor_warns_about_messages_undelivered_for_over_a_day(workspace, radar, server):
    from radar.delivery.outbox import send_digest
    from radar.digest import iso_week, render_digest, workspace_digest
    from radar.feeds.config import load_config
    from radar.store import Store

    with webhook_receiver(started=False) as hook:
        _news_workspace(workspace, radar, server, _webhook(hook.url(), "slack"))
        before = radar("doctor", ok=False).stdout
        assert "every digest and alert delivered" in before
        digest = workspace_digest(workspace, iso_week(WEEK))
        settings = load_config(workspace.feeds_path).settings.delivery
        with Store(workspace.db_path) as store:
            queued = send_digest(
                store,
                settings,
                digest,
                render_digest(digest, "md"),
                render_digest(digest, "html"),
                now=datetime.now(UTC) - timedelta(days=2),
            )
        assert [o.status for o in queued] == ["queued"]
        report = radar("doctor", ok=False)
    assert report.exit_code == 1
    line = next(line for line in report.stdout.splitlines() if " delivery " in line)
    assert line.startswith("WARN")
    assert "1 message undelivered for over a day" in line
    assert "refused" in line.lower(), "the last error says why"
    assert TOKEN not in report.stdout


@pytest.mark.parametrize("fmt", ["slack", "teams"])
def test_a_release_alert_reaches_mail_and_chat(workspace, radar, server, fmt):
    with webhook_receiver() as hook, smtp_server() as smtp:
        delivery = _email(smtp.port) + _webhook(hook.url(), fmt)
        alerts = "  alerts:\n    releases: [trial]\n"
        _release_workspace(workspace, radar, server, hook, alerts, delivery)
        radar("fetch", "--no-index")
        assert len(smtp.messages) == 1 and len(hook.posts) == 1
        mail = smtp.messages[0].message
        chat = json.dumps(hook.posts[0].body)
    assert "vLLM 0.12.3" in mail["Subject"] and "trial" in mail["Subject"]
    assert server.url("/downloads/v0.12.3") in mail.get_content()
    assert "vLLM 0.12.3" in chat and "trial" in chat
    assert server.url("/downloads/v0.12.3") in chat
    listed = radar("alerts", "list").stdout
    assert "email sent" in listed and "webhook sent" in listed


def test_a_mail_server_saying_try_later_gets_the_digest_on_a_later_run(workspace, radar, server):
    with smtp_server() as smtp:
        smtp.refuse_with = "451 4.3.0 Mail server temporarily rejected message"
        _news_workspace(workspace, radar, server, _email(smtp.port))
        result = radar("digest", "--week", WEEK, "--send", ok=False)
        assert "email: queued" in result.stderr and "451" in result.stderr
        smtp.refuse_with = None
        _cycle(workspace, datetime.now(UTC) + timedelta(hours=7))
        assert len(smtp.messages) == 1
        assert WEEK in smtp.messages[0].message["Subject"]


def test_a_release_alert_names_the_repositories_pinning_an_older_version(
    workspace, radar, server, tmp_path
):
    serving = tmp_path / "serving"
    serving.mkdir()
    (serving / "requirements.txt").write_text("vllm==0.12.2\nfastapi>=0.110\n", encoding="utf-8")
    current = tmp_path / "batch-jobs"
    current.mkdir()
    (current / "requirements.txt").write_text("vllm==0.12.3\n", encoding="utf-8")
    with webhook_receiver() as hook:
        _release_workspace(
            workspace, radar, server, hook, "  alerts:\n    releases: [adopt, trial]\n"
        )
        radar("tech", "edit", "vLLM", "--add-package", "pypi:vllm")
        radar("usage", "scan", str(serving), str(current))
        radar("fetch", "--no-index")
        alerts = [p.body for p in hook.posts if p.body.get("type") == "release_alert"]
        assert [a["version"] for a in alerts] == ["0.12.3"]
        assert alerts[0]["pinned_older"] == ["serving 0.12.2"], "batch-jobs is up to date"
