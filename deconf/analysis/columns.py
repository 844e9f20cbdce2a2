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
    CLOCK_SKEW_SECONDS = "clock_skew_seconds"
    TTFR_MIN = "ttfr_min_seconds"
    TTFR_MAX = "ttfr_max_seconds"
    OPEN_MIN = "open_min_seconds"
    OPEN_MAX = "open_max_seconds"
    CENSORED_AT = "censored_at"
    RESTS_ON_CERTAINTY = "rests_on_certainty"
    RESTS_ON_PRECISION = "rests_on_precision"
    OPEN_SECONDS = "open_seconds"
    WAIT_SECONDS = "wait_seconds"
    WAIT_MIN = "wait_min_seconds"
    WAIT_MAX = "wait_max_seconds"
    EPISODE_ID = "episode_id"
    ATTEMPT_NUMBER = "attempt_number"
    RETRY_STREAK = "retry_streak"
    TARGET_SECONDS = "target_seconds"
    TARGET_FROM = "target_from"
    BREACH = "breach"
    BREACH_CERTAINTY = "breach_certainty"
    EXCHANGE_ID = "exchange_id"
    # episodes
    OPENED_AT = "opened_at"
    CLOSED_AT = "closed_at"
    GAP_SECONDS = "gap_seconds"
    GAP_MIN = "gap_min_seconds"
    GAP_MAX = "gap_max_seconds"
    CLOSING_RESPONSE_ID = "closing_response_id"
    FIRST_ATTEMPT_ID = "first_attempt_id"
    ATTEMPTS = "attempts"
    BREACHES = "breaches"
    BREACHES_CERTAIN = "breaches_certain"
    BREACHES_POSSIBLE = "breaches_possible"
    # exchanges
    START = "start"
    END = "end"
    PARTIES = "parties"
    CHANNELS = "channels"
    MESSAGES = "messages"
    ANSWERED_ATTEMPTS = "answered_attempts"
    SUPERSEDED_ATTEMPTS = "superseded_attempts"
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
    EVENT_ID = "event_id"
    EVENTS_INSIDE = "events"
    SILENT_FOR = "silent_for_seconds"
    # coverage: what each source observed
    COVERS_FROM = "covers_from"
    COVERS_UNTIL = "covers_until"
    CONTACTS = "contacts"
    EVENT_RECORDS = "events"


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
    BREACHES_CERTAIN = "breaches_certain"
    BREACHES_POSSIBLE = "breaches_possible"
    LONGEST_RETRY_STREAK = "longest_retry_streak"
    REPEATED_FAILURE_STREAKS = "repeated_failure_streaks"
    LONGEST_OWED_SILENCE = "longest_owed_silence_seconds"
    # figures where null means "not reached", never "none"
    NOT_REACHED_WHEN_NULL = (KM_MEDIAN, KM_P90)
    # figures where null means "not estimable": nothing was followed that long (§3.2)
    SHARES = (SHARE_5M, SHARE_15M, SHARE_1H, SHARE_24H)


# How every front end words a null figure: a median never reached, a share past the follow-up.
NOT_REACHED = "not reached"
NOT_ESTIMABLE = "not estimable"

# An episode of this many attempts or more is a repeated-failure streak (§3).
REPEATED_FAILURE_STREAK = 3


class Status:
    ANSWERED = "answered"
    SUPERSEDED = "superseded"
    UNANSWERED = "unanswered"
    PARTLY_ANSWERED = "partly_answered"
    NO_ATTEMPTS = "no_attempts"


class BreachCertainty:
    """How firm a breach is, given the records' time precision (§3.2); null: no breach."""

    CERTAIN = "certain"  # even the shortest possible wait exceeds the target
    POSSIBLE = "possible"  # only some reading of the times exceeds it


class TargetFrom:
    """Where an attempt's target came from: its own `respond_by`, or the policy."""

    RESPOND_BY = "respond_by"
    POLICY = "policy"


class Link:
    EXPLICIT = "explicit"
    INFERRED = "inferred"


def seconds_between(later, earlier):
    """Exact seconds (microseconds kept) between two Datetime expressions."""
    return (later - earlier).dt.total_microseconds() / 1_000_000
