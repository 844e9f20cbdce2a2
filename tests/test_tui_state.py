"""The browser's state without a terminal: filters hide, search, jumps, timeline, export."""

from __future__ import annotations

import json

import polars as pl
import pytest

from deconf.analysis import analyze
from deconf.loading import validate_logs, validate_records
from deconf.reconcile import reconcile
from deconf.tui.exporting import write_export
from deconf.tui.state import BrowserState, plain
from tests.conftest import HUMANITARIAN, KHASHAM, contact


@pytest.fixture
def night() -> BrowserState:
    return BrowserState(analyze(validate_logs([KHASHAM]).records))


def test_the_list_starts_in_time_order(night):
    assert night.view["exchange_id"].to_list() == [
        "ex:kh-001",
        "ex:kh-010",
        "ex:kh-020",
        "ex:kh-040",
    ]
    assert night.status_line().startswith("4 of 4 exchanges shown · as of 2018-02-08 09:00:00Z")


def test_filters_hide_and_can_be_switched_off(night):
    night.set_filter("party", "SDF")
    assert night.view["exchange_id"].to_list() == ["ex:kh-010"]
    assert "3 hidden" in night.status_line() and "party=SDF" in night.status_line()
    night.set_filter("party", None)
    night.set_filter("status", "partly_answered")
    assert night.view["exchange_id"].to_list() == ["ex:kh-020"]
    night.clear_filters()
    night.set_filter("kind", "denial")
    assert night.view["exchange_id"].to_list() == ["ex:kh-010", "ex:kh-020", "ex:kh-040"]
    night.clear_filters()
    night.set_filter("since", "2018-02-07T20:00:00Z")
    night.set_filter("until", "2018-02-07T23:00:00Z")
    assert night.view["exchange_id"].to_list() == ["ex:kh-020"]
    with pytest.raises(ValueError):
        night.set_filter("since", "sometime")
    assert night.filters == {"since": "2018-02-07T20:00:00Z", "until": "2018-02-07T23:00:00Z"}


def test_search_parties_and_summaries_with_next_and_previous(night):
    assert night.search("CONOCO") == 3  # any case: week before, SDF call, the night
    assert night.current["exchange_id"] == "ex:kh-001"
    assert night.next_match(1) and night.current["exchange_id"] == "ex:kh-010"
    assert night.next_match(1) and night.current["exchange_id"] == "ex:kh-020"
    assert night.next_match(1) and night.current["exchange_id"] == "ex:kh-001"  # wraps
    assert night.next_match(-1) and night.current["exchange_id"] == "ex:kh-020"
    assert night.search("public") == 1


def test_jumps_to_unanswered_and_breaches(night):
    assert night.next_flagged("unanswered", 1) and night.current["exchange_id"] == "ex:kh-020"
    assert night.next_flagged("breach", -1) and night.current["exchange_id"] == "ex:kh-001"
    assert night.goto_time("2018-02-07T19:00:00Z") and night.current["exchange_id"] == "ex:kh-010"


def test_sorting_keeps_the_cursor_on_its_exchange(night):
    night.cursor = 2
    night.sort_by("longest_gap_seconds", descending=True)
    assert night.view["exchange_id"][0] == "ex:kh-020"
    assert night.current["exchange_id"] == "ex:kh-020"


def test_the_timeline_interleaves_events_and_shows_gaps(night):
    items = [i for i in night.timeline("ex:kh-020") if i.is_record]
    ids = [i.record_id for i in items]
    assert ids[:5] == ["kh-020", "kh-021", "kh-022", "kh-023", "kh-024"]
    assert "ev-05" in ids and ids.index("ev-05") > ids.index("kh-024")
    reply = items[3].text
    assert "answers kh-022 after 3m 00s (explicit)" in reply
    assert "UNANSWERED, open 12h 17m 00s" in items[4].text
    assert "source: New York Times" in items[0].text and "certainty: inferred" in items[0].text


def test_time_zones(night):
    row = night.current
    assert night.when(row["start"]).endswith("Z")
    night.zone = "Asia/Damascus"
    assert night.when(row["start"]) == "2018-02-03 12:00:00 +0200"
    night.use_recorded_zone = True
    assert night.when(row["start"], "Europe/Moscow") == "2018-02-03 13:00:00 +0300"


def test_export_writes_the_current_view(night, tmp_path):
    night.set_filter("party", "SDF")
    assert write_export(night.view, tmp_path / "view.json") == 1
    assert json.loads((tmp_path / "view.json").read_text())[0]["exchange_id"] == "ex:kh-010"
    assert write_export(night.view, tmp_path / "view.csv") == 1
    assert (tmp_path / "view.csv").read_text().splitlines()[1].startswith("ex:kh-010")
    assert write_export(night.view, tmp_path / "view.parquet") == 1
    assert pl.read_parquet(tmp_path / "view.parquet")["exchange_id"].to_list() == ["ex:kh-010"]
    assert not [c for c in pl.read_parquet(tmp_path / "view.parquet").columns if c[0] == "_"]


def test_histogram_keeps_unanswered_as_its_own_bar():
    state = BrowserState(analyze(validate_logs([HUMANITARIAN]).records))
    bins = dict(state.histogram())
    assert set(bins) >= {"≤ 5 min", "> 24 h", "unanswered"}
    assert sum(bins.values()) == state.analysis.episodes.height


def test_terminal_escapes_are_neutralised_and_scripts_kept():
    assert plain("a\x1b[31mred\x07\u202e") == "a\ufffd[31mred\ufffd\ufffd"
    assert plain("قوات\nКоалиция 日本") == "قوات Коалиция 日本"
    records = validate_records([contact(summary="\x1b]0;pwned\x07 hi")]).records
    state = BrowserState(analyze(records))
    assert "\x1b" not in state.timeline(state.view["exchange_id"][0])[0].text


