"""The log files a command is given: one path or several, each read once under any spelling.

Apart from reading them (`deconf.loading`), so that what only names logs (a store's sources, a
report's inputs) does not import the validation machinery.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from deconf.opening import STDIN, is_stdin

__all__ = ["PathLike", "as_paths", "distinct"]

PathLike = str | Path


def as_paths(paths: PathLike | Sequence[PathLike]) -> list[Path]:
    """One path or several, as a list of Paths (the API takes either)."""
    if isinstance(paths, str | Path):
        return [Path(paths)]
    return [Path(p) for p in paths]


def distinct(paths: Sequence[Path]) -> tuple[list[Path], list[Path]]:
    """The logs to read, each once (the same file named twice, under any spelling of its path,
    would repeat every record and every warning), and the names that were dropped as repeats."""
    seen: set[str] = set()
    kept: list[Path] = []
    repeated: list[Path] = []
    for path in paths:
        key = STDIN if is_stdin(path) else str(path.resolve())
        (repeated if key in seen else kept).append(path)
        seen.add(key)
    return kept, repeated
