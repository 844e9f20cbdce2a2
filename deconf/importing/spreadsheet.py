"""XLSX through fastexcel (Rust calamine, via polars.read_excel), every cell as text.

fastexcel is maintained, fast, and already what `polars.read_excel` uses by default; openpyxl
would read cell by cell in Python. Blank rows are kept so that a row's line is its row number in
the spreadsheet; date cells arrive as `YYYY-MM-DD HH:MM:SS`, a format tried after the mapping's.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from deconf.errors import InputError
from deconf.importing.mapping import SourceSpec
from deconf.importing.tables import ROW_PROBLEM, SourceTable, finish
from deconf.opening import COMPRESSED_SUFFIXES, log_bytes
from deconf.reading import LINE, TEXT, read_bytes

XLSX_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d")  # how date cells of a spreadsheet read


def read_xlsx(path: Path, spec: SourceSpec) -> SourceTable:
    """A sheet through fastexcel (Rust calamine, via polars.read_excel), every cell as text."""
    if not path.is_file():
        read_bytes(path)  # raises the right InputError
    where = {"sheet_name": spec.sheet} if spec.sheet else {"sheet_id": 1}
    compressed = path.suffix.lower() in COMPRESSED_SUFFIXES
    try:
        frame = pl.read_excel(
            log_bytes(path) if compressed else path,
            **where,
            infer_schema_length=0,
            drop_empty_rows=False,
            read_options={"header_row": spec.skip_rows},
        )
    except ValueError as error:
        if spec.sheet and "sheet" in str(error):
            raise InputError(f"{path}: has no sheet named {spec.sheet!r}") from None
        raise InputError(f"{path}: cannot be read as a spreadsheet ({error})") from None
    except Exception as error:  # fastexcel's own errors: not a zip, not a workbook
        raise InputError(f"{path}: cannot be read as an XLSX workbook ({error})") from None
    columns = tuple(frame.columns)
    frame = frame.rename({c: c.strip() for c in columns})
    columns = tuple(frame.columns)
    frame = frame.with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64) + spec.skip_rows + 2).alias(LINE),
        pl.struct(columns).struct.json_encode().alias(TEXT),
        pl.lit(None, dtype=pl.String).alias(ROW_PROBLEM),
    )
    table = finish(str(path), frame, columns)
    table.time_formats = XLSX_TIME_FORMATS
    return table
