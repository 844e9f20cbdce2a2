"""The browser as an investigator uses it: silences and events on screen, filters as chips,
search everywhere, the raw record, marks, sorting, frequencies, time zones, export, --follow."""

from __future__ import annotations

import json
import os

import polars as pl

from deconf.marks import add_mark, marks_path
from deconf.tui.screens.confirm import Confirm
from deconf.tui.screens.detail import DetailScreen
from deconf.tui.screens.events import EventsScreen
from deconf.tui.screens.filters import FilterScreen
from deconf.tui.screens.frequency import FrequencyScreen
from deconf.tui.screens.help import HelpScreen
from deconf.tui.screens.prompt import Prompt
from deconf.tui.screens.record import RecordScreen
from deconf.tui.screens.silences import SilencesScreen
from tests.conftest import KHASHAM, contact
from tests.tui_helpers import browser, drawn, exchange, loaded

WIDE, SMALL = (160, 45), (80, 24)


def lines(screen: DetailScreen) -> list[str]:
    return [f"{item.record_id} {item.text}" for item in screen.items]


async def test_the_clinic_strike_shows_inside_armed_group_ns_silence(notifications):
    app = browser(notifications)
    async with app.run_test(size=WIDE) as pilot:
        await loaded(pilot)
        await pilot.press("w")
        await loaded(pilot)
        assert isinstance(app.screen, SilencesScreen)
        first = app.screen.state.current
        assert (first["party"], first["owed_to"], first["event_ids"]) == (
            "ARMED-GROUP-N",
            "NGO-RELIEF",
            ["ev-013", "ev-021", "ev-022"],
        )
        assert "17d 21h 30m" in drawn(app)
        await pilot.press("enter")
        await loaded(pilot)
        screen = app.screen
        assert isinstance(screen, DetailScreen) and screen.exchange_id == "ex:hn-003"
        strike = next(i for i in screen.items if i.record_id == "ev-022")
        assert "strike" in strike.text and "inside ARMED-GROUP-N's silence to NGO-RELIEF" in (
            strike.text
        )
        kinds = [i.kind for i in screen.items]
        assert kinds[-1] == "silence_end" and "17d 21h 30m" in screen.items[-1].text
        assert "silence begins: ARMED-GROUP-N owes NGO-RELIEF" in drawn(app)
        await pilot.press("escape", "escape", "v")  # the events list
        await loaded(pilot)
        assert isinstance(app.screen, EventsScreen)
        assert app.screen.state.view["id"].to_list() == ["ev-013", "ev-021", "ev-022", "ev-036"]
        await pilot.press("down", "down", "enter")  # the strike → its silence's timeline
        await loaded(pilot)
        assert isinstance(app.screen, DetailScreen) and app.screen.exchange_id == "ex:hn-003"


async def test_an_owed_timeline_continues_to_the_as_of_time(night):
    app = browser(night, as_of="2018-02-08T12:00:00Z")
    async with app.run_test(size=WIDE) as pilot:
        await loaded(pilot)
        app.state.find("ex:kh-020")
        await pilot.press("enter")
        await loaded(pilot)
        last = app.screen.items[-1]
        assert last.kind == "silence_end" and last.ongoing
        owed = app.state.analysis.silences.filter(pl.col("ongoing"))
        assert last.at == owed["end"][0]  # the end of what is known, the as-of time at most
        assert "still owed where the record ends" in last.text
        assert "RU owes US an answer, silent for 12h 17m" in last.text


async def test_the_timeline_says_how_firm_each_breach_is(night):
    """SPEC §3.2: a breach is certain when even the shortest possible wait exceeds the target,
    possible when only some reading of the recorded times does (kh-022's times as written stay
    within the target; kh-020's exceed it, not on every reading; kh-024's on every one)."""
    app = browser(night)
    async with app.run_test(size=WIDE) as pilot:
        await loaded(pilot)
        app.state.find("ex:kh-020")
        await pilot.press("enter")
        await loaded(pilot)
        by_id = {item.record_id: item for item in app.screen.items if item.is_record}
        assert "BREACH of target (certain)" in by_id["kh-024"].text
        assert "BREACH of target (possible: not on every reading" in by_id["kh-020"].text
        assert "possible breach of target (on some reading" in by_id["kh-022"].text
        assert not by_id["kh-022"].breach and by_id["kh-022"].breach_certainty == "possible"
        text = drawn(app)
        assert "BREACH of target (certain)" in text and "possible breach of target" in text
        app.screen.query_one("OptionList").highlighted = 0
        breaches = []
        for _ in range(6):  # from kh-020, b visits every breach, possible ones too, and wraps
            await pilot.press("b")
            breaches.append(app.screen.selected.record_id)
        assert breaches == ["kh-021", "kh-022", "kh-024", "kh-030", "kh-031", "kh-020"]


