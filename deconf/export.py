"""Result frames as machine-readable text: JSON and CSV with timestamps as RFC 3339 UTC strings
(microseconds kept) and lists `;`-joined in CSV. One definition for the CLI and the browser.

Numbers are exact and stable: durations in seconds rounded to the microsecond the data has, and
shares to 12 decimals, so no float noise (29200.000000000004) reaches a script or a diff. CSV
cells that a spreadsheet would run as formulas are neutralised unless asked for raw."""

from __future__ import annotations

import io
import json

import polars as pl

from deconf.inert import formula_safe_column
from deconf.times import EXPORT_TIME_FORMAT

#: Decimals kept: seconds to the microsecond; shares (fractions) to 12 decimals.
SECONDS_DECIMALS = 6
SHARE_DECIMALS = 12
SHARE_PREFIX = "share_"


def exact(frame: pl.DataFrame) -> pl.DataFrame:
    """Float columns rounded to what they can mean: shares (share_*) to 12 decimals, every other
    float (a duration in seconds) to the microsecond."""
    return frame.with_columns(
        pl.col(name).round(SHARE_DECIMALS if name.startswith(SHARE_PREFIX) else SECONDS_DECIMALS)
        for name, dtype in frame.schema.items()
        if dtype.is_float()
    )


def _nested_times(dtype: pl.DataType) -> bool:
    return (
        isinstance(dtype, pl.List)
        and isinstance(dtype.inner, pl.Struct)
        and any(isinstance(f.dtype, pl.Datetime) for f in dtype.inner.fields)
    )


def _stamp_struct_list(name: str, dtype: pl.List) -> pl.Expr:
    """A list of records (events inside a silence) with its times stamped the same way."""
    fields = [
        pl.element().struct.field(f.name).dt.strftime(EXPORT_TIME_FORMAT).alias(f.name)
        if isinstance(f.dtype, pl.Datetime)
        else pl.element().struct.field(f.name)
        for f in dtype.inner.fields
    ]
    return pl.col(name).list.eval(pl.struct(fields))


def stamped(frame: pl.DataFrame) -> pl.DataFrame:
    """Timestamps as RFC 3339 UTC strings, so JSON and CSV say exactly what the frame holds."""
    return exact(frame).with_columns(
        pl.col(name).dt.strftime(EXPORT_TIME_FORMAT)
        if isinstance(dtype, pl.Datetime)
        else _stamp_struct_list(name, dtype)
        for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.Datetime) or _nested_times(dtype)
    )


def to_json(frame: pl.DataFrame) -> str:
    return json.dumps(stamped(frame).to_dicts(), indent=2, ensure_ascii=False) + "\n"


def to_csv(frame: pl.DataFrame, *, raw: bool = False) -> str:
    """CSV: lists of strings `;`-joined; lists of records (nested) left to JSON and Parquet.
    Text cells that a spreadsheet would run as formulas are neutralised (an apostrophe before
    them, as OWASP recommends); `raw` keeps every value as it is, for programs."""
    nested = [n for n, d in frame.schema.items() if isinstance(d, pl.List) and d.inner.is_nested()]
    flat = stamped(frame.drop(nested)).with_columns(
        pl.col(n).list.join(";")
        for n, d in frame.schema.items()
        if isinstance(d, pl.List) and n not in nested
    )
    if not raw:
        flat = flat.with_columns(  # enum columns hold deconf's own words: nothing to neutralise
            formula_safe_column(n) for n, d in flat.schema.items() if d == pl.String
        )
    buffer = io.StringIO()
    flat.write_csv(buffer)
    return buffer.getvalue()
