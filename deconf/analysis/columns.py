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
    # statistics
    GROUP = "group"


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
