"""A list drawn from a Polars frame: a ScrollView that formats only the rows on screen, so a
million rows scroll as fast as a hundred (Textual's DataTable fills every row first).

Columns have a priority: on a narrow terminal the least important are dropped and the rest
shrink to their minimum, so status and gaps stay in view at 80 columns. The column under the
cursor (←/→) is the one `o` sorts by and `F` counts; the header shows the sort with ▲/▼.
Every cell is log text drawn as text (see `deconf.tui.text`), padded by terminal cells, with
search hits highlighted; a row the search matched shows › in its gutter, since the hit may lie in
a cell cut short or left out at this width.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from deconf.tui.table_state import TableState
from deconf.tui.text import HIT, fit, plain

CURSOR = Style(reverse=True)
HEADER = Style(bold=True, underline=True)
HEADER_CURSOR = Style(bold=True, underline=True, reverse=True)
MARKED = Style(color="magenta", bold=True)
MATCHED = HIT
GUTTER = 2


@dataclass(frozen=True)
class Column:
    """One column: its title, the frame column it shows (sort and frequency use it), widths,
    priority (0 = always shown), how a row becomes its text, and an optional style."""

    title: str
    key: str
    width: int
    render: Callable[[dict[str, Any]], str]
    priority: int = 0
    minimum: int | None = None
    style: Callable[[dict[str, Any]], Style] | None = None


def layout(columns: tuple[Column, ...], width: int) -> list[tuple[Column, int]]:
    """The columns that fit in `width` cells and the width of each, in their order."""
    room = width - GUTTER
    chosen: list[Column] = []
    used = 0
    for column in sorted(columns, key=lambda c: c.priority):
        need = (column.minimum or column.width) + 1
        if chosen and used + need > room:
            break  # what matters less than a column that does not fit goes too
        chosen.append(column)
        used += need
    widths = {c.title: c.minimum or c.width for c in chosen}
    spare = room - used
    # spare cells go to the most important columns first, and among equals from the right
    # (status and figures before names and times)
    order = sorted(range(len(chosen)), key=lambda i: (chosen[i].priority, -i))
    for column in (chosen[i] for i in order):
        grow = min(spare, column.width - widths[column.title])
        widths[column.title] += grow
        spare -= grow
    return [(c, widths[c.title]) for c in columns if c in chosen]


def hit_segments(text: str, pattern: re.Pattern[str] | None, style: Style) -> list[Segment]:
    """`text` as segments, with every match of `pattern` in the highlight style."""
    if pattern is None or not pattern.pattern:
        return [Segment(text, style)]
    segments, position = [], 0
    for match in pattern.finditer(text):
        if match.end() == match.start():
            continue
        if match.start() > position:
            segments.append(Segment(text[position : match.start()], style))
        segments.append(Segment(match.group(), style + HIT))
        position = match.end()
    if position < len(text):
        segments.append(Segment(text[position:], style))
    return segments


class FrameTable(ScrollView, can_focus=True):
    """Rows of `state.view`; the cursor is `state.cursor`; `marked` keys show a ★."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="cursor_up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="cursor_down"),
        Binding("left,h", "column(-1)", "Column left", show=False, id="column_left"),
        Binding("right,l", "column(1)", "Column right", show=False, id="column_right"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="page_down"),
        Binding("home", "edge(0)", "First", show=False, id="first"),
        Binding("end", "edge(1)", "Last", show=False, id="last"),
        Binding("enter", "open", "Open", id="open"),
    ]

    class Opened(Message):
        """Enter on a row."""

        def __init__(self, table: FrameTable, row: dict[str, Any]) -> None:
            super().__init__()
            self.table, self.row = table, row

        @property
        def control(self) -> FrameTable:
            return self.table

    def __init__(
        self,
        state: TableState,
        columns: Callable[[], tuple[Column, ...]],
        marked: Callable[[], set[str]] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.state = state
        self.columns = columns  # built on each draw: widths follow the display zone
        self.marked = marked or set
        self.column_index = 0
        self._marks: set[str] = set()

    def on_mount(self) -> None:
        self.refresh_view()

    def on_resize(self) -> None:
        self.refresh_view()

    # -------------------------------------------------------------- drawing

    def shown_columns(self) -> list[tuple[Column, int]]:
        return layout(self.columns(), max(self.size.width, 40))

    @property
    def cursor_column(self) -> Column:
        shown = self.shown_columns()
        return shown[min(self.column_index, len(shown) - 1)][0]

    def refresh_view(self) -> None:
        self._marks = self.marked()
        self.virtual_size = Size(self.size.width, self.state.view.height + 1)
        self.keep_cursor_visible()
        self.refresh()

    def keep_cursor_visible(self) -> None:
        row = self.state.cursor + 1  # the header is line 0
        top, height = round(self.scroll_y), max(self.size.height, 2)
        if row < top + 1:
            self.scroll_to(y=max(row - 1, 0), animate=False)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False)

    def render_line(self, y: int) -> Strip:
        shown = self.shown_columns()
        if y == 0:
            return self._header(shown)
        index = round(self.scroll_offset.y) + y - 1
        if index >= self.state.view.height:
            return Strip.blank(self.size.width)
        row = self.state.view.row(index, named=True)
        key = row[self.state.key]
        segments = [
            Segment("★" if str(key) in self._marks else " ", MARKED),
            # a row the search matched, also when the hit is in a cell cut short or left out
            Segment("›", MATCHED) if self._matched(index) else Segment(" "),
        ]
        pattern = self.state.pattern if self.state.query else None
        for column, width in shown:
            style = column.style(row) if column.style else Style()
            text = fit(plain(column.render(row)), width) + " "
            segments.extend(hit_segments(text, pattern, style))
        strip = Strip(segments)
        if index == self.state.cursor:
            strip = strip.apply_style(CURSOR)
        return strip.crop(0, self.size.width).extend_cell_length(self.size.width)

    def _matched(self, index: int) -> bool:
        matches = self.state.matches  # row positions, in order
        if not self.state.query or not matches:
            return False
        at = bisect_left(matches, index)
        return at < len(matches) and matches[at] == index

    def _header(self, shown: list[tuple[Column, int]]) -> Strip:
        segments = [Segment(" " * GUTTER, HEADER)]
        current = self.cursor_column
        for column, width in shown:
            arrow = ""
            if column.key == self.state.sort_column:
                arrow = " ▼" if self.state.descending else " ▲"
            style = HEADER_CURSOR if column is current and self.has_focus else HEADER
            # the title gives way to the sort arrow, never the arrow to the title
            title = fit(column.title, max(width - len(arrow), 1)).rstrip() + arrow
            segments.append(Segment(fit(title, width), style))
            segments.append(Segment(" ", HEADER))
        return Strip(segments).crop(0, self.size.width).extend_cell_length(self.size.width)

    # -------------------------------------------------------------- actions

    def action_cursor(self, steps: int) -> None:
        self.state.move(steps)
        self.refresh_view()

    def action_column(self, steps: int) -> None:
        count = len(self.shown_columns())
        self.column_index = max(0, min(count - 1, self.column_index + steps))
        self.refresh()

    def action_page(self, direction: int) -> None:
        self.state.move(direction * max(self.size.height - 2, 1))
        self.refresh_view()

    def action_edge(self, end: int) -> None:
        self.state.to_edge(bool(end))
        self.refresh_view()

    def action_open(self) -> None:
        current = self.state.current
        if current is not None:
            self.post_message(self.Opened(self, current))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_click(self, event) -> None:
        index = round(self.scroll_y) + event.y - 1
        if 0 <= index < self.state.view.height:
            self.state.cursor = index
            self.refresh_view()
