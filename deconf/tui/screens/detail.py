"""One exchange as a vertical timeline: messages, gaps, open ages, owed silences with their
length, and the events meanwhile. While it is in front, u/U b/B n/N and / act on its lines."""

from __future__ import annotations

import re

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from deconf.analysis.columns import Status
from deconf.tui.state import BrowserState
from deconf.tui.text import compile_search, highlighted, plain
from deconf.tui.timeline import EVENT, SILENCE, SILENCE_END, TimelineItem

STYLES = {EVENT: "grey50", SILENCE: "magenta", SILENCE_END: "magenta"}


class DetailScreen(Screen):
    BINDINGS = [
        Binding("escape,backspace", "app.pop_screen", "Back", id="back"),
        Binding("u", "jump(1)", "Next unanswered", id="next_unanswered"),
        Binding("U", "jump(-1)", "Previous unanswered", id="previous_unanswered"),
        Binding("b", "jump_breach(1)", "Next breach", id="next_breach"),
        Binding("B", "jump_breach(-1)", "Previous breach", id="previous_breach"),
        Binding("slash", "app.search", "Search", id="search"),
        Binding("n", "match(1)", "Next match", show=False, id="next_match"),
        Binding("N", "match(-1)", "Previous match", show=False, id="previous_match"),
        Binding("m", "app.mark", "Mark", id="mark"),
        Binding("p", "app.raw", "Record", id="raw"),
        Binding("z", "app.toggle_zone", "Time zone", id="toggle_zone"),
    ]

    def __init__(self, state: BrowserState, exchange_id: str, select: str | None = None) -> None:
        super().__init__()
        self.state = state
        self.exchange_id = exchange_id
        self.select = select  # a record to put the cursor on once the timeline is built
        self.items: list[TimelineItem] = []
        self.query_text = ""

    def compose(self) -> ComposeResult:
        yield Static(id="detail-title")
        yield OptionList(id="timeline")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#detail-title", Static).update(Text("Building the timeline…"))
        self.query_one(OptionList).focus()
        self._build(self.state)

    def _build(self, state: BrowserState, selected: TimelineItem | None = None) -> None:
        """The timeline is built in a worker (at a million records it takes a moment)."""

        def run() -> None:
            items = state.timeline(self.exchange_id)
            self.app.call_from_thread(self._built, state, items, selected)

        self.run_worker(run, thread=True, exclusive=True, group="timeline")

    def _built(self, state: BrowserState, items: list[TimelineItem], selected) -> None:
        first_build = not self.items
        self.state, self.items = state, items
        self.fill()
        if first_build:
            self.query_one(OptionList).scroll_home(animate=False)
        if selected is None and self.select is not None:
            for index, item in enumerate(self.items):
                if item.record_id == self.select and item.is_record:
                    self.query_one(OptionList).highlighted = index
            self.select = None
        if selected is not None:
            for index, item in enumerate(self.items):
                if (item.record_id, item.kind) == (selected.record_id, selected.kind):
                    self.query_one(OptionList).highlighted = index
                    break

    def reload(self, state: BrowserState) -> None:
        """New data (--follow): the same exchange, re-read; the same line if it is still there."""
        self._build(state, self.selected)

    @property
    def pattern(self) -> re.Pattern[str] | None:
        return compile_search(self.query_text) if self.query_text else None

    def fill(self) -> None:
        marks = {m.record_id for m in self.app.marks()} if hasattr(self.app, "marks") else set()
        timeline = self.query_one(OptionList)
        position = timeline.highlighted
        timeline.clear_options()
        pattern = self.pattern
        for item in self.items:
            when = self.state.when(item.at, item.recorded_tz)
            style = "red bold" if item.status == Status.UNANSWERED else STYLES.get(item.kind, "")
            flag = "★ " if item.is_record and item.record_id in marks else ""
            line = Text(f"{when}  ", style="bold")
            line.append(flag, style="magenta bold")
            line.append(f"[{plain(item.record_id)}] ", style="cyan")
            line.append_text(highlighted(item.text, pattern, style))
            timeline.add_option(Option(line))
        if self.items:
            timeline.highlighted = position if position is not None else 0
        title = self.query_one("#detail-title", Static)
        search = f" · /{plain(self.query_text)}/: {len(self.matches())}" if self.query_text else ""
        title.update(
            Text(
                f"Exchange {plain(self.exchange_id)} · {len(self.items)} lines · "
                f"times in {self.state.display.label}{search}"
                " · u/U unanswered · b/B breach · / search · p record · m mark · esc back"
            )
        )

    @property
    def selected(self) -> TimelineItem | None:
        index = self.query_one(OptionList).highlighted
        return None if index is None or not self.items else self.items[index]

    def matches(self) -> list[int]:
        pattern = self.pattern
        if pattern is None:
            return []
        return [
            i
            for i, item in enumerate(self.items)
            if pattern.search(f"{item.record_id} {item.text}")
        ]

    def search(self, query: str) -> int:
        """Highlight `query` (a regular expression, any case) and move to the next line with it."""
        compile_search(query)  # a bad pattern is refused before anything changes
        self.query_text = query.strip()
        self.fill()
        found = self.matches()
        if found:
            self._go(found, 1, inclusive=True)
        return len(found)

    def _go(self, rows: list[int], direction: int, inclusive: bool = False) -> None:
        current = self.query_one(OptionList).highlighted or 0
        if direction > 0:
            target = next((r for r in rows if r > current or (inclusive and r == current)), rows[0])
        else:
            target = next((r for r in reversed(rows) if r < current), rows[-1])
        self.query_one(OptionList).highlighted = target

    def _jump(self, wanted, direction: int, what: str) -> None:
        rows = [i for i, item in enumerate(self.items) if wanted(item)]
        if not rows:
            self.notify(f"no {what} in this exchange", timeout=2)
            return
        self._go(rows, direction)

    def action_jump(self, direction: int) -> None:
        self._jump(lambda item: item.status == Status.UNANSWERED, direction, "unanswered attempt")

    def action_jump_breach(self, direction: int) -> None:
        self._jump(lambda item: item.breach or item.breach_certainty, direction, "breach")

    def action_match(self, direction: int) -> None:
        rows = self.matches()
        if not rows:
            self.notify("no match in this timeline (/ to search)", timeout=2)
            return
        self._go(rows, direction)
