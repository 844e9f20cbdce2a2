"""The browser driven key by key with Pilot, and snapshots of its main screens."""

from __future__ import annotations

import json

from deconf.marks import load_marks, marks_path
from deconf.tui.components.exchange_table import ExchangeTable
from deconf.tui.screens.detail import DetailScreen
from deconf.tui.screens.stats import StatsScreen
from tests.conftest import KHASHAM, contact
from tests.tui_helpers import browser, exchange, loaded

SIZE = (130, 34)


async def test_navigation_search_and_jumps(night):
    app = browser(night)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert isinstance(app.focused, ExchangeTable)
        await pilot.press("down", "down")
        assert exchange(app) == "ex:kh-020"
        await pilot.press("home")
        assert exchange(app) == "ex:kh-001"
        await pilot.press("slash", *"liaison", "enter")
        await loaded(pilot)
        assert app.state.query == "liaison" and exchange(app) == "ex:kh-010"
        await pilot.press("n")
        assert exchange(app) == "ex:kh-010"  # the only match: stays
        await pilot.press("N")
        assert exchange(app) == "ex:kh-010"
        await pilot.press("home", "u")
        assert exchange(app) == "ex:kh-020"
        await pilot.press("U")
        assert exchange(app) == "ex:kh-020"
        await pilot.press("b")
        assert exchange(app) == "ex:kh-001"
        await pilot.press("B")
        assert exchange(app) == "ex:kh-020"
        await pilot.press("g", *"2018-02-07T19:00:00Z", "enter")
        assert exchange(app) == "ex:kh-010"
        await pilot.press("right", "o")  # sorts by the column under the cursor
        await loaded(pilot)
        assert app.state.sort_column == "parties" and app.state.descending is False
        await pilot.press("o")  # again: the other way
        await loaded(pilot)
        assert app.state.descending is True
        await pilot.press("O")
        await loaded(pilot)
        assert app.state.descending is False


async def test_filters_hide_rows_and_the_status_line_counts_them(night):
    app = browser(night)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("f")
        await pilot.click("#filter-party")
        await pilot.press(*"SDF", "enter")
        await loaded(pilot)
        assert app.state.view["exchange_id"].to_list() == ["ex:kh-010"]
        status = str(app.query_one("#status").render())
        assert "1 of 4 exchanges shown" in status and "3 hidden" in status
        await pilot.press("f")
        await pilot.click("#clear")
        await loaded(pilot)
        assert app.state.view.height == 4


async def test_detail_timeline_marks_and_zone(night):
    app = browser(night, zone="UTC")
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("down", "down", "enter")
        await loaded(pilot)
        screen = app.screen
        assert isinstance(screen, DetailScreen) and screen.exchange_id == "ex:kh-020"
        await pilot.press("u")
        assert screen.selected.record_id == "kh-024"
        await pilot.press("u")
        assert screen.selected.record_id == "kh-030"
        await pilot.press("U")
        assert screen.selected.record_id == "kh-024"
        await pilot.press("b")
        assert screen.selected.record_id == "kh-030"
        await pilot.press("B")
        assert screen.selected.record_id == "kh-024"
        await pilot.press("m", *"no answer on the line", "enter")
        assert [(m.record_id, m.comment) for m in load_marks(marks_path([night], None))] == [
            ("kh-024", "no answer on the line")
        ]
        await pilot.press("z")
        assert app.state.use_recorded_zone is True
        await pilot.press("escape")
        assert isinstance(app.screen.focused, ExchangeTable) or app.screen is app.screen_stack[0]
        await pilot.press("M")
        await loaded(pilot)
        await pilot.press("d")
        assert load_marks(marks_path([night], None)) == []
        await pilot.press("escape")


async def test_stats_help_export_and_quit(night, tmp_path):
    app = browser(night)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("s")
        assert isinstance(app.screen, StatsScreen)
        await pilot.press("escape")
        await pilot.press("question_mark")
        assert "deconf browse — keys" in app.screen.text
        await pilot.press("escape")
        target = tmp_path / "view.json"
        await pilot.press("e")
        app.screen.query_one("#answer").value = str(target)
        await pilot.press("enter")
        assert len(json.loads(target.read_text())) == 4
        await pilot.press("z")
        assert "record's own zone" in str(app.query_one("#status").render())
        await pilot.press("q")
    assert app.return_code == 0


async def test_a_log_with_rejected_lines_still_opens_with_a_banner(tmp_path):
    log = tmp_path / "mixed.jsonl"
    log.write_text(json.dumps(contact()) + "\n{broken\n")
    app = browser(log)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        banner = app.query_one("#banner")
        assert banner.display and "1 line was rejected" in str(banner.render())
        assert app.state.view.height == 1


async def test_follow_picks_up_new_records_and_keeps_the_cursor(night):
    app = browser(night, follow=[night], follow_seconds=60)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("down")
        assert exchange(app) == "ex:kh-010"
        with night.open("a") as handle:
            handle.write(json.dumps(contact(id="late-1", sent_at="2018-02-01T00:00:00Z")) + "\n")
        app._check_follow()
        await loaded(pilot)
        assert app.state.total == 5
        assert exchange(app) == "ex:kh-010"


async def _ready(pilot) -> None:
    await loaded(pilot)


def test_snapshot_main_screen(snap_compare):
    assert snap_compare(browser(KHASHAM), terminal_size=SIZE, run_before=_ready)


def test_snapshot_detail_screen(snap_compare):
    async def open_night(pilot):
        await loaded(pilot)
        await pilot.press("down", "down", "enter")
        await loaded(pilot)

    assert snap_compare(browser(KHASHAM), terminal_size=SIZE, run_before=open_night)


def test_snapshot_statistics_screen(snap_compare):
    async def stats(pilot):
        await loaded(pilot)
        await pilot.press("s")
        await loaded(pilot)

    assert snap_compare(browser(KHASHAM), terminal_size=SIZE, run_before=stats)


async def test_log_text_is_never_read_as_markup(tmp_path):
    log = tmp_path / "markup.jsonl"
    log.write_text(json.dumps(contact(to_party="[red]RU[/red]", summary="[bold]x[/bold]")) + "\n")
    app = browser(log)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("s")
        await loaded(pilot)
        cell = app.screen.query_one("#responders").get_cell_at((0, 0))
        assert cell.plain == "[red]RU[/red]"
