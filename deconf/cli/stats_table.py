"""The statistics table for people: one row per figure, one column per group, so a reader compares
responders side by side. Group names are data: they only ever become column headers (a party
named "figure" or "[bold]" is shown as it is), and when there are more groups than the terminal
holds, the table continues below in blocks that each fit.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
from rich.console import Console
from rich.table import Table
from rich.text import Text

from deconf.analysis.columns import NOT_ESTIMABLE, NOT_REACHED, S
from deconf.cli.layouts import GROUP_TITLE, NONE, STATISTICS
from deconf.cli.tables import longest_word, table_width, values_for_people
from deconf.inert import visible

#: A group name longer than this wraps (at spaces) or folds in its header.
_HEADER_WIDTH = 24


def _cells(frame: pl.DataFrame, names: Sequence[str] | None) -> tuple[list[str], list[list[str]]]:
    """The figure labels, and per group the figures as text (nulls said in words)."""
    figures = STATISTICS.chosen(names)
    texts, _ = values_for_people(frame, figures, "UTC")
    nulls = frame.select(pl.col(f.name).is_null() for f in figures)
    columns = []
    for i in range(frame.height):
        column = []
        for figure in figures:
            if nulls[figure.name][i]:
                column.append(
                    NOT_REACHED
                    if figure.name in S.NOT_REACHED_WHEN_NULL
                    else NOT_ESTIMABLE
                    if figure.name in S.SHARES
                    else NONE
                )
            else:
                column.append(texts[figure.name][i])
        columns.append(column)
    return [f.label for f in figures], columns


def _blocks(widths: list[int], first: int, width: int) -> list[range]:
    """Consecutive groups packed into tables that each fit `width` (at least one group each)."""
    blocks: list[range] = []
    start = 0
    while start < len(widths):
        end = start + 1
        while end < len(widths) and table_width([first, *widths[start : end + 1]]) <= width:
            end += 1
        blocks.append(range(start, end))
        start = end
    return blocks


def render_statistics(
    frame: pl.DataFrame,
    by: str,
    console: Console,
    *,
    title: str,
    names: Sequence[str] | None = None,
) -> None:
    labels, columns = _cells(frame, names)
    groups = [
        GROUP_TITLE.get(g, g) if by == "all" else visible(g) for g in frame[S.GROUP].cast(pl.String)
    ]
    corner = "" if by == "all" else f"by {by}"
    first = max([len(label) for label in labels] + [len(corner)])
    widths = [
        max([len(value) for value in column] + [min(longest_word(group), _HEADER_WIDTH)])
        for group, column in zip(groups, columns, strict=True)
    ]
    blocks = _blocks(widths, first, console.width)
    for number, block in enumerate(blocks, 1):
        shown = title if number == 1 else f"… continued ({number} of {len(blocks)})"
        console.print(Text(visible(shown)))
        table = Table(highlight=False)
        table.add_column(Text(corner), no_wrap=True, min_width=first)
        for i in block:
            table.add_column(Text(groups[i]), justify="right", min_width=widths[i], overflow="fold")
        for row, label in enumerate(labels):
            table.add_row(Text(label), *(Text(columns[i][row]) for i in block))
        console.print(table)
    if frame.is_empty():
        console.print(Text("(no groups)"))
