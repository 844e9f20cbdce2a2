"""The raw frame every reader gives (`RAW_SCHEMA`): one row per non-blank line, fields as text,
with its physical line number and verbatim text, and whether the model must judge it (suspect).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import polars as pl

from deconf.csvbulk import line_starts
from deconf.explain import Problem
from deconf.frames import Col
from deconf.model import ALL_FIELDS
from deconf.reading.lines import LIST_FIELDS, csv_mapping, json_line, without_ending

LINE = "_line"
TEXT = "_text"
SUSPECT = "_suspect"
PROBLEMS = "_problems"  # imported rows only: what the mapping found wrong (field, message, value)
TIME_FIELDS = (Col.SENT_AT, Col.RESPOND_BY, Col.AT)


def parsed_column(name: str) -> str:
    """The column of a time field parsed to UTC. Validation adds it; an importer that parsed
    the source's own time formats supplies it, and the field's text stays as the source wrote
    it (to quote in rejections)."""
    return f"_parsed_{name}"


STRING_FIELDS = tuple(f for f in ALL_FIELDS if f not in LIST_FIELDS)
RAW_SCHEMA = pl.Schema(
    {LINE: pl.Int64, TEXT: pl.String, SUSPECT: pl.Boolean}
    | {f: pl.String for f in STRING_FIELDS}
    | {f: pl.List(pl.String) for f in LIST_FIELDS}
)


class InputFormat(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"
    IMPORTED = "imported"  # records made by a mapping (deconf.importing): fields in the frame


class BytesLines:
    """The verbatim text of lines by number, read back from the source's bytes when asked: a
    block the strict decoder took keeps no text column, since only rejected lines are quoted.
    A CSV row that spans lines (`spans`: its first line -> further lines) is quoted whole."""

    def __init__(
        self, data: bytes | memoryview, first_line: int = 1, spans: Mapping[int, int] | None = None
    ):
        self._data = data
        self._first_line = first_line
        self._spans = spans or {}
        self._lines: pl.Series | None = None

    def __call__(self, numbers: pl.Series) -> pl.Series:
        if self._lines is None:
            self._data = bytes(self._data)  # (a streamed block's buffer: no copy until asked)
            self._lines = pl.read_lines(io.BytesIO(self._data), name=TEXT).to_series()
            if b"\r" in self._data:
                self._lines = self._lines.str.strip_suffix("\r")
            if self._spans:
                self._lines = self._spanning(self._lines)
        return self._lines.gather(numbers.cast(pl.Int64) - self._first_line)

    def _spanning(self, lines: pl.Series) -> pl.Series:
        """`lines` with each spanning row's text (its inner line ends as written) at its line."""
        starts = line_starts(self._data)
        index = [line - self._first_line for line in self._spans]
        spans = zip(index, self._spans.values(), strict=True)
        texts = [
            without_ending(self._data[starts[i] : starts[i + extra + 1]].decode("utf-8"))
            for i, extra in spans
        ]
        return lines.scatter(index, texts)


class FrameLines:
    """The verbatim text of lines by number, from a frame that holds them (CSV, imported rows)."""

    def __init__(self, frame: pl.DataFrame):
        self._frame = frame.select(LINE, TEXT).unique(LINE, keep="first")

    def __call__(self, numbers: pl.Series) -> pl.Series:
        wanted = pl.DataFrame({LINE: numbers.cast(pl.Int64)})
        return wanted.join(self._frame, on=LINE, how="left", maintain_order="left")[TEXT]


@dataclass(frozen=True)
class RawLog:
    """Every non-blank line of one source, as text fields, with line numbers and verbatim text
    (held in the frame, or read back by `line_texts` for the lines that need it)."""

    source: str
    input_format: InputFormat
    frame: pl.DataFrame  # RAW_SCHEMA
    line_texts: BytesLines | None = None
    csv_columns: tuple[str, ...] = ()
    size: int = 0  # bytes read (decompressed), for progress
    lines: int = 0  # physical lines read (blank ones included)

    def texts(self) -> BytesLines | FrameLines:
        """What gives the verbatim text of a line by its number, once the frame is gone."""
        return self.line_texts or FrameLines(self.frame)

    def with_texts(self, rows: pl.DataFrame) -> pl.DataFrame:
        """`rows` (some of this log's) with every line's verbatim text."""
        if self.line_texts is None or rows.is_empty() or rows[TEXT].null_count() == 0:
            return rows
        return rows.with_columns(pl.col(TEXT).fill_null(self.line_texts(rows[LINE]).alias(TEXT)))

    def mapping(self, row: dict[str, Any]) -> Any:
        """The record a raw row stands for, as the model should see it (for the slow path).
        Raises LineError when the line cannot stand for any record."""
        if self.input_format is InputFormat.JSONL:
            return json_line(row[TEXT])
        if self.input_format is InputFormat.IMPORTED:
            record = {f: row[f] for f in ALL_FIELDS if row.get(f) is not None}
            for name in TIME_FIELDS:  # the instant the importer read, for the model to check
                if row.get(parsed_column(name)) is not None:
                    record[name] = row[parsed_column(name)].isoformat()
            return record
        return csv_mapping(self.csv_columns, row[TEXT])

    def found_problems(self, row: dict[str, Any]) -> list[Problem]:
        """Problems found before validation (an imported row's mapping), for the slow path."""
        return [Problem(**p) for p in row.get(PROBLEMS) or ()]


def with_null_fields(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` (line, text, suspect) with every field, null: lines the model alone will read."""
    return frame.with_columns(
        pl.lit(None, dtype=RAW_SCHEMA[f]).alias(f) for f in ALL_FIELDS
    ).select(RAW_SCHEMA.names())
