"""Actions on one record: its raw view (`p`), marks (`m`, `M`, `]`, `[`). A mixin of
`DeconfBrowser`: it uses the app's `state`, `screen`, `marks` and `display_times`."""

from __future__ import annotations

import polars as pl

from deconf.analysis.columns import A
from deconf.frames import Col
from deconf.marks import add_mark
from deconf.tui.records import find_record, source_line
from deconf.tui.screens.detail import DetailScreen
from deconf.tui.screens.events import EventsScreen
from deconf.tui.screens.lists import ListScreen
from deconf.tui.screens.marks import MarksScreen
from deconf.tui.screens.prompt import Prompt
from deconf.tui.screens.record import RecordScreen
from deconf.tui.text import plain
from deconf.tui.timeline import exchange_of_record


class RecordActions:
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
        records, lookup = self.state.analysis.records, self.lookup
        if record_id is None:
            self.notify("no record on this line", timeout=2)
            return

        def read() -> tuple[dict | None, str | None]:  # the source line may be far into a file
            # every stored field from the store; the browser itself holds only some of them
            record = (lookup(record_id) if lookup else None) or find_record(records, record_id)
            return record, (source_line(record) if record else None)

        def screen(found):
            record, line = found
            if record is None:
                self.notify("no record on this line", timeout=2)
                return None
            return RecordScreen(record, self.display_times.when, line)

        self.open_when_ready(read, screen, "reading the record")

    def action_mark(self) -> None:
        if not self._has_state():
            return
        record_id = self._selected_record()
        if record_id is None:
            self.notify("no record on this line to mark", timeout=2)
            return
        existing = plain(next((m.comment for m in self.marks() if m.record_id == record_id), ""))

        def done(comment: str | None) -> None:
            if comment is None:
                return
            add_mark(self.marks_file, record_id, comment)
            self.marks_changed()
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
            self.push_screen(DetailScreen(self.state, exchange_id, select=record_id))

        self.push_screen(MarksScreen(self.marks(), self.display_times.when), done)

    def action_next_mark(self, direction: int) -> None:
        if not self._has_state():
            return
        marked = self.marked_exchanges()
        rows = self.state.rows_where(pl.col(A.EXCHANGE_ID).is_in(list(marked)))
        if not self.state.jump(rows, direction):
            self.notify("no marked exchange in view (m marks)", timeout=2)
        self.refresh_status()
