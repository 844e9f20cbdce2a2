"""Tables for people: human column labels, values formatted for reading (durations as
"2h 14m 00s", counts with thousands separators, times in the zone asked for), and a layout that
fits the terminal: low-priority columns are left out (and named below the table) before anything
would fold, and ids and times never fold. Machine output (JSON, CSV, Parquet) never comes here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

import polars as pl
from rich.console import Console
from rich.table import Table
from rich.text import Text

from deconf.errors import UsageError
from deconf.inert import visible, visible_columns
from deconf.times import humanize

#: Rich's box: one border before each column and one after the last, one space each side.
_CELL_PADDING = 3
_BORDER = 1
#: A wrapping column (a list of events) is never made wider than this to fit its longest value.
_WRAP_WIDTH = 32
#: Words are cut short (…) to no fewer characters than this, and only when nothing else fits.
_LEAST_TEXT = 10


class Kind(StrEnum):
    """How a column's values are shown, and whether they may fold."""

    ID = "id"  # never folds
    TIME = "time"  # never folds
    TEXT = "text"  # short words: never folds either
    WRAP = "wrap"  # long text (lists): may wrap over lines
    DURATION = "duration"
    COUNT = "count"
    FLAG = "flag"
    SHARE = "share"


@dataclass(frozen=True)
class Column:
    """One column of a table for people. `name` is the result column (what --columns takes);
    `keep` orders what is left out when the terminal is too narrow: 0 is always shown, higher
    numbers go first."""

    name: str
    label: str
    kind: Kind
    keep: int = 0
    by_default: bool = True  # False: shown only when --columns names it


@dataclass(frozen=True)
class Layout:
    """The columns of one table, in the order shown."""

    columns: tuple[Column, ...]

    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def chosen(self, names: Sequence[str] | None) -> tuple[Column, ...]:
        """The columns a user named (in their order), or all of them."""
        if not names:
            return tuple(c for c in self.columns if c.by_default)
        by_name = {c.name: c for c in self.columns}
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise UsageError(
                f"--columns: no column {', '.join(map(repr, unknown))}; "
                f"choose from {', '.join(self.names())}"
            )
        return tuple(by_name[n] for n in names)


# ------------------------------------------------------------------ values for people


def _time_text(frame: pl.DataFrame, name: str, zone: str) -> tuple[pl.Expr, str | None]:
    """A time column as wall time in `zone`, to the second (to the minute when no value has
    seconds). When every value has the same offset, it is said once (returned) instead of on
    every row."""
    local = pl.col(name).dt.convert_time_zone(zone)
    to_the_minute = frame.select((local.dt.second() == 0).all()).item()
    clock = "%Y-%m-%d %H:%M" if to_the_minute else "%Y-%m-%d %H:%M:%S"
    if zone == "UTC":
        return local.dt.strftime(clock + "Z"), None
    offsets = frame.select(local.dt.strftime("%:z").drop_nulls().unique()).to_series()
    if offsets.len() <= 1:
        offset = offsets[0] if offsets.len() else None
        return local.dt.strftime(clock), offset
    return local.dt.strftime(clock + " %:z"), None


def moment_text(moment: datetime, zone: str) -> str:
    """One moment for a title: '2018-02-08 09:00:00Z', or '2018-02-08 11:00:00 +02:00'."""
    local = moment.astimezone(ZoneInfo(zone))
    if zone == "UTC":
        return local.strftime("%Y-%m-%d %H:%M:%SZ")
    offset = local.strftime("%z")
    return local.strftime("%Y-%m-%d %H:%M:%S ") + offset[:3] + ":" + offset[3:]


def _count_text(value: int | None) -> str | None:
    return None if value is None else f"{value:,}"


def values_for_people(
    frame: pl.DataFrame, columns: Sequence[Column], zone: str
) -> tuple[pl.DataFrame, set[str]]:
    """The columns as text, and the UTC offsets said once (for the note under the table)."""
    offsets: set[str] = set()
    exprs = []
    for column in columns:
        value = pl.col(column.name)
        dtype = frame.schema[column.name]
        if column.kind is Kind.TIME or isinstance(dtype, pl.Datetime):
            value, offset = _time_text(frame, column.name, zone)
            if offset:
                offsets.add(offset)
        elif column.kind is Kind.DURATION and dtype.is_numeric():
            value = value.map_elements(humanize, return_dtype=pl.String)
        elif column.kind is Kind.COUNT and dtype.is_integer():
            value = value.map_elements(_count_text, return_dtype=pl.String)
        elif column.kind is Kind.SHARE:
            value = pl.format("{}%", (value * 100).round(1))
        elif dtype == pl.Boolean:
            value = value.replace_strict({True: "yes", False: "no"}, return_dtype=pl.String)
        elif isinstance(dtype, pl.List):
            value = value.cast(pl.List(pl.String)).list.join(", ")
        exprs.append(value.cast(pl.String).fill_null("").alias(column.name))
    return frame.select(exprs), offsets


