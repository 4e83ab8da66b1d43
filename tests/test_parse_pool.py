"""Big refreshes parse in worker processes: the same results as parsing in-process, every
item stored once, a broken feed recorded with its own error, and no worker left behind."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from feedserver import rss

from radar.errors import FeedError
from radar.feeds import parse_pool
from radar.feeds.config import FeedConfig, add_feeds
from radar.feeds.parse import parse_feed
from radar.feeds.parse_pool import ParsePool
from radar.ingest import POOL_MIN_BYTES, POOL_MIN_FEEDS
from radar.store import Store

FEEDS = POOL_MIN_FEEDS + 4
ITEMS_PER_FEED = 12
HANG_GUARD = 60.0
"""Seconds a wait may last before the test fails: a hang guard, not a speed claim."""


def feed_items(feed: int, count: int = ITEMS_PER_FEED, repeat: int = 3) -> list[dict[str, str]]:
    return [
        {
            "title": f"Feed {feed} post {n}: batching requests on one GPU",
            "link": f"https://pool.example/{feed}/{n}",
            "guid": f"pool-{feed}-{n}",
            "pubDate": f"Tue, {1 + n:02d} Sep 2026 10:00:00 GMT",
            "description": f"Post {n} of feed {feed} on continuous batching and KV caches. "
            * repeat,
        }
        for n in range(count)
    ]


BIG_HTML_PAGE = (
    b"<!doctype html><html><head><title>Blog</title></head><body>"
    + b"<p>Not a feed, a home page that grew long.</p>" * 200
    + b"</body></html>"
)
BIG_CUT_OFF_XML = b'<?xml version="1.0"?><!-- ' + b"padding " * 800 + b"--><rss versi"


def laughs_document() -> bytes:
    levels = ['<!ENTITY lol0 "lol">']
    levels += [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    body = rss(feed_items(99)).decode()
    hostile_item = "<item><title>Laughs &lol9;</title><guid>laughs</guid></item></channel>"
    return (
        f'<?xml version="1.0"?><!DOCTYPE rss [{"".join(levels)}]>'
        + body.split("?>", 1)[1].replace("</channel>", hostile_item, 1)
    ).encode()


def xxe_document(secret_url: str) -> bytes:
    body = rss(feed_items(98)).decode()
    hostile_item = "<item><title>Entity &xxe;</title><guid>xxe</guid></item></channel>"
    return (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "{secret_url}">]>'
        + body.split("?>", 1)[1].replace("</channel>", hostile_item, 1)
    ).encode()


def outcome_of(parse) -> tuple[str, object]:  # type: ignore[no-untyped-def]
    """What parsing gave, comparable across processes: the feed, or the error's kind and text."""
    try:
        return "feed", parse()
    except FeedError as exc:
        return "error", (exc.kind, exc.message)


def status_of(radar) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    return {row["name"]: row for row in json.loads(radar("feeds", "status", "--json").stdout)}


