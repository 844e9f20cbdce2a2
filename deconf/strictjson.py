"""One strict decoding pass over JSON Lines: every line an object of known fields and right types.

Polars' reader coerces (5 becomes "5", unknown keys vanish, a repeated key keeps one value), so
its output can only be trusted after counting keys in the raw text, which costs more than the
read. pyarrow's JSON reader with an explicit schema refuses all of that instead: a number where
a string belongs, an unknown or repeated key, a nested object, a lone surrogate, invalid UTF-8.
So a block it decodes, one row per physical line, holds exactly what the lines say, and the
model needs to see none of them; a block it refuses goes to the careful line-by-line path.
"""

from __future__ import annotations

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
_BLOCK_BYTES = 1 << 22  # pyarrow decodes its blocks in parallel: several per call


@cache
def _strict_options() -> Any:
    """The reader's options; pyarrow imported on first use (a store's reader never needs it)."""
    import pyarrow as pa
    import pyarrow.json as pa_json

    def arrow_type(name: str) -> pa.DataType:
        if name in _LIST_FIELDS:
            return pa.list_(pa.string())
        return pa.bool_() if name == _FLAG else pa.string()

    schema = pa.schema([(name, arrow_type(name)) for name in ALL_FIELDS])
    return pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error")


def decode_strictly(data: bytes | memoryview, lines: int) -> pl.DataFrame | None:
    """The fields of each of the `lines` lines of `data` (one row per line, in order, the flag
    as "true"/"false" text like the other readers give it), or None when any line is not a plain
    object of known fields with values of the right JSON types (a list holding a null
    included). Every line must start with "{" (the caller checks): then every line yields a row
    or more, so rows == lines means one object per line."""
    import pyarrow as pa
    import pyarrow.json as pa_json

    try:
        table = pa_json.read_json(
            pa.BufferReader(pa.py_buffer(data)),
            read_options=pa_json.ReadOptions(block_size=_BLOCK_BYTES),
            parse_options=_strict_options(),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.num_rows != lines:  # two objects on one line
        return None
    frame = pl.from_arrow(table.combine_chunks())  # one chunk a column: aligned with the rest
    assert isinstance(frame, pl.DataFrame)
    if frame.select(_null_in_list()).item():  # the reader lets [null] through
        return None
    flag = pl.col(_FLAG)
    return frame.with_columns(
        pl.when(flag.is_null()).then(None).when(flag).then(pl.lit("true")).otherwise(pl.lit("false"))
        .alias(_FLAG)
    )


def _null_in_list() -> pl.Expr:
    return pl.any_horizontal(
        pl.col(name).list.eval(pl.element().is_null()).list.any().fill_null(False).any()
        for name in _LIST_FIELDS
    )
