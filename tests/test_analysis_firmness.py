"""SPEC §3.2 on tiny logs: how firm each figure is — time precision, breach certainty, coverage
of each source, shares beyond the follow-up, respond_by as the target, the closing reply."""

from __future__ import annotations

from datetime import timedelta

import pytest

from deconf.analysis import analyze
from deconf.frames import Records
from deconf.loading import validate_records
from deconf.policy import Policy
from tests.test_analysis_rules import at, by_id, msg, run


def test_minute_precision_bounds_the_wait_and_makes_a_breach_possible_not_certain():
    # flash target 5 min; attempt and reply both written to the minute, 5 min apart as written
    result = run(
        [
            msg("a1", 0, precedence="flash", time_precision="minute"),
            msg("r", 5, "RU", "US", "response", in_reply_to="a1", time_precision="minute"),
        ]
    )
    row = by_id(result)["a1"]
    assert row["ttfr_seconds"] == 300.0  # the point figure: the times as written
    assert (row["ttfr_min_seconds"], row["ttfr_max_seconds"]) == (240.0, 360.0)
    assert row["breach"] is False
    assert row["breach_certainty"] == "possible"  # read late, the reply took 6 min
    episode = result.episodes.row(0, named=True)
    assert (episode["gap_min_seconds"], episode["gap_max_seconds"]) == (240.0, 360.0)


def test_a_wait_known_only_to_the_day_is_never_a_certain_breach_within_the_day():
    # immediate target 15 min; the reply is known only to the day
    result = run(
        [
            msg("a1", 0, precedence="immediate"),
            msg("r", 120, "RU", "US", "response", in_reply_to="a1", time_precision="day"),
        ]
    )
    row = by_id(result)["a1"]
    assert row["ttfr_seconds"] == 7200.0 and row["breach"] is True
    # the reply may have come any time on 7 Feb (UTC): from 0 (min never below 0) to 4 h later
    assert (row["ttfr_min_seconds"], row["ttfr_max_seconds"]) == (0.0, 4 * 3600.0)
    assert row["breach_certainty"] == "possible"


def test_a_breach_is_certain_when_even_the_shortest_reading_exceeds_the_target():
    # approximate times stand for t ± 15 min by default; ± 5 min under this policy
    records = [
        msg("a1", 0, precedence="immediate", time_precision="approximate"),
        msg("r", 40, "RU", "US", "response", in_reply_to="a1", time_precision="approximate"),
    ]
    default = by_id(run(records))["a1"]
    assert (default["ttfr_min_seconds"], default["ttfr_max_seconds"]) == (600.0, 4200.0)
    assert default["breach_certainty"] == "possible"
    tight = by_id(run(records, policy=Policy(approximate=timedelta(minutes=5))))["a1"]
    assert (tight["ttfr_min_seconds"], tight["ttfr_max_seconds"]) == (1800.0, 3000.0)
    assert tight["breach_certainty"] == "certain"


def test_open_age_bounds_and_no_breach_certainty_when_no_reading_breaches():
    result = run(
        [
            msg("a1", 0, time_precision="minute"),  # routine: 24 h target
            msg("later", 30, "UN", "OCHA", "note"),
        ]
    )
    row = by_id(result)["a1"]
    assert row["status"] == "unanswered" and row["open_seconds"] == 1800.0
    assert (row["open_min_seconds"], row["open_max_seconds"]) == (1740.0, 1800.0)
    assert (row["breach"], row["breach_certainty"]) == (False, None)
    assert row["ttfr_min_seconds"] is None


def _two_logs(first: list[dict], second: list[dict]):
    parts = []
    for name, records in (("2018.jsonl", first), ("2019.jsonl", second)):
        validation = validate_records(records, source=name)
        assert not validation.rejected
        parts.append(validation.records)
    return analyze(Records.concat(parts))


