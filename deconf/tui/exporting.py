"""Export of the list in front: CSV, JSON or Parquet by the file's extension, never over a file
the browser reads, never over any file without the reader saying so, written whole or not at all.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from deconf.export import to_csv, to_json

FORMATS = (".csv", ".json", ".parquet")


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


def write_export(frame: pl.DataFrame, path: Path) -> int:
    """Write `frame` (already checked target) by extension, atomically; rows written."""
    frame = without_working_columns(frame)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            frame.write_parquet(temporary)
        else:
            text = to_json(frame) if suffix == ".json" else to_csv(frame)
            temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return frame.height
