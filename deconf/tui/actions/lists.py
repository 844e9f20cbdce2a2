"""Actions on the list in front (the exchanges, or a silences, events or frequency list): search
and n/N, sort by the column under the cursor, frequency of that column, export of what is shown.
A mixin of `DeconfBrowser`: it uses the app's `state`, `_front`, `_in_background` and `inputs`."""

from __future__ import annotations

import time
from pathlib import Path

from deconf.progress import Step, step_text
from deconf.tui.exporting import (
    ExportNeedsConfirmation,
    ExportRefused,
    check_target,
    write_export,
)
from deconf.tui.filtering import FILTER_COLUMNS
from deconf.tui.screens.confirm import Confirm
from deconf.tui.screens.detail import DetailScreen
from deconf.tui.screens.frequency import FrequencyScreen, frequency_state
from deconf.tui.screens.prompt import Prompt
from deconf.tui.text import compile_search

#: seconds between two progress notes of an export (a note stays on screen about that long)
EVERY = 1.0


class Throttle:
    """Progress of a worker as a short note at most every `seconds`: the step, how much of it
    is done, the share. Called from the worker's thread."""

    def __init__(self, seconds: float) -> None:
        self.seconds, self.last = seconds, time.monotonic()

    def __call__(self, step: Step, app) -> None:
        now = time.monotonic()
        if now - self.last < self.seconds or not step.total or step.done >= step.total:
            return
        self.last = now
        share = f" ({step.done / step.total:.0%})"
        app.call_from_thread(
            app.notify, step_text(step) + share, timeout=self.seconds * 1.2, markup=False
        )


class ListActions:
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
            if answer is None:
                return

            def run() -> str:
                found = state.search(answer)
                return f"{found:,} {what} match /{answer}/" if answer.strip() else "search cleared"

            self._in_background(run, what="searching")

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

    def action_sort(self) -> None:
        """Sort by the column under the cursor; again reverses it."""
        if not self._has_state():
            return
        state, table, _ = self._front()
        column = table.cursor_column.key if table is not None else None
        if column not in state.sortable:
            self._in_background(state.next_sort, what="sorting")
        else:
            self._in_background(lambda: state.sort_by(column), what="sorting")

    def action_reverse(self) -> None:
        if self._has_state():
            state, _, _ = self._front()
            self._in_background(
                lambda: state.sort_by(state.sort_column, descending=not state.descending),
                what="sorting",
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
                self._in_background(
                    lambda: self.state.set_filter(name, row["value"]), what="filtering"
                )

        view = state.view
        self.open_when_ready(
            lambda: frequency_state(view, column.key),
            lambda counted: FrequencyScreen(counted, self.display_times, column.title, what, drill),
            f"counting {column.title}",
        )

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
                    timeout=3,
                    markup=False,
                )
                shown = Throttle(EVERY)
                try:
                    rows = write_export(frame, path, progress=lambda step: shown(step, self))
                except OSError as error:
                    self.call_from_thread(
                        self.notify,
                        f"cannot write {path}: {error.strerror}",
                        severity="error",
                        markup=False,
                    )
                    return
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
