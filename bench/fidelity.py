"""Fidelity: does radar keep every entry a feed published, exactly once?

Run: .venv/bin/python bench/fidelity.py [--all] [--json] [PATH ...]
Each feed file (default: every .xml under ../shared/corpora/feedparser and tests/data) goes
through radar's own parse → dedup → store into a fresh in-memory database. Printed per file:
feedparser's entry count, the items stored, and every merge (an entry taken for one already
kept, with the rule that said so) or drop (an entry with no title, link or readable text).
Files with neither are printed only with --all. Totals at the end; merges whose titles or
links differ are listed as doubtful, for a person to judge.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from radar.errors import FeedError
from radar.feeds.config import FeedConfig
from radar.feeds.parse import parse_feed
from radar.store import Match, Store

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpora" / "feedparser"
OWN_FEEDS = ROOT / "tests" / "data"
DROP_RULE = "no title, link or text"


@dataclass
class Merge:
    rule: str
    title: str
    url: str | None
    guid: str | None
    kept_title: str
    kept_url: str | None

    @property
    def doubtful(self) -> bool:
        """Two entries taken for one although their titles or links say otherwise."""
        return self.title != self.kept_title or (
            self.url is not None and self.kept_url is not None and self.url != self.kept_url
        )


@dataclass
class FileReport:
    path: str
    entries: int = 0
    stored: int = 0
    drops: int = 0
    error: str | None = None
    merges: list[Merge] = field(default_factory=list)

    @property
    def accounted(self) -> bool:
        return self.entries == self.stored + len(self.merges) + self.drops


def feed_files(roots: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for root in roots:
        files.extend(sorted(root.rglob("*.xml")) if root.is_dir() else [root])
    return files


def measure_file(path: Path, label: str) -> FileReport:
    report = FileReport(label)
    try:
        parsed = parse_feed(path.read_bytes(), url=f"http://fidelity.example/{label}")
    except FeedError as exc:
        report.error = exc.kind
        return report
    report.entries = len(parsed.items) + parsed.skipped
    report.drops = parsed.skipped
    with Store(Path(":memory:")) as store:
        store.sync_feeds([FeedConfig("feed", "http://fidelity.example/feed.xml")])
        stats = store.ingest("feed", parsed.items, explain=True)
        report.stored = store.item_count()
    report.merges = [_merge(match) for match in stats.matches]
    return report


def _merge(match: Match) -> Merge:
    item = match.incoming
    return Merge(match.rule, item.title, item.url, item.guid, match.known_title, match.known_url)


def measure(files: Sequence[Path], relative_to: Iterable[Path] = ()) -> list[FileReport]:
    bases = [base.resolve() for base in relative_to]
    reports = []
    for path in files:
        resolved = path.resolve()
        label = next(
            (str(resolved.relative_to(b)) for b in bases if resolved.is_relative_to(b)),
            str(path),
        )
        reports.append(measure_file(path, label))
    return reports


def totals(reports: Sequence[FileReport]) -> dict[str, int]:
    """Files, entries, stored, drops, not-a-feed files and merges by rule."""
    rules = Counter(merge.rule for report in reports for merge in report.merges)
    return {
        "files": len(reports),
        "not a feed": sum(report.error is not None for report in reports),
        "entries": sum(report.entries for report in reports),
        "stored": sum(report.stored for report in reports),
        f"dropped: {DROP_RULE}": sum(report.drops for report in reports),
        **{f"merged: {rule}": count for rule, count in sorted(rules.items())},
        "doubtful merges": sum(m.doubtful for report in reports for m in report.merges),
        "unaccounted files": sum(not report.accounted for report in reports),
    }


def print_report(reports: Sequence[FileReport], show_all: bool) -> None:
    for report in reports:
        if not (show_all or report.merges or report.drops or not report.accounted):
            continue
        head = f"{report.path}: {report.entries} entries, {report.stored} stored"
        print(head + (f" (not a feed: {report.error})" if report.error else ""))
        if report.drops:
            print(f"    dropped {report.drops}: {DROP_RULE}")
        for merge in report.merges:
            mark = "  DOUBTFUL" if merge.doubtful else ""
            print(
                f"    merged by {merge.rule}: {merge.title!r} <{merge.url}> "
                f"into {merge.kept_title!r} <{merge.kept_url}>{mark}"
            )
    print()
    for name, value in totals(reports).items():
        print(f"{name:>36}: {value:,}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="feed files or folders")
    parser.add_argument("--all", action="store_true", help="print files without merges too")
    parser.add_argument("--json", action="store_true", help="totals and files as JSON")
    args = parser.parse_args(argv)
    roots = args.paths or [root for root in (CORPUS, OWN_FEEDS) if root.is_dir()]
    reports = measure(feed_files(roots), relative_to=[CORPUS, ROOT])
    if args.json:
        files = [asdict(report) for report in reports]
        json.dump({"totals": totals(reports), "files": files}, sys.stdout, indent=1)
        print()
    else:
        print_report(reports, args.all)
    return 0 if all(report.accounted for report in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