async def test_zone_applies_on_every_screen_and_survives_a_reload(notifications):
    app = browser(notifications, zone="Asia/Aden", follow=[notifications], follow_seconds=60)
    async with app.run_test(size=WIDE) as pilot:
        await loaded(pilot)
        assert "2019-05-01 09:00:00 +0300" in drawn(app)
        for key in ("w", "v"):
            await pilot.press(key)
            await loaded(pilot)
            assert "+0300" in drawn(app) and "Z " not in drawn(app).split("\n")[2]
            await pilot.press("escape")
            await loaded(pilot)
        await pilot.press("z")  # the record's own zone (Asia/Aden here too)
        assert app.state.use_recorded_zone
        with notifications.open("a") as handle:
            handle.write(json.dumps(contact(id="late", sent_at="2019-05-21T10:00:00Z")) + "\n")
        app._check_follow()
        await loaded(pilot)
        assert app.state.total == 16
        assert app.state.use_recorded_zone and app.state.zone == "Asia/Aden"
        assert "record's own zone" in str(app.query_one("#status").render())


async def test_filters_negate_combine_toggle_and_show_as_chips(night):
    app = browser(night)
    async with app.run_test(size=WIDE) as pilot:
        await loaded(pilot)
        await pilot.press("f")
        await pilot.click("#filter-party")
        await pilot.press(*"sdf, iraqi_kurds", "enter")  # any case, either one
        await loaded(pilot)
        assert app.state.view["exchange_id"].to_list() == ["ex:kh-010"]
        assert "party=sdf | iraqi_kurds" in str(app.query_one("#chips").render())
        await pilot.press("t")  # filters off, kept
        await loaded(pilot)
        assert app.state.view.height == 4 and app.state.filters == {"party": "sdf, iraqi_kurds"}
        await pilot.press("t")
        await loaded(pilot)
        assert app.state.view.height == 1
        await pilot.press("f")
        await pilot.click("#filter-party")
        app.screen.query_one("#filter-party").value = "!SDF"
        await pilot.press("enter")
        await loaded(pilot)
        assert "ex:kh-010" not in app.state.view["exchange_id"].to_list()
        assert "party≠SDF" in str(app.query_one("#chips").render())


async def test_a_bad_time_keeps_what_was_typed_and_names_the_field(night):
    app = browser(night)
    async with app.run_test(size=WIDE) as pilot:
        await loaded(pilot)
        await pilot.press("f")
        await pilot.click("#filter-since")
        await pilot.press(*"yesterday-ish", "enter")
        await loaded(pilot)
        assert isinstance(app.screen, FilterScreen)  # still open
        assert app.screen.query_one("#filter-since").value == "yesterday-ish"
        assert "since: 'yesterday-ish' is not a time" in str(
            app.screen.query_one("#filter-error").render()
        )
        app.screen.query_one("#filter-since").value = "2018-02-07"  # a date alone
        app.screen.query_one("#filter-until").value = "2018-02-07"
        await pilot.press("enter")
        await loaded(pilot)
        assert app.state.view["exchange_id"].to_list() == ["ex:kh-010", "ex:kh-020"]


async def test_filter_fields_suggest_values_from_the_data(night):
    app = browser(night)
    async with app.run_test(size=WIDE) as pilot:
        await loaded(pilot)
        await pilot.press("f")
        await pilot.click("#filter-party")
        await pilot.press("s", "d")
        await loaded(pilot)
        field = app.screen.query_one("#filter-party")
        assert field._suggestion == "SDF"  # completes what is typed, in the data's spelling
        await pilot.press("right")
        assert field.value == "SDF"


async def test_regex_search_highlights_hits_in_the_list_and_the_timeline(night):
    app = browser(night)
    async with app.run_test(size=WIDE) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"conoco|liaison", "enter")
        await loaded(pilot)
        assert len(app.state.matches) == 3
        await pilot.press("slash", *"(unclosed", "enter")
        await loaded(pilot)
        assert isinstance(app.screen, Prompt)  # refused, still typing
        assert "not a valid regular expression" in str(
            app.screen.query_one("#prompt-error").render()
        )
        await pilot.press("escape")
        app.state.find("ex:kh-020")
        await pilot.press("enter")
        await loaded(pilot)
        await pilot.press("slash", *"deni", "enter")
        await loaded(pilot)
        screen = app.screen
        hits = screen.matches()
        assert hits and all("deni" in lines(screen)[i].lower() for i in hits)
        first = screen.query_one("#timeline").highlighted
        await pilot.press("n")  # n acts on the timeline in front
        assert screen.query_one("#timeline").highlighted != first or len(hits) == 1
        option = screen.query_one("#timeline").get_option_at_index(hits[0]).prompt
        assert any(
            span.style.bgcolor is not None
            for span in option.spans
            if hasattr(span.style, "bgcolor")
        )


