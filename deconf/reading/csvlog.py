"""CSV logs: read in blocks of whole rows, in bulk through Polars (`deconf.csvbulk`) when it
reads what the csv module would, else carefully, row by row, with the csv module.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable, Iterator
from dataclasses import replace

import polars as pl

from deconf.csvbulk import CsvRows, read_rows
from deconf.errors import InputError
from deconf.model import ALL_FIELDS
from deconf.reading.lines import (
    CSV_CELL_MAX,
    CSV_TAG_SEPARATOR,
    LIST_FIELDS,
    csv_physical_lines,
    split_tags,
    unlimited_cells,
    without_ending,
)
from deconf.reading.raw import (
    LINE,
    RAW_SCHEMA,
    STRING_FIELDS,
    SUSPECT,
    TEXT,
    BytesLines,
    InputFormat,
    RawLog,
)
from deconf.reading.text import BINARY_PROBE, no_record, opening_chunk, utf8

#: CSV logs are read in blocks of about this many bytes (whole rows): memory holds a block.
CSV_BLOCK_BYTES = 1 << 25


def read_csv(data: bytes, source: str) -> RawLog:
    """In bulk through Polars when it reads what the csv module would (the common case), else
    row by row with the csv module: the same frame either way, but for the text column, which
    the bulk route leaves to be read back for the rows that need it."""
    return _csv_block(b"", data, 1, source) or _read_csv_carefully(b"", data, 1, source)


def _csv_block(header: bytes, data: bytes, first_line: int, source: str) -> RawLog | None:
    """Rows of a CSV log in bulk (`data` from line `first_line`; the header line before them,
    or in them when `header` is empty), or None when they must be read carefully."""
    if not data.isascii():
        utf8(data, source, first_line)  # a bad byte is named with its line on either route
    start = first_line - 1 if header else first_line
    rows = read_rows(header + data, start)
    if rows is None:
        return None
    columns = _csv_header(rows.header, source)
    frame = _csv_frame_in_bulk(columns, rows, long_cells=len(data) > CSV_CELL_MAX)
    texts = BytesLines(data, first_line, rows.spans)
    return RawLog(source, InputFormat.CSV, frame, texts, tuple(columns), size=len(data))


def _read_csv_carefully(header: bytes, data: bytes, first_line: int, source: str) -> RawLog:
    """Rows of a CSV log read by the csv module, row by row (as for `_csv_block`)."""
    if not data.isascii():
        utf8(data, source, first_line)
    text = (header + data).decode("utf-8").removeprefix("\ufeff")
    with unlimited_cells():
        raw = _read_csv_lines(csv_physical_lines(text), source)
    frame = raw.frame
    if header:  # its own lines were numbered from the header's
        frame = frame.with_columns(pl.col(LINE) + (first_line - 2))
    columns = raw.csv_columns
    return RawLog(source, InputFormat.CSV, frame, csv_columns=columns, size=len(data))


def csv_blocks(chunked: Callable[[int], Iterator[bytes]], source: str) -> Iterator[RawLog]:
    """A CSV log (its bytes from `chunked(size)`, in chunks of that size, as
    `deconf.opening.log_chunks` gives them) in blocks of whole rows of about CSV_BLOCK_BYTES,
    each read in bulk; from the first block that must be
    read carefully on, the rest of the log is read carefully at once (the csv module reads a row
    by what came before it). A header that is not one plain line has the whole log read at once
    (`read_csv`)."""
    chunks = chunked(CSV_BLOCK_BYTES)
    data = b""
    for chunk in chunks:  # the header line, whole, and enough to tell text from binary data
        data += chunk
        if b"\n" in data and len(data) >= BINARY_PROBE:
            break
    data = opening_chunk(data, source)
    end = data.find(b"\n") + 1
    header = data[:end]
    if not header.strip() or b'"' in header or b"\r" in header[:-2]:  # (or no line end)
        whole = data + b"".join(chunks)
        if not whole.strip():
            raise no_record(source)
        yield read_csv(whole, source)
        return
    utf8(header, source)
    data, line = data[end:], 2
    for chunk in itertools.chain([b""], chunks):
        data += chunk
        cut = _rows_end(data)
        if cut == 0 and len(data) <= 4 * CSV_BLOCK_BYTES:
            continue
        block, data = data[:cut], data[cut:]  # (no row end in 4 blocks: a quote never closed?)
        raw = _csv_block(header, block, line, source) if block else None
        if raw is None:
            rest = b"".join([block, data, *chunks])
            yield _counted(_read_csv_carefully(header, rest, line, source), header, line)
            return
        yield _counted(raw, header, line)
        line += block.count(b"\n")
    if data or line == 2:  # the last row (no line end), or no row at all
        raw = _csv_block(header, data, line, source)
        yield _counted(raw or _read_csv_carefully(header, data, line, source), header, line)


def _counted(raw: RawLog, header: bytes, line: int) -> RawLog:
    """The first block counts the header's bytes too (for progress)."""
    return replace(raw, size=raw.size + len(header)) if line == 2 else raw


