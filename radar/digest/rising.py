"""Rising: technologies on the radar, and words in titles not on it, mentioned more
in the digest's range than in the four ranges before it. Candidates to assess.

Windows are ranges of the digest's length ending with the digest's range (weeks for
a weekly digest); :data:`TREND_WINDOWS` of them make the trend line.

* A technology rises by ``count - baseline``, where ``baseline`` is the mean of its
  linked items over the previous :data:`BASELINE_WINDOWS` windows; it needs at least
  :data:`MIN_TECH_COUNT` items now and a rise of at least 1.
* A term (a word or a two-word phrase of item titles; release items, stop words,
  generic ML words and words of technology names on the radar left out) is counted
  in items. Its ``baseline`` is what the previous windows predict for this window's
  volume: ``items_now * (earlier + 1) / (items_earlier + BASELINE_WINDOWS)`` (the +1
  keeps a first appearance from looking infinitely rare), so a busy week does not
  make every common word "rise". It needs :data:`MIN_TERM_COUNT` items and at least
  twice its baseline; terms rank by ``count - baseline``, and a term whose items are
  mostly those of a better-ranked overlapping term (``speculative`` under
  ``speculative decoding``) is left out.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from radar.digest.period import Period
from radar.digest.stories import TITLE_WORD, title_words
from radar.search import STOPWORDS
from radar.store import Store
from radar.techradar.model import TechRadar
from radar.techradar.releases import VERSION

TREND_WINDOWS = 8
BASELINE_WINDOWS = 4
MIN_TECH_COUNT = 2
MIN_TERM_COUNT = 3
TERM_OVERLAP = 0.8
"""Share of a term's items already under a better-ranked overlapping term that hides it."""
LIMIT = 5

GENERIC_WORDS = frozenset(
    """model models modelling modeling learning learned training train trained data
    dataset datasets new using use used release released releases notes note update
    updates based towards toward via guide introducing announcing week weekly part
    better faster fast more less large small open one two three first day days year
    lessons practice practical notes study case approach approaches method methods
    paper results work working works run running need needs make making way ways
    tips tip look looks deep dive inside beyond versus against under over just only
    every each other some most much many really still yet can should would could
    don't doesn't isn't it's we're here there now out up down off within across
    between through after before while during per""".split()  # noqa: SIM905
)


@dataclass
class _Term:
    key: str
    words: tuple[str, ...]
    items_by_window: list[set[int]] = field(default_factory=list)
    surface: Counter[str] = field(default_factory=Counter)


def _window_of(day_offset: int, days: int) -> int:
    return day_offset // days


def trend_windows(period: Period) -> list[Period]:
    """The trend's windows, oldest first; the last one is `period`."""
    return [period.before(back) for back in range(TREND_WINDOWS - 1, -1, -1)]


def rising_technologies(
    store: Store, radar: TechRadar, rings: dict[str, str], period: Period
) -> list[dict[str, Any]]:
    """Technologies on the radar at the end of the range (`rings`: slug -> ring)."""
    windows = trend_windows(period)
    techs = [tech for tech in radar.technologies if tech.slug in rings]
    counts = {tech.slug: [0] * len(windows) for tech in techs}
    for slug, sort_date in store.mentions_between(windows[0].start, period.end):
        if slug in counts:
            counts[slug][_bucket(sort_date, windows[0], period.days)] += 1
    found: list[dict[str, Any]] = []
    for tech in techs:
        series = counts[tech.slug]
        now = series[-1]
        baseline = sum(series[-1 - BASELINE_WINDOWS : -1]) / BASELINE_WINDOWS
        if now >= MIN_TECH_COUNT and now - baseline >= 1:
            found.append(
                {
                    "name": tech.name,
                    "slug": tech.slug,
                    "ring": rings[tech.slug],
                    "quadrant": tech.quadrant,
                    "count": now,
                    "baseline": round(baseline, 2),
                    "rise": round(now - baseline, 2),
                    "counts": series,
                }
            )
    found.sort(key=lambda entry: (-entry["rise"], -entry["count"], entry["name"].casefold()))
    return found[:LIMIT]


