"""`deconf browse`: read the exchanges, how each unfolded, and where the other side left us waiting.

The app holds a BrowserState (pure Python, tested on its own) and draws it. Data is loaded and
analysed in a worker thread, so the window is up at once and stays responsive; a reload (--follow)
swaps the state, keeps the reader's filters, sort, search, zone and place, and refreshes an open
timeline. Keys that act on a list (search, n/N, sort, frequency, record, export) act on the
screen in front.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

import polars as pl
from rich.text import Text
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from deconf.analysis import Analysis
from deconf.analysis.columns import A
from deconf.frames import Col
from deconf.marks import Mark, load_marks, remove_mark
from deconf.policy import Policy
from deconf.progress import Step, step_text
from deconf.tui.actions.lists import ListActions
from deconf.tui.actions.records import RecordActions
from deconf.tui.components.exchange_table import ExchangeTable
from deconf.tui.components.frame_table import FrameTable
from deconf.tui.filtering import FILTER_COLUMNS, check
from deconf.tui.follow import FollowWatch
from deconf.tui.held import agrees_with_prepared, give_back_memory, lean
from deconf.tui.keymap import binding_ids
from deconf.tui.loaded import Loaded, first_analysis
from deconf.tui.screens.confirm import Confirm
from deconf.tui.screens.detail import DetailScreen
from deconf.tui.screens.events import FIRST_EPISODE, EventsScreen, event_columns, events_state
from deconf.tui.screens.filters import FilterScreen
from deconf.tui.screens.frequency import FrequencyScreen
from deconf.tui.screens.help import HelpScreen, help_text
from deconf.tui.screens.lists import ListScreen
from deconf.tui.screens.marks import MarksScreen
from deconf.tui.screens.prompt import Prompt
from deconf.tui.screens.record import RecordScreen
from deconf.tui.screens.silences import SilencesScreen, silence_columns, silences_state
from deconf.tui.screens.stats import StatsScreen
from deconf.tui.state import BrowserState, Display
from deconf.tui.table_state import TableState
from deconf.tui.text import plain
from deconf.tui.timeline import exchange_of_episode

__all__ = ["DeconfBrowser", "Loaded", "known_binding_ids"]

#: work that takes longer than this (seconds) says so, then again every BUSY_EVERY seconds
BUSY_AFTER, BUSY_EVERY = 0.5, 1.5
#: what the status line says while the rest of the analysis is computed after the first screen
PREPARING = "preparing silences, events and statistics"


class DeconfBrowser(ListActions, RecordActions, App):
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
        self._generation = 0
        self._marks_version = 0
        self._step = Step("reading the data")  # what the loading screen says is under way
        self._loading_since = time.monotonic()
        self._marked: tuple[tuple, set[str]] = ((), set())
        self.what = "the log"  # what is read, for messages (set by each read)
        self.lookup: Callable[[str], dict | None] | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="banner")
        yield Static(id="chips")
        yield Static("reading the data…", id="loading")
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#banner").display = False
        self.query_one("#chips").display = False
        self._reload()
        self._loading_timer = self.set_interval(0.5, self._show_loading)
        if self.watch.paths:
            self.watch.settled()
            self.set_interval(self.follow_seconds, self._check_follow)

    # ------------------------------------------------------------ loading

    def _reload(self) -> None:
        """Load in a worker; a thread cannot be stopped, so each load is numbered and only the
        latest one started may replace what is shown (an older, slower one is dropped)."""
        self._generation += 1
        generation = self._generation
        self.run_worker(lambda: self._load(generation), thread=True, group="load")

    def _show_loading(self) -> None:
        """The loading screen: the step under way, how much of it is done, time elapsed."""
        for widget in self.query("#loading").results(Static):
            elapsed = time.monotonic() - self._loading_since
            widget.update(f"{step_text(self._step)}… · {elapsed:.0f} s")

    def _load(self, generation: int = 0) -> None:
        """Read, analyse what the first screen lists, show it; then, while the reader looks,
        compute the rest the screens need and keep only that (`tui/held.py`). A failed re-read
        (--follow: a log gone or unreadable, a store that no longer matches its manifest) keeps
        what is shown and says why in the banner."""
        try:
            loaded = self.load()
            self._step = Step(f"analyzing {loaded.records.contacts.height:,} contacts")
            analysis = first_analysis(loaded, self.policy, self.as_of)
            loaded.records = analysis.records  # the read's own frames are not kept
            state = BrowserState(analysis, rejected=loaded.rejected, display=self.display_times)
        except Exception as error:
            if self.state is None:
                raise
            self.call_from_thread(self._failed_reload, error)
            return
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
        if generation != self._generation:
            return
        state.pending = PREPARING
        self.call_from_thread(self._show, state, loaded)
        agreed = True
        try:
            if loaded.from_prepared:  # checked against the analysis behind it
                agreed = agrees_with_prepared(analysis)
            kept = lean(analysis)
        except Exception:  # holding less saves memory; the whole analysis shows the same
            kept = None
        del analysis, loaded
        if generation == self._generation:
            # waits: the first analysis is let go
            self.call_from_thread(self._keep, state, kept, agreed)
        give_back_memory()

    def _keep(self, state: BrowserState, kept: Analysis | None, agreed: bool = True) -> None:
        """The lean analysis replaces the first one (same figures, fewer columns held). The
        list shown is the lean one's when it is the whole list in the analysis's order (the
        reader has not filtered or sorted yet); otherwise it stays as computed until the next
        change of view. None: the lean analysis failed, the first one stays. Not `agreed`: the
        first screen came from a prepared one that the analysis contradicts; the list is
        recomputed from the analysis at once, and the banner says so."""
        state.pending = None
        if kept is not None:
            whole = state.view is state.analysis.exchanges
            state.analysis = kept
            state.frame = kept.exchanges
            if whole:
                state.view = kept.exchanges
        if not agreed:
            state.frame = state.analysis.exchanges
            state.apply()
            self._warn(
                f"⚠ the first screen prepared in {self.what} did not match its records "
                "(edited by hand?); the list now shows the records' own analysis"
            )
        if state is self.state:
            self.refresh_status()

    def _failed_reload(self, error: Exception) -> None:
        self._warn(f"⚠ cannot re-read {self.what}: {error}; showing the last good read")

    def _warn(self, message: str) -> None:
        banner = self.query_one("#banner", Static)
        banner.update(Text(plain(message), style="bold yellow"))
        banner.display = True

    def _show(self, state: BrowserState, loaded: Loaded) -> None:
        self.state = state
        self.what, self.lookup = loaded.what, loaded.lookup
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
            table.state = state
        else:
            self.query_one("#loading").remove()
            self._loading_timer.stop()
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
            self._reload()

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
        """Exchanges holding a marked record (the list shows them with ★). Kept until the
        marks or the data change: the list asks on every redraw."""
        key = (id(self.state), self._marks_version)
        if self._marked[0] != key:
            ids = [m.record_id for m in self.marks()]
            found: set[str] = set()
            if ids and self.state is not None:
                membership = self.state.analysis.membership
                found = set(membership.filter(pl.col(Col.ID).is_in(ids))[A.EXCHANGE_ID])
            self._marked = (key, found)
        return self._marked[1]

    def marks_changed(self) -> None:
        self._marks_version += 1

    def unmark(self, record_id: str) -> None:
        remove_mark(self.marks_file, record_id)
        self.marks_changed()

    def busy(self, what: str) -> Callable[[], None]:
        """Work that takes longer than half a second says so, with the time it has taken, until
        it is done (a Polars operation over a million rows has no count to show, its time does);
        returns what ends the notes, to be called on the UI thread."""
        started = time.monotonic()

        def note() -> None:
            elapsed = time.monotonic() - started
            self.notify(f"{what}… {elapsed:.0f} s", timeout=BUSY_EVERY * 1.2, markup=False)

        timer = self.set_interval(BUSY_EVERY, note, pause=True)
        first = self.set_timer(BUSY_AFTER, lambda: (note(), timer.resume()))

        def done() -> None:
            first.stop()
            timer.stop()

        return done

    def _in_background(
        self, work: Callable[[], str | None], after=None, what: str = "updating the list"
    ) -> None:
        """Run view work (filter, sort, search: Polars over every row) off the UI thread,
        then redraw; the UI keeps answering meanwhile and shows the new view when it is ready."""
        done = self.busy(what)

        def run() -> None:
            try:
                note = work()
            except ValueError as error:
                self.call_from_thread(
                    self.notify, str(error), severity="error", timeout=4, markup=False
                )
                note = None
            finally:
                self.call_from_thread(done)
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

    def _open_exchange(self, exchange_id: str | None, select: str | None = None) -> None:
        """The exchange's timeline; on the line of record `select` when given (an event)."""
        if exchange_id is None:
            self.notify("no exchange for this row", timeout=2)
            return
        self.push_screen(DetailScreen(self.state, exchange_id, select=select))

    # ------------------------------------------------------------ actions

    def on_frame_table_opened(self, message: FrameTable.Opened) -> None:
        screen, row = self.screen, message.row
        if isinstance(screen, SilencesScreen):
            self._open_exchange(exchange_of_episode(self.state.analysis, row[A.EPISODE_ID]))
        elif isinstance(screen, EventsScreen):
            if row.get(FIRST_EPISODE) is None:
                self.notify("this event fell in no owed silence", timeout=3)
                return
            self._open_exchange(
                exchange_of_episode(self.state.analysis, row[FIRST_EPISODE]), select=row[Col.ID]
            )
        elif isinstance(screen, FrequencyScreen):
            if screen.drill is not None:
                screen.drill(row)
        else:
            self._open_exchange(row[A.EXCHANGE_ID])

    def action_help(self) -> None:
        self.push_screen(HelpScreen(help_text(self.keymap, self.keymap_file)))

    def action_filters(self) -> None:
        if not self._has_state():
            return
        state = self.state
        suggestions = {name: state.suggestions(name) for name in FILTER_COLUMNS}

        def done(answer) -> None:
            if answer is not None:
                values, off = answer
                self._in_background(lambda: state.replace_filters(values, off), what="filtering")

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
            self._in_background(self.state.toggle_filters, what="filtering")

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

    def action_stats(self) -> None:
        if self._has_state():
            self.push_screen(StatsScreen(self.state))

    def open_when_ready(
        self,
        compute: Callable[[], object],
        screen: Callable[[object], Screen | None],
        what: str = "preparing the view",
    ) -> None:
        """Compute what a screen shows in a worker (at a million records it takes a moment),
        then open the screen; the UI answers meanwhile."""
        finished = self.busy(what)

        def run() -> None:
            try:
                result = compute()
            finally:
                self.call_from_thread(finished)

            def show() -> None:
                opened = screen(result)
                if opened is not None:
                    self.push_screen(opened)

            self.call_from_thread(show)

        self.run_worker(run, thread=True, group="open")

    def action_silences(self) -> None:
        """The owed silences of what the filters keep (all of them with no filter on)."""
        if self._has_state():
            scope = self.state.filter_scope()
            self.open_when_ready(
                lambda: silences_state(self.state.view_analysis()),
                lambda state: SilencesScreen(
                    state, lambda: silence_columns(self.display_times), scope
                ),
                "listing the owed silences",
            )

    def action_events(self) -> None:
        """Every event, with the silences of what the filters keep that it fell in."""
        if self._has_state():
            scope = self.state.filter_scope()
            self.open_when_ready(
                lambda: events_state(self.state.view_analysis()),
                lambda state: EventsScreen(
                    state,
                    lambda: event_columns(self.display_times),
                    f"silences of {scope}" if scope else "",
                ),
                "listing the events",
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