async def test_n_acts_on_the_silences_list_in_front(notifications):
    app = browser(notifications)
    async with app.run_test(size=WIDE) as pilot:
        await loaded(pilot)
        await pilot.press("w", "slash", *"coalition", "enter")
        await loaded(pilot)
        silences = app.screen.state
        assert len(silences.matches) == 5 and silences.current["party"] == "COALITION"
        before = silences.cursor
        await pilot.press("n")
        assert silences.cursor != before
        assert app.state.query == ""  # the exchanges list behind is untouched


async def test_raw_record_view_shows_origin_and_the_line_as_read(night):
    app = browser(night)
    async with app.run_test(size=WIDE) as pilot:
        await loaded(pilot)
        await pilot.press("p")
        await loaded(pilot)
        assert isinstance(app.screen, RecordScreen)
        text = drawn(app)
        assert f"origin: {night}:1" in text and 'as read: {"id": "kh-001"' in text
        copied = []
        app.copy_to_clipboard = copied.append
        await pilot.press("c")
        assert copied == ["kh-001"]


async def test_marks_show_in_the_list_navigate_and_jump(night):
    add_mark(marks_path([night], None), "kh-024", "no answer")
    add_mark(marks_path([night], None), "kh-040", "check")
    app = browser(night)
    async with app.run_test(size=WIDE) as pilot:
        await loaded(pilot)
        rows = drawn(app).split("\n")
        assert rows[1].startswith("  ") and rows[3].startswith("★ ") and rows[4].startswith("★ ")
        await pilot.press("right_square_bracket")
        assert exchange(app) == "ex:kh-020"
        await pilot.press("right_square_bracket")
        assert exchange(app) == "ex:kh-040"
        await pilot.press("left_square_bracket")
        assert exchange(app) == "ex:kh-020"
        await pilot.press("home", "M", "enter")  # the first mark → its timeline, on the record
        await loaded(pilot)
        await loaded(pilot)
        assert isinstance(app.screen, DetailScreen) and app.screen.exchange_id == "ex:kh-020"
        assert app.screen.selected.record_id == "kh-024"
        assert "★" in drawn(app)


async def test_sort_by_the_column_under_the_cursor_with_an_indicator(night):
    app = browser(night)
    async with app.run_test(size=WIDE) as pilot:
        await loaded(pilot)
        assert drawn(app).split("\n")[0].startswith("  start ▲")
        await pilot.press(*["right"] * 5, "o")  # status: by severity, worst first
        await loaded(pilot)
        assert app.state.sort_column == "status"
        assert "status ▲" in drawn(app).split("\n")[0]
        assert app.state.view["status"].to_list()[0] == "partly_answered"
        await pilot.press("o")
        await loaded(pilot)
        assert "status ▼" in drawn(app).split("\n")[0]


async def test_frequency_honours_filters_and_drills_down(night):
    app = browser(night)
    async with app.run_test(size=WIDE) as pilot:
        await loaded(pilot)
        await pilot.press("right", "F")  # parties
        await loaded(pilot)
        assert isinstance(app.screen, FrequencyScreen)
        counts = dict(app.screen.state.view.select("value", "count").iter_rows())
        assert counts == {"RU": 4, "US": 2, "SDF": 1, "public": 1}
        await pilot.press("escape")
        app.state.set_filter("status", "answered")
        await pilot.press("F")
        await loaded(pilot)
        counts = dict(app.screen.state.view.select("value", "count").iter_rows())
        assert app.state.view.height == 2 and counts == {"RU": 2, "US": 1, "SDF": 1}
        row = app.screen.state.view.with_row_index("i").filter(pl.col("value") == "SDF")["i"][0]
        app.screen.state.cursor = int(row)
        await pilot.press("enter")  # drill down: filter the list to that party
        await loaded(pilot)
        assert app.state.filters["party"] == "SDF"


async def test_statistics_honour_filters(night):
    app = browser(night)
    async with app.run_test(size=WIDE) as pilot:
        await loaded(pilot)
        app.state.set_filter("party", "SDF")
        await pilot.press("s")
        await loaded(pilot)
        table = app.screen.query_one("#responders")
        assert table.row_count == 1 and table.get_cell_at((0, 0)).plain == "RU"
        assert table.get_cell_at((0, 2)).plain == "1"  # the one episode of that exchange, not 3
        assert "the 1 of 4 exchanges the filters keep" in drawn(app)


