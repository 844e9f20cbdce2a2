"""Rules of SPEC §3 on tiny logs: linking, episodes, statuses, silences, policy, as-of."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time

from deconf.analysis import Filters, analyze
from deconf.analysis.asof import parse_as_of
from deconf.errors import UsageError, flag_name
from deconf.loading import validate_records
from deconf.policy import Policy, load_policy


def at(minute: int, second: int = 0) -> str:
    return (
        datetime(2018, 2, 7, 20, 0, tzinfo=UTC) + timedelta(minutes=minute, seconds=second)
    ).isoformat()


def msg(ident, minute, sender="US", receiver="RU", kind="query", **extra):
    return {
        "id": ident,
        "sent_at": at(minute),
        "from_party": sender,
        "to_party": receiver,
        "channel": "deconfliction_line",
        "kind": kind,
    } | extra


def run(records, **options):
    validation = validate_records(records)
    assert not validation.rejected, validation.errors
    return analyze(validation.records, **options)


def by_id(result):
    return {row["attempt_id"]: row for row in result.attempts.iter_rows(named=True)}


def test_one_unlinked_answer_answers_every_attempt_of_the_open_episode():
    result = run([msg("a1", 0), msg("a2", 5), msg("r", 12, "RU", "US", "response")])
    rows = by_id(result)
    assert [rows[a]["link"] for a in ("a1", "a2")] == ["inferred", "inferred"]
    assert [rows[a]["ttfr_seconds"] for a in ("a1", "a2")] == [720.0, 420.0]
    assert result.episodes.height == 1


def test_unlinked_chatter_after_the_episode_closed_answers_nothing():
    result = run(
        [
            msg("a1", 0),
            msg("r1", 2, "RU", "US", "response", in_reply_to="a1"),
            msg("a2", 1),
            msg("chat", 30, "RU", "US", "note"),
        ]
    )
    rows = by_id(result)
    assert rows["a2"]["status"] == "superseded"  # a2 joined a1's episode, closed at 2 min
    assert rows["a2"]["first_response_id"] is None


def test_a_party_never_answers_itself_and_an_undelivered_message_answers_nothing():
    result = run(
        [
            msg("a1", 0),
            msg("self", 1, "US", "RU", "response"),
            msg("busy", 2, "RU", "US", "response", attempt_outcome="busy"),
        ]
    )
    assert by_id(result)["a1"]["status"] == "unanswered"


def test_threads_must_match_when_both_carry_one():
    result = run(
        [
            msg("a1", 0, thread="t1"),
            msg("r", 3, "RU", "US", "response", thread="t2"),
            msg("r2", 4, "RU", "US", "response"),
        ]
    )
    assert by_id(result)["a1"]["first_response_id"] == "r2"


def test_the_inference_window_limits_unlinked_answers():
    records = [msg("a1", 0), msg("late", 90, "RU", "US", "response")]
    assert (
        by_id(run(records, policy=Policy(inference_window=timedelta(hours=1))))["a1"]["status"]
        == "unanswered"
    )
    assert by_id(run(records))["a1"]["status"] == "answered"


def test_minimum_reply_latency_ignores_automated_receipts():
    records = [
        msg("a1", 0),
        {**msg("auto", 0, "RU", "US", "acknowledgement"), "sent_at": at(0, 10)},
        msg("human", 6, "RU", "US", "response"),
    ]
    rows = by_id(run(records, policy=Policy(min_reply_latency=timedelta(seconds=30))))
    assert rows["a1"]["first_response_id"] == "human"


def test_a_reply_timed_before_its_attempt_answers_at_the_attempt_and_reports_the_skew():
    result = run([msg("a1", 10), msg("r", 8, "RU", "US", "response", in_reply_to="a1")])
    row = by_id(result)["a1"]
    assert (row["status"], row["link"]) == ("answered", "explicit")
    assert (row["ttfr_seconds"], row["clock_skew_seconds"]) == (0.0, -120.0)
    assert (row["ttfr_min_seconds"], row["ttfr_max_seconds"]) == (0.0, 0.0)
    assert row["wait_seconds"] == 0.0 and not row["breach"]
    episode = result.episodes.row(0, named=True)
    assert (episode["gap_seconds"], episode["closing_response_id"]) == (0.0, "r")
    assert result.exchanges["first_response_seconds"][0] == 0.0


def test_acknowledgement_and_substantive_answer_are_timed_separately():
    result = run(
        [
            msg("a1", 0),
            msg("ack", 2, "RU", "US", "acknowledgement", in_reply_to="a1"),
            msg("ans", 30, "RU", "US", "assurance", in_reply_to="a1"),
        ]
    )
    row = by_id(result)["a1"]
    assert (row["ttfr_seconds"], row["tt_ack_seconds"], row["tt_substantive_seconds"]) == (
        120.0,
        120.0,
        1800.0,
    )


def test_reply_cycles_and_unknown_ids_do_not_crash():
    result = run(
        [
            msg("a", 0, in_reply_to="b"),
            msg("b", 1, "RU", "US", in_reply_to="a"),
            msg("c", 2, in_reply_to="nowhere"),
        ]
    )
    assert result.exchanges.height == 2
    assert set(by_id(result)) == {"a", "b", "c"}


def test_an_owed_silence_is_split_by_any_delivered_message():
    result = run(
        [
            msg("a1", 0, thread="x"),
            msg("other", 10, "RU", "US", "note", thread="y"),
            msg("r", 25, "RU", "US", "response", in_reply_to="a1"),
        ]
    )
    assert result.silences["seconds"].to_list() == [600.0, 900.0]


def test_unanswered_episodes_are_censored_not_zero_and_not_dropped():
    records = [
        msg("a1", 0),
        msg("r", 4, "RU", "US", "response"),
        msg("a2", 10),
        msg("b1", 5, "US", "SDF"),
        msg("log-ends", 70, "UN", "OCHA", "note"),  # the log observed until 21:10
    ]
    stats = run(records, as_of="2018-02-07T21:10:00Z").stats("all").row(0, named=True)
    assert (stats["episodes"], stats["answered_episodes"], stats["unanswered_episodes"]) == (
        3,
        1,
        2,
    )
    # S(240 s) = 1 − 1/3: the median is not reached, and no number is made up for it
    assert stats["km_median_seconds"] is None
    assert stats["km_median_reached"] is False
    assert stats["km_longest_followup_seconds"] == 3900.0  # b1 open 65 min at the as-of time
    # the answered-only median ignores the two unanswered episodes: labelled, biased low
    assert stats["answered_median_seconds"] == 240.0


def test_kaplan_meier_hand_example():
    # gaps 2, 3(censored), 5, 8, 8(censored) minutes in five separate pairs
    parties = ["B", "C", "D", "E", "F"]
    gaps = [(2, True), (3, False), (5, True), (8, True), (8, False)]
    records = []
    for party, (minutes, answered) in zip(parties, gaps, strict=True):
        records.append(msg(f"a-{party}", 0, "A", party))
        if answered:
            records.append(msg(f"r-{party}", minutes, party, "A", "response"))
        else:
            records.append(msg(f"n-{party}", minutes, "Z", "A", "note"))  # only moves as-of
    result = run(records, as_of=at(8))
    # censored ones are censored at the as-of time (8 min), not at their note
    stats = result.stats("all").row(0, named=True)
    # t=120: n=5, d=1 → S=4/5; t=300: n=4, d=1 → 3/5; t=480: n=3 (two censored at 480), d=1 → 2/5
    assert stats["km_median_seconds"] == 480.0
    assert stats["share_answered_5m"] == pytest.approx(0.4)
    # the restricted mean stops at the longest follow-up (8 min), not at the 24 h horizon
    assert stats["rmst_seconds"] == pytest.approx(120 + 180 * 0.8 + 180 * 0.6)
    assert stats["rmst_horizon_seconds"] == 480.0
    assert stats["share_answered_1h"] is None  # nobody was followed for an hour


def test_policy_targets_overrides_and_respond_by(tmp_path):
    policy_file = tmp_path / "policy.toml"
    policy_file.write_text(
        'inference_window = "2h"\n[targets]\nroutine = "10m"\n'
        '[[overrides]]\nchannel = "deconfliction_line"\nkind = "notification"\ntarget = "1h"\n'
    )
    policy = load_policy(policy_file)
    result = run(
        [
            msg("q", 0),
            msg("n", 0, kind="notification"),
            msg("d", 0, "US", "SDF", respond_by=at(60)),
            msg("rq", 20, "RU", "US", "response"),
            msg("rs", 30, "SDF", "US", "response"),
        ],
        policy=policy,
    )
    rows = by_id(result)
    assert (rows["q"]["target_seconds"], rows["n"]["target_seconds"]) == (600.0, 3600.0)
    assert (rows["q"]["breach"], rows["n"]["breach"]) == (True, False)
    assert rows["d"]["breach"] is False  # answered at 30 min, deadline 60 min


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("targets = [", "not valid TOML"),
        ('[targets]\nflash = "soon"\n', "targets.flash: not a duration"),
        ("surprise = 1\n", "surprise"),
        ('[[overrides]]\nchannel = "fax"\ntarget = "1h"\n', "overrides.0.channel"),
    ],
)
def test_a_bad_policy_file_gets_a_located_error(tmp_path, text, message):
    path = tmp_path / "policy.toml"
    path.write_text(text)
    with pytest.raises(UsageError, match=message) as caught:
        load_policy(path)
    assert str(path) in str(caught.value)


@freeze_time("2018-02-07T23:00:00Z")
def test_as_of_now_uses_the_clock():
    assert parse_as_of("now") == datetime(2018, 2, 7, 23, 0, tzinfo=UTC)
    # the log observed until 23:00 (a status note): the attempt is followed that far
    log = [msg("a1", 0), msg("line-ok", 180, "UN", "OCHA", "channel_status")]
    row = by_id(run(log, as_of="now"))["a1"]
    assert row["open_seconds"] == 3 * 3600.0


def test_a_bad_as_of_is_a_usage_error_naming_the_setting_in_each_front_ends_words():
    with pytest.raises(UsageError, match=r"^as_of: not an RFC 3339 timestamp") as caught:
        parse_as_of("yesterday-ish")
    assert caught.value.setting == "as_of"
    assert caught.value.worded(flag_name).startswith("--as-of: not an RFC 3339 timestamp")


def test_a_party_filter_keeps_the_pairs_figures_unchanged():
    records = [msg("a1", 0), msg("r", 4, "RU", "US", "response"), msg("b1", 1, "SDF", "RU")]
    everything = by_id(run(records))
    only_us = by_id(run(records, filters=Filters(party="US")))
    assert set(only_us) == {"a1"}
    assert only_us["a1"] == everything["a1"]


def test_durations_keep_microseconds():
    records = [
        msg("a1", 0),
        {**msg("r", 0, "RU", "US", "response"), "sent_at": "2018-02-07T20:00:01.000250+00:00"},
    ]
    assert by_id(run(records))["a1"]["ttfr_seconds"] == 1.00025


def test_an_exchange_whose_attempts_were_answered_only_in_another_exchange_is_superseded():
    # a1 and its retry a2 are one episode in two exchanges (their threads differ); the reply to
    # a2 closes the episode: a1 has no reply of its own, so its exchange is not "answered"
    result = run(
        [
            msg("a1", 0, thread="first-call"),
            msg("a2", 30, thread="second-call"),
            msg("r", 40, "RU", "US", "response", in_reply_to="a2"),
        ]
    )
    assert by_id(result)["a1"]["status"] == "superseded"
    exchanges = {row["exchange_id"]: row for row in result.exchanges.iter_rows(named=True)}
    first, second = exchanges["ex:a1"], exchanges["ex:a2"]
    assert (first["status"], first["answered_attempts"], first["superseded_attempts"]) == (
        "superseded",
        0,
        1,
    )
    assert first["first_response_seconds"] is None
    assert (second["status"], second["answered_attempts"]) == ("answered", 1)