def _bucket(moment: datetime, first: Period, days: int) -> int:
    return _window_of((moment.date() - first.first_day).days, days)


def rising_terms(store: Store, radar: TechRadar, period: Period) -> list[dict[str, Any]]:
    windows = trend_windows(period)
    rows = store.item_titles_between(windows[0].start, period.end, without_releases=True)
    on_radar = _radar_words(radar)
    volume = [0] * len(windows)
    terms: dict[str, _Term] = {}
    for item_id, title, sort_date in ((r.id, r.title, r.sort_date) for r in rows):
        window = _bucket(sort_date, windows[0], period.days)
        volume[window] += 1
        for key, surface in _title_terms(title or "", on_radar):
            term = terms.get(key)
            if term is None:
                term = terms[key] = _Term(key, tuple(key.split()))
                term.items_by_window = [set() for _ in windows]
            term.items_by_window[window].add(int(item_id))
            if window == len(windows) - 1:
                term.surface[surface] += 1
    now_volume = volume[-1]
    earlier_volume = sum(volume[-1 - BASELINE_WINDOWS : -1])
    scored = []
    for term in terms.values():
        series = [len(ids) for ids in term.items_by_window]
        now = series[-1]
        earlier = sum(series[-1 - BASELINE_WINDOWS : -1])
        baseline = now_volume * (earlier + 1) / (earlier_volume + BASELINE_WINDOWS)
        if now >= MIN_TERM_COUNT and now >= 2 * baseline:
            scored.append((round(now - baseline, 4), term, series, baseline))
    scored.sort(key=lambda entry: (-entry[0], -len(entry[1].words), entry[1].key))
    chosen: list[tuple[float, _Term, list[int], float]] = []
    for entry in scored:
        if not _hidden(entry[1], [picked[1] for picked in chosen]):
            chosen.append(entry)
        if len(chosen) == LIMIT:
            break
    return [
        {
            "term": _display(term),
            "count": series[-1],
            "baseline": round(baseline, 2),
            "rise": round(rise, 2),
            "counts": series,
        }
        for rise, term, series, baseline in chosen
    ]


def _hidden(term: _Term, chosen: Sequence[_Term]) -> bool:
    mine = term.items_by_window[-1]
    for other in chosen:
        if not set(term.words) & set(other.words):
            continue
        theirs = other.items_by_window[-1]
        if len(mine & theirs) >= TERM_OVERLAP * min(len(mine), len(theirs)):
            return True
    return False


def _display(term: _Term) -> str:
    surface, _ = min(term.surface.items(), key=lambda pair: (-pair[1], pair[0]))
    return surface


def _radar_words(radar: TechRadar) -> set[str]:
    words: set[str] = set()
    for tech in radar.technologies:
        for name in tech.names:
            words |= title_words(name)
            words.add(unicodedata.normalize("NFKC", name).casefold())
    return words


def _usable(word: str, original: str) -> bool:
    if word in STOPWORDS or word in GENERIC_WORDS:
        return False
    if VERSION.fullmatch(word) or word.replace(".", "").isdigit():
        return False
    return len(word) >= 3 or (len(original) == 2 and original.isupper())


def _title_terms(title: str, on_radar: set[str]) -> set[tuple[str, str]]:
    """(key, surface form) of each word and two-word phrase worth counting in a title."""
    normal = unicodedata.normalize("NFKC", title)
    originals = TITLE_WORD.findall(normal)
    folded = [word.casefold() for word in originals]
    found: set[tuple[str, str]] = set()
    keep = [
        _usable(word, original) and word not in on_radar
        for word, original in zip(folded, originals, strict=True)
    ]
    for index, word in enumerate(folded):
        if keep[index]:
            found.add((word, originals[index]))
        if index + 1 < len(folded) and keep[index] and keep[index + 1]:
            key = f"{word} {folded[index + 1]}"
            if key not in on_radar:
                found.add((key, f"{originals[index]} {originals[index + 1]}"))
    # One item counts once per key, whatever its surface form.
    by_key: dict[str, str] = {}
    for key, surface in sorted(found):
        by_key.setdefault(key, surface)
    return set(by_key.items())
