"""Property: deconf's bulk analysis agrees with a brute-force reading of SPEC §3 on random logs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from deconf.analysis import analyze
from deconf.frames import Records
from deconf.loading import validate_records
from deconf.policy import Policy
from tests.reference_gaps import firmness, km_median, reference

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
        # how firm: precision, precedence, an own deadline, and which of two logs recorded it
        precision = draw(st.sampled_from(["second", "second", "minute", "approximate", "day"]))
        if precision != "second":
            record["time_precision"] = precision
        record["precedence"] = draw(st.sampled_from(["flash", "immediate", "routine"]))
        if draw(st.integers(0, 4)) == 0:
            record["respond_by"] = record["sent_at"] + timedelta(minutes=draw(st.integers(0, 60)))
        record["source_file"] = draw(st.sampled_from(["a.jsonl", "a.jsonl", "b.jsonl"]))
        records.append(record)
    return records


def _validated(records) -> Records:
    """Each log file validated on its own, as `deconf` does with two named logs."""
    parts = []
    for source in sorted({r["source_file"] for r in records}):
        wire = [
            {k: v for k, v in r.items() if k != "source_file"}
            | {"sent_at": r["sent_at"].isoformat()}
            | ({"respond_by": r["respond_by"].isoformat()} if "respond_by" in r else {})
            for r in records
            if r["source_file"] == source
        ]
        validation = validate_records(wire, source=source)
        assert not validation.rejected, validation.errors
        parts.append(validation.records)
    return Records.concat(parts)


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
    result = analyze(_validated(records), policy, as_of)
    expected = reference(records, as_of, window=timedelta(minutes=window_minutes))
    firm = firmness(records, expected, as_of)
    got = {row["attempt_id"]: row for row in result.attempts.iter_rows(named=True)}
    assert set(got) == set(expected)
    for attempt_id, want in expected.items():
        row = got[attempt_id]
        assert row["status"] == want.status, (attempt_id, records)
        assert row["first_response_id"] == want.first_response_id, (attempt_id, records)
        assert row["link"] == want.link, (attempt_id, records)
        assert row["episode_id"] == want.episode.ident, (attempt_id, records)
        assert row["retry_streak"] == len(want.episode.members), (attempt_id, records)
        how = firm[attempt_id]
        assert row["ttfr_seconds"] == how.ttfr, (attempt_id, records)
        assert row["clock_skew_seconds"] == how.clock_skew, (attempt_id, records)
        assert _pair(row, "ttfr") == how.ttfr_bounds, (attempt_id, records)
        assert row["open_seconds"] == how.open_seconds, (attempt_id, records)
        assert _pair(row, "open") == how.open_bounds, (attempt_id, records)
        assert (row["target_seconds"], row["target_from"]) == (how.target, how.target_from)
        assert row["breach"] == how.breach, (attempt_id, records)
        assert row["breach_certainty"] == how.breach_certainty, (attempt_id, records)
        for low, point, high in (
            ("ttfr_min", "ttfr", "ttfr_max"),
            ("open_min", "open", "open_max"),
        ):
            if row[f"{point}_seconds"] is not None:  # the point figure lies within its bounds
                assert row[f"{low}_seconds"] <= row[f"{point}_seconds"] <= row[f"{high}_seconds"]
    # each episode is closed by the reply the reference saw close it
    closers = {e.ident: e.closer for e in (o.episode for o in expected.values())}
    for episode in result.episodes.iter_rows(named=True):
        assert episode["closing_response_id"] == closers[episode["episode_id"]], records
        for low, point, high in (("gap_min", "gap", "gap_max"), ("open_min", "open", "open_max")):
            if episode[f"{point}_seconds"] is not None:  # bounds hold the point, never below 0
                assert 0 <= episode[f"{low}_seconds"] <= episode[f"{point}_seconds"]
                assert episode[f"{point}_seconds"] <= episode[f"{high}_seconds"], records
    # the Kaplan–Meier median over episodes, against exact fractions
    episodes = {o.episode.ident: o.episode for o in expected.values()}
    durations = [
        ((e.closed - e.opened).total_seconds(), True)
        if e.closed is not None
        else (firm[e.members[0]["id"]].open_seconds, False)
        for e in episodes.values()
    ]
    stats = result.stats("all")
    if durations:
        assert stats["km_median_seconds"][0] == km_median(durations)
        assert stats["episodes"][0] == len(episodes)
        assert stats["answered_episodes"][0] == sum(1 for _, seen in durations if seen)


def _pair(row, name: str):
    low, high = row[f"{name}_min_seconds"], row[f"{name}_max_seconds"]
    return None if low is None else (low, high)
