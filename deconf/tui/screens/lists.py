"""A full screen holding one list (silences, events, frequencies): the keys that act on a list
(search and n/N, sort by the column under the cursor, frequency, raw record, export) act on
this one while it is in front."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from deconf.tui.components.frame_table import Column, FrameTable
from deconf.tui.table_state import TableState


class ListScreen(Screen):
    BINDINGS = [
        Binding("escape,backspace", "app.pop_screen", "Back", id="back"),
        Binding("slash", "app.search", "Search", id="search"),
        Binding("n", "app.match(1)", "Next match", show=False, id="next_match"),
        Binding("N", "app.match(-1)", "Previous match", show=False, id="previous_match"),
        Binding("o", "app.sort", "Sort", id="sort"),
        Binding("O", "app.reverse", "Reverse", show=False, id="reverse"),
        Binding("F", "app.frequency", "Frequency", id="frequency"),
        Binding("p", "app.raw", "Record", id="raw"),
        Binding("e", "app.export", "Export", id="export"),
        Binding("z", "app.toggle_zone", "Zone", id="toggle_zone"),
    ]
    TITLE = ""

    def __init__(
        self, state: TableState, columns: Callable[[], tuple[Column, ...]], scope: str = ""
    ) -> None:
        super().__init__()
        self.state = state
        self.columns = columns
        self.scope = scope  # what the list covers when the filters narrow it

    def compose(self) -> ComposeResult:
        yield Static(id="list-title")
        yield FrameTable(self.state, self.columns, id="list")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(FrameTable).focus()
        self.refresh_view()

    @property
    def table(self) -> FrameTable:
        return self.query_one(FrameTable)

    def refresh_view(self) -> None:
        self.query_one("#list-title", Static).update(Text(self.title_line()))
        self.table.refresh_view()

    def title_line(self) -> str:
        search = (
            f" · search /{self.state.query}/: {len(self.state.matches)}" if self.state.query else ""
        )
        rows = self.state.view.height
        scope = f" · {self.scope}" if self.scope else ""
        return f"{self.TITLE}{scope} · {rows:,} row{'' if rows == 1 else 's'}{search} · esc back"
