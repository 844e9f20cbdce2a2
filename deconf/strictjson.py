"""One strict decoding pass over JSON Lines: every line an object of known fields and right types.

Polars' reader coerces (5 becomes "5", unknown keys vanish, a repeated key keeps one value), so
its output can only be trusted after counting keys in the raw text, which costs more than the
read. pyarrow's JSON reader with an explicit schema refuses all of that instead: a number where
a string belongs, an unknown or repeated key, a nested object, a lone surrogate, invalid UTF-8.
So a block it decodes, one row per physical line, holds exactly what the lines say, and the
model needs to see none of them; a block it refuses goes to the careful line-by-line path.

The reader pays for every field of its schema on every line, present or not (a third of its
time on a log that names half the fields). So it is first given only the fields a sample of the
block's lines name, still refusing any other: that schema takes a subset of what the whole one
takes, and takes it the same way. A block where it meets a field the sample missed is read
again with the whole schema, whose verdict is final.
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

import polars as pl

from deconf.frames import Col
from deconf.model import ALL_FIELDS

if TYPE_CHECKING:
    import pyarrow as pa

#: Fields whose value is a list of strings.
_LIST_FIELDS = (Col.TAGS, Col.LOGGED_BY)
_FLAG = Col.EXPECTS_RESPONSE  # the one field a JSON boolean fills
#: Lines sampled for the fields a block names (a field on 1 line in 50 is missed once in 30,000).
_SAMPLES = 512
_SAMPLE_WINDOW = 4096  # bytes read around each sampled point (a longer line is not sampled)
_KNOWN = frozenset(ALL_FIELDS)


@cache
def _strict_options(fields: tuple[str, ...] = tuple(ALL_FIELDS)) -> Any:
    """The reader's options for these fields (any other refused); pyarrow imported on first use
    (a store's reader never needs it). Text is read as string views, which Polars takes over
    without a copy."""
    import pyarrow as pa
    import pyarrow.json as pa_json

    def arrow_type(name: str) -> pa.DataType:
        if name in _LIST_FIELDS:
            return pa.list_(pa.string())
        return pa.bool_() if name == _FLAG else pa.string_view()

    schema = pa.schema([(name, arrow_type(name)) for name in fields])
    return pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error")


def decode_strictly(data: bytes | memoryview, lines: int) -> pl.DataFrame | None:
    """The fields of each of the `lines` lines of `data` (one row per line, in order, the flag
    as "true"/"false" text like the other readers give it), or None when any line is not a plain
    object of known fields with values of the right JSON types (a list holding a null
    included). Every line must start with "{" (the caller checks): then every line yields a row
    or more, so rows == lines means one object per line."""
    named = _fields_named(memoryview(data).cast("B"))
    table = None
    if named and len(named) < len(ALL_FIELDS):
        table = _read(data, named)
    if table is None:
        table = _read(data, tuple(ALL_FIELDS))
    if table is None or table.num_rows != lines:  # (more rows: two objects on one line)
        return None
    if any(column.num_chunks > 1 for column in table.columns):
        table = table.combine_chunks()  # one chunk a column: aligned with the rest
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    lists = [name for name in _LIST_FIELDS if name in frame.columns]
    if lists and frame.select(_null_in_list(lists)).item():  # the reader lets [null] through
        return None
    absent = [name for name in ALL_FIELDS if name not in frame.columns]
    return frame.with_columns(
        *([_flag_as_text()] if _FLAG in frame.columns else []),
        *(pl.lit(None, dtype=_TYPES[name]).alias(name) for name in absent),
    ).select(ALL_FIELDS)


_TYPES = {name: pl.List(pl.String) if name in _LIST_FIELDS else pl.String for name in ALL_FIELDS}


def _read(data: bytes | memoryview, fields: tuple[str, ...]) -> pa.Table | None:
    """The block as a table of these fields, or None when the reader refuses it. One thread,
    one chunk: the caller decodes in a thread of its own, and threads here cost more CPU."""
    import pyarrow as pa
    import pyarrow.json as pa_json

    options = pa_json.ReadOptions(use_threads=False, block_size=_one_block(len(data)))
    try:
        return pa_json.read_json(
            pa.BufferReader(pa.py_buffer(data)),
            read_options=options,
            parse_options=_strict_options(fields),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _one_block(size: int) -> int:
    return min(max(size + 1, 1 << 16), (1 << 31) - 1)


def _fields_named(data: memoryview) -> tuple[str, ...] | None:
    """The known fields some of `_SAMPLES` lines spread over the block name, in schema order
    (None when no sampled line is a JSON object). Only a guess: the reader checks every line."""
    names: set[str] = set()
    found = False
    size = len(data)
    for point in sorted({size * i // _SAMPLES for i in range(_SAMPLES)}):
        window = bytes(data[point : point + _SAMPLE_WINDOW])
        start = 0 if point == 0 else window.find(b"\n") + 1
        end = window.find(b"\n", start)
        if (start == 0 and point != 0) or end < 0:
            continue
        try:
            record = json.loads(window[start:end])
        except (ValueError, RecursionError):  # (arrays nested thousands deep: not a record)
            continue
        if isinstance(record, dict):
            found = True
            names.update(record.keys() & _KNOWN)
    return tuple(name for name in ALL_FIELDS if name in names) if found else None


def _flag_as_text() -> pl.Expr:
    flag = pl.col(_FLAG)
    return (
        pl.when(flag.is_null()).then(None).when(flag).then(pl.lit("true")).otherwise(pl.lit("false"))
        .alias(_FLAG)
    )


def _null_in_list(names: list[str]) -> pl.Expr:
    return pl.any_horizontal(
        pl.col(name).list.eval(pl.element().is_null()).list.any().fill_null(False).any()
        for name in names
    )
