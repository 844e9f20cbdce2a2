"""Property: the analysis split by party pair, with statistics reduced from per-pair parts,
equals the analysis of the whole log (the contract an engine relies on, deconf.engines)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from deconf.analysis import GROUPINGS, Analysis, analyze
from deconf.analysis.asof import known_at
from deconf.analysis.coverage import coverage_of
from deconf.analysis.partitions import analyze_pair, combine, pairs_of, split_by_pair
from deconf.analysis.stats import reduce_statistics, statistics_part
from deconf.loading import validate_records
from deconf.policy import Policy

START = datetime(2018, 2, 7, 20, 0, tzinfo=UTC)
PARTIES = ["US", "RU", "SDF", "TR"]
KINDS = ["query", "request", "notification", "response", "acknowledgement", "denial", "note"]


@st.composite
def random_log(draw):
    """Contacts among four parties (so several pairs), with ties, threads, replies; events."""
    records = []
    for index in range(draw(st.integers(1, 24))):
        sender = draw(st.sampled_from(PARTIES))
        receiver = draw(st.sampled_from([p for p in PARTIES if p != sender]))
        record = {
            "id": f"{draw(st.sampled_from('abcxyz'))}{index}",
            "sent_at": (START + timedelta(minutes=draw(st.integers(0, 40)) * 5)).isoformat(),
            "from_party": sender,
            "to_party": receiver,
            "channel": draw(st.sampled_from(["deconfliction_line", "email"])),
            "kind": draw(st.sampled_from(KINDS)),
            "attempt_outcome": draw(st.sampled_from(["delivered", "delivered", "no_answer"])),
        }
        if draw(st.integers(0, 3)) == 0:
            record["thread"] = draw(st.sampled_from(["t1", "t2"]))  # threads cross pairs
        if records and draw(st.integers(0, 2)) == 0:
            record["in_reply_to"] = draw(st.sampled_from(records))["id"]
        records.append(record)
    for index in range(draw(st.integers(0, 4))):
        minutes = draw(st.integers(0, 40)) * 5
        records.append(
            {
                "type": "event",
                "id": f"e{index}",
                "at": (START + timedelta(minutes=minutes)).isoformat(),
                "kind": "shelling",
            }
        )
    return records


@settings(deadline=None)  # examples: the hypothesis profile (tests/conftest.py)
@given(
    wire=random_log(),
    window_minutes=st.sampled_from([30, 60 * 24]),
    as_of_minutes=st.sampled_from([100, 400]),
)
def test_pairs_analyzed_apart_and_reduced_equal_the_whole(wire, window_minutes, as_of_minutes):
    validation = validate_records(wire)
    assert not validation.rejected
    as_of = START + timedelta(minutes=as_of_minutes)
    policy = Policy(inference_window=timedelta(minutes=window_minutes))
    whole = analyze(validation.records, policy, as_of)
    records = known_at(validation.records, as_of)

    pieces = split_by_pair(records.contacts)
    assert sum(p.height for p in pieces) == records.contacts.height  # a partition, nothing lost
    coverage = coverage_of(records)  # the whole log's, before any split
    # no pair at all is possible (everything after the as-of time): an empty part stands in
    results = [
        analyze_pair(piece, policy, as_of, coverage) for piece in pieces or [records.contacts]
    ]
    parts = {
        by: [statistics_part(r.episodes, r.silences, by) for r in results] for by in GROUPINGS
    }
    combined = combine(results)
    split = Analysis.from_pairs(records, policy, as_of, whole.filters, coverage, combined, parts)

    assert_frame_equal(split.attempts, whole.attempts)
    assert_frame_equal(split.episodes, whole.episodes)
    assert_frame_equal(split.silences, whole.silences)
    assert_frame_equal(split.exchanges, whole.exchanges)
    for by in GROUPINGS:
        assert_frame_equal(split.stats(by), whole.stats(by), check_exact=False, rel_tol=1e-9)


def test_statistics_reduce_from_parts_as_from_the_whole():
    """Parts of any disjoint split (here: one pair at a time) reduce to the whole's figures."""
    wire = [
        {
            "id": f"a{i}",
            "sent_at": (START + timedelta(minutes=7 * i)).isoformat(),
            "from_party": ["US", "RU", "SDF"][i % 3],
            "to_party": ["RU", "SDF", "US"][i % 3],
            "channel": "deconfliction_line",
            "kind": "request",
            "attempt_outcome": "delivered",
        }
        for i in range(30)
    ]
    records = validate_records(wire).records
    as_of = START + timedelta(hours=6)
    whole = analyze(records, Policy(), as_of)
    assert len(pairs_of(records.contacts)) == 3
    coverage = coverage_of(records)
    results = [
        analyze_pair(piece, Policy(), as_of, coverage) for piece in split_by_pair(records.contacts)
    ]
    for by in GROUPINGS:
        reduced = reduce_statistics(
            [statistics_part(r.episodes, r.silences, by) for r in results], Policy()
        )
        assert_frame_equal(reduced, whole.stats(by), check_exact=False, rel_tol=1e-9)
    overall = whole.stats("all").row(0, named=True)
    assert (overall["attempts"], overall["episodes"]) == (30, 3)  # nobody answers: one per way


def test_pairs_are_unordered():
    contacts = pl.DataFrame({"from_party": ["US", "RU", "US"], "to_party": ["RU", "US", "SDF"]})
    assert pairs_of(contacts) == [("RU", "US"), ("SDF", "US")]