def _rows_end(data: bytes) -> int:
    """Where the last whole row of `data` ends: after a line end where the quotes before it
    are even (else inside a quoted cell); 0 when no row ends in `data`."""
    cut = data.rfind(b"\n") + 1
    quotes = data.count(b'"', 0, cut)
    while cut and quotes % 2:
        previous = data.rfind(b"\n", 0, cut - 1) + 1
        quotes -= data.count(b'"', previous, cut)
        cut = previous
    return cut


def _csv_header(cells: list[str], source: str) -> list[str]:
    """The header's column names (blanks around them and a BOM dropped), or an InputError
    when it names no record field."""
    header = [h.strip() for h in cells]
    if header:
        header[0] = header[0].removeprefix("\ufeff")
    if not any(h in ALL_FIELDS for h in header):
        raise InputError(
            f"{source}:1: the CSV header names no record field "
            f"(expected columns such as id, sent_at, from_party, to_party, channel, kind)"
        )
    return header


def _csv_positions(header: list[str]) -> tuple[dict[str, int], list[int]]:
    """Where each record field's cell is (the last column of a repeated name) and where the
    columns that name no field are."""
    positions = {name: i for i, name in enumerate(header) if name in ALL_FIELDS}
    return positions, [i for i, name in enumerate(header) if name not in ALL_FIELDS]


def _read_csv_lines(physical: list[str], source: str) -> RawLog:
    reader = csv.reader(iter(physical))
    try:
        header = _csv_header(next(reader), source)
    except StopIteration:
        raise no_record(source) from None
    except csv.Error as error:
        raise InputError(f"{source}:1: the CSV header cannot be read ({error})") from None
    lines: list[int] = []
    texts: list[str] = []
    cells: list[list[str] | None] = []
    previous_end = reader.line_num
    while True:
        try:
            row: list[str] | None = next(reader)
        except StopIteration:
            break
        except csv.Error:  # this row only: the slow path reads it again and says why
            row = None
        start, previous_end = previous_end + 1, reader.line_num
        if row is not None and not any(cell.strip() for cell in row):
            continue
        lines.append(start)
        text = "".join(physical[start - 1 : reader.line_num])
        texts.append(without_ending(text))
        cells.append(row)
    frame = _csv_frame(header, lines, texts, cells)
    return RawLog(source, InputFormat.CSV, frame, csv_columns=tuple(header))