def test_a_big_refresh_parses_in_workers_stores_each_item_once_and_records_broken_feeds(
    radar, workspace, server, monkeypatch
):
    submitted: list[str] = []
    real_submit = ParsePool.submit

    def counting_submit(self, content, *, url, headers=None):  # type: ignore[no-untyped-def]
        submitted.append(url)
        return real_submit(self, content, url=url, headers=headers)

    monkeypatch.setattr(ParsePool, "submit", counting_submit)
    secret_url = server.route("/secret", body=b"TOP-SECRET", content_type="text/plain")
    bodies = {f"/feed{n}.xml": rss(feed_items(n)) for n in range(FEEDS)}
    # A mirror republishes five of feed 0's posts under its own guids: same links, same story.
    bodies["/mirror.xml"] = rss(
        [{**item, "guid": f"mirror-{n}"} for n, item in enumerate(feed_items(0)[:5])]
        + feed_items(50, 8)
    )
    bodies["/laughs.xml"] = laughs_document()
    bodies["/xxe.xml"] = xxe_document(secret_url)
    broken = {"/home.xml": BIG_HTML_PAGE, "/cut.xml": BIG_CUT_OFF_XML}
    assert all(len(body) >= POOL_MIN_BYTES for body in [*bodies.values(), *broken.values()])
    urls = {path: server.route(path, body=body) for path, body in {**bodies, **broken}.items()}
    add_feeds(workspace.feeds_path, [FeedConfig(path, url) for path, url in urls.items()])

    first = radar("fetch", "--all", "--no-index")

    assert len(submitted) == len(urls), "every document went to a parse worker"
    assert f"{len(bodies)} ok" in first.stderr and "2 failed" in first.stderr
    status = status_of(radar)
    for path, body in broken.items():
        expected = outcome_of(lambda b=body, p=path: parse_feed(b, url=urls[p]))
        assert expected[0] == "error"
        kind, message = expected[1]  # type: ignore[misc]
        assert (status[path]["last_status"], status[path]["last_error"]) == (kind, message)
        assert status[path]["error_count"] == 1 and status[path]["item_count"] == 0
    assert server.requests_to("/secret") == [], "the external entity was never fetched"
    assert "entity declarations" in status["/laughs.xml"]["problem"]
    with Store(workspace.db_path) as store:
        rows = store.query("SELECT url, title, summary FROM items")
        credits = store.query(
            "SELECT COUNT(*) AS feeds FROM item_sources s JOIN items i ON i.id = s.item_id "
            "WHERE i.url LIKE 'https://pool.example/0/%' GROUP BY s.item_id"
        )
    expected_links = {item["link"] for n in range(FEEDS) for item in feed_items(n)}
    expected_links |= {
        item["link"] for item in [*feed_items(50, 8), *feed_items(98), *feed_items(99)]
    }
    stored_links = [row["url"] for row in rows if row["url"]]
    assert len(stored_links) == len(set(stored_links)), "no item stored twice"
    assert set(stored_links) == expected_links
    assert sorted(row["feeds"] for row in credits) == [1] * 7 + [2] * 5, "mirrored posts credited"
    text = " ".join(f"{row['title']} {row['summary']}" for row in rows)
    assert "lollol" not in text and "TOP-SECRET" not in text
    hostile_titles = [row["title"] for row in rows if not row["url"]]
    assert sorted(title.split()[0] for title in hostile_titles) == ["Entity", "Laughs"]

    second = radar("fetch", "--all", "--no-index")

    assert f"{len(bodies)} not modified" in second.stderr and "0 new items" in second.stderr
    assert len(submitted) == len(urls) + len(broken), "only the broken feeds were parsed again"


