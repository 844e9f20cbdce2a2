"""The first read's head start (`tui/loaded.py`): the read and the first screen's analysis run in
a thread while the screen opens; what the browser gets is what it would have computed itself, and
what fails fails in the thread that waits for it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from deconf.cli import app as cli
from deconf.errors import InputError
from deconf.loading import validate_logs
from deconf.policy import Policy
from deconf.progress import Step
from deconf.tui.held import first_screen
from deconf.tui.loaded import Loaded, Pending, first_analysis, head_start
from tests.conftest import HUMANITARIAN, KHASHAM


def read_log(path, seen: list | None = None):
    def read(progress) -> Loaded:
        progress(Step("reading"))
        if seen is not None:
            seen.append(threading.current_thread().name)
        records = validate_logs([path]).records
        return Loaded(records, 0, "see deconf validate")

    return read


@pytest.mark.parametrize("log", [KHASHAM, HUMANITARIAN], ids=["khasham", "humanitarian"])
def test_the_head_start_gives_the_analysis_the_browser_would_compute(log):
    steps: list[Step] = []
    threads: list[str] = []
    loaded = head_start(read_log(log, threads), Policy(), None, steps.append).take()
    analysis = first_analysis(loaded, Policy(), None)
    expected = first_screen(validate_logs([log]).records, Policy(), None)
    assert_frame_equal(analysis.exchanges, expected.exchanges)
    assert analysis.as_of == expected.as_of
    assert threads != [threading.current_thread().name]  # read in a thread of its own
    assert steps == [Step("reading")]  # the read's progress reaches the caller's report
    assert loaded.analysing is None  # taken: not held twice
    assert loaded.records is analysis.records  # the read's own frames are let go


def test_the_head_start_uses_the_as_of_time_given_else_the_reads():
    evening = datetime(2018, 2, 7, 18, 0, tzinfo=UTC)
    given = head_start(read_log(KHASHAM), Policy(), evening).take()
    assert first_analysis(given, Policy(), None).as_of == evening

    def read_until_evening(progress) -> Loaded:
        return Loaded(validate_logs([KHASHAM]).records, 0, "", as_of=evening)

    own = head_start(read_until_evening, Policy(), None).take()
    assert first_analysis(own, Policy(), None).as_of == evening


def test_a_read_that_fails_fails_for_the_thread_that_waits():
    def broken(progress) -> Loaded:
        raise InputError("x.jsonl:1: not a log")

    pending = head_start(broken, Policy(), None)
    with pytest.raises(InputError, match=r"x\.jsonl:1: not a log"):
        pending.take()


def test_an_analysis_that_fails_fails_for_the_browser():
    def unanalysable(progress) -> Loaded:
        return Loaded(None, 0, "")  # no records: the analysis cannot start

    loaded = head_start(unanalysable, Policy(), None).take()
    with pytest.raises(AttributeError):
        first_analysis(loaded, Policy(), None)


def test_without_a_head_start_the_browser_computes_the_analysis_itself():
    records = validate_logs([KHASHAM]).records
    analysis = first_analysis(Loaded(records, 0, ""), Policy(), None)
    assert_frame_equal(analysis.exchanges, first_screen(records, Policy(), None).exchanges)


def test_a_pending_value_is_taken_once_and_not_kept():
    pending: Pending[list[int]] = Pending()
    assert not pending.done()
    threading.Timer(0.01, pending.set, args=([1, 2],)).start()
    assert pending.take() == [1, 2]
    assert pending.done() and pending.take() is None


def test_browse_on_input_that_is_no_log_exits_2_before_the_screen_opens(tmp_path, terminal):
    binary = tmp_path / "image.jsonl"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    result = CliRunner().invoke(cli, ["browse", str(binary)])
    assert result.exit_code == 2
    assert f"{binary}: looks like binary data" in result.output
    assert "Traceback" not in result.output


def test_browse_on_no_store_exits_2_before_the_screen_opens(tmp_path, terminal):
    result = CliRunner().invoke(cli, ["browse", "--store", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "not a deconf store" in result.output


def test_browse_without_a_terminal_says_so_and_reads_nothing(monkeypatch):
    monkeypatch.setattr("deconf.cli.browse.has_terminal", lambda: False)
    monkeypatch.setattr("deconf.cli.browse.head_start", lambda *args, **kwargs: pytest.fail())
    result = CliRunner().invoke(cli, ["browse", str(KHASHAM)])
    assert result.exit_code == 2
    assert "the browser needs a terminal" in result.output
    assert "deconf exchanges" in result.output


async def test_the_first_screen_says_what_is_still_being_computed_until_it_is_done(monkeypatch):
    from deconf.tui import app as browser_app
    from tests.tui_helpers import browser, drawn, loaded

    release = threading.Event()
    whole_lean = browser_app.lean

    def slow_lean(analysis):
        release.wait(10)
        return whole_lean(analysis)

    monkeypatch.setattr(browser_app, "lean", slow_lean)
    app = browser(KHASHAM)
    async with app.run_test(size=(160, 45)) as pilot:
        while app.state is None:
            await pilot.pause(0.02)
        await pilot.pause()
        assert "4 of 4 exchanges shown" in drawn(app)  # the list is there, and says the rest
        assert f"{browser_app.PREPARING}…" in drawn(app)  # is still being computed
        release.set()
        await loaded(pilot)
        assert "4 of 4 exchanges shown" in drawn(app)
        assert browser_app.PREPARING not in drawn(app)
