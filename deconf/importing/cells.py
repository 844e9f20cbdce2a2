"""Cells as a mapping reads them: blanks and spaces a spreadsheet left around a value.

A cell of blanks only is empty, as `deconf validate` reads it; spaces around a party's name, a
time or a value to map are trimmed. Most columns have neither, and a million cells cost more to
trim than to look at, so each column is looked at first, as cheaply as possible, and trimmed only
when it needs it.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from deconf.importing.tables import SourceTable


def blank_cells_as_null(table: SourceTable, columns: list[str]) -> SourceTable:
    """Cells of blanks only (spaces a spreadsheet left) are empty, as `validate` reads them.
    Only columns where some cell starts with a blank are trimmed: most have none, and looking
    costs less than trimming a million cells."""
    frame = table.frame
    candidates = _may_start_blank(frame, columns, ascii=table.ascii)
    if not candidates:
        return table
    starts_blank = frame.select(pl.col(c).str.contains(r"^\s").any() for c in candidates)
    padded = [c for c in candidates if starts_blank[c].item()]
    if not padded:
        return table
    frame = frame.with_columns(
        pl.when(pl.col(c).str.strip_chars() != "").then(pl.col(c)).alias(c) for c in padded
    )
    return replace(table, frame=frame)


def _may_start_blank(frame: pl.DataFrame, columns: list[str], *, ascii: bool) -> list[str]:
    """Columns where some cell may start with a blank, told by their lowest and highest cells
    (text sorts by code point, and every blank is below "!" or from U+0085 up; the highest
    needs no look when the source is known to be ASCII): a column of cells that all start
    with a printable ASCII character needs no closer look."""
    if not columns:
        return []
    lowest = [pl.col(c).min().alias(f"low{i}") for i, c in enumerate(columns)]
    highest = [] if ascii else [pl.col(c).max().alias(f"high{i}") for i, c in enumerate(columns)]
    bounds = frame.select(*lowest, *highest).row(0)
    lows, highs = bounds[: len(columns)], bounds[len(columns) :] or ("",) * len(columns)
    return [
        c
        for c, low, high in zip(columns, lows, highs, strict=True)
        if low is not None and (low < "!" or high >= "\u0085")
    ]


def trimmed(frame: pl.DataFrame, value: pl.Expr) -> pl.Expr:
    """Cells trimmed of spaces (a cell of spaces only is empty); looked for first, since most
    cells have none to trim and trimming a million costs more than looking. (A tab or other
    blank at an edge is left for validation, which rejects a party name with one, located.)"""
    padded = value.str.starts_with(" ") | value.str.ends_with(" ")
    if not frame.select(padded.any()).item():
        return value
    stripped = value.str.strip_chars()
    return pl.when(stripped != "").then(stripped)


def trimmed_cells(cell: pl.Series) -> pl.Series:
    """`trimmed` for cells already read out of the frame (a time field's)."""
    if not (cell.str.starts_with(" ") | cell.str.ends_with(" ")).any():
        return cell
    stripped = cell.str.strip_chars()
    return pl.select(pl.when(pl.lit(stripped) != "").then(pl.lit(stripped))).to_series()
