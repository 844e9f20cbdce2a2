"""Column names of the analysis results (attempts, episodes, exchanges, silences, statistics)."""

from __future__ import annotations


class A:
    """Result columns. Record fields keep their names from `deconf.frames.Col`."""

    ATTEMPT_ID = "attempt_id"
    STATUS = "status"
    FIRST_RESPONSE_ID = "first_response_id"
    FIRST_RESPONSE_AT = "first_response_at"
    TTFR = "ttfr_seconds"
    LINK = "link"
    ACK_ID = "ack_id"
    ACK_AT = "ack_at"
    TT_ACK = "tt_ack_seconds"
    SUBSTANTIVE_ID = "substantive_id"
    SUBSTANTIVE_AT = "substantive_at"
    TT_SUBSTANTIVE = "tt_substantive_seconds"
    CLOCK_SKEW = "clock_skew"
    OPEN_SECONDS = "open_seconds"
    WAIT_SECONDS = "wait_seconds"
    EPISODE_ID = "episode_id"
    ATTEMPT_NUMBER = "attempt_number"
    RETRY_STREAK = "retry_streak"
    TARGET_SECONDS = "target_seconds"
    BREACH = "breach"
    EXCHANGE_ID = "exchange_id"
    # episodes
    OPENED_AT = "opened_at"
    CLOSED_AT = "closed_at"
    GAP_SECONDS = "gap_seconds"
    CLOSING_RESPONSE_ID = "closing_response_id"
    FIRST_ATTEMPT_ID = "first_attempt_id"
    ATTEMPTS = "attempts"
    BREACHES = "breaches"
    # exchanges
    START = "start"
    END = "end"
    PARTIES = "parties"
    CHANNELS = "channels"
    MESSAGES = "messages"
    ANSWERED_ATTEMPTS = "answered_attempts"
    UNANSWERED_ATTEMPTS = "unanswered_attempts"
    FIRST_RESPONSE_SECONDS = "first_response_seconds"
    LONGEST_GAP_SECONDS = "longest_gap_seconds"
    EVENTS = "event_ids"
    # silences
    PARTY = "party"
    OWED_TO = "owed_to"
    SECONDS = "seconds"
    ONGOING = "ongoing"
    EVENT_COUNT = "event_count"


class S:
    """Statistics columns (§3.1), one row per group: every front end reads them by these names."""

    GROUP = "group"
    ATTEMPTS = "attempts"
    EPISODES = "episodes"
    ANSWERED_EPISODES = "answered_episodes"
    UNANSWERED_EPISODES = "unanswered_episodes"
    KM_MEDIAN = "km_median_seconds"
    KM_MEDIAN_REACHED = "km_median_reached"
    KM_LONGEST_FOLLOWUP = "km_longest_followup_seconds"
    KM_P90 = "km_p90_seconds"
    SHARE_5M = "share_answered_5m"
    SHARE_15M = "share_answered_15m"
    SHARE_1H = "share_answered_1h"
    SHARE_24H = "share_answered_24h"
    RMST = "rmst_seconds"
    RMST_HORIZON = "rmst_horizon_seconds"
    ANSWERED_MEDIAN = "answered_median_seconds"
    ANSWERED_P90 = "answered_p90_seconds"
    ANSWERED_MAX = "answered_max_seconds"
    BREACHES = "breaches"
    LONGEST_RETRY_STREAK = "longest_retry_streak"
    REPEATED_FAILURE_STREAKS = "repeated_failure_streaks"
    LONGEST_OWED_SILENCE = "longest_owed_silence_seconds"
    # figures where null means "not reached", never "none"
    NOT_REACHED_WHEN_NULL = (KM_MEDIAN, KM_P90)


# An episode of this many attempts or more is a repeated-failure streak (§3).
REPEATED_FAILURE_STREAK = 3


class Status:
    ANSWERED = "answered"
    SUPERSEDED = "superseded"
    UNANSWERED = "unanswered"
    PARTLY_ANSWERED = "partly_answered"
    NO_ATTEMPTS = "no_attempts"


class Link:
    EXPLICIT = "explicit"
    INFERRED = "inferred"


def seconds_between(later, earlier):
    """Exact seconds (microseconds kept) between two Datetime expressions."""
    return (later - earlier).dt.total_microseconds() / 1_000_000
