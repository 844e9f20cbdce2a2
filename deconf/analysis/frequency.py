"""How often each value of a column occurs (VisiData's frequency table): a count the browser
shows for any column of any list, but must not compute itself."""

from __future__ import annotations

import polars as pl

VALUE = "value"
COUNT = "count"
SHARE = "share"


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