def test_filters_ignore_case_combine_with_or_and_negate(night):
    night.set_filter("party", "sdf, Public")
    assert night.view["exchange_id"].to_list() == ["ex:kh-010", "ex:kh-040"]
    night.set_filter("party", "!sdf")
    assert "ex:kh-010" not in night.view["exchange_id"].to_list() and night.view.height == 3
    night.set_filter("party", None)
    night.set_filter("status", "!ANSWERED, no_attempts")
    assert night.view["exchange_id"].to_list() == ["ex:kh-020"]
    assert night.chips == [("status≠ANSWERED | no_attempts", True)]


def test_filters_switch_off_without_losing_their_text(night):
    night.set_filter("party", "SDF")
    assert night.toggle_filters() == "filters off" and night.view.height == 4
    assert night.filters == {"party": "SDF"} and night.chips == [("party=SDF", False)]
    assert night.toggle_filters() == "filters on" and night.view.height == 1


def test_time_filters_take_a_date_alone_in_the_display_zone(night):
    night.set_filter("since", "2018-02-07")
    night.set_filter("until", "2018-02-07")  # the whole day
    assert night.view["exchange_id"].to_list() == ["ex:kh-010", "ex:kh-020"]
    night.replace_filters({"since": "2018-02-08"})
    assert night.view["exchange_id"].to_list() == ["ex:kh-040"]
    night.zone = "Asia/Tokyo"  # 2018-02-08 in Tokyo starts at 15:00Z on the 7th
    night.apply()
    assert night.view["exchange_id"].to_list() == ["ex:kh-010", "ex:kh-020", "ex:kh-040"]
    with pytest.raises(ValueError, match="until: '2018-02-31' is not a time"):
        night.set_filter("until", "2018-02-31")


def test_suggestions_come_from_the_data(night):
    assert night.suggestions("party") == ["RU", "SDF", "US", "public"]
    assert "denial" in night.suggestions("kind")
    assert night.suggestions("since") == []


def test_search_is_a_regular_expression_and_a_bad_one_changes_nothing(night):
    assert night.search("conoco|LIAISON") == 3
    with pytest.raises(ValueError, match="not a valid regular expression"):
        night.search("(")
    assert night.query == "conoco|LIAISON" and len(night.matches) == 3


def test_statistics_of_a_filtered_view_are_the_analysis_of_its_episodes(night):
    night.set_filter("party", "SDF")
    narrowed = night.view_analysis()
    episodes = narrowed.episodes
    assert episodes.height == 1 and episodes["to_party"].to_list() == ["RU"]
    assert narrowed.stats("to_party")["episodes"].to_list() == [1]
    assert sum(n for _, n in night.histogram()) == 1


def test_a_timeline_shows_owed_silences_and_the_events_inside_them():
    state = BrowserState(analyze(validate_logs([HUMANITARIAN]).records))
    items = state.timeline("ex:hn-003")
    kinds = [(i.kind, i.record_id) for i in items]
    assert ("silence", "ep:hn-003") in kinds and kinds[-1] == ("silence_end", "ep:hn-003")
    strike = next(i for i in items if i.record_id == "ev-022")
    assert "inside ARMED-GROUP-N's silence to NGO-RELIEF" in strike.text
    assert "17d 21h 30m; 3 events inside" in next(i for i in items if i.kind == "silence").text


def test_a_list_sorted_at_start_opens_on_its_first_row():
    from deconf.tui.screens.silences import silences_state

    analysis = analyze(validate_logs([KHASHAM]).records)
    earliest = analysis.silences.sort("start")["seconds"][0]
    state = silences_state(analysis)  # longest first
    assert state.cursor == 0 and state.current["seconds"] == analysis.silences["seconds"].max()
    assert earliest != state.current["seconds"]  # not left on the row that came first


def test_the_timeline_of_a_merged_log_says_which_sources_logged_each_record():
    us = validate_records([contact(id="a1", sent_at="2018-02-07T20:00:00Z")]).records
    ru = validate_records(
        [
            contact(id="b1", sent_at="2018-02-07T20:00:00Z"),
            contact(id="b2", sent_at="2018-02-07T21:00:00Z", kind="notification"),
        ]
    ).records
    merged = reconcile([("US", us), ("RU", ru)]).merged
    state = BrowserState(analyze(merged))
    texts = {
        item.record_id: item.text
        for exchange in state.view["exchange_id"]
        for item in state.timeline(exchange)
    }
    assert texts["US:a1"].endswith("· logged by US:a1, RU:b1")
    assert texts["RU:b2"].endswith("· logged by RU:b2")
    single = BrowserState(analyze(us))
    assert "logged by" not in single.timeline(single.view["exchange_id"][0])[0].text


def test_a_notification_answered_only_weeks_later_elsewhere_is_not_listed_as_answered():
    # issue 13: the site notification to ARMED-GROUP-N (ex:hn-003: attempts 1, 2 and 4 of its
    # episode) read "answered"; its episode was answered 17 days later, in ex:hn-032
    state = BrowserState(analyze(validate_logs([HUMANITARIAN]).records))
    status = dict(zip(state.view["exchange_id"], state.view["status"], strict=True))
    assert status["ex:hn-003"] == "superseded" and status["ex:hn-032"] == "answered"
    state.set_filter("status", "superseded")
    assert "ex:hn-003" in state.view["exchange_id"].to_list()
    assert set(state.view["status"]) == {"superseded"}
