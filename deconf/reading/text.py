"""A log's bytes as text: not binary, not empty, UTF-8 (a bad byte named with its line), the
byte-order mark dropped. Every reader checks its input here before decoding it.
"""

from __future__ import annotations

from pathlib import Path

from deconf.errors import InputError
from deconf.opening import log_bytes, source_name

#: How much of the start of a log is looked at for a NUL byte (binary data).
BINARY_PROBE = 8192
#: UTF-8's byte-order mark, which some editors put first in a text file.
BOM = b"\xef\xbb\xbf"


def no_record(source: str) -> InputError:
    """What every reader says of a log without a record (empty, or blank lines only)."""
    return InputError(f"{source}: is empty; a log has at least one record")


def read_bytes(path: Path) -> bytes:
    """The log's bytes (decompressed, BOM removed), or an InputError saying why it is no log."""
    data = log_bytes(path)
    source = source_name(path)
    check_opening(data[:BINARY_PROBE], source)
    data = data.removeprefix(BOM)
    if not data or data.isspace():  # isspace stops at the first other byte: no copy, no scan
        raise no_record(source)
    return data


def decode_text(data: bytes, source: str, first_line: int = 1) -> str:
    """A whole log's bytes as text (an importer's), or an InputError: binary, not UTF-8, empty."""
    check_opening(data[:BINARY_PROBE], source)
    text = utf8(data, source, first_line).removeprefix("\ufeff")
    if not text.strip():
        raise no_record(source)
    return text


def utf8(data: bytes, source: str, first_line: int = 1) -> str:
    """`data` as text, or an InputError naming the line of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + first_line
        raise InputError(
            f"{source}:{line}: not UTF-8 text (byte 0x{data[error.start]:02x}); "
            "save the log as UTF-8"
        ) from None


def check_opening(head: bytes, source: str) -> None:
    """An InputError when a log's first bytes hold a NUL: binary data, not text."""
    if b"\x00" in head:
        raise InputError(f"{source}: looks like binary data, not a text log")


def opening_chunk(chunk: bytes, source: str) -> bytes:
    """A streamed log's first chunk, checked for binary data, without its byte-order mark."""
    check_opening(chunk[:BINARY_PROBE], source)
    return chunk.removeprefix(BOM)
