"""The marks list: every marked record with its comment."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList


class MarksScreen(ModalScreen[None]):
    """Every mark with its comment; d deletes the highlighted one."""

    BINDINGS = [
        Binding("escape,M", "close", "Close", id="close"),
        Binding("d", "delete", "Delete mark", id="delete_mark"),
    ]

    def __init__(self, lines: list[tuple[str, str]]) -> None:
        super().__init__()
        self.lines = lines

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Marks ({len(self.lines)}) · d delete · esc close")
            yield OptionList(
                *[Text(text) for _, text in self.lines] or [Text("No marks yet (m marks)")]
            )

    def action_delete(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None and self.lines:
            record_id = self.lines[index][0]
            self.app.unmark(record_id)
            self.lines.pop(index)
            self.query_one(OptionList).remove_option_at_index(index)

    def action_close(self) -> None:
        self.dismiss(None)
