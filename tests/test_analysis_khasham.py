"""The February 2018 log, checked by hand against the records (logs/khasham-2018.jsonl).

Times below are UTC (local −2 h). The as-of time defaults to the latest timestamp in the log: the
Russian MoD statement, 8 Feb 12:00 Moscow = 09:00Z.

US→RU on the night: kh-020 (20:32, no answer), kh-021 (20:35, no answer), kh-022 (20:38, gets
through), RU's denial kh-023 at 20:41 names kh-022. That is one episode of three attempts
(a repeated-failure streak), opened 20:32, closed 20:41: gap 9 min. kh-020 and kh-021 have no
answer of their own: superseded. Then kh-024 (20:43), kh-030 (20:55) and kh-031 (21:20) get no
answer at all: one unanswered episode of three, open for 12 h 17 min at 09:00Z.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from deconf.analysis import analyze
from deconf.loading import validate_logs
from tests.conftest import KHASHAM


@pytest.fixture(scope="module")
def night():
    return analyze(validate_logs([KHASHAM]).records)


def rows(frame, key):
    return {row[key]: row for row in frame.iter_rows(named=True)}


def test_as_of_is_the_latest_timestamp_in_the_log(night):
    assert night.as_of == datetime(2018, 2, 8, 9, 0, tzinfo=UTC)


def test_the_calls_during_the_fight(night):
    attempts = rows(night.attempts, "attempt_id")
    assert {k: attempts[k]["status"] for k in ("kh-020", "kh-021", "kh-022")} == {
        "kh-020": "superseded",
        "kh-021": "superseded",
        "kh-022": "answered",
    }
    assert attempts["kh-022"]["first_response_id"] == "kh-023"
    assert attempts["kh-022"]["link"] == "explicit"
    assert attempts["kh-022"]["ttfr_seconds"] == 180.0  # 20:38 → 20:41
    assert attempts["kh-020"]["ttfr_seconds"] is None  # superseded: no answer of its own
    for unanswered, open_seconds in (("kh-024", 44220.0), ("kh-030", 43500.0), ("kh-031", 42000.0)):
        assert attempts[unanswered]["status"] == "unanswered"
        assert attempts[unanswered]["open_seconds"] == open_seconds  # 09:00Z − sent
        assert attempts[unanswered]["ttfr_seconds"] is None  # never zero


def test_the_retry_streaks(night):
    episodes = rows(night.episodes, "episode_id")
    answered = episodes["ep:kh-020"]
    assert (answered["retry_streak"], answered["gap_seconds"]) == (3, 540.0)
    assert answered["closing_response_id"] == "kh-023"
    open_episode = episodes["ep:kh-024"]
    assert (open_episode["retry_streak"], open_episode["status"]) == (3, "unanswered")
    assert open_episode["open_seconds"] == 44220.0


def test_breaches_of_the_flash_target(night):
    attempts = rows(night.attempts, "attempt_id")
    # flash target 5 min: kh-020 waited 9 min (to the episode's close), kh-021 6 min, kh-022 3 min
    assert [attempts[k]["breach"] for k in ("kh-020", "kh-021", "kh-022")] == [True, True, False]
    # priority target 1 h: the week-before notification was answered after 3 h
    assert attempts["kh-001"]["breach"] is True
    # immediate target 15 min: the SDF call answered in 5 min
    assert attempts["kh-010"]["breach"] is False


def test_the_russian_side_figures(night):
    [ru] = night.stats("to_party").to_dicts()
    assert ru["group"] == "RU"
    assert (ru["attempts"], ru["episodes"], ru["answered_episodes"], ru["unanswered_episodes"]) == (
        8,
        4,
        3,
        1,
    )
    # episode gaps: 300 s (SDF), 540 s (the night), 10800 s (week before); 44220 s censored.
    # S: 3/4 after 300 s, 1/2 after 540 s, 1/4 after 10800 s → median 540 s; p90 not reached.
    assert ru["km_median_seconds"] == 540.0
    assert ru["km_p90_seconds"] is None
    assert (
        ru["share_answered_5m"],
        ru["share_answered_15m"],
        ru["share_answered_1h"],
        ru["share_answered_24h"],
    ) == (0.25, 0.5, 0.5, None)  # nothing was followed 24 h: the longest follow-up is 12 h 17 min
    # ∫ S to the longest follow-up (44220 s), not 24 h: 300·1 + 240·¾ + 10260·½ + 33420·¼
    assert (ru["rmst_seconds"], ru["rmst_horizon_seconds"]) == (13965.0, 44220.0)
    assert (ru["answered_median_seconds"], ru["answered_max_seconds"]) == (540.0, 10800.0)
    assert ru["answered_p90_seconds"] == pytest.approx(8748.0)  # 540 + 0.8·(10800 − 540)
    assert ru["breaches"] == 6
    assert ru["longest_retry_streak"] == 3
    assert ru["longest_owed_silence_seconds"] == 44220.0


def test_the_owed_silence_covers_the_strikes(night):
    longest = night.silences.sort("seconds", descending=True).row(0, named=True)
    assert (longest["party"], longest["owed_to"]) == ("RU", "US")
    assert longest["ongoing"] is True
    assert longest["event_ids"] == ["ev-05", "ev-06", "ev-07", "ev-08", "ev-09"]


def test_the_public_denial_is_not_an_answer_on_the_line(night):
    attempts = rows(night.attempts, "attempt_id")
    assert "kh-040" not in [attempts[k]["first_response_id"] for k in attempts]


def test_an_earlier_as_of_shows_what_was_known_then():
    during = analyze(validate_logs([KHASHAM]).records, as_of="2018-02-07T20:40:00Z")
    attempts = rows(during.attempts, "attempt_id")
    assert set(attempts) == {"kh-001", "kh-010", "kh-020", "kh-021", "kh-022"}
    assert attempts["kh-022"]["status"] == "unanswered"
    # followed until the log's last record before 20:40 (20:38), not to the as-of time (§3.2)
    assert attempts["kh-020"]["censored_at"].isoformat() == "2018-02-07T20:38:00+00:00"
    assert attempts["kh-020"]["open_seconds"] == 360.0
