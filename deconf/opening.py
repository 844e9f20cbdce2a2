"""A log's bytes, wherever they are: a file, standard input (`-`), or either compressed with gzip,
bzip2, xz or zstd. A thin layer before decoding, so reading never needs to know.

Compression is told by the magic bytes (a compressed file without its extension still reads); an
extension that promises compression the bytes do not have is an error, since it usually means a
truncated or mislabelled file. Standard input is read once: streamed, as a file is, with its hash
taken on the way, or read whole and kept when its bytes are asked for (`deconf.stdin`); either
way a report or an ingest names what it read.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import lzma
import sys
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TypeVar

from deconf.errors import InputError
from deconf.stdin import standard_input

if sys.version_info >= (3, 14):  # pragma: no cover - the standard library's own, from 3.14
    from compression import zstd
else:
    from backports import zstd

_T = TypeVar("_T")

#: How a user names standard input, and how messages name it.
STDIN = "-"
STDIN_NAME = "<stdin>"

#: name, the file extension, the magic bytes, and how to decompress.
_OPENERS: dict[str, Callable[[BinaryIO], BinaryIO]] = {
    "gzip": lambda raw: gzip.GzipFile(fileobj=raw),  # type: ignore[dict-item]
    "bzip2": lambda raw: bz2.BZ2File(raw),  # type: ignore[dict-item]
    "xz": lambda raw: lzma.LZMAFile(raw),  # type: ignore[dict-item]  # noqa: SIM115
    "zstd": lambda raw: zstd.ZstdFile(raw),  # type: ignore[dict-item]
}
_CODECS: tuple[tuple[str, str, bytes, Callable[[bytes], bytes]], ...] = (
    ("gzip", ".gz", b"\x1f\x8b", gzip.decompress),
    ("bzip2", ".bz2", b"BZh", bz2.decompress),
    ("xz", ".xz", b"\xfd7zXZ\x00", lzma.decompress),
    ("zstd", ".zst", b"\x28\xb5\x2f\xfd", zstd.decompress),
)
#: The most bytes a compression's magic takes (xz's).
_MAGIC_BYTES = max(len(magic) for _, _, magic, _ in _CODECS)
COMPRESSED_SUFFIXES = tuple(suffix for _, suffix, _, _ in _CODECS)
_DECOMPRESSION_ERRORS = (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError, zstd.ZstdError)


def is_stdin(path: str | Path) -> bool:
    return str(path) in (STDIN, STDIN_NAME)


def source_name(path: str | Path) -> str:
    """How messages and provenance name an input: its path, or <stdin>."""
    return STDIN_NAME if is_stdin(path) else str(path)


def log_suffix(path: str | Path) -> str:
    """The extension that tells the log's format, under any compression one: a.jsonl.gz → .jsonl."""
    if is_stdin(path):
        return ""
    path = Path(path)
    if path.suffix.lower() in COMPRESSED_SUFFIXES:
        path = path.with_suffix("")
    return path.suffix.lower()


def stdin_bytes() -> bytes:
    """Standard input's bytes, read once for the whole run and kept (`deconf.stdin`)."""
    return standard_input().whole()


def stored_bytes(path: str | Path) -> bytes:
    """The bytes as they are stored (compressed or not), or an InputError saying why not."""
    if is_stdin(path):
        return stdin_bytes()
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a log file")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror})") from None


def log_bytes(path: str | Path) -> bytes:
    """The log's bytes, decompressed when they are compressed."""
    data = stored_bytes(path)
    name = source_name(path)
    suffix = "" if is_stdin(path) else Path(path).suffix.lower()
    promised = next((c for c in _CODECS if suffix == c[1]), None)
    found = next((c for c in _CODECS if data.startswith(c[2])), None)
    if found is None:
        if promised is not None and data:
            raise InputError(f"{name}: named {promised[1]} but is not {promised[0]} data")
        return data
    codec, _, _, decompress = found
    try:
        return decompress(data)
    except _DECOMPRESSION_ERRORS as error:
        raise InputError(f"{name}: {codec} data that cannot be decompressed ({error})") from None


