"""A foreign table as deconf reads it: one frame of text cells, whatever the format.

Every reader (`delimited`, `spreadsheet`, `jsonrows`, and the presets' own) gives the same
shape, a :class:`SourceTable`: one row per source row, every cell as text (empty cells null),
the row's 1-based physical line (the spreadsheet row for XLSX) and its verbatim text, so that a
rejected row can be located and kept as it was written. A row that cannot be read as a row at
all (a JSON Lines line that is not an object, a ragged CSV row) is kept with a ``ROW_PROBLEM``
and becomes a located rejection, never a silent drop. Input that is no table at all raises an
InputError (exit 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from deconf.errors import InputError
from deconf.reading import LINE, TEXT

ROW_PROBLEM = "_row_problem"
META = (LINE, TEXT, ROW_PROBLEM)


@dataclass
class SourceTable:
    """A source's rows as text cells, with LINE, TEXT and ROW_PROBLEM beside them."""

    source: str
    frame: pl.DataFrame
    columns: tuple[str, ...]
    skipped: dict[str, int] = field(default_factory=dict)  # reason → rows left out on purpose
    time_formats: tuple[str, ...] = ()  # formats the reader knows its own cells are written in
    notes: list[str] = field(default_factory=list)  # what the reader saw and the user should know
    ascii: bool = False  # every cell is ASCII (so none starts with a Unicode blank such as NBSP)


def finish(source: str, frame: pl.DataFrame, columns: tuple[str, ...]) -> SourceTable:
    """Rows with no cell at all left out (as `validate` skips blank lines), the rest kept.
    Cells of blanks only are made empty later, in the columns a mapping reads
    (`cells.blank_cells_as_null`): looking at every column of a wide sheet costs."""
    return without_blank_rows(source, frame, columns)


def without_blank_rows(source: str, frame: pl.DataFrame, columns: tuple[str, ...]):
    blank = pl.all_horizontal(pl.col(c).is_null() for c in columns) & pl.col(ROW_PROBLEM).is_null()
    if columns and frame.select(blank.any()).item():
        frame = frame.filter(~blank)
    if frame.is_empty():
        raise InputError(f"{source}: has no rows; a log has at least one record")
    return SourceTable(source, frame, columns)


def rows_table(source: str, rows: list[dict[str, Any]], columns: tuple[str, ...] | None = None):
    """A SourceTable from rows built in Python (LINE and TEXT in each; ROW_PROBLEM optional)."""
    if not rows:
        raise InputError(f"{source}: has no records")
    if columns is None:
        columns = tuple(dict.fromkeys(k for r in rows for k in r if k not in META))
    schema = dict.fromkeys(columns, pl.String) | {
        LINE: pl.Int64,
        TEXT: pl.String,
        ROW_PROBLEM: pl.String,
    }
    frame = pl.DataFrame([r | {ROW_PROBLEM: r.get(ROW_PROBLEM)} for r in rows], schema=schema)
    return finish(source, frame, columns)
