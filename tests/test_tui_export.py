"""Long work shows progress: an export is written a part at a time (the same bytes as one piece)
with running notes of how far it is (at most one a second); a filter, sort or search that takes
over half a second says what it is doing and for how long until it is done."""

from __future__ import annotations

import polars as pl
import pytest
from freezegun import freeze_time

from deconf.analysis import analyze
from deconf.export import to_csv, to_json
from deconf.loading import validate_logs
from deconf.progress import Step
from deconf.tui.actions.lists import Throttle
from deconf.tui.exporting import without_working_columns, write_export
from deconf.tui.held import first_screen, lean
from deconf.tui.screens.silences import silences_state
from deconf.tui.state import BrowserState
from tests.conftest import HUMANITARIAN, KHASHAM


def lists() -> list[pl.DataFrame]:
    """Lists as the browser holds them: exchanges (lists of text, times, floats), silences of a
    lean analysis (categoricals), a hostile cell a spreadsheet would run, an empty list."""
    records = validate_logs([HUMANITARIAN]).records
    exchanges = BrowserState(analyze(validate_logs([KHASHAM]).records)).view
    silences = silences_state(lean(first_screen(records, analyze(records).policy, None))).view
    hostile = pl.DataFrame({"party": ["=HYPERLINK(1)", "ok", "@x"], "n": [1.5, None, 3.0]})
    return [exchanges, silences, hostile, exchanges.head(0)]


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_a_part_at_a_time_writes_the_same_bytes_as_one_piece(tmp_path, suffix):
    for number, frame in enumerate(lists()):
        path = tmp_path / f"list-{number}{suffix}"
        steps: list[Step] = []
        assert write_export(frame, path, progress=steps.append, chunk=2) == frame.height
        whole = without_working_columns(frame)
        assert path.read_text(encoding="utf-8") == (
            to_csv(whole) if suffix == ".csv" else to_json(whole)
        )
        done = [s.done for s in steps]
        assert done[0] == 0 and done[-1] == frame.height and done == sorted(done)
        assert all(s.total == frame.height for s in steps)
        if frame.height > 2:
            assert len(steps) == 1 + -(-frame.height // 2)  # a report after every part


def test_categorical_texts_are_neutralised_in_csv_like_any_text(tmp_path):
    frame = pl.DataFrame({"party": ["=cmd|' /C calc'!A0"]}).cast(pl.Categorical)
    write_export(frame, tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_text().splitlines()[1].startswith("'=cmd")


class App:
    def __init__(self) -> None:
        self.notes: list[str] = []

    def call_from_thread(self, function, *args, **kwargs):
        return function(*args, **kwargs)

    def notify(self, message: str, **options) -> None:
        self.notes.append(message)


def test_export_progress_is_a_note_at_most_every_second():
    app = App()
    with freeze_time("2026-01-01T00:00:00Z", tick=False) as clock:
        shown = Throttle(1.0)
        shown(Step("exporting to x.csv", 20_000, 100_000, "rows"), app)  # too soon after start
        clock.tick(1.5)
        shown(Step("exporting to x.csv", 40_000, 100_000, "rows"), app)
        clock.tick(0.5)
        shown(Step("exporting to x.csv", 60_000, 100_000, "rows"), app)  # too soon
        clock.tick(1.0)
        shown(Step("exporting to x.csv", 100_000, 100_000, "rows"), app)  # the end says "wrote"
    assert app.notes == ["exporting to x.csv: 40,000 of 100,000 rows (40%)"]


async def test_work_over_half_a_second_says_so_until_it_is_done(tmp_path):
    """A filter or sort over a million rows has no count to show: the browser says what it is
    doing and for how long, from half a second on, and stops when it is done."""
    import threading

    from tests.tui_helpers import browser, loaded

    app = browser(KHASHAM)
    release = threading.Event()
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        notes: list[str] = []
        app.notify = lambda message, **options: notes.append(message)
        app._in_background(lambda: release.wait(30) and None, what="sorting")
        await pilot.pause(0.3)
        assert notes == []  # quick work says nothing
        await pilot.pause(0.5)
        assert notes and notes[0].startswith("sorting… ")
        release.set()
        await loaded(pilot)
        said = len(notes)
        await pilot.pause(1.8)  # longer than the interval between notes
        assert len(notes) == said