def digest(path: str | Path) -> tuple[str, int]:
    """SHA-256 and size of the input as stored (standard input: as it was read; a folder: the
    hash of its files' relative names and hashes)."""
    if is_stdin(path):
        return standard_input().digest()
    if Path(path).is_dir():  # an export folder (Slack): its files' names and hashes, in order
        files = sorted(p for p in Path(path).rglob("*") if p.is_file())
        listing = "".join(f"{p.relative_to(path).as_posix()} {digest(p)[0]}\n" for p in files)
        return hashlib.sha256(listing.encode()).hexdigest(), sum(p.stat().st_size for p in files)
    hasher = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest(), Path(path).stat().st_size


def log_chunks(path: str | Path, size: int) -> Iterator[bytes]:
    """The log's bytes, decompressed, in chunks of about `size` bytes: what streaming reads so
    that memory holds a chunk, not the file (standard input too). Errors as `log_bytes` raises
    them."""
    with _log_stream(path) as read:
        while chunk := read(lambda stream: stream.read(size)):
            yield chunk


@contextmanager
def log_filler(path: str | Path) -> Iterator[Callable[[memoryview], int]]:
    """`fill(view)` -> how many of the log's next bytes (decompressed) it wrote into the view: as
    many as fit unless the log ends first. A reader that fills its own buffers copies no block
    twice. Standard input streams as a file does. Errors as `log_bytes` raises them."""

    def filled(stream: BinaryIO, view: memoryview) -> int:
        done = 0
        while done < len(view) and (got := stream.readinto(view[done:])):
            done += got
        return done

    with _log_stream(path) as read:
        yield lambda view: read(lambda stream: filled(stream, view))


@contextmanager
def _log_stream(path: str | Path) -> Iterator[Callable[[Callable[[BinaryIO], _T]], _T]]:
    """`read(how)` -> how(stream) on the log's decompressed stream (a file, or standard input
    streamed once), a decompression error raised as an InputError."""
    name = source_name(path)
    if is_stdin(path):
        head, stored = standard_input().opened(_MAGIC_BYTES)
        suffix = ""
    else:
        stored_bytes_check(path)
        stored = Path(path).open("rb")  # noqa: SIM115 - closed by the `with` below
        head = stored.read(_MAGIC_BYTES)
        stored.seek(0)
        suffix = Path(path).suffix.lower()
    with stored as raw:
        promised = next((c for c in _CODECS if suffix == c[1]), None)
        found = next((c for c in _CODECS if head.startswith(c[2])), None)
        if found is None and promised is not None and head:
            raise InputError(f"{name}: named {promised[1]} but is not {promised[0]} data")
        stream: BinaryIO = raw if found is None else _OPENERS[found[0]](raw)

        def read(how: Callable[[BinaryIO], _T]) -> _T:
            try:
                return how(stream)
            except _DECOMPRESSION_ERRORS as error:
                codec = found[0] if found else "the"
                raise InputError(
                    f"{name}: {codec} data that cannot be decompressed ({error})"
                ) from None

        yield read


def stored_bytes_check(path: str | Path) -> None:
    """An InputError when `path` cannot be opened as a log file (as `stored_bytes` says it)."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a log file")
    try:
        with path.open("rb"):
            pass
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror})") from None


def prefixed(head: bytes, fill: Callable[[memoryview], int]) -> Callable[[memoryview], int]:
    """A filler (as `log_filler` gives) that gives `head` first, then what `fill` gives: for a
    reader handed a stream whose first bytes were already read (to tell its format)."""
    pending = memoryview(head)

    def fill_after(view: memoryview) -> int:
        nonlocal pending
        done = min(len(view), len(pending))
        view[:done] = pending[:done]
        pending = pending[done:]
        return done + (fill(view[done:]) if done < len(view) else 0)

    return fill_after


def filled_chunks(fill: Callable[[memoryview], int], size: int) -> Iterator[bytes]:
    """What a filler gives, in chunks of `size` bytes (the last one shorter), as `log_chunks`."""
    while True:
        buffer = bytearray(size)
        done = fill(memoryview(buffer))
        if done:
            yield bytes(buffer[:done])
        if done < size:
            return
