"""The marks list: every marked record with its comment. Enter jumps to the record's exchange
timeline; d deletes the highlighted mark."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList

from deconf.marks import Mark
from deconf.times import parse_rfc3339, rfc3339
from deconf.tui.text import plain


class MarksScreen(ModalScreen[str | None]):
    """Dismisses with the record id to jump to (Enter), or None."""

    BINDINGS = [
        Binding("escape,M", "close", "Close", id="close"),
        Binding("d", "delete", "Delete mark", id="delete_mark"),
    ]

    def __init__(self, marks: list[Mark], when=None) -> None:
        super().__init__()
        self.marks = list(marks)
        self.when = when or (lambda moment: rfc3339(moment))

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                f"Marks ({len(self.marks)}) · Enter go to · d delete · esc close", markup=False
            )
            yield OptionList(
                *[
                    Text(f"{plain(m.record_id)} · {plain(m.comment)} · {self._at(m.marked_at)}")
                    for m in self.marks
                ]
                or [Text("No marks yet (m marks)")]
            )

    def _at(self, marked_at: str) -> str:
        """When the mark was made, in the display zone (as written if it cannot be read)."""
        try:
            return self.when(parse_rfc3339(marked_at))
        except ValueError:
            return plain(marked_at)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if self.marks:
            self.dismiss(self.marks[event.option_index].record_id)

    def action_delete(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None and self.marks:
            record_id = self.marks[index].record_id
            self.app.unmark(record_id)
            self.marks.pop(index)
            self.query_one(OptionList).remove_option_at_index(index)

    def action_close(self) -> None:
        self.dismiss(None)
