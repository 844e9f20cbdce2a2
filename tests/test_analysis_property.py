"""Property: deconf's bulk analysis agrees with a brute-force reading of SPEC §3 on random logs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from deconf.analysis import analyze
from deconf.loading import validate_records
from deconf.policy import Policy
from tests.reference_gaps import km_median, reference

START = datetime(2018, 2, 7, 20, 0, tzinfo=UTC)
PARTIES = ["US", "RU", "SDF"]
KINDS = ["query", "request", "notification", "response", "acknowledgement", "denial", "note"]


@st.composite
def small_log(draw):
    count = draw(st.integers(1, 14))
    records = []
    for index in range(count):
        sender = draw(st.sampled_from(PARTIES))
        receiver = draw(st.sampled_from([p for p in PARTIES if p != sender]))
        record = {
            # unique ids whose order differs from time order, so id tie-breaks matter
            "id": f"{draw(st.sampled_from('abcxyz'))}{index}",
            # a coarse grid of minutes, so ties in time are common
            "sent_at": START + timedelta(minutes=draw(st.integers(0, 40)) * 5),
            "from_party": sender,
            "to_party": receiver,
            "channel": "deconfliction_line",
            "kind": draw(st.sampled_from(KINDS)),
            "attempt_outcome": draw(st.sampled_from(["delivered", "delivered", "no_answer"])),
        }
        if draw(st.integers(0, 3)) == 0:
            record["thread"] = draw(st.sampled_from(["t1", "t2"]))
        if records and draw(st.integers(0, 2)) == 0:
            record["in_reply_to"] = draw(st.sampled_from(records))["id"]
        if draw(st.integers(0, 5)) == 0:
            record["expects_response"] = draw(st.booleans())
        records.append(record)
    return records


@settings(deadline=None)  # examples: the hypothesis profile (tests/conftest.py)
@given(
    records=small_log(),
    window_minutes=st.sampled_from([30, 60 * 24]),
    as_of_minutes=st.sampled_from([100, 400]),
)
def test_per_attempt_figures_match_the_brute_force_reference(
    records, window_minutes, as_of_minutes
):
    as_of = START + timedelta(minutes=as_of_minutes)
    policy = Policy(inference_window=timedelta(minutes=window_minutes))
    wire = [r | {"sent_at": r["sent_at"].isoformat()} for r in records]
    validation = validate_records(wire)
    assert not validation.rejected
    result = analyze(validation.records, policy, as_of)
    expected = reference(records, as_of, window=timedelta(minutes=window_minutes))
    got = {row["attempt_id"]: row for row in result.attempts.iter_rows(named=True)}
    assert set(got) == set(expected)
    for attempt_id, want in expected.items():
        row = got[attempt_id]
        assert row["status"] == want.status, (attempt_id, records)
        assert row["first_response_id"] == want.first_response_id, (attempt_id, records)
        assert row["link"] == want.link, (attempt_id, records)
        assert row["episode_id"] == want.episode.ident, (attempt_id, records)
        assert row["retry_streak"] == len(want.episode.members), (attempt_id, records)
        if want.first_response_at is not None:
            ttfr = (want.first_response_at - row["sent_at"]).total_seconds()
            assert row["ttfr_seconds"] == ttfr
        if want.status == "unanswered":
            assert row["open_seconds"] == (as_of - row["sent_at"]).total_seconds()
            assert row["open_seconds"] > 0 or row["sent_at"] == as_of
    # the Kaplan–Meier median over episodes, against exact fractions
    episodes = {o.episode.ident: o.episode for o in expected.values()}
    durations = [
        ((e.closed - e.opened).total_seconds(), True)
        if e.closed is not None
        else ((as_of - e.opened).total_seconds(), False)
        for e in episodes.values()
    ]
    stats = result.stats("all")
    if durations:
        assert stats["km_median_seconds"][0] == km_median(durations)
        assert stats["episodes"][0] == len(episodes)
        assert stats["answered_episodes"][0] == sum(1 for _, seen in durations if seen)
