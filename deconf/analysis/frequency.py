"""How often each value of a column occurs (VisiData's frequency table), and the episode-gap
histogram: counts the browser and the report show but must not compute themselves."""

from __future__ import annotations

import polars as pl

from deconf.analysis.columns import A, Status

VALUE = "value"
COUNT = "count"
SHARE = "share"
#: (label, upper bound in seconds) of each answered-gap bin; unanswered episodes are their own bin
GAP_BINS = (
    ("≤ 5 min", 300.0),
    ("5–15 min", 900.0),
    ("15 min–1 h", 3600.0),
    ("1–6 h", 21600.0),
    ("6–24 h", 86400.0),
    ("> 24 h", float("inf")),
)
UNANSWERED_BIN = "unanswered"


def frequency(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """One row per distinct value of `column` (each element of a list column counts): value as
    text (null shown as missing), count, share of rows; most frequent first, ties by value."""
    values = frame.select(pl.col(column))
    if isinstance(values.schema[column], pl.List):
        values = values.explode(column)
    if isinstance(values.schema[column], pl.Datetime):
        text = pl.col(column).dt.to_string("%Y-%m-%dT%H:%M:%S%.fZ")
    else:
        text = pl.col(column).cast(pl.String)
    total = max(frame.height, 1)
    return (
        values.select(text.alias(VALUE))
        .group_by(VALUE)
        .agg(pl.len().cast(pl.Int64).alias(COUNT))
        .with_columns((pl.col(COUNT) / total).alias(SHARE))
        .sort([COUNT, VALUE], descending=[True, False], nulls_last=True)
    )


def gap_histogram(episodes: pl.DataFrame) -> list[tuple[str, int]]:
    """Answered episodes by gap, in GAP_BINS; unanswered episodes as their own bin, never as 0."""
    gaps = episodes.filter(pl.col(A.STATUS) == Status.ANSWERED)[A.GAP_SECONDS]
    counts, low = [], -1.0
    for label, high in GAP_BINS:
        counts.append((label, int(((gaps > low) & (gaps <= high)).sum())))
        low = high
    unanswered = episodes.filter(pl.col(A.STATUS) == Status.UNANSWERED).height
    counts.append((UNANSWERED_BIN, unanswered))
    return counts
