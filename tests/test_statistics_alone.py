"""Property: statistics asked for alone (the linking that computes only what they read, as
`deconf stats` does) equal the statistics of the full analysis, on random logs with every kind
of time precision, own deadlines, threads, replies and two sources; and the columns the
statistics-only linking does compute are those of the full linking."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from deconf.analysis import GROUPINGS, Filters, analyze
from deconf.analysis.episodes import FOR_STATISTICS as EPISODE_FIGURES
from deconf.analysis.linked import link
from deconf.analysis.silences import silence_intervals
from deconf.analysis.waits import FOR_STATISTICS as ATTEMPT_FIGURES
from deconf.analysis.waits import RANKS
from deconf.policy import Policy
from tests.test_analysis_property import START, _validated, small_log

FILTERS = [
    Filters(),
    Filters(channel="deconfliction_line"),
    Filters(since=START + timedelta(minutes=50), until=START + timedelta(minutes=150)),
    Filters(party="RU"),
]


@settings(deadline=None)  # examples: the hypothesis profile (tests/conftest.py)
@given(
    records=small_log(),
    window_minutes=st.sampled_from([30, 60 * 24]),
    as_of_minutes=st.sampled_from([100, 400]),
    filters=st.sampled_from(FILTERS),
)
def test_statistics_alone_equal_those_of_the_whole_analysis(
    records, window_minutes, as_of_minutes, filters
):
    validated = _validated(records)
    as_of = START + timedelta(minutes=as_of_minutes)
    policy = Policy(inference_window=timedelta(minutes=window_minutes))
    alone = analyze(validated, policy, as_of, filters)
    whole = analyze(validated, policy, as_of, filters)
    assert whole.episodes is not None and whole.silences is not None  # as a list makes them
    for by in GROUPINGS:
        assert_frame_equal(alone.stats(by), whole.stats(by))
    assert "_linked" not in alone.__dict__  # the statistics did not need the full linking


@settings(deadline=None)
@given(
    records=small_log(),
    window_minutes=st.sampled_from([30, 60 * 24]),
    as_of_minutes=st.sampled_from([100, 400]),
)
def test_the_statistics_linking_computes_its_columns_as_the_full_linking(
    records, window_minutes, as_of_minutes
):
    validated = _validated(records)
    as_of = START + timedelta(minutes=as_of_minutes)
    policy = Policy(inference_window=timedelta(minutes=window_minutes))
    analysis = analyze(validated, policy, as_of)
    contacts, coverage = analysis.records.contacts, analysis.coverage
    full = link(contacts, policy, as_of, coverage)
    counted = link(contacts, policy, as_of, coverage, for_statistics=True)
    attempt_columns = [c for c in ATTEMPT_FIGURES if c not in RANKS]
    assert counted.attempts.columns == attempt_columns
    assert_frame_equal(counted.attempts, full.attempts.select(attempt_columns))
    assert counted.episodes.columns == list(EPISODE_FIGURES)
    assert_frame_equal(counted.episodes, full.episodes.select(EPISODE_FIGURES))
    assert_frame_equal(silence_intervals(counted), silence_intervals(full))
