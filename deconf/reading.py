"""Read log files (JSON Lines or CSV) into a raw frame: one row per non-blank line, fields as text.

Reading does not judge records; it only gets every line into a frame with its physical line
number and verbatim text, decodes what decodes in bulk, and marks as *suspect* any line whose raw
form the bulk decoder might have bent (a number where a string belongs, an unknown key, JSON the
decoder refuses). Validation sends suspect lines to the pydantic model, which has the last word.

Input that is not a log at all raises :class:`InputError` (one clear message, exit 2).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import polars as pl

from deconf.frames import Col
from deconf.model import ALL_FIELDS

LINE = "_line"
TEXT = "_text"
SUSPECT = "_suspect"

STRING_FIELDS = tuple(f for f in ALL_FIELDS if f != Col.TAGS)
RAW_SCHEMA = pl.Schema(
    {LINE: pl.Int64, TEXT: pl.String, SUSPECT: pl.Boolean}
    | {f: pl.String for f in STRING_FIELDS}
    | {Col.TAGS: pl.List(pl.String)}
)
_RAW_STRUCT = pl.Struct({f: RAW_SCHEMA[f] for f in ALL_FIELDS})
_DECODE_CHUNK = 1 << 16
_BINARY_PROBE = 8192
CSV_TAG_SEPARATOR = ";"

# A quoted key followed by a colon: finds every key of a JSON object (and, harmlessly, of nested
# objects). Within a valid JSON string a quote is always escaped, so values cannot fake a key.
_KEY_RE = r'"((?:[^"\\]|\\.)*)"\s*:'
_STRING_FIELD_NOT_STRING_RE = (
    r'"(?:' + "|".join(re.escape(f) for f in STRING_FIELDS) + r')"\s*:\s*[-0-9tf\[{]'
)
_TAGS_NOT_LIST_OF_STRINGS_RE = (
    r'"tags"\s*:\s*(?:[^\[n\s]|\[\s*(?:"(?:[^"\\]|\\.)*"\s*,\s*)*[^"\s\]])'
)


class InputError(Exception):
    """Input that is not a log at all: one clear message, never a traceback."""


class InputFormat(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"


@dataclass(frozen=True)
class RawLog:
    """Every non-blank line of one source, as text fields, with line numbers and verbatim text."""

    source: str
    input_format: InputFormat
    frame: pl.DataFrame  # RAW_SCHEMA
    csv_columns: tuple[str, ...] = ()

    def mapping(self, row: dict[str, Any]) -> Any:
        """The record a raw row stands for, as the model should see it (for the slow path)."""
        if self.input_format is InputFormat.JSONL:
            return json.loads(row[TEXT])
        return _csv_mapping(self.csv_columns, row[TEXT])


def detect_format(path: Path, input_format: str | None) -> InputFormat:
    if input_format:
        return InputFormat(input_format)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return InputFormat.CSV
    if suffix in (".jsonl", ".ndjson", ".json"):
        return InputFormat.JSONL
    raise InputError(
        f"{path}: cannot tell the format from the extension {suffix!r}; "
        "name it .jsonl or .csv, or pass --input-format jsonl|csv"
    )


def read_text(path: Path) -> str:
    """The file's text, or an InputError saying why it is not a readable text log."""
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a log file")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror})") from None
    return decode_text(data, str(path))


def decode_text(data: bytes, source: str) -> str:
    if b"\x00" in data[:_BINARY_PROBE]:
        raise InputError(f"{source}: looks like binary data, not a text log")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            f"{source}:{line}: not UTF-8 text (byte 0x{data[error.start]:02x}); "
            "save the log as UTF-8"
        ) from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InputError(f"{source}: is empty; a log has at least one record")
    return text


def read_log(path: Path, input_format: str | None = None) -> RawLog:
    """Read one log file into a RawLog; raises InputError when it is not a log at all."""
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a log file")
    fmt = detect_format(path, input_format)
    text = read_text(path)
    if fmt is InputFormat.CSV:
        return _read_csv(text, str(path))
    return _read_jsonl(text, str(path))


def read_mappings(records: Iterable[Mapping[str, Any]], source: str = "<records>") -> RawLog:
    """Records given as Python mappings (the API); every one goes through the model."""
    texts = [json.dumps(dict(r), default=str, ensure_ascii=False) for r in records]
    frame = pl.DataFrame(
        {LINE: range(1, len(texts) + 1), TEXT: texts, SUSPECT: [True] * len(texts)},
        schema={LINE: pl.Int64, TEXT: pl.String, SUSPECT: pl.Boolean},
    )
    return RawLog(source, InputFormat.JSONL, _with_null_fields(frame))


def _with_null_fields(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.lit(None, dtype=RAW_SCHEMA[f]).alias(f) for f in ALL_FIELDS
    ).select(RAW_SCHEMA.names())


# ---------------------------------------------------------------- JSON Lines


def _read_jsonl(text: str, source: str) -> RawLog:
    lines = pl.Series(TEXT, text.split("\n"), dtype=pl.String).str.strip_suffix("\r")
    frame = (
        pl.DataFrame([lines])
        .with_row_index(LINE, offset=1)
        .with_columns(pl.col(LINE).cast(pl.Int64))
        .filter(pl.col(TEXT).str.strip_chars() != "")
    )
    stripped = pl.col(TEXT).str.strip_chars()
    frame = frame.with_columns(
        (~(stripped.str.starts_with("{") & stripped.str.ends_with("}"))).alias(SUSPECT)
    )
    decoded, undecodable = _decode_objects(frame.filter(~pl.col(SUSPECT))[TEXT])
    good = frame.filter(~pl.col(SUSPECT)).with_columns(decoded.struct.unnest())
    good = good.with_columns(
        (
            pl.col(SUSPECT)
            | pl.Series(undecodable)
            | pl.col(TEXT).str.contains(_STRING_FIELD_NOT_STRING_RE)
            | pl.col(TEXT).str.contains(_TAGS_NOT_LIST_OF_STRINGS_RE)
            | _has_unknown_key(good[TEXT])
        ).alias(SUSPECT)
    )
    bad = _with_null_fields(frame.filter(pl.col(SUSPECT)))
    raw = pl.concat([good.select(RAW_SCHEMA.names()), bad]).sort(LINE)
    return RawLog(source, InputFormat.JSONL, raw)


