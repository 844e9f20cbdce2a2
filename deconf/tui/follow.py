"""--follow: notice when the logs change, by name, whatever happened to them.

A log may grow, be truncated, be rotated (a new file under the same name: a new inode), be
deleted for a while, or be caught half-way through a line. The browser re-reads by name, so
growth, truncation and rotation are all "changed: read again". A deleted log is reported and
waited for, the last good read staying on screen. A log whose last line has no newline yet is
being written: it is read once it ends a line, or once it has stayed the same for one more
check (a writer that never ends its last line). No Textual here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

Stamp = tuple


@dataclass
class Change:
    reload: bool = False
    missing: list[Path] = field(default_factory=list)


def _ends_a_line(path: Path, size: int) -> bool:
    if size == 0:
        return True
    with path.open("rb") as handle:
        handle.seek(size - 1)
        return handle.read(1) == b"\n"


def stamp(path: Path) -> Stamp | None:
    """What tells that a file changed: inode, size, mtime, and whether it ends a line."""
    try:
        info = os.stat(path)
        return (info.st_ino, info.st_size, info.st_mtime_ns, _ends_a_line(path, info.st_size))
    except OSError:
        return None


@dataclass
class FollowWatch:
    paths: list[Path]
    _loaded: tuple = ()
    _pending: tuple | None = None

    def _stamps(self) -> tuple:
        return tuple(stamp(p) for p in self.paths)

    def settled(self) -> None:
        """The files as they are now are what was read."""
        self._loaded, self._pending = self._stamps(), None

    def check(self) -> Change:
        stamps = self._stamps()
        missing = [p for p, s in zip(self.paths, stamps, strict=True) if s is None]
        if missing:
            self._pending = None
            return Change(missing=missing)
        if stamps == self._loaded:
            return Change()
        half_written = any(not s[3] for s in stamps)
        if half_written and stamps != self._pending:
            self._pending = stamps  # wait one check for the line to end
            return Change()
        self._loaded, self._pending = stamps, None
        return Change(reload=True)
