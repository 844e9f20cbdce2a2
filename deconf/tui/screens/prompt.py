"""Small modal screens: one question (search, time, comment, file), filters, help, marks."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Markdown, OptionList

from deconf.tui.state import FILTER_NAMES


class Prompt(ModalScreen[str | None]):
    """Ask one thing; dismiss with the answer (None when cancelled)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(self, question: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.question, self.value, self.placeholder = question, value, placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question)
            yield Input(value=self.value, placeholder=self.placeholder, id="answer")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class FilterScreen(ModalScreen[dict[str, str] | None]):
    """Filters that hide: every field empty means that filter is off."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]
    HINTS = {
        "party": "e.g. RU",
        "channel": "e.g. deconfliction_line",
        "kind": "e.g. request",
        "status": "answered | partly_answered | unanswered | no_attempts",
        "precedence": "flash | immediate | priority | routine",
        "since": "2018-02-07T20:00:00Z",
        "until": "2018-02-08T00:00:00Z",
    }

    def __init__(self, current: dict[str, str]) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Grid(classes="dialog filters"):
            for name in FILTER_NAMES:
                yield Label(name)
                yield Input(
                    value=self.current.get(name, ""),
                    placeholder=self.HINTS[name],
                    id=f"filter-{name}",
                )
            yield Button("Apply", id="apply", variant="primary")
            yield Button("Clear all", id="clear")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "clear":
            self.dismiss({})
        else:
            self.dismiss(self._values())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(self._values())

    def _values(self) -> dict[str, str]:
        values = {n: self.query_one(f"#filter-{n}", Input).value.strip() for n in FILTER_NAMES}
        return {name: value for name, value in values.items() if value}

    def action_cancel(self) -> None:
        self.dismiss(None)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="close")]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Markdown(self.text)

    def action_close(self) -> None:
        self.dismiss(None)


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
