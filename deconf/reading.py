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
import itertools
import json
import re
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from deconf.csvbulk import CsvRows, line_starts, read_rows
from deconf.errors import InputError
from deconf.explain import Problem
from deconf.frames import Col
from deconf.model import ALL_FIELDS
from deconf.opening import is_stdin, log_bytes, log_chunks, log_filler, log_suffix, source_name
from deconf.strictjson import decode_strictly

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


#: Fields whose value is a list of strings (`;`-separated in a CSV cell).
LIST_FIELDS = (Col.TAGS, Col.LOGGED_BY)
STRING_FIELDS = tuple(f for f in ALL_FIELDS if f not in LIST_FIELDS)
RAW_SCHEMA = pl.Schema(
    {LINE: pl.Int64, TEXT: pl.String, SUSPECT: pl.Boolean}
    | {f: pl.String for f in STRING_FIELDS}
    | {f: pl.List(pl.String) for f in LIST_FIELDS}
)
_DECODE_SCHEMA = pl.Schema({f: RAW_SCHEMA[f] for f in ALL_FIELDS})
_DECODE_CHUNK = 1 << 16
#: JSON Lines are decoded in blocks of about this many bytes: a refused block costs only itself.
JSONL_BLOCK_BYTES = 1 << 25
#: Blocks decoded at once, each in a thread of its own, ahead of the one being validated.
JSONL_DECODERS = 2
_NEWLINE_BYTE, _BRACE_BYTE = ord("\n"), ord("{")
_SCAN_BYTES = 1 << 18
_BINARY_PROBE = 8192
CSV_TAG_SEPARATOR = ";"
#: The longest CSV cell read as a value (the csv module's own default limit); a longer cell
#: rejects its row, not the file.
CSV_CELL_MAX = 131_072
#: CSV logs are read in blocks of about this many bytes (whole rows): memory holds a block.
CSV_BLOCK_BYTES = 1 << 25
#: The most digits an integer in a JSON line may have (Python refuses to convert longer ones).
JSON_DIGITS_MAX = 4_000
#: How deep a JSON line may nest before it is rejected instead of decoded.
JSON_DEPTH_MAX = 64

# A \uD800-\uDFFF escape: half of a surrogate pair, which the bulk decoder bends (a lone high
# one becomes NUL), so such lines go to the exact decoder.
_SURROGATE_ESCAPE_RE = r"\\u[dD][89a-fA-F]"
_SURROGATE_RE = re.compile("[\ud800-\udfff]")