def test_a_small_refresh_parses_in_process(radar, workspace, server, monkeypatch):
    def no_pool(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("a handful of feeds must not start parse workers")

    monkeypatch.setattr(ParsePool, "__init__", no_pool)
    add_feeds(
        workspace.feeds_path,
        [
            FeedConfig(f"f{n}", server.route(f"/f{n}.xml", body=rss(feed_items(n))))
            for n in range(3)
        ],
    )

    result = radar("fetch", "--all", "--no-index")

    assert "3 ok" in result.stderr and f"{3 * ITEMS_PER_FEED} new items" in result.stderr


def hostile_and_plain_documents() -> dict[str, bytes]:
    return {
        "rss": rss(feed_items(1)),
        "atom": (
            b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            b"<title>Atom</title><entry><title>One</title><id>tag:a,2026:1</id>"
            b'<link href="/posts/1?utm_source=x"/><updated>2026-09-01T10:00:00Z</updated>'
            b"<content type='html'>&lt;p&gt;Hello&lt;/p&gt;</content></entry></feed>"
        ),
        "html page": BIG_HTML_PAGE,
        "cut before any item": BIG_CUT_OFF_XML,
        "empty": b"  \n",
        "json": b'{"items": []}',
        "billion laughs": laughs_document(),
        "external entity": xxe_document("http://127.0.0.1:9/secret"),
        "utf-16": rss(feed_items(2)).decode().replace("utf-8", "utf-16").encode("utf-16"),
    }


def test_workers_give_exactly_what_parse_feed_gives():
    documents = hostile_and_plain_documents()
    url = "https://pool.example/feed.xml"
    headers = {"Content-Type": "application/rss+xml; charset=utf-8"}

    with ParsePool(2) as pool:
        futures = {
            name: pool.submit(body, url=url, headers=headers) for name, body in documents.items()
        }
        from_workers = {name: outcome_of(future.result) for name, future in futures.items()}

    in_process = {
        name: outcome_of(lambda b=body: parse_feed(b, url=url, headers=headers))
        for name, body in documents.items()
    }
    assert from_workers == in_process
    assert from_workers["html page"][1][0] == "not_a_feed"  # type: ignore[index]
    assert from_workers["billion laughs"][0] == "feed"


def test_documents_are_parsed_in_process_when_workers_cannot_run(monkeypatch):
    monkeypatch.setattr(parse_pool, "_WORKER_CODE", "import sys; sys.exit(3)")
    documents = hostile_and_plain_documents()
    url = "https://pool.example/feed.xml"

    with ParsePool(2) as pool:
        futures = {name: pool.submit(body, url=url) for name, body in documents.items()}
        from_pool = {name: outcome_of(future.result) for name, future in futures.items()}

    assert from_pool == {
        name: outcome_of(lambda b=body: parse_feed(b, url=url)) for name, body in documents.items()
    }


def parse_workers_of(pid: int) -> list[int]:
    """Live parse worker processes started by `pid`, from /proc."""
    workers = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        state, parent = stat.rsplit(")", 1)[1].split()[:2]
        if int(parent) == pid and state != "Z" and b"radar.feeds.parse_pool" in command:
            workers.append(int(entry.name))
    return workers


def running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_workers_end_when_the_process_that_started_them_is_killed(tmp_path):
    script = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from feedserver import rss
        from radar.feeds.parse_pool import ParsePool
        pool = ParsePool(2)
        body = rss([{{"title": f"Post {{n}}", "guid": str(n)}} for n in range(50)])
        futures = [pool.submit(body, url="https://pool.example/f.xml") for _ in range(20)]
        for future in futures:
            future.result()
        print("parsed", flush=True)
        time.sleep(600)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None and parent.stdout.readline().strip() == "parsed"
        workers = parse_workers_of(parent.pid)
        assert len(workers) == 2
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    deadline = time.monotonic() + 10
    while any(running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(running(pid) for pid in workers), "workers outlived their parent"


def test_closing_the_pool_ends_its_workers():
    with ParsePool(2) as pool:
        futures = [
            pool.submit(rss(feed_items(n)), url=f"https://pool.example/{n}") for n in range(6)
        ]
        assert all(len(future.result().items) == ITEMS_PER_FEED for future in futures)
        if Path("/proc/self/stat").exists():
            workers = parse_workers_of(os.getpid())
            assert len(workers) == 2
        else:
            workers = []
    assert not any(running(pid) for pid in workers)
    with pytest.raises(RuntimeError):
        pool.submit(b"<rss/>", url="https://pool.example/late")


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_sigkill_while_workers_parse_loses_and_duplicates_nothing(workspace, server):
    visible = dict.fromkeys(range(FEEDS), 4)
    held: set[int] = set()  # feeds whose answer waits for this run's release
    releases = [threading.Event()]
    answered = [0]

    def growing(feed: int):  # type: ignore[no-untyped-def]
        def render() -> bytes:
            if feed in held:
                releases[-1].wait(HANG_GUARD)
            count = visible[feed]
            visible[feed] = min(ITEMS_PER_FEED, count + 2)
            answered[0] += 1
            return rss(feed_items(feed, count, repeat=16))

        return render

    assert len(rss(feed_items(0, 4, repeat=16))) >= POOL_MIN_BYTES, "the first fetch uses workers"
    add_feeds(
        workspace.feeds_path,
        [
            FeedConfig(f"f{n}", server.route(f"/f{n}.xml", body=growing(n), conditional=False))
            for n in range(FEEDS)
        ],
    )
    # radar must wait for a held feed rather than give up on it while the test kills.
    text = workspace.feeds_path.read_text()
    workspace.feeds_path.write_text(text + f"settings: {{timeout: {HANG_GUARD * 2:g}}}\n")
    command = [sys.executable, "-m", "radar", "-w", str(workspace.root), "fetch", "--all"]
    command.append("--no-index")
    rng = random.Random(20261126)
    workers: set[int] = set()
    kills = 0
    for run in range(12):
        # One feed is held back, so the run is still going whenever the kill lands; it
        # lands once the workers are up and a random number of the other feeds has been
        # answered: sometimes mid-parse, sometimes mid-store, sometimes with all but one
        # stored.
        held.clear()
        held.add(run % FEEDS)
        releases.append(threading.Event())
        answered[0] = 0
        kill_after = rng.randint(1, FEEDS - 1)
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        give_up_at = time.monotonic() + HANG_GUARD
        seen: list[int] = []
        while not (seen and answered[0] >= kill_after):
            assert process.poll() is None, "a run finished although a feed was held back"
            assert time.monotonic() < give_up_at, "the run never got its workers going"
            seen = parse_workers_of(process.pid)
            workers.update(seen)
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        kills += 1
        process.wait()
        releases[-1].set()
    held.clear()
    visible.update(dict.fromkeys(range(FEEDS), ITEMS_PER_FEED))
    final = subprocess.run(command, capture_output=True, text=True, timeout=300)

    assert final.returncode == 0, final.stderr
    assert kills == 12 and workers, "every run was killed while its workers were up"
    with Store(workspace.db_path) as store:
        assert store.integrity_check() == "ok"
        stored = store.query("SELECT COUNT(*) AS n, COUNT(DISTINCT url) AS links FROM items")[0]
    assert (stored["n"], stored["links"]) == (FEEDS * ITEMS_PER_FEED,) * 2
    deadline = time.monotonic() + 10
    while any(running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(running(pid) for pid in workers), "a parse worker outlived its radar"
