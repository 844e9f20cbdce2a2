"""Standard input, read once in a run: kept whole, or streamed through a hash.

A file can be read twice (its hash, then its records); standard input cannot. A log piped in is
streamed as a file is (memory holds a block, not the log: `zcat big.jsonl.gz | deconf ingest -`)
and its SHA-256 and size are taken on the way, for the provenance a report or an ingest records.
When something asks for the bytes themselves, or for the hash before the log is read, standard
input is read whole and kept, and every later reader is served from memory.
"""

from __future__ import annotations

import hashlib
import io
import sys
from typing import BinaryIO

#: What a reader asks for at once from the pipe.
_READ_BYTES = 1 << 20


class StandardInput:
    """One run's standard input (`stream`, its binary buffer)."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self._kept: bytes | None = None
        self._hasher = hashlib.sha256()
        self._size = 0
        self._streamed = False

    def whole(self) -> bytes:
        """Every byte, read now and kept (the same bytes each time asked)."""
        if self._kept is None:
            if self._streamed:  # a programming error, never a user's: say so loudly
                raise RuntimeError("standard input was streamed; its bytes were not kept")
            self._kept = self.stream.read()
        return self._kept

    def opened(self, head: int) -> tuple[bytes, BinaryIO]:
        """Its first `head` bytes (fewer only if there are no more), and a stream of all of its
        bytes, those included: from memory when kept, else from the pipe through the hash (once
        in a run)."""
        if self._kept is not None:
            return self._kept[:head], io.BytesIO(self._kept)
        if self._streamed:
            raise RuntimeError("standard input can be streamed once in a run")
        self._streamed = True
        reader = _Hashed(self)
        return reader.head(head), io.BufferedReader(reader, buffer_size=_READ_BYTES)

    def digest(self) -> tuple[str, int]:
        """SHA-256 and size of everything standard input held. Streamed: what the reader left
        unread (a compressed log's trailing bytes) is read and hashed now."""
        if self._kept is None and not self._streamed:
            self.whole()
        if self._kept is not None:
            return hashlib.sha256(self._kept).hexdigest(), len(self._kept)
        while chunk := self.stream.read(_READ_BYTES):
            self.hashed(chunk)
        return self._hasher.hexdigest(), self._size

    def hashed(self, data: bytes | memoryview) -> None:
        self._hasher.update(data)
        self._size += len(data)


class _Hashed(io.RawIOBase):
    """Standard input's bytes as a raw stream, each byte hashed as it is read from the pipe; the
    first ones may be read ahead (`head`) to tell compression and format, and are read again."""

    def __init__(self, owner: StandardInput) -> None:
        super().__init__()
        self._owner = owner
        self._ahead = b""

    def readable(self) -> bool:
        return True

    def head(self, count: int) -> bytes:
        while len(self._ahead) < count and (
            chunk := self._owner.stream.read(count - len(self._ahead))
        ):
            self._owner.hashed(chunk)
            self._ahead += chunk
        return self._ahead[:count]

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self._ahead:
            count = min(len(buffer), len(self._ahead))
            buffer[:count] = self._ahead[:count]
            self._ahead = self._ahead[count:]
            return count
        count = self._owner.stream.readinto(buffer)
        if count:
            self._owner.hashed(memoryview(buffer)[:count])
        return count or 0


_current: list[StandardInput] = []


def standard_input() -> StandardInput:
    """This run's standard input (a test runner swaps the stream per run: a new one then)."""
    stream = sys.stdin.buffer
    if not _current or _current[0].stream is not stream:
        _current[:] = [StandardInput(stream)]
    return _current[0]