def _decode_objects(texts: pl.Series) -> tuple[pl.Series, list[bool]]:
    """Decode JSON objects in bulk; lines the bulk decoder refuses are nulls flagged True."""
    parts: list[pl.Series] = []
    flags: list[bool] = []
    for start in range(0, max(texts.len(), 1), _DECODE_CHUNK):
        chunk = texts.slice(start, _DECODE_CHUNK)
        part, bad = _decode_or_bisect(chunk)
        parts.append(part)
        flags.extend(bad)
    decoded = pl.concat(parts) if parts else pl.Series(TEXT, [], dtype=_RAW_STRUCT)
    return decoded, flags


def _decode_or_bisect(chunk: pl.Series) -> tuple[pl.Series, list[bool]]:
    try:
        return chunk.str.json_decode(_RAW_STRUCT), [False] * chunk.len()
    except pl.exceptions.PolarsError:
        if chunk.len() <= 1:
            return pl.Series(TEXT, [None] * chunk.len(), dtype=_RAW_STRUCT), [True] * chunk.len()
    half = chunk.len() // 2
    left, left_bad = _decode_or_bisect(chunk.slice(0, half))
    right, right_bad = _decode_or_bisect(chunk.slice(half))
    return pl.concat([left, right]), left_bad + right_bad


def _has_unknown_key(texts: pl.Series) -> pl.Series:
    """Per line: does it carry a key that is no record field? Cheap when no line does."""
    keys = texts.str.extract_all(_KEY_RE).explode().drop_nulls().unique()
    names = keys.str.extract(_KEY_RE, 1)
    unknown = sorted(set(names.to_list()) - set(ALL_FIELDS))
    if not unknown:
        return pl.Series([False] * texts.len(), dtype=pl.Boolean)
    pattern = r'"(?:' + "|".join(re.escape(k) for k in unknown) + r')"\s*:'
    return texts.str.contains(pattern)


# ---------------------------------------------------------------- CSV


def _read_csv(text: str, source: str) -> RawLog:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InputError(f"{source}: is empty; a log has at least one record") from None
    except csv.Error as error:
        raise InputError(f"{source}:1: the CSV header cannot be read ({error})") from None
    header[0] = header[0].removeprefix("\ufeff")
    known = [h for h in header if h in ALL_FIELDS]
    if not known:
        raise InputError(
            f"{source}:1: the CSV header names no record field "
            f"(expected columns such as id, sent_at, from_party, to_party, channel, kind)"
        )
    physical = text.split("\n")
    lines: list[int] = []
    texts: list[str] = []
    cells: list[list[str]] = []
    previous_end = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise InputError(f"{source}:{reader.line_num}: CSV cannot be read ({error})") from None
        start, previous_end = previous_end + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        lines.append(start)
        texts.append(
            "\n".join(line.removesuffix("\r") for line in physical[start - 1 : reader.line_num])
        )
        cells.append(row)
    return RawLog(source, InputFormat.CSV, _csv_frame(header, lines, texts, cells), tuple(header))


def _csv_frame(header: list[str], lines: list[int], texts: list[str], cells: list[list[str]]):
    width = len(header)
    columns: dict[str, list[str | None]] = {f: [] for f in ALL_FIELDS}
    suspect: list[bool] = []
    positions = {name: i for i, name in enumerate(header) if name in ALL_FIELDS}
    unknown_positions = [i for i, name in enumerate(header) if name not in ALL_FIELDS]
    for row in cells:
        ragged = len(row) != width
        suspect.append(ragged or any(_cell(row, i) is not None for i in unknown_positions))
        for name in ALL_FIELDS:
            columns[name].append(_cell(row, positions[name]) if name in positions else None)
    frame = pl.DataFrame(
        {LINE: lines, TEXT: texts, SUSPECT: suspect}
        | {f: columns[f] for f in STRING_FIELDS}
        | {Col.TAGS: [split_tags(t) for t in columns[Col.TAGS]]},
        schema=RAW_SCHEMA,
    )
    return frame


def _cell(row: list[str], index: int) -> str | None:
    if index >= len(row):
        return None
    value = row[index]
    return value if value.strip() else None


def split_tags(cell: str | None) -> list[str] | None:
    """A CSV ``tags`` cell: ``;``-separated, blanks around each tag ignored."""
    if cell is None:
        return None
    return [t.strip() for t in cell.split(CSV_TAG_SEPARATOR) if t.strip()]


def _csv_mapping(header: tuple[str, ...], text: str) -> dict[str, Any]:
    row = next(csv.reader(io.StringIO(text, newline="")), [])
    if len(row) != len(header):
        raise CsvRowError(f"row has {len(row)} cells but the header has {len(header)}")
    record: dict[str, Any] = {}
    for name, value in zip(header, row, strict=True):
        if value.strip():
            record[name] = split_tags(value) if name == Col.TAGS else value
    return record


class CsvRowError(ValueError):
    """A CSV row that cannot stand for a record (wrong number of cells)."""
