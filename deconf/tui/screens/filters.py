"""The filters dialog: one field per filter, a switch to turn each off without losing its text,
completion from the data as one types. A value that cannot be used keeps the dialog open with
what was typed and names the field."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, Checkbox, Input, Label, Static

from deconf.tui.filtering import FILTER_NAMES, TIME_FILTERS
from deconf.tui.text import plain

#: how to fill each field, when the data offers no values of its own to show
HINTS = {
    "party": "RU  ·  RU, US (either)  ·  !RU (not)",
    "channel": "deconfliction_line",
    "kind": "request, denial",
    "status": "unanswered  ·  !answered",
    "precedence": "flash, immediate",
    "since": "2018-02-07 or 2018-02-07T20:00:00Z",
    "until": "2018-02-08 or now",
}


class ValueSuggester(Suggester):
    """Completes the value being typed (after the last comma) from the data's values, any case."""

    def __init__(self, values: list[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.values = values

    async def get_suggestion(self, value: str) -> str | None:
        """The value with its last part completed in the data's spelling ('arm' →
        'ARMED-GROUP-N'), so the chip shows the party as the data names it."""
        head, comma, last = value.rpartition(",")
        typed = last.lstrip().lstrip("!")
        prefix = typed.lower()
        if not prefix:
            return None
        for candidate in self.values:
            if candidate.lower().startswith(prefix) and candidate.lower() != prefix:
                return head + comma + last[: len(last) - len(typed)] + candidate
        return None


Answer = tuple[dict[str, str], set[str]]


class FilterScreen(ModalScreen[Answer | None]):
    """Dismisses with (field → text, fields switched off), or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(
        self,
        current: dict[str, str],
        disabled: set[str] | None = None,
        suggestions: dict[str, list[str]] | None = None,
        check: Callable[[dict[str, str]], dict[str, str]] | None = None,
    ) -> None:
        super().__init__()
        self.current, self.disabled = current, disabled or set()
        self.suggestions = suggestions or {}
        self.check = check or (lambda values: {})

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog filters-dialog"):
            yield Label("Filters hide rows · comma = or · ! = not · any case · Enter applies")
            with Grid(classes="filters"):
                for name in FILTER_NAMES:
                    yield Label(name)
                    yield Input(
                        value=self.current.get(name, ""),
                        placeholder=self.hint(name),
                        id=f"filter-{name}",
                        compact=True,
                        suggester=(
                            None
                            if name in TIME_FILTERS
                            else ValueSuggester(self.suggestions.get(name, []))
                        ),
                    )
                    yield Checkbox("on", name not in self.disabled, id=f"on-{name}", compact=True)
            yield Static(id="filter-error")
            with Horizontal(classes="buttons"):
                yield Button("Apply", id="apply", variant="primary")
                yield Button("Clear all", id="clear")

    def hint(self, name: str) -> str:
        """How to fill a field, with values from the data at hand where it has them (a
        humanitarian log has no RU; its parties are NGO-RELIEF, ARMED-GROUP-N…)."""
        values = [plain(v) for v in self.suggestions.get(name, [])[:2]]
        if name == "party" and len(values) == 2:
            first, second = values
            return f"{first}  ·  {first}, {second} (either)  ·  !{first} (not)"
        if name in ("channel", "kind", "precedence") and values:
            return ", ".join(values)
        return HINTS[name]

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "clear":
            self.dismiss(({}, set()))
        else:
            self._submit()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._submit()

    def _values(self) -> dict[str, str]:
        values = {n: self.query_one(f"#filter-{n}", Input).value.strip() for n in FILTER_NAMES}
        return {name: value for name, value in values.items() if value}

    def _submit(self) -> None:
        values = self._values()
        problems = self.check(values)
        if problems:
            name, message = next(iter(problems.items()))
            self.query_one("#filter-error", Static).update(Text(message, style="bold red"))
            if name in FILTER_NAMES:
                self.query_one(f"#filter-{name}", Input).focus()
            return
        off = {n for n in FILTER_NAMES if not self.query_one(f"#on-{n}", Checkbox).value}
        self.dismiss((values, off & set(values)))

    def action_cancel(self) -> None:
        self.dismiss(None)
