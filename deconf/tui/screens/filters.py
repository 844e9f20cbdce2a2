"""The filters dialog: one field per filter; every field empty means no filter."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from deconf.tui.state import FILTER_NAMES


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
