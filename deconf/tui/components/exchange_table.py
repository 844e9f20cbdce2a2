"""The exchanges list: a ScrollView that formats only the rows on screen from a Polars frame,
so a million exchanges scroll as fast as a hundred (Textual's DataTable fills every row)."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from deconf.analysis.columns import A, Status
from deconf.times import humanize
from deconf.tui.state import BrowserState, plain

COLUMNS = (
    ("start", 21),
    ("parties", 24),
    ("channel", 18),
    ("msgs", 5),
    ("att", 4),
    ("status", 26),
    ("first reply", 12),
    ("longest gap", 12),
)
ALARM = Style(color="red", bold=True)
WARN = Style(color="yellow")
CURSOR = Style(reverse=True)
HEADER = Style(bold=True, underline=True)


class ExchangeTable(ScrollView, can_focus=True):
    """Rows of `state.view`; the cursor is `state.cursor`."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="cursor_up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="cursor_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="page_down"),
        Binding("home", "edge(0)", "First", show=False, id="first"),
        Binding("end", "edge(1)", "Last", show=False, id="last"),
        Binding("enter", "open", "Open", id="open"),
    ]

    class Opened(Message):
        def __init__(self, exchange_id: str) -> None:
            super().__init__()
            self.exchange_id = exchange_id

    def __init__(self, state: BrowserState, **kwargs) -> None:
        super().__init__(**kwargs)
        self.state = state

    def on_mount(self) -> None:
        self.refresh_view()

    def refresh_view(self) -> None:
        width = sum(w + 1 for _, w in COLUMNS)
        self.virtual_size = Size(width, self.state.view.height + 1)
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
        scroll_x, scroll_y = self.scroll_offset
        if y == 0:
            text = " ".join(name.ljust(width)[:width] for name, width in COLUMNS)
            return Strip([Segment(text, HEADER)]).crop(scroll_x, scroll_x + self.size.width)
        index = scroll_y + y - 1
        if index >= self.state.view.height:
            return Strip.blank(self.size.width)
        row = self.state.view.row(index, named=True)
        segments = self._cells(row)
        strip = Strip(segments).crop(scroll_x, scroll_x + self.size.width)
        if index == self.state.cursor:
            strip = strip.apply_style(CURSOR)
        return strip.extend_cell_length(self.size.width)

    def _cells(self, row: dict) -> list[Segment]:
        status = row[A.STATUS]
        marker = {Status.UNANSWERED: "✗ ", Status.PARTLY_ANSWERED: "◐ ", Status.ANSWERED: "✓ "}.get(
            status, "· "
        )
        breach = " !breach" if row[A.BREACHES] else ""
        values = [
            self.state.when(row[A.START]),
            ", ".join(plain(p) for p in row[A.PARTIES]),
            ", ".join(row[A.CHANNELS]),
            str(row[A.MESSAGES]),
            str(row[A.ATTEMPTS]),
            f"{marker}{status}{breach}",
            humanize(row[A.FIRST_RESPONSE_SECONDS]),
            humanize(row[A.LONGEST_GAP_SECONDS]),
        ]
        style = (
            ALARM
            if status == Status.UNANSWERED
            else WARN
            if (status == Status.PARTLY_ANSWERED or row[A.BREACHES])
            else Style()
        )
        segments = []
        for (name, width), value in zip(COLUMNS, values, strict=True):
            cell = value.ljust(width)[:width] + " "
            segments.append(Segment(cell, style if name == "status" else Style()))
        return segments

    # -------------------------------------------------------------- actions

    def action_cursor(self, steps: int) -> None:
        self.state.move(steps)
        self.refresh_view()

    def action_page(self, direction: int) -> None:
        self.state.move(direction * max(self.size.height - 2, 1))
        self.refresh_view()

    def action_edge(self, end: int) -> None:
        self.state.cursor = self.state.view.height - 1 if end else 0
        self.state.move(0)
        self.refresh_view()

    def action_open(self) -> None:
        current = self.state.current
        if current is not None:
            self.post_message(self.Opened(current[A.EXCHANGE_ID]))

    def on_click(self, event) -> None:
        index = round(self.scroll_y) + event.y - 1
        if 0 <= index < self.state.view.height:
            self.state.cursor = index
            self.refresh_view()
