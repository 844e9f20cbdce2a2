"""`deconf browse`: read the exchanges, how each unfolded, and where the other side left us waiting.

The app holds a BrowserState (pure Python, tested on its own) and draws it. Data is loaded and
analysed in a worker thread, so the window is up at once and stays responsive; a reload (--follow)
swaps the state, keeps the reader's filters, sort, search, zone and place, and refreshes an open
timeline. Keys that act on a list (search, n/N, sort, frequency, record, export) act on the
screen in front.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from rich.text import Text
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.widgets import Footer, Static

from deconf.analysis import analyze
from deconf.analysis.columns import A
from deconf.frames import Col, Records
from deconf.marks import Mark, add_mark, load_marks, remove_mark
from deconf.policy import Policy
from deconf.tui.components.exchange_table import ExchangeTable, exchange_columns
from deconf.tui.components.frame_table import FrameTable
from deconf.tui.exporting import (
    ExportNeedsConfirmation,
    ExportRefused,
    check_target,
    write_export,
)
from deconf.tui.filtering import FILTER_COLUMNS, check
from deconf.tui.follow import FollowWatch
from deconf.tui.keymap import binding_ids
from deconf.tui.records import find_record
from deconf.tui.screens.confirm import Confirm
from deconf.tui.screens.detail import DetailScreen
from deconf.tui.screens.events import FIRST_EPISODE, EventsScreen, event_columns, events_state
from deconf.tui.screens.filters import FilterScreen
from deconf.tui.screens.frequency import FrequencyScreen, frequency_state
from deconf.tui.screens.help import HelpScreen, help_text
from deconf.tui.screens.lists import ListScreen
from deconf.tui.screens.marks import MarksScreen
from deconf.tui.screens.prompt import Prompt
from deconf.tui.screens.record import RecordScreen
from deconf.tui.screens.silences import SilencesScreen, silence_columns, silences_state
from deconf.tui.screens.stats import StatsScreen
from deconf.tui.state import BrowserState, Display
from deconf.tui.table_state import TableState
from deconf.tui.text import compile_search, plain
from deconf.tui.timeline import exchange_of_episode, exchange_of_record


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
        Binding("t", "toggle_filters", "Filters on/off", show=False, id="toggle_filters"),
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
        Binding("F", "frequency", "Frequency", show=False, id="frequency"),
        Binding("s", "stats", "Stats", id="stats"),
        Binding("w", "silences", "Silences", id="silences"),
        Binding("v", "events", "Events", id="events"),
        Binding("m", "mark", "Mark", id="mark"),
        Binding("M", "marks", "Marks", id="marks"),
        Binding("right_square_bracket", "next_mark(1)", "Next mark", show=False, id="next_mark"),
        Binding(
            "left_square_bracket", "next_mark(-1)", "Prev mark", show=False, id="previous_mark"
        ),
        Binding("p", "raw", "Record", show=False, id="raw"),
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
        inputs: list[Path] | None = None,
    ) -> None:
        super().__init__()
        self.keymap, self.keymap_file = keymap or {}, keymap_file
        if self.keymap:
            self.set_keymap(self.keymap)
        self.load = load
        self.marks_file = marks_file
        self.policy = policy or Policy()
        self.as_of = as_of
        self.display_times = Display(zone)
        self.watch = FollowWatch(follow or [])
        self.follow_seconds = follow_seconds
        self.inputs = [*(inputs or []), *(follow or [])]
        self.state: BrowserState | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="banner")
        yield Static(id="chips")
        yield Static("Loading and analysing…", id="loading")
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#banner").display = False
        self.query_one("#chips").display = False
        self.run_worker(self._load, thread=True, exclusive=True, group="load")
        if self.watch.paths:
            self.watch.settled()
            self.set_interval(self.follow_seconds, self._check_follow)

    # ------------------------------------------------------------ loading

    def _load(self) -> None:
        try:
            loaded = self.load()
        except Exception as error:  # a log gone or unreadable mid-follow: keep what is shown
            if self.state is None:
                raise
            self.call_from_thread(
                self._warn, f"⚠ cannot re-read the log: {error}; showing the last good read"
            )
            return
        analysis = analyze(loaded.records, self.policy, self.as_of)
        state = BrowserState(analysis, rejected=loaded.rejected, display=self.display_times)
        if self.state is not None:  # a reload keeps the reader's filters, sort and place
            old = self.state
            state.filters, state.disabled = dict(old.filters), set(old.disabled)
            state.sort_column, state.descending, state.query = (
                old.sort_column,
                old.descending,
                old.query,
            )
            state.view = state.base()
            state.apply(keep=old.current[A.EXCHANGE_ID] if old.current else None)
        self.call_from_thread(self._show, state, loaded)

    def _warn(self, message: str) -> None:
        banner = self.query_one("#banner", Static)
        banner.update(Text(plain(message), style="bold yellow"))
        banner.display = True

    def _show(self, state: BrowserState, loaded: Loaded) -> None:
        self.state = state
        banner = self.query_one("#banner", Static)
        if loaded.rejected:
            count = loaded.rejected
            lines = "1 line was" if count == 1 else f"{count} lines were"
            banner.update(
                Text(
                    f"⚠ {lines} rejected and {'is' if count == 1 else 'are'} not shown — "
                    f"{plain(loaded.rejected_hint)}",
                    style="bold yellow",
                )
            )
        banner.display = bool(loaded.rejected)
        tables = self.query(ExchangeTable)
        if tables:
            table = tables.first()
            table.state, table.columns = state, exchange_columns(state)
        else:
            self.query_one("#loading").remove()
            table = ExchangeTable(state, self.marked_exchanges, id="exchanges")
            self.mount(table, before=self.query_one("#status"))
            table.focus()
        for screen in self.screen_stack:
            if isinstance(screen, DetailScreen):
                screen.reload(state)
        self.refresh_status()

    def _check_follow(self) -> None:
        change = self.watch.check()
        if change.missing:
            self._warn(
                f"⚠ {', '.join(str(p) for p in change.missing)} is gone (deleted or being "
                "rotated); waiting for it — showing what was read before"
            )
        elif change.reload:
            self.run_worker(self._load, thread=True, exclusive=True, group="load")

    # ------------------------------------------------------------ helpers

    def refresh_status(self) -> None:
        if self.state is None:
            return
        self.query_one("#status", Static).update(Text(self.state.status_line()))
        chips = self.query_one("#chips", Static)
        line = Text()
        for chip, on in self.state.chips:
            line.append(f" {chip} ", style="reverse bold" if on else "strike dim")
            line.append(" ")
        if self.state.chips:
            line.append("f edit · t on/off", style="dim")
        chips.update(line)
        chips.display = bool(self.state.chips)
        for table in self.query(ExchangeTable):
            table.refresh_view()
        if isinstance(self.screen, ListScreen):
            self.screen.refresh_view()

    def marks(self) -> list[Mark]:
        return load_marks(self.marks_file)

    def marked_exchanges(self) -> set[str]:
        """Exchanges holding a marked record (the list shows them with ★)."""
        ids = [m.record_id for m in self.marks()]
        if not ids or self.state is None:
            return set()
        membership = self.state.analysis.membership
        return set(membership.filter(pl.col(Col.ID).is_in(ids))[A.EXCHANGE_ID].to_list())

    def unmark(self, record_id: str) -> None:
        remove_mark(self.marks_file, record_id)

    def _in_background(self, work: Callable[[], str | None], after=None) -> None:
        """Run view work (filter, sort, search: Polars over every row) off the UI thread,
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
            if after is not None:
                self.call_from_thread(after)
            if note:
                self.call_from_thread(self.notify, note, timeout=3, markup=False)

        self.run_worker(run, thread=True, exclusive=True, group="view")

    def _has_state(self) -> bool:
        if self.state is None:
            self.notify("still loading…", timeout=2)
            return False
        return True

    def _front(self) -> tuple[TableState, FrameTable | None, str]:
        """The list in front: a list screen's, or the exchanges (also behind a timeline)."""
        screen = self.screen
        if isinstance(screen, ListScreen):
            return screen.state, screen.table, "rows"
        tables = self.query(ExchangeTable)
        return self.state, (tables.first() if tables else None), "exchanges"

    def _open_exchange(self, exchange_id: str | None) -> None:
        if exchange_id is None:
            self.notify("no exchange for this row", timeout=2)
            return
        self.push_screen(DetailScreen(self.state, exchange_id))

    # ------------------------------------------------------------ actions

    def on_frame_table_opened(self, message: FrameTable.Opened) -> None:
        screen, row = self.screen, message.row
        if isinstance(screen, SilencesScreen):
            self._open_exchange(exchange_of_episode(self.state.analysis, row[A.EPISODE_ID]))
        elif isinstance(screen, EventsScreen):
            if row.get(FIRST_EPISODE) is None:
                self.notify("this event fell in no owed silence", timeout=3)
                return
            self._open_exchange(exchange_of_episode(self.state.analysis, row[FIRST_EPISODE]))
        elif isinstance(screen, FrequencyScreen):
            if screen.drill is not None:
                screen.drill(row)
        else:
            self._open_exchange(row[A.EXCHANGE_ID])

    def action_help(self) -> None:
        self.push_screen(HelpScreen(help_text(self.keymap, self.keymap_file)))

    def action_search(self) -> None:
        if not self._has_state():
            return
        screen = self.screen

        def check_pattern(text: str) -> str | None:
            try:
                compile_search(text) if text.strip() else None
            except ValueError as error:
                return str(error)
            return None

        if isinstance(screen, DetailScreen):

            def done_detail(answer: str | None) -> None:
                if answer is not None:
                    found = screen.search(answer)
                    if answer.strip():
                        self.notify(f"{found} lines match /{answer}/", timeout=3, markup=False)

            self.push_screen(
                Prompt(
                    "Search this timeline (regular expression, any case)",
                    screen.query_text,
                    check=check_pattern,
                ),
                done_detail,
            )
            return
        state, _, what = self._front()

        def done(answer: str | None) -> None:
            if answer is not None:
                self._in_background(lambda: f"{state.search(answer)} {what} match /{answer}/")

        self.push_screen(
            Prompt(
                "Search (regular expression, any case): ids, parties, summaries",
                state.query,
                check=check_pattern,
            ),
            done,
        )

    def action_match(self, direction: int) -> None:
        if not self._has_state():
            return
        state, _, _ = self._front()
        if not state.next_match(direction):
            self.notify("no match (/ to search)", timeout=2)
        self.refresh_status()

    def action_filters(self) -> None:
        if not self._has_state():
            return
        state = self.state
        suggestions = {name: state.suggestions(name) for name in FILTER_COLUMNS}

        def done(answer) -> None:
            if answer is not None:
                values, off = answer
                self._in_background(lambda: state.replace_filters(values, off))

        self.push_screen(
            FilterScreen(
                state.filters,
                state.disabled,
                suggestions,
                check=lambda values: check(values, state.zone),
            ),
            done,
        )

    def action_toggle_filters(self) -> None:
        if self._has_state():
            self._in_background(self.state.toggle_filters)

    def action_goto(self) -> None:
        if not self._has_state():
            return

        def check_time(text: str) -> str | None:
            from deconf.tui.filtering import parse_moment

            try:
                parse_moment(text, "time", self.state.zone)
            except ValueError as error:
                return str(error)
            return None

        def done(answer: str | None) -> None:
            if not answer:
                return
            if not self.state.goto_time(answer):
                self.notify("no exchange starts at or after that time", timeout=3)
            self.refresh_status()

        self.push_screen(
            Prompt("Go to time (a date, RFC 3339 time or now)", check=check_time), done
        )

    def action_flagged(self, flag: str, direction: int) -> None:
        if self._has_state() and not self.state.next_flagged(flag, direction):
            what = "an unanswered attempt" if flag == "unanswered" else "a breach"
            self.notify(f"no exchange with {what} in view", timeout=2)
        self.refresh_status()

    def action_sort(self) -> None:
        """Sort by the column under the cursor; again reverses it."""
        if not self._has_state():
            return
        state, table, _ = self._front()
        column = table.cursor_column.key if table is not None else None
        if column not in state.sortable:
            self._in_background(state.next_sort)
        else:
            self._in_background(lambda: state.sort_by(column))

    def action_reverse(self) -> None:
        if self._has_state():
            state, _, _ = self._front()
            self._in_background(
                lambda: state.sort_by(state.sort_column, descending=not state.descending)
            )

    def action_frequency(self) -> None:
        """How often each value of the column under the cursor occurs in the rows shown."""
        if not self._has_state():
            return
        state, table, what = self._front()
        if table is None:
            return
        column = table.cursor_column
        drill = None
        filter_name = next((n for n, c in FILTER_COLUMNS.items() if c == column.key), None)
        if state is self.state and filter_name is not None:

            def drill(row, name=filter_name) -> None:
                self.pop_screen()
                self._in_background(lambda: self.state.set_filter(name, row["value"]))

        self.push_screen(
            FrequencyScreen(frequency_state(state.view, column.key), column.title, what, drill)
        )

    def action_stats(self) -> None:
        if self._has_state():
            self.push_screen(StatsScreen(self.state))

    def action_silences(self) -> None:
        if self._has_state():
            state = silences_state(self.state.analysis)
            self.push_screen(SilencesScreen(state, silence_columns(self.display_times)))

    def action_events(self) -> None:
        if self._has_state():
            state = events_state(self.state.analysis)
            self.push_screen(EventsScreen(state, event_columns(self.display_times)))

    def _selected_record(self) -> str | None:
        screen = self.screen
        if isinstance(screen, DetailScreen):
            item = screen.selected
            return item.record_id if item and item.is_record else None
        if isinstance(screen, EventsScreen):
            current = screen.state.current
            return current[Col.ID] if current else None
        if isinstance(screen, ListScreen):
            return None
        current = self.state.current
        return current[A.EXCHANGE_ID].removeprefix("ex:") if current else None

    def action_raw(self) -> None:
        if not self._has_state():
            return
        record_id = self._selected_record()
        record = find_record(self.state.analysis.records, record_id) if record_id else None
        if record is None:
            self.notify("no record on this line", timeout=2)
            return
        self.push_screen(RecordScreen(record, self.display_times.when))

    def action_mark(self) -> None:
        if not self._has_state():
            return
        record_id = self._selected_record()
        if record_id is None:
            self.notify("no record on this line to mark", timeout=2)
            return
        existing = next((m.comment for m in self.marks() if m.record_id == record_id), "")

        def done(comment: str | None) -> None:
            if comment is None:
                return
            add_mark(self.marks_file, record_id, comment)
            self.notify(f"marked {plain(record_id)}", timeout=2, markup=False)
            if isinstance(self.screen, DetailScreen):
                self.screen.fill()
            self.refresh_status()

        self.push_screen(Prompt(f"Comment on {plain(record_id)}", existing), done)

    def action_marks(self) -> None:
        if not self._has_state():
            return

        def done(record_id: str | None) -> None:
            if record_id is None:
                self.refresh_status()
                return
            exchange_id = exchange_of_record(self.state.analysis, record_id)
            if exchange_id is None:
                self.notify(f"{plain(record_id)} is not in this data", timeout=3, markup=False)
                return
            self.state.find(exchange_id)
            self.refresh_status()
            screen = DetailScreen(self.state, exchange_id)
            self.push_screen(screen)
            self.call_after_refresh(lambda: _select(screen, record_id))

        self.push_screen(MarksScreen(self.marks()), done)

    def action_next_mark(self, direction: int) -> None:
        if not self._has_state():
            return
        marked = self.marked_exchanges()
        rows = self.state.rows_where(pl.col(A.EXCHANGE_ID).is_in(list(marked)))
        if not self.state.jump(rows, direction):
            self.notify("no marked exchange in view (m marks)", timeout=2)
        self.refresh_status()

    def action_export(self) -> None:
        if not self._has_state():
            return
        state, _, what = self._front()
        frame = state.view

        def write(path: Path) -> None:
            def run() -> None:
                self.call_from_thread(
                    self.notify,
                    f"exporting {frame.height:,} {what} to {path}…",
                    timeout=30,
                    markup=False,
                )
                try:
                    rows = write_export(frame, path)
                except OSError as error:
                    self.call_from_thread(
                        self.notify,
                        f"cannot write {path}: {error.strerror}",
                        severity="error",
                        markup=False,
                    )
                    return
                self.call_from_thread(self.clear_notifications)
                self.call_from_thread(
                    self.notify, f"wrote {rows:,} {what} to {path}", timeout=4, markup=False
                )

            self.run_worker(run, thread=True, group="export")

        def refuse(text: str) -> str | None:
            try:
                check_target(Path(text.strip()), [*self.inputs, self.marks_file])
            except ExportNeedsConfirmation:
                return None
            except ExportRefused as error:
                return str(error)
            return None

        def done(answer: str | None) -> None:
            if not answer or not answer.strip():
                return
            path = Path(answer.strip()).expanduser()
            try:
                check_target(path, [*self.inputs, self.marks_file])
            except ExportNeedsConfirmation as question:

                def confirmed(yes: bool | None) -> None:
                    if yes:
                        write(path)
                    else:
                        self.notify("not exported", timeout=2)

                self.push_screen(Confirm(str(question)), confirmed)
                return
            write(path)

        self.push_screen(
            Prompt(
                f"Export the {what} shown to (.csv, .json or .parquet)",
                "deconf-view.csv",
                check=refuse,
            ),
            done,
        )

    def action_toggle_zone(self) -> None:
        if not self._has_state():
            return
        self.display_times.use_recorded_zone = not self.display_times.use_recorded_zone
        if isinstance(self.screen, DetailScreen):
            self.screen.fill()
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


def _select(screen: DetailScreen, record_id: str) -> None:
    for index, item in enumerate(screen.items):
        if item.record_id == record_id and item.is_record:
            screen.query_one("#timeline").highlighted = index
            return


def known_binding_ids() -> dict[str, str]:
    """Every binding id a user keymap may remap, with what it does."""
    return binding_ids(
        (
            DeconfBrowser,
            FrameTable,
            DetailScreen,
            ListScreen,
            StatsScreen,
            Prompt,
            Confirm,
            FilterScreen,
            HelpScreen,
            MarksScreen,
            RecordScreen,
        )
    )
