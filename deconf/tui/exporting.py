"""Export of the list in front: CSV, JSON or Parquet by the file's extension, never over a file
the browser reads, never over any file without the reader saying so, written whole or not at
all, a part at a time so that the browser can show how far it is.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path

import polars as pl

from deconf.export import to_csv, to_json
from deconf.progress import Report, Step, silent

FORMATS = (".csv", ".json", ".parquet")
#: rows written between two reports of progress
CHUNK = 20_000
ROWS = "rows"


class ExportRefused(ValueError):
    """The export cannot go to this file; the message says why."""


class ExportNeedsConfirmation(ExportRefused):
    """The file exists: writing needs the reader's yes."""


def check_target(path: Path, inputs: Iterable[Path], overwrite: bool = False) -> Path:
    """The path to write, or ExportRefused: unknown extension, an input of the browser (or
    inside its store), a directory, or an existing file without `overwrite`."""
    path = path.expanduser()
    if path.suffix.lower() not in FORMATS:
        raise ExportRefused(f"{path}: say the format by the extension: {', '.join(FORMATS)}")
    resolved = path.resolve()
    for source in inputs:
        source = Path(source).resolve()
        if resolved == source or source in resolved.parents:
            raise ExportRefused(f"{path}: that is what the browser reads; choose another file")
    if resolved.is_dir():
        raise ExportRefused(f"{path}: is a directory")
    if resolved.exists() and not overwrite:
        raise ExportNeedsConfirmation(f"{path} exists; overwrite it?")
    return path


def without_working_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """The list as the analysis gives it: no working columns, and texts the browser holds as
    categoricals (to save memory) as text again, so files say and neutralise the same."""
    frame = frame.drop([c for c in frame.columns if c.startswith("_")])
    return frame.with_columns(
        pl.col(name).cast(pl.String)
        for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.Categorical)
    )


def write_export(
    frame: pl.DataFrame, path: Path, progress: Report = silent, chunk: int = CHUNK
) -> int:
    """Write `frame` (already checked target) by extension, atomically; rows written. Written
    `chunk` rows at a time, each reported to `progress`, into the same bytes a one-piece
    write gives (CSV: the header once; JSON: one array)."""
    frame = without_working_columns(frame)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    suffix = path.suffix.lower()
    total, what = frame.height, f"exporting to {path}"
    progress(Step(what, 0, total, ROWS))
    try:
        if suffix == ".parquet":  # binary and fast (a third of a second at 320k rows): at once
            frame.write_parquet(temporary)
            progress(Step(what, total, total, ROWS))
        else:
            with temporary.open("w", encoding="utf-8", newline="") as handle:
                for text in (_json_pieces if suffix == ".json" else _csv_pieces)(
                    frame, chunk, lambda done: progress(Step(what, done, total, ROWS))
                ):
                    handle.write(text)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return total


def _parts(frame: pl.DataFrame, chunk: int):
    """(rows done after it, the part) for each `chunk` rows of the frame."""
    for start in range(0, frame.height, chunk):
        part = frame.slice(start, chunk)
        yield start + part.height, part


def _csv_pieces(frame: pl.DataFrame, chunk: int, report) -> Iterator[str]:
    if frame.is_empty():
        yield to_csv(frame)
        return
    for done, part in _parts(frame, chunk):
        text = to_csv(part)
        yield text if done == part.height else text.split("\n", 1)[1]  # the header once
        report(done)


def _json_pieces(frame: pl.DataFrame, chunk: int, report) -> Iterator[str]:
    if frame.is_empty():
        yield to_json(frame)
        return
    yield "[\n"
    for done, part in _parts(frame, chunk):
        # each part's array without its brackets: the objects as json.dumps indents them
        body = to_json(part).rstrip("\n")[len("[\n") : -len("\n]")]
        yield ("" if done == part.height else ",\n") + body
        report(done)
    yield "\n]\n"