# ------------------------------------------------------------------ fitting the width


def longest_word(text: str) -> int:
    return max((len(word) for word in text.split()), default=0)


def _natural_width(column: Column, values: pl.Series) -> int:
    """The width a column needs: its longest value (a wrapping column: up to _WRAP_WIDTH), and
    its label (labels are short and stay on one line)."""
    longest = int(values.str.len_chars().max() or 0)
    if column.kind is Kind.WRAP:
        longest = min(longest, _WRAP_WIDTH)
    return max(longest, len(column.label), 1)


def table_width(widths: Sequence[int]) -> int:
    return sum(widths) + _CELL_PADDING * len(widths) + _BORDER


def _fits(shown: Sequence[Column], widths: dict[str, int], console: Console) -> bool:
    return table_width([widths[c.name] for c in shown]) <= console.width


def _least_width(column: Column, natural: int, *, fits: bool) -> int:
    """How narrow a column may get: its natural width while the table fits; when even the
    columns kept do not, words are cut short (…) to _LEAST_TEXT; ids, times and numbers never."""
    if fits or column.kind not in (Kind.TEXT, Kind.WRAP):
        return natural
    return min(natural, _LEAST_TEXT)


def fitted(columns: Sequence[Column], widths: dict[str, int], width: int) -> list[Column]:
    """The columns that fit in `width`: those with the highest `keep` are left out first (the
    rightmost first among equals); columns with keep 0 are always shown."""
    shown = list(columns)
    while table_width([widths[c.name] for c in shown]) > width:
        droppable = [c for c in shown if c.keep > 0]
        if not droppable:
            break
        victim = max(reversed(droppable), key=lambda c: c.keep)
        shown.remove(victim)
    return shown


def render(
    frame: pl.DataFrame,
    layout: Layout,
    console: Console,
    *,
    title: str,
    zone: str = "UTC",
    names: Sequence[str] | None = None,
    total: int | None = None,
) -> None:
    """Print `frame` as a table that fits the console's width, with notes on what was left out."""
    columns = layout.chosen(names)
    offered = [c for c in layout.columns if c.by_default]
    texts, offsets = values_for_people(frame, columns, zone)
    texts = visible_columns(texts)  # a log's control characters shown, never run
    widths = {c.name: _natural_width(c, texts[c.name]) for c in columns}
    shown = list(columns) if names else fitted(columns, widths, console.width)
    console.print(Text(visible(title)))
    table = Table(highlight=False)
    fits = _fits(shown, widths, console)
    least = {c.name: _least_width(c, widths[c.name], fits=fits) for c in shown}
    for column in shown:
        folds = column.kind is Kind.WRAP
        table.add_column(
            Text(column.label),
            no_wrap=not folds,
            overflow="fold" if folds else "ellipsis",
            min_width=least[column.name],
            max_width=least[column.name] if least[column.name] < widths[column.name] else None,
            justify="right" if column.kind in (Kind.COUNT, Kind.DURATION) else "left",
        )
    for row in texts.select(c.name for c in shown).iter_rows():
        table.add_row(*(Text(value) for value in row))
    width = console.width
    # below even the least widths, lines run past the terminal (which wraps them) rather than
    # lose part of an id, a time or a number
    console.width = max(width, table_width(list(least.values())))
    console.print(table, crop=False)
    console.width = width
    notes = []
    if frame.is_empty():
        notes.append("(no rows)")
    if total is not None and total > frame.height:
        notes.append(f"… {total - frame.height:,} more rows (--format csv or json gives all)")
    if zone != "UTC":
        said = f" (UTC{', UTC'.join(sorted(offsets))})" if offsets else ""
        notes.append(f"times in {zone}{said}")
    left_out = [c.label for c in offered if c not in shown] if not names else []
    if left_out:
        notes.append(
            f"left out to fit {console.width} columns: {', '.join(left_out)} "
            "(--columns chooses; a wider terminal shows more)"
        )
    for note in notes:
        console.print(Text(note))
