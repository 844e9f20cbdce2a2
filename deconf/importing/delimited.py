"""CSV and TSV through Polars' reader, every cell as text, each row located at its line."""

from __future__ import annotations

import csv
import io
from typing import Any

import polars as pl

from deconf.errors import InputError
from deconf.importing.tables import ROW_PROBLEM, SourceTable, finish
from deconf.reading import LINE, TEXT


def read_delimited(data: bytes, source: str, delimiter: str | None, skip_rows: int) -> SourceTable:
    """CSV or TSV through Polars' reader. A row's line is its index past the header, plus the
    line breaks inside the cells of the rows before it (counted only when the file has more
    lines than rows); its text is the physical line (or lines), sliced without a copy. The
    cells and the lines are read at once, by two queries Polars runs side by side."""
    header = _header_line(data, skip_rows, source)
    delimiter = delimiter or _sniff(header)
    try:
        frame, lines = pl.collect_all(
            [
                pl.scan_csv(
                    io.BytesIO(data),
                    separator=delimiter,
                    skip_rows=skip_rows,
                    infer_schema=False,
                    raise_if_empty=True,
                ),
                pl.scan_lines(io.BytesIO(data), name=TEXT),
            ]
        )
    except pl.exceptions.NoDataError:
        raise InputError(f"{source}: is empty; a log has at least one row") from None
    except pl.exceptions.ComputeError:  # ragged rows, bad quoting, bad UTF-8: the exact reader
        return _read_delimited_exactly(_utf8(data, source), source, delimiter, skip_rows)
    frame = frame.rename({c: c.strip().removeprefix("\ufeff") for c in frame.columns})
    columns = tuple(frame.columns)
    header_line = skip_rows + 1
    physical = lines[TEXT]
    rows = pl.int_range(pl.len(), dtype=pl.Int64) + header_line + 1
    if _lines_to_last_row(physical) - header_line == frame.height:  # no cell spans lines
        frame = frame.with_columns(rows.alias(LINE))
        # the lines in one chunk (a cheap copy of views); the cells stay in the reader's
        # chunks, which later steps work on as they are (copying them all costs more)
        text = physical.slice(header_line, frame.height).rechunk()
        spanning = False
    else:
        newlines = pl.sum_horizontal(
            pl.col(c).str.count_matches("\n", literal=True) for c in columns
        ).fill_null(0)
        frame = frame.with_columns(newlines.alias("_nl")).with_columns(
            (rows + pl.col("_nl").cum_sum().shift(1, fill_value=0)).alias(LINE)
        )
        if frame.height and frame[LINE][-1] + frame["_nl"][-1] > physical.len():
            return _read_delimited_exactly(_utf8(data, source), source, delimiter, skip_rows)
        text = physical.gather(frame[LINE] - 1)
        spanning = bool((frame["_nl"] > 0).any())
    if data.find(b"\r") >= 0:
        text = text.str.strip_suffix("\r")
    frame = frame.with_columns(text.alias(TEXT), pl.lit(None, dtype=pl.String).alias(ROW_PROBLEM))
    if spanning:  # a cell spanning lines: the row's text spans them too
        frame = _multiline_texts(frame, physical)
    if "_nl" in frame.columns:
        frame = frame.drop("_nl")
    table = finish(source, frame, columns)
    table.ascii = data.isascii()  # a glance at the bytes spares a look at every column's cells
    return table


def _header_line(data: bytes, skip_rows: int, source: str) -> bytes:
    start = 0
    for _ in range(skip_rows):
        start = data.find(b"\n", start) + 1
        if start == 0:
            raise InputError(f"{source}: has no header row after {skip_rows} skipped lines")
    end = data.find(b"\n", start)
    return data[start : end if end >= 0 else len(data)]


def _lines_to_last_row(physical: pl.Series) -> int:
    """Physical lines up to the last one with content (trailing blank lines not counted)."""
    end = physical.len()
    while end and not physical[end - 1].strip(" \t\r"):
        end -= 1
    return end


def _multiline_texts(frame: pl.DataFrame, physical: pl.Series) -> pl.DataFrame:
    spans = frame.filter(pl.col("_nl") > 0).select(LINE, "_nl")
    texts = {
        line: "\n".join(physical.slice(line - 1, extra + 1).str.strip_suffix("\r"))
        for line, extra in spans.iter_rows()
    }
    return frame.with_columns(
        pl.col(LINE).replace_strict(texts, default=pl.col(TEXT), return_dtype=pl.String).alias(TEXT)
    )


def _utf8(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            f"{source}:{line}: not UTF-8 text (byte 0x{data[error.start]:02x}); "
            "set [source] encoding in the mapping (e.g. cp1252)"
        ) from None


def _sniff(header: bytes) -> str:
    """`;` when the header uses it more than `,` (spreadsheets in many European locales)."""
    counts = {d: header.count(d.encode()) for d in (",", ";", "\t")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


def _read_delimited_exactly(text: str, source: str, delimiter: str, skip_rows: int) -> SourceTable:
    """The csv module's reading, row by row: for files Polars refuses (ragged rows)."""
    physical = text.split("\n")
    reader = csv.reader(
        io.StringIO("\n".join(physical[skip_rows:]), newline=""), delimiter=delimiter
    )
    try:
        header = [h.strip().removeprefix("\ufeff") for h in next(reader)]
    except StopIteration:
        raise InputError(f"{source}: has no header row") from None
    except csv.Error as error:
        raise InputError(f"{source}:{skip_rows + 1}: the header cannot be read ({error})") from None
    rows: list[dict[str, Any]] = []
    previous_end = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            line = skip_rows + reader.line_num
            raise InputError(f"{source}:{line}: the table cannot be read ({error})") from None
        start, previous_end = previous_end + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue
        lines = physical[skip_rows + start - 1 : skip_rows + reader.line_num]
        row: dict[str, Any] = dict(zip(header, cells, strict=False))
        row[LINE] = skip_rows + start
        row[TEXT] = "\n".join(line.removesuffix("\r") for line in lines)
        row[ROW_PROBLEM] = (
            f"row has {len(cells)} cells but the header has {len(header)}"
            if len(cells) != len(header)
            else None
        )
        rows.append(row)
    schema = dict.fromkeys(header, pl.String) | {
        LINE: pl.Int64,
        TEXT: pl.String,
        ROW_PROBLEM: pl.String,
    }
    return finish(source, pl.DataFrame(rows, schema=schema), tuple(header))
