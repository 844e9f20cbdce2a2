"""Counts the front ends show beside the figures: the distribution of episode gaps (the browser's
histogram) and how many records are reported, inferred or disputed (the report's scope and
findings). Computed here so that no front end counts on its own."""

from __future__ import annotations

import polars as pl

from deconf.analysis.columns import A, Status
from deconf.frames import Col, Records
from deconf.vocabulary import Certainty

UNANSWERED_BAR = "unanswered"
GAP_BINS: tuple[tuple[str, float], ...] = (
    ("≤ 5 min", 300),
    ("5–15 min", 900),
    ("15 min–1 h", 3600),
    ("1–6 h", 21600),
    ("6–24 h", 86400),
    ("> 24 h", float("inf")),
)


def gap_histogram(episodes: pl.DataFrame) -> list[tuple[str, int]]:
    """Answered episodes by gap, in GAP_BINS; unanswered episodes as their own bar (never as
    zero, never in a bin)."""
    gaps = episodes.filter(pl.col(A.STATUS) == Status.ANSWERED)[A.GAP_SECONDS]
    counts, low = [], -1.0
    for label, high in GAP_BINS:
        counts.append((label, int(((gaps > low) & (gaps <= high)).sum())))
        low = high
    unanswered = episodes.filter(pl.col(A.STATUS) == Status.UNANSWERED).height
    counts.append((UNANSWERED_BAR, unanswered))
    return counts


def certainty_counts(records: Records) -> dict[Certainty, int]:
    """Records (contacts and events) by certainty, every level present (0 when none)."""
    counted = pl.concat(
        [records.contacts.select(Col.CERTAINTY), records.events.select(Col.CERTAINTY)]
    )[Col.CERTAINTY].value_counts()
    found = dict(zip(counted[Col.CERTAINTY].cast(pl.String), counted["count"], strict=True))
    return {level: int(found.get(level.value, 0)) for level in Certainty}


def event_kind_counts(events: pl.DataFrame, ids: list[str]) -> list[tuple[str, int]]:
    """How many of the named events are of each kind, most frequent first (ties by kind)."""
    chosen = events.filter(pl.col(Col.ID).is_in(ids))[Col.KIND].cast(pl.String).value_counts()
    rows = zip(chosen[Col.KIND], chosen["count"], strict=True)
    return sorted(((kind, int(n)) for kind, n in rows), key=lambda item: (-item[1], item[0]))
