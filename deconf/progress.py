"""Progress of long operations, reported by the core through a callback and drawn by a front end.

The core never draws: `validate_files`, `load_data` and the engines call `report(Step(...))` as
they go, and the CLI (a rich progress bar on a terminal, nothing when piped or `--quiet`) or the
browser (its loading screen) shows it. A caller that wants nothing passes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BYTES = "bytes"
RECORDS = "records"
PAIRS = "pairs"


@dataclass(frozen=True)
class Step:
    """Where an operation is: what it is doing, how much of it is done, out of how much (None:
    not known), counted in `unit`."""

    what: str
    done: int = 0
    total: int | None = None
    unit: str = RECORDS


Report = Callable[[Step], None]


def amount_text(value: float, unit: str) -> str:
    """An amount as a person reads it: "241.3 MB" for bytes, "1,000,000 records" otherwise."""
    if unit != BYTES:
        return f"{int(value):,} {unit}"
    for size, name in ((1e9, "GB"), (1e6, "MB"), (1e3, "kB")):
        if value >= size:
            return f"{value / size:.1f} {name}"
    return f"{int(value)} bytes"


def done_text(done: float, total: float | None, unit: str) -> str:
    """How much is done, of how much when known: "33.6 MB of 253.0 MB", "3 of 15 pairs"."""
    if total is None:
        return amount_text(done, unit)
    if unit == BYTES:
        return f"{amount_text(done, unit)} of {amount_text(total, unit)}"
    return f"{int(done):,} of {amount_text(total, unit)}"


def rate_text(per_second: float, unit: str) -> str:
    """A rate: "42.3 MB/s", "250,000 records/s", and "0.25 pairs/s" rather than 0 for a slow
    count (two significant figures below ten)."""
    if unit != BYTES and per_second < 10:
        return f"{per_second:.2g} {unit}/s"
    return f"{amount_text(per_second, unit)}/s"


def step_text(step: Step) -> str:
    """A step in words: what, and how much of it is done when that is known."""
    if step.total is None and not step.done:
        return step.what
    return f"{step.what}: {done_text(step.done, step.total, step.unit)}"


def silent(step: Step) -> None:
    """The report of a caller that wants none."""


def size_of(path: Path) -> int | None:
    """The size of a regular file, None for anything else (standard input, a pipe)."""
    try:
        return path.stat().st_size if path.is_file() else None
    except OSError:
        return None
