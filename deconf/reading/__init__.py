"""Read log files (JSON Lines or CSV) into a raw frame: one row per non-blank line, fields as text.

Reading does not judge records; it only gets every line into a frame with its physical line
number and verbatim text, decodes what decodes in bulk, and marks as *suspect* any line whose raw
form the bulk decoder might have bent (a number where a string belongs, an unknown key, JSON the
decoder refuses). Validation sends suspect lines to the pydantic model, which has the last word.

Input that is not a log at all raises :class:`InputError` (one clear message, exit 2).

Here: which reader a log goes to. The frame and its columns are `raw`; a log's bytes checked as
text, `text`; one line as the record it stands for (the careful path), `lines`; the readers,
`jsonl` and `csvlog`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import polars as pl

from deconf.errors import InputError
from deconf.opening import (
    STDIN,
    STDIN_NAME,
    filled_chunks,
    is_stdin,
    log_chunks,
    log_filler,
    log_suffix,
    prefixed,
    source_name,
)
from deconf.reading.csvlog import csv_blocks, read_csv
from deconf.reading.jsonl import jsonl_blocks, read_jsonl
from deconf.reading.lines import (
    CSV_CELL_MAX,
    CSV_TAG_SEPARATOR,
    JSON_DEPTH_MAX,
    LIST_FIELDS,
    SURROGATE_RE,
    LineError,
    json_line,
    split_tags,
)
from deconf.reading.raw import (
    LINE,
    PROBLEMS,
    RAW_SCHEMA,
    STRING_FIELDS,
    SUSPECT,
    TEXT,
    TIME_FIELDS,
    BytesLines,
    FrameLines,
    InputFormat,
    RawLog,
    parsed_column,
    with_null_fields,
)
from deconf.reading.text import BINARY_PROBE, BOM, decode_text, read_bytes

__all__ = [
    "CSV_CELL_MAX",
    "CSV_TAG_SEPARATOR",
    "JSON_DEPTH_MAX",
    "LINE",
    "LIST_FIELDS",
    "PROBLEMS",
    "RAW_SCHEMA",
    "STRING_FIELDS",
    "SUSPECT",
    "TEXT",
    "TIME_FIELDS",
    "BytesLines",
    "FrameLines",
    "InputFormat",
    "LineError",
    "RawLog",
    "decode_text",
    "detect_format",
    "json_line",
    "parsed_column",
    "read_bytes",
    "read_log",
    "read_log_blocks",
    "read_mappings",
    "split_tags",
]


def detect_format(path: Path, input_format: str | None, data: bytes = b"") -> InputFormat:
    """The format named, else the one the extension tells (under any compression extension);
    standard input, which has none, is JSON Lines when it starts with `{`, else CSV."""
    if input_format:
        return InputFormat(input_format)
    suffix = log_suffix(path)
    if suffix == ".csv":
        return InputFormat.CSV
    if suffix in (".jsonl", ".ndjson", ".json"):
        return InputFormat.JSONL
    if is_stdin(path):
        return InputFormat.JSONL if data.lstrip().startswith(b"{") else InputFormat.CSV
    raise InputError(
        f"{path}: cannot tell the format from the extension {suffix!r}; "
        "name it .jsonl or .csv, or pass `input_format` jsonl|csv"
    )


def read_log_blocks(path: Path, input_format: str | None = None) -> Iterator[RawLog]:
    """One log as consecutive blocks of lines, each a RawLog with its own line numbers: JSON
    Lines stream from the file (memory holds a block, not the file); other inputs come whole.
    Raises InputError when it is not a log at all (an empty one: once every block was read)."""
    if is_stdin(path):
        yield from _stdin_blocks(input_format)
        return
    if Path(path).is_dir():
        yield read_log(path, input_format)  # (says it is a directory)
        return
    source = source_name(path)
    if detect_format(path, input_format) is InputFormat.CSV:
        yield from csv_blocks(lambda size: log_chunks(path, size), source)
        return
    with log_filler(path) as fill:
        yield from jsonl_blocks(fill, source)


def _stdin_blocks(input_format: str | None) -> Iterator[RawLog]:
    """Standard input streamed as a file is; its format, unless named, told by its first bytes
    (decompressed: JSON Lines when they start with "{", else CSV)."""
    with log_filler(STDIN) as fill:
        probe = memoryview(bytearray(BINARY_PROBE))
        head = bytes(probe[: fill(probe)])
        fill = prefixed(head, fill)
        if detect_format(STDIN, input_format, head.removeprefix(BOM)) is InputFormat.CSV:
            yield from csv_blocks(lambda size: filled_chunks(fill, size), STDIN_NAME)
        else:
            yield from jsonl_blocks(fill, STDIN_NAME)


def read_log(path: Path, input_format: str | None = None) -> RawLog:
    """Read one log (a file, compressed or not, or `-` for standard input) into a RawLog;
    raises InputError when it is not a log at all."""
    if not is_stdin(path) and not Path(path).is_dir():
        detect_format(path, input_format)  # a wrong extension fails before any byte is read
    data = read_bytes(path)
    fmt = detect_format(path, input_format, data)
    source = source_name(path)
    if fmt is InputFormat.CSV:
        return read_csv(data, source)
    return read_jsonl(data, source)


def read_mappings(records: Iterable[Mapping[str, Any]], source: str = "<records>") -> RawLog:
    """Records given as Python mappings (the API); every one goes through the model."""
    texts = [_as_json(r) for r in records]
    frame = pl.DataFrame(
        {LINE: range(1, len(texts) + 1), TEXT: texts, SUSPECT: [True] * len(texts)},
        schema={LINE: pl.Int64, TEXT: pl.String, SUSPECT: pl.Boolean},
    )
    return RawLog(source, InputFormat.JSONL, with_null_fields(frame))


def _as_json(record: Mapping[str, Any]) -> str:
    """A record given to the API as one JSON line; what JSON cannot hold (a lone surrogate, an
    integer of thousands of digits) comes out escaped or as text for the model to reject."""
    try:
        text = json.dumps(dict(record), default=str, ensure_ascii=False)
    except (ValueError, RecursionError):
        return json.dumps({str(k): _encodable(v) for k, v in dict(record).items()})
    if SURROGATE_RE.search(text):
        return json.dumps(dict(record), default=str)
    return text


def _encodable(value: Any) -> Any:
    """`value` when JSON can hold it, else an object standing for it (which no field takes)."""
    try:
        json.dumps(value, default=str)
        return value
    except ValueError:
        return {"unencodable": "an integer of thousands of digits"}
    except RecursionError:
        return {"unencodable": "a structure nested too deeply"}
