"""How often each value of a column occurs (VisiData's frequency table): a count the browser
shows for any column of any list, but must not compute itself."""

from __future__ import annotations

import polars as pl

VALUE = "value"
COUNT = "count"
SHARE = "share"


def frequency(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """One row per distinct value of `column` (each element of a list column counts): the value
    in its own type (times stay times, for the reader's zone), count, share of rows; most
    frequent first, ties by value, a missing value last."""
    values = frame.select(pl.col(column).alias(VALUE))
    if isinstance(values.schema[VALUE], pl.List):
        values = values.explode(VALUE)
    if isinstance(values.schema[VALUE], pl.Enum | pl.Categorical):
        values = values.with_columns(pl.col(VALUE).cast(pl.String))
    total = max(frame.height, 1)
    return (
        values.group_by(VALUE)
        .agg(pl.len().cast(pl.Int64).alias(COUNT))
        .with_columns((pl.col(COUNT) / total).alias(SHARE))
        .sort([COUNT, VALUE], descending=[True, False], nulls_last=True)
    )
