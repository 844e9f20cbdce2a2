"""What the browser keeps of the analysis (`tui/held.py`): fewer columns, the same figures.

Every screen that reads the lean analysis must show what the whole analysis gives: timelines,
statistics (all and of a filtered view), silences and events lists, filters and searches.
"""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from deconf.analysis import analyze
from deconf.analysis.columns import A
from deconf.frames import Col
from deconf.loading import validate_logs
from deconf.policy import Policy
from deconf.tui.held import KEPT_ATTEMPT_COLUMNS, first_screen, lean
from deconf.tui.screens.events import events_state
from deconf.tui.screens.silences import silences_state
from deconf.tui.state import BrowserState
from tests.conftest import HUMANITARIAN, KHASHAM


@pytest.fixture(params=[KHASHAM, HUMANITARIAN], ids=["khasham", "humanitarian"])
def both(request):
    records = validate_logs([request.param]).records
    whole = analyze(records)
    return whole, lean(first_screen(records, Policy(), None))


def test_timelines_are_the_same(both):
    whole, kept = both
    for exchange_id in whole.exchanges[A.EXCHANGE_ID]:
        assert BrowserState(kept).timeline(exchange_id) == BrowserState(whole).timeline(exchange_id)


def test_statistics_are_the_same_whole_and_filtered(both):
    whole, kept = both
    for by in (Col.TO_PARTY, Col.FROM_PARTY, Col.CHANNEL):
        assert_frame_equal(kept.stats(by), whole.stats(by))
    some = whole.exchanges[A.EXCHANGE_ID].head(2)
    assert_frame_equal(kept.within(some).stats(), whole.within(some).stats())


def test_silences_and_events_lists_are_the_same(both):
    whole, kept = both
    # the same rows and values; repeated texts are categoricals in the lean one
    assert_frame_equal(silences_state(kept).view, silences_state(whole).view, check_dtypes=False)
    assert_frame_equal(events_state(kept).view, events_state(whole).view, check_dtypes=False)


def test_filters_searches_and_suggestions_are_the_same(both):
    whole, kept = both
    lists = BrowserState(whole), BrowserState(kept)
    for name in ("party", "channel", "kind", "precedence"):
        assert lists[1].suggestions(name) == lists[0].suggestions(name)
    for state in lists:
        state.set_filter("party", lists[0].suggestions("party")[0])
        state.search("a")
    assert lists[1].view[A.EXCHANGE_ID].to_list() == lists[0].view[A.EXCHANGE_ID].to_list()
    assert lists[1].matches == lists[0].matches
    for status in ("answered", "!unanswered"):
        for state in lists:
            state.clear_filters()
            state.set_filter("status", status)
            state.sort_by("status")
        assert lists[1].view[A.EXCHANGE_ID].to_list() == lists[0].view[A.EXCHANGE_ID].to_list()


def test_the_lean_analysis_holds_less(both):
    whole, kept = both
    assert kept.attempts.columns == list(KEPT_ATTEMPT_COLUMNS)
    assert len(whole.attempts.columns) > 2 * len(KEPT_ATTEMPT_COLUMNS)
    assert kept.records.contacts.schema[Col.FROM_PARTY] == pl.Categorical
    assert_frame_equal(kept.exchanges, whole.exchanges, check_dtypes=False)
