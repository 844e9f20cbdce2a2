"""One exchange as a vertical timeline: messages, gaps, open ages, and the events meanwhile."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from deconf.analysis.columns import Status
from deconf.tui.state import BrowserState, TimelineItem


class DetailScreen(Screen):
    BINDINGS = [
        Binding("escape,backspace", "app.pop_screen", "Back", id="back"),
        Binding("u", "jump(1)", "Next unanswered", id="next_unanswered"),
        Binding("U", "jump(-1)", "Previous unanswered", id="previous_unanswered"),
        Binding("b", "jump_breach(1)", "Next breach", id="next_breach"),
        Binding("B", "jump_breach(-1)", "Previous breach", id="previous_breach"),
        Binding("m", "app.mark", "Mark", id="mark"),
        Binding("z", "toggle_zone", "Time zone", id="toggle_zone"),
    ]

    def __init__(self, state: BrowserState, exchange_id: str) -> None:
        super().__init__()
        self.state = state
        self.exchange_id = exchange_id
        self.items: list[TimelineItem] = []

    def compose(self) -> ComposeResult:
        yield Static(id="detail-title")
        yield OptionList(id="timeline")
        yield Footer()

    def on_mount(self) -> None:
        self.items = self.state.timeline(self.exchange_id)
        self.fill()
        self.query_one(OptionList).focus()

    def fill(self) -> None:
        marks = {m.record_id for m in self.app.marks()} if hasattr(self.app, "marks") else set()
        timeline = self.query_one(OptionList)
        highlighted = timeline.highlighted
        timeline.clear_options()
        for item in self.items:
            when = self.state.when(item.at, item.recorded_tz)
            style = (
                "red bold"
                if item.status == Status.UNANSWERED
                else "grey50"
                if item.is_event
                else ""
            )
            flag = "★ " if item.record_id in marks else ""
            line = Text(f"{when}  {flag}", style="bold")
            line.append(f"[{item.record_id}] ", style="cyan")
            line.append(item.text, style=style)
            timeline.add_option(Option(line, id=item.record_id))
        if self.items:
            timeline.highlighted = highlighted if highlighted is not None else 0
        title = self.query_one("#detail-title", Static)
        title.update(
            Text(
                f"Exchange {self.exchange_id} · {len(self.items)} lines · "
                f"times in {'record zone' if self.state.use_recorded_zone else self.state.zone}"
                " · u/U unanswered · b/B breach · m mark · esc back"
            )
        )

    @property
    def selected(self) -> TimelineItem | None:
        index = self.query_one(OptionList).highlighted
        return None if index is None or not self.items else self.items[index]

    def _jump(self, wanted, direction: int) -> None:
        rows = [i for i, item in enumerate(self.items) if wanted(item)]
        if not rows:
            self.notify("none in this exchange", timeout=2)
            return
        current = self.query_one(OptionList).highlighted or 0
        if direction > 0:
            target = next((r for r in rows if r > current), rows[0])
        else:
            target = next((r for r in reversed(rows) if r < current), rows[-1])
        self.query_one(OptionList).highlighted = target

    def action_jump(self, direction: int) -> None:
        self._jump(lambda item: item.status == Status.UNANSWERED, direction)

    def action_jump_breach(self, direction: int) -> None:
        self._jump(lambda item: item.breach, direction)

    def action_toggle_zone(self) -> None:
        self.state.use_recorded_zone = not self.state.use_recorded_zone
        self.fill()
