"""Records back to a log file: JSON Lines that `deconf validate` accepts as they are.

Used for merged logs (`deconf reconcile -o`) and synthetic sides (`deconf synth --sides`). Lines
are in time order, timestamps RFC 3339 in UTC (microseconds only when there are any), absent
fields left out, provenance columns (origin file and line) not written.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from deconf.atomic import write_with
from deconf.frames import CONTACT_SCHEMA, EVENT_SCHEMA, Col, Records
from deconf.vocabulary import RecordType

_PROVENANCE = (Col.ORIGIN_FILE, Col.ORIGIN_LINE, Col.EXTRA)
_LINE = "_line"
_WHEN = "_when"
# an absent field as the encoder writes it; `"` inside strings is escaped, so this never matches
# inside a value
_NULL_FIELD = r',"[a-z_]+":null'


def _stamp(name: str) -> pl.Expr:
    column = pl.col(name)
    whole = column.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    fraction = column.dt.strftime("%Y-%m-%dT%H:%M:%S%.6fZ")
    return pl.when(column.dt.microsecond() == 0).then(whole).otherwise(fraction).alias(name)


def _lines(frame: pl.DataFrame, schema: pl.Schema, time: str, kind: str | None) -> pl.DataFrame:
    names = [n for n in schema.names() if n not in _PROVENANCE]
    fields = [
        _stamp(n)
        if isinstance(schema[n], pl.Datetime)
        else pl.col(n).cast(pl.String)
        if isinstance(schema[n], pl.Enum)
        else pl.col(n)
        for n in names
    ]
    if kind is not None:
        fields.insert(0, pl.lit(kind).alias(Col.TYPE))
    return frame.select(
        pl.col(time).alias(_WHEN),
        pl.col(Col.ID).alias("_id"),
        pl.struct(fields).struct.json_encode().str.replace_all(_NULL_FIELD, "").alias(_LINE),
    )


def write_jsonl(records: Records, path: str | Path) -> int:
    """Write the records as a JSON Lines log in time order; returns the number of lines."""
    lines = pl.concat(
        [
            _lines(records.contacts, CONTACT_SCHEMA, Col.SENT_AT, None),
            _lines(records.events, EVENT_SCHEMA, Col.AT, RecordType.EVENT.value),
        ]
    ).sort(_WHEN, "_id")
    write_with(  # whole or not at all, like every output
        path,
        lambda target: lines.select(_LINE).write_csv(
            target, include_header=False, quote_style="never"
        ),
    )
    return lines.height
