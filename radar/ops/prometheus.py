"""The doctor report in Prometheus text exposition format (version 0.0.4).

Written for node_exporter's textfile collector: `radar doctor --prometheus >
radar.prom.tmp && mv radar.prom.tmp radar.prom`. Every metric is a gauge named
``radar_*``; feed names become ``feed`` label values, escaped as the format asks.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime

from radar.ops.doctor import SEVERITY, Report

Labels = dict[str, str]


def escape_label_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def _timestamp(moment: datetime | None) -> float | None:
    return moment.timestamp() if moment is not None else None


class _Exposition:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def gauge(
        self, name: str, help_text: str, samples: Iterable[tuple[Labels, float | None]]
    ) -> None:
        """One metric family; samples whose value is None are left out."""
        kept = [(labels, value) for labels, value in samples if value is not None]
        self.lines.append(f"# HELP radar_{name} {escape_help(help_text)}")
        self.lines.append(f"# TYPE radar_{name} gauge")
        for labels, value in kept:
            rendered = ",".join(f'{key}="{escape_label_value(val)}"' for key, val in labels.items())
            label_part = "{" + rendered + "}" if rendered else ""
            self.lines.append(f"radar_{name}{label_part} {_number(value)}")

    def single(self, name: str, help_text: str, value: float | None) -> None:
        self.gauge(name, help_text, [({}, value)])

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def render(report: Report) -> str:
    out = _Exposition()
    out.single(
        "health_status",
        "Overall radar health from `radar doctor`: 0 ok, 1 warning, 2 failing.",
        SEVERITY[report.status],
    )
    out.gauge(
        "check_status",
        "Status of each doctor check: 0 ok, 1 warning, 2 failing.",
        [({"check": check.name}, check.severity) for check in report.checks],
    )
    out.single(
        "doctor_timestamp_seconds",
        "When this report was made (Unix time).",
        _timestamp(report.checked_at),
    )
    _feeds(out, report)
    _runs(out, report)
    _items(out, report)
    _index(out, report)
    out.single("database_size_bytes", "Size of data/radar.db and its WAL.", report.database_bytes)
    out.single(
        "data_disk_free_bytes", "Free space on the disk holding data/.", report.disk_free_bytes
    )
    out.gauge(
        "model_info",
        "The configured embedding model and the fingerprint of the index's vectors.",
        [({"model": report.model, "fingerprint": report.fingerprint or ""}, 1)],
    )
    return out.text()


def _feeds(out: _Exposition, report: Report) -> None:
    feeds = report.feeds
    out.single("feeds", "Feeds configured in feeds.yaml.", len(feeds))
    out.single(
        "feeds_failing", "Feeds failing beyond the doctor threshold.", sum(f.failing for f in feeds)
    )
    out.single(
        "feeds_stale",
        "Feeds with no new item within the stale threshold.",
        sum(f.stale for f in feeds),
    )
    out.gauge(
        "feed_consecutive_errors",
        "Consecutive failed fetches of a feed (0 after a success).",
        [({"feed": f.name}, f.errors) for f in feeds],
    )
    out.gauge(
        "feed_failing",
        "1 when the feed failed more fetches in a row than the doctor threshold.",
        [({"feed": f.name}, int(f.failing)) for f in feeds],
    )
    out.gauge(
        "feed_stale",
        "1 when the feed has had no new item within the stale threshold.",
        [({"feed": f.name}, int(f.stale)) for f in feeds],
    )
    out.gauge(
        "feed_items",
        "Items stored from a feed.",
        [({"feed": f.name}, f.items) for f in feeds],
    )
    out.gauge(
        "feed_last_success_timestamp_seconds",
        "When a feed was last fetched successfully (Unix time).",
        [({"feed": f.name}, _timestamp(f.last_ok)) for f in feeds],
    )
    out.gauge(
        "feed_newest_item_timestamp_seconds",
        "Date of a feed's newest item, never later than when it was first seen (Unix time).",
        [({"feed": f.name}, _timestamp(f.newest_item)) for f in feeds],
    )
    out.gauge(
        "feed_next_due_timestamp_seconds",
        "When a feed is next due to be fetched (Unix time).",
        [({"feed": f.name}, _timestamp(f.next_due)) for f in feeds],
    )


def _runs(out: _Exposition, report: Report) -> None:
    last = report.last_run
    out.single(
        "last_successful_run_timestamp_seconds",
        "When the last fetch run that fetched any feed finished (Unix time).",
        _timestamp(report.last_success),
    )
    out.single(
        "last_run_duration_seconds",
        "How long the latest fetch run that tried any feed took (nothing-due runs skipped).",
        last["duration_s"] if last else None,
    )
    out.single(
        "last_run_ok",
        "1 when the latest fetch run that tried any feed fetched at least one.",
        int(last["ok"]) if last else None,
    )
    out.single(
        "last_run_feeds_failed",
        "Feeds that failed in the latest fetch run.",
        last["feeds_failed"] if last else None,
    )
    out.single(
        "last_run_items_new",
        "New items stored by the latest fetch run.",
        last["items_new"] if last else None,
    )


def _items(out: _Exposition, report: Report) -> None:
    out.single("items", "Items stored in the database.", report.items_total)
    out.single(
        "items_ingested_last_7d", "Items first seen in the last 7 days.", report.items_this_week
    )
    out.single(
        "items_ingested_weekly_average",
        "Items first seen per week, averaged over the 4 weeks before the last 7 days.",
        report.items_weekly_average,
    )


def _index(out: _Exposition, report: Report) -> None:
    index = report.index
    out.single(
        "index_present",
        "1 when the search index exists and is readable.",
        int(index.present) if index else None,
    )
    if index is None:
        return
    out.single("index_vectors", "Item vectors in the FAISS index.", index.indexed)
    out.single("index_missing_items", "Items with no current vector in the index.", index.missing)
    out.single("index_extra_items", "Index vectors whose item is gone.", index.extra)
    out.single("index_stale_items", "Items whose vector is out of date.", index.stale)
