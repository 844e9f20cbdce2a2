"""CSV rows in bulk: Polars' reader, where it is sure to read what Python's csv module reads.

The csv module (the careful path in deconf.reading) is the reference: it counts physical lines at
LF, CR and CRLF, takes a stray quote in an unquoted cell literally and a quote after a closing
one as text. Polars reads the same cells only from *canonical* CSV: every quote opens a cell,
closes it, or is doubled inside it, and lines end at LF or CRLF. So the bytes are checked for
that first (cheap counts; a regex over just the rows that hold a quote), each row's physical
lines are found by quote parity (a line break is inside a cell exactly when an odd number of
quotes came before it in the row), and the cells Polars read are held against the rows' text.
Anything else (a lone CR, a NUL, a stray quote, a quoted header line, a count that disagrees)
gives None, and the caller reads the file carefully.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import numpy as np
import polars as pl

_QUOTED = r'"(?:[^"]|"")*"'
_PLAIN = r'[^",\r\n]*'
#: A row every quote of which opens, closes or doubles inside a cell (line breaks only there).
_CANONICAL_ROW = rf"^(?:{_QUOTED}|{_PLAIN})(?:,(?:{_QUOTED}|{_PLAIN}))*$"
_TEXT, _QUOTES, _ROW, _WIDTH, _EXTRA = "_text", "_quotes", "_row", "_width", "_extra"


@dataclass(frozen=True)
class CsvRows:
    """The rows of a CSV file after its header line, as the csv module reads them."""

    header: list[str]  # the header's cells as written
    cells: pl.DataFrame  # one String column per header cell (named by position); null if empty
    lines: pl.Series  # each row's first physical line, 1-based
    widths: pl.Series  # how many cells each row holds (a ragged row's differs from the header's)
    spans: dict[int, int]  # first line -> further lines, for the rows that span lines


def read_rows(data: bytes, first_line: int = 1) -> CsvRows | None:
    """The rows of `data` (UTF-8, BOM removed; its first line, numbered `first_line`, the
    header) through Polars, or None when the csv module might read them otherwise (then the
    caller reads them with it). A later block of a file is given with the header before it."""
    if b"\x00" in data or data.count(b"\r") != data.count(b"\r\n"):
        return None  # a NUL, or a lone CR (a line end to the csv module, not to Polars)
    end = data.find(b"\n")
    try:
        header_line = (data if end < 0 else data[:end]).decode("utf-8").removesuffix("\r")
    except UnicodeDecodeError:  # the careful route says where
        return None
    if '"' in header_line:  # a quoted header may span lines: rare, and read carefully
        return None
    header = next(csv.reader([header_line]))
    if end < 0 or end + 1 == len(data):
        return _no_rows(header)
    quoted = b'"' in data
    try:
        cells, lines = pl.collect_all(
            [
                pl.scan_csv(
                    io.BytesIO(data),
                    new_columns=[str(i) for i in range(len(header))],  # (names may repeat)
                    infer_schema=False,
                    truncate_ragged_lines=False,  # a wide row: read carefully
                    raise_if_empty=False,
                ),
                pl.scan_lines(io.BytesIO(data), name=_TEXT).slice(1),  # (CR of CRLF dropped)
            ]
        )
    except pl.exceptions.PolarsError:
        return None
    lines = lines.with_row_index(_ROW, offset=first_line + 1)  # the physical line number
    full_width = (
        not quoted and data.count(b",") == len(header) - 1 + (len(header) - 1) * cells.height
    )
    # (no row is wider than the header, or Polars would have refused it: so commas enough
    # for every row to be full means none is short)
    rows = _rows(lines, quoted, len(header) if full_width else None)
    if rows is None or rows.height != cells.height:
        return None
    widths = rows[_WIDTH]
    if not _agree(cells, rows[_TEXT], widths == len(header), quoted):
        return None
    spans = rows.filter(pl.col(_EXTRA) > 0)
    return CsvRows(
        header,
        cells,
        rows[_ROW].cast(pl.Int64).alias("_line"),
        widths,
        dict(zip(spans[_ROW].to_list(), spans[_EXTRA].to_list(), strict=True)),
    )


def _no_rows(header: list[str]) -> CsvRows:
    empty = pl.Series(dtype=pl.Int64)
    cells = pl.DataFrame(schema={str(i): pl.String for i in range(len(header))})
    return CsvRows(header, cells, empty, empty, {})


def _rows(lines: pl.DataFrame, quoted: bool, width: int | None) -> pl.DataFrame | None:
    """One row per CSV row: its first line (_ROW), its text (line breaks as LF), its width in
    cells and its further lines; None when a row is not canonical. `width`: every row's, when
    known already."""
    text = pl.col(_TEXT)
    if not quoted:  # every line a row: the width is its commas and one
        commas = text.str.count_matches(",", literal=True)
        return lines.select(
            _ROW,
            _TEXT,
            (commas + 1 if width is None else pl.lit(width, dtype=pl.UInt32)).alias(_WIDTH),
            pl.lit(0, dtype=pl.Int64).alias(_EXTRA),
        )
    quotes = text.str.count_matches('"', literal=True)
    after = (quotes.cum_sum() % 2).cast(pl.Boolean)  # the line ends inside a quoted cell
    before = after.shift(1, fill_value=False)
    lines = lines.with_columns(quotes.alias(_QUOTES), before.alias("_in"), after.alias("_out"))
    if lines["_out"].tail(1).any():  # a quote never closed
        return None
    whole = ~pl.col("_in") & ~pl.col("_out")  # a row on a line of its own: most
    single = lines.filter(whole).select(_ROW, _TEXT, _QUOTES, pl.lit(0).alias(_EXTRA))
    spanning = (
        lines.filter(~whole)
        .with_columns((~pl.col("_in")).cum_sum().alias("_n"))
        .group_by("_n", maintain_order=True)
        .agg(
            pl.col(_ROW).first(),
            text.str.join("\n"),
            pl.col(_QUOTES).sum(),
            (pl.len() - 1).alias(_EXTRA),
        )
        .drop("_n")
    )
    rows = pl.concat([single, spanning], how="vertical_relaxed").sort(_ROW)
    widths = rows[_TEXT].str.count_matches(",", literal=True) + 1
    quoted_rows = (rows[_QUOTES] > 0).arg_true()  # only these are looked at closely
    texts = rows[_TEXT].gather(quoted_rows)
    if not texts.str.contains(_CANONICAL_ROW).all():
        return None
    outside = texts.str.replace_all(_QUOTED, "").str.count_matches(",", literal=True) + 1
    return rows.select(
        _ROW,
        _TEXT,
        widths.scatter(quoted_rows, outside).alias(_WIDTH),
        pl.col(_EXTRA).cast(pl.Int64),
    )


def _agree(cells: pl.DataFrame, texts: pl.Series, whole: pl.Series, quoted: bool) -> bool:
    """Whether the cells of every row of full width, joined by commas, give the row's text
    (without its CRs, as Polars reads lines). Where quotes may stand in a row was checked
    already, so in one that holds some they are left out on both sides (and CRs in cells)."""
    if cells.width == 0:
        return True
    joined = cells.select(pl.concat_str(pl.all().fill_null(""), separator=",")).to_series()
    if quoted:
        holds = texts.str.contains('"', literal=True)
        rows = (holds & whole).arg_true()
        unquoted = joined.gather(rows).str.replace_all('"', "", literal=True)
        written = texts.gather(rows).str.replace_all('"', "", literal=True)
        if (unquoted.str.replace_all("\r", "", literal=True) != written).any():
            return False
        whole = whole & ~holds
    return not ((joined != texts) & whole).any()


def line_starts(data: bytes) -> np.ndarray:
    """The offset of each physical line (LF-ended) in `data`, and the end of `data` last: the
    bytes of lines i to j are data[starts[i] : starts[j + 1]]."""
    newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord("\n"))
    return np.concatenate(([0], newlines + 1, [len(data)]))
