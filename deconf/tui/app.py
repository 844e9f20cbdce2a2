"""`deconf browse`: read the exchanges, how each unfolded, and where the other side left us waiting.

The app holds a BrowserState (pure Python, tested on its own) and draws it. Data is loaded and
analysed in a worker thread, so the window is up at once and stays responsive; a reload (--follow)
swaps the state and keeps the cursor on the same exchange.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.widgets import Footer, Static

from deconf.analysis import analyze
from deconf.analysis.columns import A
from deconf.frames import Records
from deconf.marks import Mark, add_mark, load_marks, remove_mark
from deconf.policy import Policy
from deconf.tui.components.exchange_table import ExchangeTable
from deconf.tui.keymap import binding_ids
from deconf.tui.screens.detail import DetailScreen
from deconf.tui.screens.filters import FilterScreen
from deconf.tui.screens.help import HelpScreen, help_text
from deconf.tui.screens.marks import MarksScreen
from deconf.tui.screens.prompt import Prompt
from deconf.tui.screens.stats import StatsScreen
from deconf.tui.state import BrowserState, plain


@dataclass
class Loaded:
    records: Records
    rejected: int
    rejected_hint: str


class DeconfBrowser(App):
    CSS_PATH = "deconf.tcss"
    TITLE = "deconf browse"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("slash", "search", "Search", id="search"),
        Binding("n", "match(1)", "Next match", show=False, id="next_match"),
        Binding("N", "match(-1)", "Previous match", show=False, id="previous_match"),
        Binding("f", "filters", "Filters", id="filters"),
        Binding("g", "goto", "Go to time", id="goto"),
        Binding("u", "flagged('unanswered', 1)", "Unanswered", id="next_unanswered"),
        Binding(
            "U",
            "flagged('unanswered', -1)",
            "Prev unanswered",
            show=False,
            id="previous_unanswered",
        ),
        Binding("b", "flagged('breach', 1)", "Breach", id="next_breach"),
        Binding("B", "flagged('breach', -1)", "Prev breach", show=False, id="previous_breach"),
        Binding("o", "sort", "Sort", id="sort"),
        Binding("O", "reverse", "Reverse", show=False, id="reverse"),
        Binding("s", "stats", "Stats", id="stats"),
        Binding("m", "mark", "Mark", id="mark"),
        Binding("M", "marks", "Marks", id="marks"),
        Binding("e", "export", "Export", id="export"),
        Binding("z", "toggle_zone", "Zone", id="toggle_zone"),
    ]

    def __init__(
        self,
        load: Callable[[], Loaded],
        marks_file: Path,
        *,
        policy: Policy | None = None,
        as_of: str | None = None,
        zone: str = "UTC",
        follow: list[Path] | None = None,
        follow_seconds: float = 2.0,
        keymap: dict[str, str] | None = None,
        keymap_file: Path | None = None,
    ) -> None:
        super().__init__()
        self.keymap, self.keymap_file = keymap or {}, keymap_file
        if self.keymap:
            self.set_keymap(self.keymap)
        self.load = load
        self.marks_file = marks_file
        self.policy = policy or Policy()
        self.as_of = as_of
        self.zone = zone
        self.follow = follow or []
        self.follow_seconds = follow_seconds
        self.state: BrowserState | None = None
        self._stamp: tuple | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="banner")
        yield Static("Loading and analysing…", id="loading")
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#banner").display = False
        self.run_worker(self._load, thread=True, exclusive=True, group="load")
        if self.follow:
            self._stamp = self._follow_stamp()
            self.set_interval(self.follow_seconds, self._check_follow)

    # ------------------------------------------------------------ loading

    def _load(self) -> None:
        loaded = self.load()
        analysis = analyze(loaded.records, self.policy, self.as_of)
        keep = self.state.current[A.EXCHANGE_ID] if self.state and self.state.current else None
        state = BrowserState(analysis, rejected=loaded.rejected, zone=self.zone)
        if self.state is not None:  # a reload keeps the reader's filters, sort and place
            state.filters, state.sort_column = dict(self.state.filters), self.state.sort_column
            state.descending, state.query = self.state.descending, self.state.query
            state.apply(keep=keep)
        self.call_from_thread(self._show, state, loaded)

    def _show(self, state: BrowserState, loaded: Loaded) -> None:
        self.state = state
        banner = self.query_one("#banner", Static)
        if loaded.rejected:
            count = loaded.rejected
            lines = "1 line was" if count == 1 else f"{count} lines were"
            banner.update(
                Text(
                    f"⚠ {lines} rejected and {'is' if count == 1 else 'are'} not shown — "
                    f"{loaded.rejected_hint}",
                    style="bold yellow",
                )
            )
        banner.display = bool(loaded.rejected)
        tables = self.query(ExchangeTable)
        if tables:
            table = tables.first()
            table.state = state
            table.refresh_view()
        else:
            self.query_one("#loading").remove()
            table = ExchangeTable(state, id="exchanges")
            self.mount(table, before=self.query_one("#status"))
            table.focus()
        self.refresh_status()

    def _follow_stamp(self) -> tuple:
        return tuple((p.stat().st_mtime_ns, p.stat().st_size) for p in self.follow if p.exists())

    def _check_follow(self) -> None:
        stamp = self._follow_stamp()
        if stamp != self._stamp:
            self._stamp = stamp
            self.run_worker(self._load, thread=True, exclusive=True, group="load")

    # ------------------------------------------------------------ helpers

    def refresh_status(self) -> None:
        if self.state is None:
            return
        self.query_one("#status", Static).update(Text(self.state.status_line()))
        for table in self.query(ExchangeTable):
            table.refresh_view()

    def marks(self) -> list[Mark]:
        return load_marks(self.marks_file)

    def unmark(self, record_id: str) -> None:
        remove_mark(self.marks_file, record_id)

    def _in_background(self, work: Callable[[], str | None]) -> None:
        """Run view work (filter, sort, search: Polars over every exchange) off the UI thread,
        then redraw; the UI keeps answering meanwhile and shows the new view when it is ready."""

        def run() -> None:
            try:
                note = work()
            except ValueError as error:
                self.call_from_thread(
                    self.notify, str(error), severity="error", timeout=4, markup=False
                )
                note = None
            self.call_from_thread(self.refresh_status)
            if note:
                self.call_from_thread(self.notify, note, timeout=3, markup=False)

        self.run_worker(run, thread=True, exclusive=True, group="view")

    def _has_state(self) -> bool:
        if self.state is None:
            self.notify("still loading…", timeout=2)
            return False
        return True

    # ------------------------------------------------------------ actions

    def on_exchange_table_opened(self, message: ExchangeTable.Opened) -> None:
        self.push_screen(DetailScreen(self.state, message.exchange_id))

    def action_help(self) -> None:
        self.push_screen(HelpScreen(help_text(self.keymap, self.keymap_file)))

    def action_search(self) -> None:
        if not self._has_state():
            return

        def done(answer: str | None) -> None:
            if answer is not None:
                self._in_background(
                    lambda: f"{self.state.search(answer)} exchanges match '{answer}'"
                )

        self.push_screen(Prompt("Search parties and summaries", self.state.query), done)

    def action_match(self, direction: int) -> None:
        if self._has_state() and not self.state.next_match(direction):
            self.notify("no match (/ to search)", timeout=2)
        self.refresh_status()

    def action_filters(self) -> None:
        if not self._has_state():
            return

        def done(values: dict[str, str] | None) -> None:
            if values is not None:
                self._in_background(lambda: self.state.replace_filters(values))

        self.push_screen(FilterScreen(self.state.filters), done)

    def action_goto(self) -> None:
        if not self._has_state():
            return

        def done(answer: str | None) -> None:
            if not answer:
                return
            try:
                if not self.state.goto_time(answer):
                    self.notify("no exchange starts at or after that time", timeout=3)
            except ValueError as error:
                self.notify(str(error), severity="error", timeout=4, markup=False)
            self.refresh_status()

        self.push_screen(Prompt("Go to time (RFC 3339, e.g. 2018-02-07T20:30:00Z, or now)"), done)

    def action_flagged(self, flag: str, direction: int) -> None:
        if self._has_state() and not self.state.next_flagged(flag, direction):
            what = "an unanswered attempt" if flag == "unanswered" else "a breach"
            self.notify(f"no exchange with {what} in view", timeout=2)
        self.refresh_status()

    def action_sort(self) -> None:
        if self._has_state():
            self._in_background(self.state.next_sort)

    def action_reverse(self) -> None:
        if self._has_state():
            self._in_background(
                lambda: self.state.sort_by(
                    self.state.sort_column, descending=not self.state.descending
                )
            )

    def action_stats(self) -> None:
        if self._has_state():
            self.push_screen(StatsScreen(self.state))

    def action_mark(self) -> None:
        if not self._has_state():
            return
        screen = self.screen
        if isinstance(screen, DetailScreen):
            item = screen.selected
            record_id = item.record_id if item else None
        else:
            current = self.state.current
            record_id = current[A.EXCHANGE_ID].removeprefix("ex:") if current else None
        if record_id is None:
            return
        existing = next((m.comment for m in self.marks() if m.record_id == record_id), "")

        def done(comment: str | None) -> None:
            if comment is None:
                return
            add_mark(self.marks_file, record_id, comment)
            self.notify(f"marked {record_id}", timeout=2, markup=False)
            if isinstance(self.screen, DetailScreen):
                self.screen.fill()

        self.push_screen(Prompt(f"Comment on {record_id}", existing), done)

    def action_marks(self) -> None:
        lines = [
            (m.record_id, f"{m.record_id} · {plain(m.comment)} · {m.marked_at}")
            for m in self.marks()
        ]
        self.push_screen(MarksScreen(lines))

    def action_export(self) -> None:
        if not self._has_state():
            return

        def done(answer: str | None) -> None:
            if not answer:
                return
            path = Path(answer).expanduser()
            try:
                rows = self.state.export(path)
            except OSError as error:
                self.notify(
                    f"cannot write {path}: {error.strerror}", severity="error", markup=False
                )
                return
            self.notify(f"wrote {rows} exchanges to {path}", timeout=3, markup=False)

        self.push_screen(
            Prompt("Export the current view to (.csv or .json)", "deconf-view.csv"), done
        )

    def action_toggle_zone(self) -> None:
        if self._has_state():
            self.state.use_recorded_zone = not self.state.use_recorded_zone
            self.refresh_status()

    def get_system_commands(self, screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            if binding.action not in ("quit",):
                yield SystemCommand(
                    binding.description,
                    f"key {binding.key}",
                    lambda action=binding.action: self.run_action(action),
                )


def known_binding_ids() -> dict[str, str]:
    """Every binding id a user keymap may remap, with what it does."""
    return binding_ids(
        (
            DeconfBrowser,
            ExchangeTable,
            DetailScreen,
            StatsScreen,
            Prompt,
            FilterScreen,
            HelpScreen,
            MarksScreen,
        )
    )
