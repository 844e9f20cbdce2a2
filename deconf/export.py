"""Result frames as machine-readable text: JSON and CSV with timestamps as RFC 3339 UTC strings
(microseconds kept) and lists `;`-joined in CSV. One definition for the CLI and the browser."""

from __future__ import annotations

import io
import json

import polars as pl

from deconf.times import EXPORT_TIME_FORMAT


def stamped(frame: pl.DataFrame) -> pl.DataFrame:
    """Timestamps as RFC 3339 UTC strings, so JSON and CSV say exactly what the frame holds."""
    return frame.with_columns(
        pl.col(name).dt.strftime(EXPORT_TIME_FORMAT)
        for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.Datetime)
    )


def to_json(frame: pl.DataFrame) -> str:
    return json.dumps(stamped(frame).to_dicts(), indent=2, ensure_ascii=False) + "\n"


def to_csv(frame: pl.DataFrame) -> str:
    flat = stamped(frame).with_columns(
        pl.col(n).list.join(";") for n, d in frame.schema.items() if isinstance(d, pl.List)
    )
    buffer = io.StringIO()
    flat.write_csv(buffer)
    return buffer.getvalue()
