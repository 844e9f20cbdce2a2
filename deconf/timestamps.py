"""Bulk parsing of RFC 3339 timestamps with Polars, by the same pattern the model uses.

The model (`deconf.model`) explains a bad timestamp; this module turns millions of good ones into
``Datetime("us", "UTC")`` without a Python loop. The text must match the model's pattern (the
parser alone is too lenient: it reads "2018-2-7"); it is then brought to one canonical shape with
cheap string operations ("T" separator, seconds present, "Z" as "+00:00") and parsed once. A value
it cannot vouch for becomes null, and the line goes to the model for the verdict.
"""

from __future__ import annotations

import polars as pl

from deconf.frames import UTC_TIME
from deconf.times import TIMESTAMP_PATTERN, YEARS

_AWARE_FORMAT = "%Y-%m-%dT%H:%M:%S%.f%:z"
_NAIVE_FORMAT = "%Y-%m-%dT%H:%M:%S%.f"
_CANONICAL = "_canonical_time"


_ZULU_SECONDS = "%Y-%m-%dT%H:%M:%SZ"  # 2018-02-07T20:31:00Z, what machine-written logs mostly use


def parse_utc(frame: pl.DataFrame, column: str, assume_tz: str | None) -> pl.Series:
    """The column parsed to UTC; null where absent or not safely parseable here."""
    values = frame[column]
    nulls = values.null_count()
    if nulls == frame.height:
        return pl.Series(column, [None] * frame.height, dtype=UTC_TIME)
    if nulls > frame.height // 2:  # mostly absent (respond_by, an event's at): parse the rest
        present = values.is_not_null()
        parsed = parse_utc(frame.filter(present).select(column), column, assume_tz)
        full = pl.Series(column, [None] * frame.height, dtype=UTC_TIME)
        return full.scatter(present.arg_true(), parsed)
    return _zulu(values) if _all_zulu(values) else _general(frame, column, assume_tz)


def _all_zulu(values: pl.Series) -> bool:
    """Whether every present value has the one common shape 2018-02-07T20:31:00Z."""
    raw = pl.col(values.name)
    shaped = (raw.str.len_bytes() == 20) & raw.str.ends_with("Z") & (raw.str.slice(10, 1) == "T")
    shaped = shaped.all(ignore_nulls=True)
    return bool(values.to_frame().select(shaped).item())


def _zulu(values: pl.Series) -> pl.Series:
    frame = values.to_frame()
    raw = pl.col(values.name)
    # (every value parsed is unique: the parser's cache of values would only cost)
    parsed = raw.str.to_datetime(_ZULU_SECONDS, strict=False, time_unit="us", cache=False)
    # 20 bytes matching the pattern are ASCII, so the year's range compares as text
    in_range = (raw >= f"{YEARS[0]:04d}") & (raw < f"{YEARS[1] + 1:04d}")
    return frame.select(
        pl.when(raw.str.contains(TIMESTAMP_PATTERN) & in_range)
        .then(parsed.dt.replace_time_zone("UTC"))
        .cast(UTC_TIME)
        .alias(values.name)
    ).to_series()


def _general(frame: pl.DataFrame, column: str, assume_tz: str | None) -> pl.Series:
    raw = pl.col(column)
    upper = raw.str.to_uppercase().str.replace(" ", "T", literal=True)
    with_seconds = (
        pl.when(upper.str.slice(16, 1) == ":")
        .then(upper)
        .otherwise(pl.concat_str(upper.str.slice(0, 16), pl.lit(":00"), upper.str.slice(16)))
    )
    # materialise the canonical text once: every later expression reads it
    canonical = frame.select(
        raw.str.contains(TIMESTAMP_PATTERN).alias("_shaped"),
        with_seconds.str.replace("Z", "+00:00", literal=True).alias(_CANONICAL),
    )
    text = pl.col(_CANONICAL)
    aware = text.str.slice(-6, 1).is_in(["+", "-"])
    in_range = text.str.slice(0, 4).cast(pl.Int32, strict=False).is_between(*YEARS)
    if assume_tz:
        local = (
            text.str.to_datetime(_NAIVE_FORMAT, strict=False, time_unit="us")
            .dt.replace_time_zone(assume_tz, ambiguous="null", non_existent="null")
            .dt.convert_time_zone("UTC")
        )
    else:
        local = pl.lit(None, dtype=UTC_TIME)
    with_offset = text.str.to_datetime(_AWARE_FORMAT, strict=False, time_unit="us")
    parsed = pl.when(aware).then(with_offset.dt.convert_time_zone("UTC")).otherwise(local)
    return canonical.select(
        pl.when(pl.col("_shaped") & in_range).then(parsed).cast(UTC_TIME).alias(column)
    ).to_series()