def _csv_frame(header: list[str], lines: list[int], texts: list[str], cells: list[list[str]]):
    width = len(header)
    columns: dict[str, list[str | None]] = {f: [] for f in ALL_FIELDS}
    suspect: list[bool] = []
    positions, unknown_positions = _csv_positions(header)
    for row in cells:
        if row is None:  # unreadable: the slow path explains it
            row = []
        odd = len(row) != width or any(len(cell) > CSV_CELL_MAX for cell in row)
        suspect.append(odd or any(_cell(row, i) is not None for i in unknown_positions))
        for name in ALL_FIELDS:
            columns[name].append(_cell(row, positions[name]) if name in positions else None)
    frame = pl.DataFrame(
        {LINE: lines, TEXT: texts, SUSPECT: suspect}
        | {f: columns[f] for f in STRING_FIELDS}
        | {f: [split_tags(t) for t in columns[f]] for f in LIST_FIELDS},
        schema=RAW_SCHEMA,
    )
    return frame


#: What Python's str.strip takes away (Polars' own whitespace set lacks \x1c-\x1f).
PY_WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())


def _may_hold_blanks(cells: pl.DataFrame) -> set[str]:
    """The columns where a cell may be of blanks only, told by their lowest and highest cells:
    such a cell starts below "!" or from U+0085 up, and text sorts by code point. (Most
    columns have none, and looking costs less than stripping a million cells.)"""
    if cells.width == 0 or cells.height == 0:
        return set()
    bounds = cells.select(
        *(pl.col(c).min().alias(f"low{c}") for c in cells.columns),
        *(pl.col(c).max().alias(f"high{c}") for c in cells.columns),
    ).row(0, named=True)
    return {
        c
        for c in cells.columns
        if bounds[f"low{c}"] is not None
        and (bounds[f"low{c}"] < "!" or bounds[f"high{c}"] >= "\x85")
    }


def _csv_frame_in_bulk(header: list[str], rows: CsvRows, *, long_cells: bool) -> pl.DataFrame:
    """`_csv_frame` as expressions over the cells Polars read: rows of blanks dropped, a cell of
    blanks absent, list cells split, and suspect the rows the model must see (ragged, a cell
    too long, a value in a column that names no field)."""
    positions, unknown = _csv_positions(header)
    cells = rows.cells
    blanks = _may_hold_blanks(cells)

    def value(i: int) -> pl.Expr:
        cell = pl.col(str(i))  # (null when empty)
        if str(i) not in blanks:
            return cell
        return pl.when(cell.str.strip_chars(PY_WHITESPACE) != "").then(cell)

    long = pl.lit(False)
    if long_cells:  # bytes first (free to count); characters, as the csv route counts, only then
        long = pl.any_horizontal(
            (pl.col(c).str.len_bytes() > CSV_CELL_MAX) & (pl.col(c).str.len_chars() > CSV_CELL_MAX)
            for c in cells.columns
        )
    frame = cells.select(
        *(value(i).alias(f"_v{i}") for i in range(len(header))),
        long.alias("_long"),
        pl.lit(rows.widths).alias("_width"),
        pl.lit(rows.lines).alias(LINE),
    ).filter(pl.any_horizontal(pl.col(f"_v{i}").is_not_null() for i in range(len(header))))
    suspect = (pl.col("_width") != len(header)) | pl.col("_long")
    if unknown:
        suspect = suspect | pl.any_horizontal(pl.col(f"_v{i}").is_not_null() for i in unknown)

    def field(name: str) -> pl.Expr:
        if name not in positions:
            return pl.lit(None, dtype=RAW_SCHEMA[name]).alias(name)
        cell = pl.col(f"_v{positions[name]}")
        if name in LIST_FIELDS:
            parts = cell.str.split(CSV_TAG_SEPARATOR).list.eval(
                pl.element().str.strip_chars(PY_WHITESPACE)
            )
            cell = parts.list.eval(pl.element().filter(pl.element() != ""))
        return cell.alias(name)

    return frame.select(
        LINE,
        pl.lit(None, dtype=pl.String).alias(TEXT),  # read back only for a row that needs it
        suspect.alias(SUSPECT),
        *(field(name) for name in ALL_FIELDS),
    ).select(RAW_SCHEMA.names())


def _cell(row: list[str], index: int) -> str | None:
    if index >= len(row):
        return None
    value = row[index]
    return value if value.strip() else None
