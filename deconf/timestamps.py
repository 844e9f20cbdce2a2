"""Bulk parsing of RFC 3339 timestamps with Polars, by the same pattern the model uses.

The model (`deconf.model`) explains a bad timestamp; this module turns millions of good ones into
``Datetime("us", "UTC")`` without a Python loop. A value it cannot vouch for becomes null, and the
line goes to the model for the verdict.
"""

from __future__ import annotations

import polars as pl

from deconf.frames import UTC_TIME
from deconf.model import TIMESTAMP_PATTERN

_NAIVE_FORMAT = "%Y-%m-%d %H:%M:%S%.f"


def parse_utc(column: str, assume_tz: str | None) -> pl.Expr:
    """The column parsed to UTC; null where the text is absent or not safely parseable here."""
    parts = pl.col(column).str.extract_groups(TIMESTAMP_PATTERN)
    year, month, day, hour, minute, second, fraction, offset = (
        parts.struct.field(str(i)) for i in range(1, 9)
    )
    naive_text = pl.concat_str(
        [
            year,
            pl.lit("-"),
            month,
            pl.lit("-"),
            day,
            pl.lit(" "),
            hour,
            pl.lit(":"),
            minute,
            pl.lit(":"),
            second.fill_null("00"),
            fraction.fill_null(""),
        ]
    )
    naive = naive_text.str.to_datetime(_NAIVE_FORMAT, strict=False, time_unit="us")
    offset_hours = offset.str.slice(1, 2).cast(pl.Int32, strict=False)
    offset_minutes = offset.str.slice(4, 2).cast(pl.Int32, strict=False)
    sign = pl.when(offset.str.starts_with("-")).then(-1).otherwise(1)
    with_offset = (
        naive - pl.duration(minutes=sign * (offset_hours * 60 + offset_minutes))
    ).dt.replace_time_zone("UTC")
    zulu = naive.dt.replace_time_zone("UTC")
    if assume_tz:
        local = naive.dt.replace_time_zone(
            assume_tz, ambiguous="null", non_existent="null"
        ).dt.convert_time_zone("UTC")
    else:
        local = pl.lit(None, dtype=UTC_TIME)
    in_range = (
        year.cast(pl.Int32, strict=False).is_between(2, 9998)
        & (second.fill_null("00").cast(pl.Int32, strict=False) <= 59)
        & (offset_hours.fill_null(0) <= 23)
        & (offset_minutes.fill_null(0) <= 59)
    )
    parsed = (
        pl.when(offset.is_in(["Z", "z"]))
        .then(zulu)
        .when(offset.is_null())
        .then(local)
        .otherwise(with_offset)
    )
    return pl.when(in_range).then(parsed).otherwise(None).cast(UTC_TIME)
