"""JSON Lines logs: streamed in blocks of whole lines, each decoded in one strict pass
(`deconf.strictjson`), and only a block that pass refuses read carefully, line by line, with the
lines the bulk decoder might have bent marked suspect for the model.
"""

from __future__ import annotations

import io
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import polars as pl

from deconf.frames import Col
from deconf.model import ALL_FIELDS
from deconf.reading.lines import LIST_FIELDS, SURROGATE_ESCAPE_RE
from deconf.reading.raw import (
    LINE,
    RAW_SCHEMA,
    STRING_FIELDS,
    SUSPECT,
    TEXT,
    BytesLines,
    InputFormat,
    RawLog,
    with_null_fields,
)
from deconf.reading.text import BINARY_PROBE, BOM, check_opening, decode_text, no_record, utf8
from deconf.strictjson import decode_strictly

_DECODE_SCHEMA = pl.Schema({f: RAW_SCHEMA[f] for f in ALL_FIELDS})
_DECODE_CHUNK = 1 << 16
#: JSON Lines are decoded in blocks of about this many bytes: a refused block costs only itself.
JSONL_BLOCK_BYTES = 1 << 25
#: Blocks decoded at once, each in a thread of its own, ahead of the one being validated.
JSONL_DECODERS = 2
_NEWLINE_BYTE, _BRACE_BYTE = ord("\n"), ord("{")
_SCAN_BYTES = 1 << 18

# `expects_response` given as a JSON boolean (the only field that may be one).
_FLAG_IS_BOOL_RE = r'"expects_response"\s*:\s*(?:true|false)'
# a list field given as something other than a list of strings (the decoder would coerce it).
_LIST_NOT_OF_STRINGS_RE = (
    r'"(?:{names})"\s*:\s*(?:[^\[n\s]|\[\s*(?:"(?:[^"\\]|\\.)*"\s*,\s*)*[^"\s\]])'.replace(
        "{names}", "|".join(LIST_FIELDS)
    )
)


def jsonl_blocks(fill: Callable[[memoryview], int], source: str) -> Iterator[RawLog]:
    """A JSON Lines log (its bytes from `fill`, as `deconf.opening.log_filler` gives them) as
    consecutive blocks of lines, each a RawLog with its own line numbers, streamed (memory holds
    a few blocks, not the log). Raises InputError when it holds no record (once every block was
    read)."""
    rows = 0
    # the next blocks are decoded in threads while the caller validates this one: the decoder
    # (one thread a block) and Polars release the interpreter, so they share the cores
    with ThreadPoolExecutor(max_workers=JSONL_DECODERS) as decoder:
        pending: deque[Future[RawLog]] = deque()
        for block in _streamed_blocks(fill, source):
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
        raise no_record(source)


def _streamed_blocks(fill: Callable[[memoryview], int], source: str) -> Iterator[LineBlock]:
    """The log in blocks of whole lines of about JSONL_BLOCK_BYTES, each read into a buffer of
    its own (only the unfinished line at a block's end is copied, to the next one)."""
    line, carry, first = 1, b"", True
    while True:
        # (numpy backs a large array with huge pages: a fresh buffer faults in 16 pages,
        # not 8,000, and `bytes` would cost a copy)
        buffer = memoryview(np.empty(len(carry) + JSONL_BLOCK_BYTES, dtype=np.uint8))
        buffer[: len(carry)] = carry
        end = len(carry) + fill(buffer[len(carry) :])
        start = 0
        if first:
            check_opening(bytes(buffer[: min(end, BINARY_PROBE)]), source)
            start = len(BOM) if bytes(buffer[: len(BOM)]) == BOM else 0
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


def read_jsonl(data: bytes, source: str) -> RawLog:
    """A whole JSON Lines log held in memory (standard input kept whole, a test's bytes), read
    block by block as a streamed one is; an InputError when it holds no record."""
    raw = _jsonl_raw(data, 1, source)
    if raw.frame.is_empty():
        raise no_record(source)
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
        utf8(bytes(block.data), source, block.first_line)
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
        bent = bent | good[TEXT].str.contains(SURROGATE_ESCAPE_RE)
    good = good.with_columns(bent.alias(SUSPECT)).select(RAW_SCHEMA.names())
    bad = odd.filter(SUSPECT)
    if bad.is_empty() and whole_block:
        return good
    return pl.concat([good, with_null_fields(bad)]).sort(LINE)


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