def test_an_open_episode_is_censored_at_the_end_of_its_sources_coverage():
    old = [msg("a1", 0), msg("old-last", 30, "UN", "OCHA", "note")]
    new = [
        {**msg("b1", 0, "SDF", "RU"), "sent_at": "2019-05-01T10:00:00+00:00"},
        {**msg("new-last", 0, "UN", "OCHA", "note"), "sent_at": "2019-05-01T12:00:00+00:00"},
    ]
    result = _two_logs(old, new)
    rows = by_id(result)
    # the 2018 log observed until 20:30 on 7 Feb 2018: a1 owes 30 min, not 450 days
    assert rows["a1"]["open_seconds"] == 1800.0
    assert rows["a1"]["censored_at"].isoformat() == "2018-02-07T20:30:00+00:00"
    assert rows["b1"]["open_seconds"] == 7200.0
    silences = result.silences.sort("start")
    assert silences["seconds"].to_list() == [1800.0, 7200.0]
    coverage = {r["origin_file"]: r for r in result.coverage.iter_rows(named=True)}
    assert coverage["2018.jsonl"]["covers_until"].isoformat() == "2018-02-07T20:30:00+00:00"
    assert (coverage["2019.jsonl"]["contacts"], coverage["2019.jsonl"]["events"]) == (2, 0)


def test_shares_beyond_the_follow_up_are_not_estimable_and_the_mean_stops_there():
    # a group followed only 2 h: one answered after 30 min, one still open after 2 h
    records = [
        msg("a1", 0, "US", "RU"),
        msg("r1", 30, "RU", "US", "response"),
        msg("a2", 0, "US", "SY"),
        msg("end", 120, "UN", "OCHA", "note"),
    ]
    row = run(records).stats("all").row(0, named=True)
    assert (row["share_answered_5m"], row["share_answered_15m"]) == (0.0, 0.0)
    assert row["share_answered_1h"] == 0.5  # a2 was followed for 2 h: 1 h is estimable
    assert row["share_answered_24h"] is None  # nobody was followed for 24 h
    assert row["rmst_horizon_seconds"] == 7200.0
    assert row["rmst_seconds"] == pytest.approx(1800 + 5400 * 0.5)


def test_a_share_is_estimable_when_everyone_was_answered_before_it():
    row = run([msg("a1", 0), msg("r1", 3, "RU", "US", "response")]).stats("all").row(0, named=True)
    # S reached 0 at 3 min: the share within 24 h is 1, not unknown
    assert (row["share_answered_5m"], row["share_answered_24h"]) == (1.0, 1.0)
    assert row["rmst_horizon_seconds"] == 180.0


def test_respond_by_is_the_target_and_says_so():
    result = run(
        [
            msg("q", 0, precedence="flash", respond_by=at(60)),  # a deadline looser than flash
            msg("p", 0, "US", "SDF", precedence="flash"),
            msg("rq", 20, "RU", "US", "response"),
            msg("rp", 20, "SDF", "US", "response"),
        ]
    )
    rows = by_id(result)
    assert (rows["q"]["target_seconds"], rows["q"]["target_from"]) == (3600.0, "respond_by")
    assert (rows["q"]["breach"], rows["q"]["breach_certainty"]) == (False, None)
    assert (rows["p"]["target_seconds"], rows["p"]["target_from"]) == (300.0, "policy")
    assert (rows["p"]["breach"], rows["p"]["breach_certainty"]) == (True, "certain")


def test_a_retry_answered_at_the_same_second_is_closed_by_the_reply():
    # the reply sorts before the retry (same second, smaller id): the episode is closed by the
    # reply, which must be named, not the retry
    result = run(
        [
            msg("a1", 0),
            msg("z-retry", 5),
            msg("m-reply", 5, "RU", "US", "response", in_reply_to="z-retry"),
        ]
    )
    episode = result.episodes.row(0, named=True)
    assert (episode["retry_streak"], episode["status"]) == (2, "answered")
    assert episode["closing_response_id"] == "m-reply"
    assert by_id(result)["a1"]["closing_response_id"] == "m-reply"


def test_an_episode_takes_the_firmest_breach_and_the_weakest_record_of_its_attempts():
    # flash target 5 min: the first call (known to the day) only possibly breached, the retry
    # (to the second, disputed) certainly did
    result = run(
        [
            msg("a1", 0, precedence="flash", time_precision="day"),
            msg("a2", 10, precedence="flash", certainty="disputed"),
            msg("end", 60, "UN", "OCHA", "note"),
        ]
    )
    rows = by_id(result)
    assert (rows["a1"]["breach_certainty"], rows["a2"]["breach_certainty"]) == (
        "possible",
        "certain",
    )
    episode = result.episodes.row(0, named=True)
    assert episode["breach_certainty"] == "certain"
    assert (episode["breaches_certain"], episode["breaches_possible"]) == (1, 1)
    assert (episode["rests_on_certainty"], episode["rests_on_precision"]) == ("disputed", "day")