# `expects_response` given as a JSON boolean (the only field that may be one).
_FLAG_IS_BOOL_RE = r'"expects_response"\s*:\s*(?:true|false)'
# a list field given as something other than a list of strings (the decoder would coerce it).
_LIST_NOT_OF_STRINGS_RE = (
    r'"(?:{names})"\s*:\s*(?:[^\[n\s]|\[\s*(?:"(?:[^"\\]|\\.)*"\s*,\s*)*[^"\s\]])'.replace(
        "{names}", "|".join(LIST_FIELDS)
    )
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
            _without_ending(self._data[starts[i] : starts[i + extra + 1]].decode("utf-8"))
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
        return rows.with_columns(
            pl.col(TEXT).fill_null(self.line_texts(rows[LINE]).alias(TEXT))
        )

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
        return _csv_mapping(self.csv_columns, row[TEXT])

    def found_problems(self, row: dict[str, Any]) -> list[Problem]:
        """Problems found before validation (an imported row's mapping), for the slow path."""
        return [Problem(**p) for p in row.get(PROBLEMS) or ()]


class LineError(ValueError):
    """A line that cannot stand for a record at all (not JSON, a ragged CSV row...): `field` is
    where the trouble is, "record" for the whole line."""

    def __init__(self, message: str, field: str = "record"):
        super().__init__(message)
        self.field = field


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > JSON_DIGITS_MAX:
        raise LineError(f"a number of {len(digits.lstrip('-'))} digits; no field takes one")
    return int(digits)


def json_line(text: str) -> Any:
    """One JSON value, decoded exactly, or a LineError saying in plain words why not: invalid
    JSON, nesting deeper than JSON_DEPTH_MAX, an integer of thousands of digits, or a lone
    surrogate (half of a UTF-16 pair, which is no text). Nothing here can raise anything else."""
    depth = _nesting(text)
    if depth > JSON_DEPTH_MAX:
        raise LineError(f"nested more than {JSON_DEPTH_MAX} levels deep; a record is not")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise LineError(f"not valid JSON ({error.msg}, column {error.colno})") from None
    except ValueError:  # an integer too long to convert: say how long
        value = json.loads(text, parse_int=_bounded_int)
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise LineError("nested too deeply") from None
    if re.search(_SURROGATE_ESCAPE_RE, text) or _SURROGATE_RE.search(text):
        _refuse_surrogates(value)
    return value


def _nesting(text: str) -> int:
    """How deep brackets nest, counted outside strings: cheap, and no recursion."""
    if text.count("[") + text.count("{") <= JSON_DEPTH_MAX:
        return 0
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > JSON_DEPTH_MAX:
                    return deepest
        elif char in "]}":
            depth -= 1
    return deepest


def _refuse_surrogates(value: Any) -> None:
    """A LineError naming the field that holds a lone surrogate, if any does."""
    stack = [("record", value)]
    while stack:
        field, item = stack.pop()
        if isinstance(item, str):
            found = _SURROGATE_RE.search(item)
            if found:
                raise LineError(
                    f"holds a lone surrogate (\\u{ord(found.group()):04x}), half of a UTF-16 "
                    "pair and no character; the log was written by a faulty encoder",
                    field,
                )
        elif isinstance(item, dict):
            top = field == "record" and item is value
            for key, inner in item.items():
                stack.append((field, key))
                stack.append((key if top else field, inner))
        elif isinstance(item, list):
            stack.extend((field, inner) for inner in item)


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


def read_bytes(path: Path) -> bytes:
    """The log's bytes (decompressed, BOM removed), or an InputError saying why it is no log."""
    data = log_bytes(path)
    path = source_name(path)
    if b"\x00" in data[:_BINARY_PROBE]:
        raise InputError(f"{path}: looks like binary data, not a text log")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data or data.isspace():  # isspace stops at the first other byte: no copy, no scan
        raise InputError(f"{path}: is empty; a log has at least one record")
    return data


def decode_text(data: bytes, source: str, first_line: int = 1) -> str:
    if b"\x00" in data[:_BINARY_PROBE]:
        raise InputError(f"{source}: looks like binary data, not a text log")
    text = _utf8(data, source, first_line).removeprefix("\ufeff")
    if not text.strip():
        raise InputError(f"{source}: is empty; a log has at least one record")
    return text


def _utf8(data: bytes, source: str, first_line: int = 1) -> str:
    """`data` as text, or an InputError naming the line of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + first_line
        raise InputError(
            f"{source}:{line}: not UTF-8 text (byte 0x{data[error.start]:02x}); "
            "save the log as UTF-8"
        ) from None


def read_log_blocks(path: Path, input_format: str | None = None) -> Iterator[RawLog]:
    """One log as consecutive blocks of lines, each a RawLog with its own line numbers: JSON
    Lines stream from the file (memory holds a block, not the file); other inputs come whole.
    Raises InputError when it is not a log at all (an empty one: once every block was read)."""
    if is_stdin(path) or Path(path).is_dir():
        yield read_log(path, input_format)
        return
    if detect_format(path, input_format) is InputFormat.CSV:
        yield from _csv_blocks(path)
        return
    source = source_name(path)
    rows = 0
    # the next blocks are decoded in threads while the caller validates this one: the decoder
    # (one thread a block) and Polars release the interpreter, so they share the cores
    with ThreadPoolExecutor(max_workers=JSONL_DECODERS) as decoder:
        pending: deque[Future[RawLog]] = deque()
        for block in _jsonl_blocks(path, source):
            pending.append(decoder.submit(_jsonl_block_raw, block, source))
            if len(pending) > JSONL_DECODERS:
                raw = pending.popleft().result()
                rows += raw.frame.height
                yield raw
        while pending:
            raw = pending.popleft().result()
            rows += raw.frame.height
            yield raw
    if rows == 0:
        raise InputError(f"{source}: is empty; a log has at least one record")


def _jsonl_blocks(path: Path, source: str) -> Iterator[LineBlock]:
    """The log in blocks of whole lines of about JSONL_BLOCK_BYTES, each read into a buffer of
    its own (only the unfinished line at a block's end is copied, to the next one)."""
    line, carry, first = 1, b"", True
    with log_filler(path) as fill:
        while True:
            # (numpy backs a large array with huge pages: a fresh buffer faults in 16 pages,
            # not 8,000, and `bytes` would cost a copy)
            buffer = memoryview(np.empty(len(carry) + JSONL_BLOCK_BYTES, dtype=np.uint8))
            buffer[: len(carry)] = carry
            end = len(carry) + fill(buffer[len(carry) :])
            start = 0
            if first:
                _check_opening(bytes(buffer[: min(end, _BINARY_PROBE)]), source)
                start = 3 if bytes(buffer[:3]) == b"\xef\xbb\xbf" else 0
                first = False
            if end < len(buffer):  # the log's end: the last line need not end with a newline
                if end > start:
                    yield _line_block(buffer[start:end], line)
                return
            newlines = _newlines(buffer[start:end])
            if len(newlines) == 0:  # a line longer than a block: read on
                carry = bytes(buffer[start:end])
                continue
            cut = start + int(newlines[-1]) + 1
            block = _line_block(buffer[start:cut], line, newlines)
            yield block
            line += block.lines
            carry = bytes(buffer[cut:end])


def _check_opening(head: bytes, source: str) -> None:
    if b"\x00" in head:
        raise InputError(f"{source}: looks like binary data, not a text log")


def _opening_chunk(chunk: bytes, source: str) -> bytes:
    _check_opening(chunk[:_BINARY_PROBE], source)
    return chunk.removeprefix(b"\xef\xbb\xbf")


def read_log(path: Path, input_format: str | None = None) -> RawLog:
    """Read one log (a file, compressed or not, or `-` for standard input) into a RawLog;
    raises InputError when it is not a log at all."""
    if not is_stdin(path) and not Path(path).is_dir():
        detect_format(path, input_format)  # a wrong extension fails before any byte is read
    data = read_bytes(path)
    fmt = detect_format(path, input_format, data)
    source = source_name(path)
    if fmt is InputFormat.CSV:
        return _read_csv(data, source)
    return _read_jsonl(data, source)


def read_mappings(records: Iterable[Mapping[str, Any]], source: str = "<records>") -> RawLog:
    """Records given as Python mappings (the API); every one goes through the model."""
    texts = [_as_json(r) for r in records]
    frame = pl.DataFrame(
        {LINE: range(1, len(texts) + 1), TEXT: texts, SUSPECT: [True] * len(texts)},
        schema={LINE: pl.Int64, TEXT: pl.String, SUSPECT: pl.Boolean},
    )
    return RawLog(source, InputFormat.JSONL, _with_null_fields(frame))


def _as_json(record: Mapping[str, Any]) -> str:
    """A record given to the API as one JSON line; what JSON cannot hold (a lone surrogate, an
    integer of thousands of digits) comes out escaped or as text for the model to reject."""
    try:
        text = json.dumps(dict(record), default=str, ensure_ascii=False)
    except (ValueError, RecursionError):
        return json.dumps({str(k): _encodable(v) for k, v in dict(record).items()})
    if _SURROGATE_RE.search(text):
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


def _with_null_fields(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.lit(None, dtype=RAW_SCHEMA[f]).alias(f) for f in ALL_FIELDS
    ).select(RAW_SCHEMA.names())


# ---------------------------------------------------------------- JSON Lines


def _read_jsonl(data: bytes, source: str) -> RawLog:
    raw = _jsonl_raw(data, 1, source)
    if raw.frame.is_empty():
        raise InputError(f"{source}: is empty; a log has at least one record")
    return raw


def _jsonl_raw(data: bytes, first_line: int, source: str) -> RawLog:
    """Block by block: one strict decoding pass, and the careful path only for blocks it refuses
    or that hold a line not starting with "{" (so one odd line costs its block, not the file)."""
    parts = []
    lines = 0
    for block in line_blocks(data, first_line):
        lines += block.lines
        parts.append(_jsonl_block(block, source))
    frame = pl.concat(parts, rechunk=True) if parts else RAW_SCHEMA.to_frame()
    # (rechunked: with aligned chunks later steps need not realign them)
    texts = BytesLines(data, first_line)
    return RawLog(source, InputFormat.JSONL, frame, texts, size=len(data), lines=lines)


def _jsonl_block_raw(block: LineBlock, source: str) -> RawLog:
    """One block of a streamed log, decoded (as `_jsonl_raw` does a whole log's)."""
    frame = _jsonl_block(block, source)
    texts = BytesLines(block.data, block.first_line)
    size = len(block.data)
    return RawLog(source, InputFormat.JSONL, frame, texts, size=size, lines=block.lines)


def _jsonl_block(block: LineBlock, source: str) -> pl.DataFrame:
    if not _is_ascii(block.data):  # the strict decoder does not check UTF-8: refuse a bad byte
        _utf8(bytes(block.data), source, block.first_line)
    decoded = decode_strictly(block.data, block.lines) if block.plain else None
    if decoded is None:
        return _read_jsonl_carefully(bytes(block.data), block.first_line, source)
    return _numbered(decoded, block.first_line)


def _is_ascii(data: memoryview) -> bool:
    return len(data) == 0 or int(np.frombuffer(data, dtype=np.uint8).max()) < 0x80


@dataclass(frozen=True, slots=True)
class LineBlock:
    data: memoryview  # whole lines, newlines included (the last line's may be missing)
    first_line: int
    lines: int
    plain: bool  # every line starts with "{": the strict decoder may be given the block


def line_blocks(data: bytes, first_line: int = 1, size: int | None = None) -> Iterator[LineBlock]:
    """`data` in blocks of whole lines of about `size` bytes (views, not copies), each with its
    first line's number, its number of lines, and whether every line starts with "{"."""
    size = size or JSONL_BLOCK_BYTES
    view = memoryview(data)
    start, line = 0, first_line
    while start < len(data):
        end = data.find(b"\n", start + size)
        end = len(data) if end < 0 else end + 1
        block = _line_block(view[start:end], line)
        yield block
        line += block.lines
        start = end


def _newlines(data: memoryview) -> np.ndarray:
    """Where `data` holds a newline: found on the bytes as an array (bytes.find and bytes.count
    are several times slower), a slice of _SCAN_BYTES at a time (its mask stays in the cache)."""
    raw = np.frombuffer(data, dtype=np.uint8)
    found = [
        np.flatnonzero(raw[start : start + _SCAN_BYTES] == _NEWLINE_BYTE) + start
        for start in range(0, len(raw), _SCAN_BYTES)
    ]
    return np.concatenate(found) if found else np.empty(0, dtype=np.intp)


def _line_block(data: memoryview, first_line: int, newlines: np.ndarray | None = None) -> LineBlock:
    """A block of whole lines with its lines counted (a last one without its newline counts),
    and whether every one starts with "{" (a line after the first starts exactly where a
    newline is followed by a byte)."""
    raw = np.frombuffer(data, dtype=np.uint8)
    if newlines is None:
        newlines = _newlines(data)
    lines = len(newlines) + (len(raw) > 0 and raw[-1] != _NEWLINE_BYTE)
    starts = newlines[newlines + 1 < len(raw)] + 1
    plain = len(raw) > 0 and raw[0] == _BRACE_BYTE and bool((raw[starts] == _BRACE_BYTE).all())
    return LineBlock(data, first_line, int(lines), bool(plain))


def _numbered(decoded: pl.DataFrame, first_line: int) -> pl.DataFrame:
    return decoded.with_columns(
        pl.int_range(first_line, first_line + decoded.height, dtype=pl.Int64).alias(LINE),
        pl.lit(None, dtype=pl.String).alias(TEXT),  # read back only for a line that needs it
        pl.lit(False).alias(SUSPECT),
    ).select(RAW_SCHEMA.names())


def _read_jsonl_carefully(data: bytes, first_line: int, source: str) -> pl.DataFrame:
    """Every line with its text; decoded in bulk where the decoder can be trusted, and marked
    suspect (for the model to judge) where it may have bent the line."""
    lines = _lines(data, source, first_line)
    text = pl.col(TEXT)
    # the common case, checked cheaply: a line that starts with "{" and ends with "}"
    plain_object = text.str.starts_with("{") & text.str.ends_with("}")
    lines = lines.with_columns((~plain_object).alias(SUSPECT))
    odd = lines.filter(SUSPECT)
    if not odd.is_empty():  # blank lines, padded objects, non-objects: the slow, exact check
        stripped = text.str.strip_chars()
        odd = odd.filter(stripped != "").with_columns(
            (~(stripped.str.starts_with("{") & stripped.str.ends_with("}"))).alias(SUSPECT)
        )
    objects = pl.concat([lines.filter(~pl.col(SUSPECT)), odd.filter(~pl.col(SUSPECT))])
    whole_block = odd.is_empty()
    decoded, undecodable = _decode_objects(data if whole_block else None, objects[TEXT])
    good = pl.concat([objects.drop(SUSPECT), decoded], how="horizontal")
    spaced = b'": ' in data  # json.dumps' default style; compact files need half the counting
    bent = _bent_by_decoding(good, spaced)
    if undecodable is not None:
        bent = bent | undecodable
    if b"\\ud" in data or b"\\uD" in data:  # maybe half a surrogate pair: the exact decoder
        bent = bent | good[TEXT].str.contains(_SURROGATE_ESCAPE_RE)
    good = good.with_columns(bent.alias(SUSPECT)).select(RAW_SCHEMA.names())
    bad = odd.filter(SUSPECT)
    if bad.is_empty() and whole_block:
        return good
    return pl.concat([good, _with_null_fields(bad)]).sort(LINE)


def _lines(data: bytes, source: str, first_line: int = 1) -> pl.DataFrame:
    """Every physical line with its 1-based number (CRLF endings dropped)."""
    try:
        lines = pl.read_lines(io.BytesIO(data), name=TEXT)
    except pl.exceptions.ComputeError:
        decode_text(data, source, first_line)  # raises with the line of the first bad byte
        raise
    lines = lines.with_row_index(LINE, offset=first_line).with_columns(pl.col(LINE).cast(pl.Int64))
    if b"\r" in data:  # CRLF line endings
        lines = lines.with_columns(pl.col(TEXT).str.strip_suffix("\r"))
    return lines


def _decode_objects(data: bytes | None, texts: pl.Series) -> tuple[pl.DataFrame, pl.Series | None]:
    """Decode JSON objects in bulk (the whole file at once when it is all objects); lines the
    bulk decoder refuses come back as nulls flagged True, for the model to explain (no flags:
    every line decoded)."""
    if data is not None:
        try:
            decoded = pl.read_ndjson(io.BytesIO(data), schema=_DECODE_SCHEMA)
            if decoded.height == texts.len():
                return decoded, None
        except pl.exceptions.PolarsError:
            pass
    parts: list[pl.DataFrame] = []
    flags: list[bool] = []
    for start in range(0, texts.len(), _DECODE_CHUNK):
        part, bad = _decode_or_bisect(texts.slice(start, _DECODE_CHUNK))
        parts.append(part)
        flags.extend(bad)
    if not parts:
        return pl.DataFrame(schema=_DECODE_SCHEMA), None
    return pl.concat(parts), pl.Series(flags, dtype=pl.Boolean)


def _decode_or_bisect(chunk: pl.Series) -> tuple[pl.DataFrame, list[bool]]:
    try:
        decoded = pl.read_ndjson(io.BytesIO("\n".join(chunk).encode()), schema=_DECODE_SCHEMA)
        if decoded.height == chunk.len():
            return decoded, [False] * chunk.len()
    except pl.exceptions.PolarsError:
        pass
    if chunk.len() <= 1:
        nulls = pl.DataFrame({f: [None] * chunk.len() for f in ALL_FIELDS}, schema=_DECODE_SCHEMA)
        return nulls, [True] * chunk.len()
    half = chunk.len() // 2
    left, left_bad = _decode_or_bisect(chunk.slice(0, half))
    right, right_bad = _decode_or_bisect(chunk.slice(half))
    return pl.concat([left, right]), left_bad + right_bad


def _bent_by_decoding(good: pl.DataFrame, spaced: bool) -> pl.Series:
    """Lines whose values the bulk decoder may have coerced or dropped, found by counting.

    The decoder turns 5 into "5", drops unknown keys and cannot tell null from absent. So count,
    in the raw text, the keys and the string-, null- and array-valued keys, and compare them with
    what was decoded. Any mismatch (an unknown key, a number where a string belongs, a nested
    object, or merely an escaped quote before a colon inside a summary) sends the line to the
    model. The counts are plain substring counts: cheap, and never wrong in the unsafe direction.
    """
    text = pl.col(TEXT)

    def count(*needles: str) -> pl.Expr:
        needles += tuple(n.replace('":', '": ') for n in needles) if spaced else ()
        return pl.sum_horizontal(text.str.count_matches(n, literal=True) for n in needles)

    strings = pl.sum_horizontal(
        pl.col(f).is_not_null().cast(pl.Int32) for f in STRING_FIELDS if f != Col.EXPECTS_RESPONSE
    )
    tags = pl.sum_horizontal(pl.col(f).is_not_null().cast(pl.Int32) for f in LIST_FIELDS)
    flag = pl.col(Col.EXPECTS_RESPONSE).is_not_null().cast(pl.Int32)
    keys = pl.col(TEXT).str.count_matches('":', literal=True)  # '": ' contains it too
    string_keys, null_keys, array_keys = count('":"'), count('":null'), count('":[')
    bool_keys = count('":true', '":false')
    flag_is_bool = text.str.contains(_FLAG_IS_BOOL_RE).cast(pl.Int32)
    counted = good.select(  # separate columns, so Polars counts them in parallel
        keys.alias("k"),
        string_keys.alias("s"),
        null_keys.alias("n"),
        array_keys.alias("a"),
        bool_keys.alias("b"),
        flag_is_bool.alias("fb"),
        strings.alias("st"),
        tags.alias("t"),
        flag.alias("f"),
        text.str.contains(_LIST_NOT_OF_STRINGS_RE).alias("bad_tags"),
    )
    return counted.select(
        (pl.col("k") != pl.col("st") + pl.col("t") + pl.col("f") + pl.col("n"))
        | (pl.col("s") != pl.col("st") + pl.col("f") - pl.col("fb"))
        | (pl.col("b") != pl.col("fb"))
        | (pl.col("a") != pl.col("t"))
        | pl.col("bad_tags")
    ).to_series()


# ---------------------------------------------------------------- CSV


@contextmanager
def _unlimited_cells() -> Iterator[None]:
    """Let the csv module read a cell of any length (its own limit fails the whole file, and
    leaves it misaligned inside a quoted cell); CSV_CELL_MAX is checked per row instead."""
    limit = csv.field_size_limit()
    csv.field_size_limit(1 << 62)
    try:
        yield
    finally:
        csv.field_size_limit(limit)


def csv_physical_lines(text: str) -> list[str]:
    """The file's lines as the csv reader counts them (a line ends at LF, CR or CRLF, even
    inside a quoted cell), each with its ending: line numbers and row texts come from these."""
    return io.StringIO(text, newline="").readlines()


def _without_ending(line: str) -> str:
    return line.removesuffix("\n").removesuffix("\r")


def _read_csv(data: bytes, source: str) -> RawLog:
    """In bulk through Polars when it reads what the csv module would (the common case), else
    row by row with the csv module: the same frame either way, but for the text column, which
    the bulk route leaves to be read back for the rows that need it."""
    return _csv_block(b"", data, 1, source) or _read_csv_carefully(b"", data, 1, source)


def _csv_block(header: bytes, data: bytes, first_line: int, source: str) -> RawLog | None:
    """Rows of a CSV log in bulk (`data` from line `first_line`; the header line before them,
    or in them when `header` is empty), or None when they must be read carefully."""
    if not data.isascii():
        _utf8(data, source, first_line)  # a bad byte is named with its line on either route
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
        _utf8(data, source, first_line)
    text = (header + data).decode("utf-8").removeprefix("\ufeff")
    with _unlimited_cells():
        raw = _read_csv_lines(csv_physical_lines(text), source)
    frame = raw.frame
    if header:  # its own lines were numbered from the header's
        frame = frame.with_columns(pl.col(LINE) + (first_line - 2))
    columns = raw.csv_columns
    return RawLog(source, InputFormat.CSV, frame, csv_columns=columns, size=len(data))


def _csv_blocks(path: Path) -> Iterator[RawLog]:
    """A CSV log in blocks of whole rows of about CSV_BLOCK_BYTES, each read in bulk; from the
    first block that must be read carefully on, the rest of the log is read carefully at once
    (the csv module reads a row by what came before it). A header that is not one plain line
    sends the whole log to `read_log`."""
    source = source_name(path)
    chunks = log_chunks(path, CSV_BLOCK_BYTES)
    data = b""
    for chunk in chunks:  # the header line, whole, and enough to tell text from binary data
        data += chunk
        if b"\n" in data and len(data) >= _BINARY_PROBE:
            break
    data = _opening_chunk(data, source)
    end = data.find(b"\n") + 1
    header = data[:end]
    if not header.strip() or b'"' in header or b"\r" in header[:-2]:  # (or no line end)
        yield read_log(path, InputFormat.CSV)
        return
    _utf8(header, source)
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
        raise InputError(f"{source}: is empty; a log has at least one record") from None
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
        texts.append(_without_ending(text))
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


def split_tags(cell: str | None) -> list[str] | None:
    """A CSV list cell (``tags``, ``logged_by``): ``;``-separated, blanks around each ignored."""
    if cell is None:
        return None
    return [t.strip() for t in cell.split(CSV_TAG_SEPARATOR) if t.strip()]


def _csv_mapping(header: tuple[str, ...], text: str) -> dict[str, Any]:
    try:
        with _unlimited_cells():
            row = next(csv.reader(iter(csv_physical_lines(text))), [])
    except csv.Error as error:
        raise LineError(f"CSV row cannot be read ({error})") from None
    if len(row) != len(header):
        raise LineError(f"row has {len(row)} cells but the header has {len(header)}")
    record: dict[str, Any] = {}
    for name, value in zip(header, row, strict=True):
        if len(value) > CSV_CELL_MAX:
            raise LineError(
                f"cell of {len(value)} characters; the longest a cell may be is {CSV_CELL_MAX}",
                name,
            )
        if value.strip():
            record[name] = split_tags(value) if name in LIST_FIELDS else value
    return record