async def test_help_scrolls_and_fits_80_by_24(night):
    app = browser(night)
    async with app.run_test(size=SMALL) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        await loaded(pilot)
        assert isinstance(app.screen, HelpScreen)
        scroll = app.screen.query_one("#help-scroll")
        assert scroll.region.right <= 80 and scroll.region.bottom <= 24
        assert scroll.max_scroll_y > 0
        await pilot.press("pagedown")
        await loaded(pilot)
        assert scroll.scroll_y > 0


async def test_80_by_24_keeps_status_and_gaps_and_drops_the_rest(night):
    app = browser(night)
    async with app.run_test(size=SMALL) as pilot:
        await loaded(pilot)
        header = drawn(app).split("\n")[0]
        assert "status" in header and "longest gap" in header and "parties" in header
        assert "channel" not in header and "msgs" not in header
        assert "✗" in drawn(app) or "◐" in drawn(app)


async def test_export_asks_before_overwriting_and_never_writes_an_input(night, tmp_path):
    app = browser(night)
    target = tmp_path / "view.parquet"
    target.write_text("keep me")
    async with app.run_test(size=WIDE) as pilot:
        await loaded(pilot)
        await pilot.press("e")
        app.screen.query_one("#answer").value = str(night)
        await pilot.press("enter")
        await loaded(pilot)
        assert isinstance(app.screen, Prompt)
        assert "night.jsonl: " in str(app.screen.query_one("#prompt-error").render())
        app.screen.query_one("#answer").value = str(tmp_path / "view.xlsx")
        await pilot.press("enter")
        await loaded(pilot)
        assert "say the format by the extension" in str(
            app.screen.query_one("#prompt-error").render()
        )
        app.screen.query_one("#answer").value = str(target)
        await pilot.press("enter")
        await loaded(pilot)
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        await loaded(pilot)
        assert target.read_text() == "keep me"
        await pilot.press("e")
        app.screen.query_one("#answer").value = str(target)
        await pilot.press("enter")
        await loaded(pilot)
        await pilot.press("y")
        await loaded(pilot)
        assert pl.read_parquet(target).height == 4
    assert night.read_text() == KHASHAM.read_text()


async def test_follow_survives_truncation_rotation_deletion_and_half_lines(night):
    app = browser(night, follow=[night], follow_seconds=60)
    async with app.run_test(size=WIDE) as pilot:
        await loaded(pilot)
        app.state.find("ex:kh-020")
        await pilot.press("enter")
        await loaded(pilot)
        timeline = app.screen
        original = night.read_text()
        with night.open("a") as handle:  # half a line: wait for its end
            handle.write('{"id": "late-1", "sent_at": "2018-02-08T08:00:00Z", "from_')
        app._check_follow()
        await loaded(pilot)
        assert app.state.total == 4 and app.state.rejected == 0
        with night.open("a") as handle:
            handle.write(
                'party": "RU", "to_party": "US", "channel": "deconfliction_line", '
                '"kind": "response", "in_reply_to": "kh-024"}\n'
            )
        app._check_follow()
        await loaded(pilot)
        assert app.state.rejected == 0
        assert any(i.record_id == "late-1" for i in timeline.items)  # the open timeline refreshed
        night.unlink()  # deleted: says so, keeps the last good read
        app._check_follow()
        await loaded(pilot)
        banner = app.query_one("#banner")
        assert banner.display and "is gone" in str(banner.render())
        assert app.state.total == 4
        rotated = night.with_name("new.jsonl")  # rotation: a new file under the same name
        rotated.write_text(original)
        os.replace(rotated, night)
        app._check_follow()
        await loaded(pilot)
        assert app.state.total == 4 and not banner.display
        night.write_text(original.splitlines()[0] + "\n")  # truncation
        app._check_follow()
        await loaded(pilot)
        assert app.state.total == 1
        night.write_text("")  # truncated to nothing (copytruncate): said, last read kept
        app._check_follow()
        await loaded(pilot)
        assert app.state.total == 1 and "is empty" in str(banner.render())


async def test_the_marks_list_shows_when_in_the_display_zone(night):
    from deconf.marks import load_marks
    from deconf.times import parse_rfc3339, wall_time

    add_mark(marks_path([night], None), "kh-024", "no answer")
    marked_at = load_marks(marks_path([night], None))[0].marked_at
    app = browser(night, zone="Asia/Tokyo")
    async with app.run_test(size=WIDE) as pilot:
        await loaded(pilot)
        await pilot.press("M")
        await loaded(pilot)
        expected = wall_time(parse_rfc3339(marked_at), "Asia/Tokyo")
        assert f"kh-024 · no answer · {expected}" in drawn(app) and "+0900" in expected
