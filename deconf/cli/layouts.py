"""What each table for people shows: the columns, their labels, and which go first when the
terminal is narrow. The result frames keep their machine names (JSON/CSV keys); only here do
they get words a reader knows ("first reply", "waited", "median wait (KM)").
"""

from __future__ import annotations

import polars as pl

from deconf.analysis.columns import A, S
from deconf.analysis.stats import ALL
from deconf.cli.tables import Column, Kind, Layout
from deconf.frames import Col
from deconf.sources import SourceCol
from deconf.times import humanize

FROM_TO = "from_to"
SILENCE = "silence"
WAITED = "waited"

GAPS = Layout(
    (
        Column(A.ATTEMPT_ID, "attempt", Kind.ID),
        Column(FROM_TO, "from → to", Kind.TEXT),
        Column(Col.SENT_AT, "sent", Kind.TIME),
        Column(A.STATUS, "status", Kind.TEXT),
        Column(WAITED, "waited", Kind.DURATION),
        Column(A.BREACH, "breach", Kind.FLAG, keep=2),
        Column(A.BREACH_CERTAINTY, "breach certainty", Kind.TEXT, keep=2),
        Column(A.RETRY_STREAK, "tries", Kind.COUNT, keep=3),
        Column(A.FIRST_RESPONSE_ID, "reply", Kind.ID, keep=4),
        Column(Col.PRECEDENCE, "precedence", Kind.TEXT, keep=5),
        Column(Col.ATTEMPT_OUTCOME, "outcome", Kind.TEXT, keep=5),
        Column(A.LINK, "link", Kind.TEXT, keep=6),
        Column(A.EPISODE_ID, "episode", Kind.ID, keep=6),
        Column(A.TARGET_SECONDS, "target", Kind.DURATION, keep=7),
        Column(Col.CHANNEL, "channel", Kind.TEXT, keep=8),
        Column(Col.KIND, "kind", Kind.TEXT, keep=8),
        Column(A.FIRST_RESPONSE_AT, "replied at", Kind.TIME, keep=9),
        Column(A.TTFR, "first reply", Kind.DURATION, by_default=False),
        Column(A.OPEN_SECONDS, "open for", Kind.DURATION, by_default=False),
        Column(A.TTFR_MIN, "first reply at least", Kind.DURATION, by_default=False),
        Column(A.TTFR_MAX, "first reply at most", Kind.DURATION, by_default=False),
        Column(A.OPEN_MIN, "open at least", Kind.DURATION, by_default=False),
        Column(A.OPEN_MAX, "open at most", Kind.DURATION, by_default=False),
        Column(A.CENSORED_AT, "last observed", Kind.TIME, by_default=False),
        Column(A.CLOCK_SKEW_SECONDS, "clock skew", Kind.DURATION, by_default=False),
        Column(A.TARGET_FROM, "target from", Kind.TEXT, by_default=False),
        Column(Col.TIME_PRECISION, "time precision", Kind.TEXT, by_default=False),
    )
)

EPISODES = Layout(
    (
        Column(A.EPISODE_ID, "episode", Kind.ID),
        Column(FROM_TO, "from → to", Kind.TEXT),
        Column(A.OPENED_AT, "opened", Kind.TIME),
        Column(A.STATUS, "status", Kind.TEXT),
        Column(WAITED, "waited", Kind.DURATION),
        Column(A.RETRY_STREAK, "tries", Kind.COUNT, keep=2),
        Column(A.BREACHES, "breaches", Kind.COUNT, keep=2),
        Column(A.BREACH_CERTAINTY, "breach certainty", Kind.TEXT, keep=2),
        Column(A.CLOSED_AT, "closed", Kind.TIME, keep=3),
        Column(Col.PRECEDENCE, "precedence", Kind.TEXT, keep=4),
        Column(Col.CHANNEL, "channel", Kind.TEXT, keep=5),
        Column(A.GAP_SECONDS, "answered after", Kind.DURATION, by_default=False),
        Column(A.OPEN_SECONDS, "open for", Kind.DURATION, by_default=False),
        Column(A.GAP_MIN, "answered after at least", Kind.DURATION, by_default=False),
        Column(A.GAP_MAX, "answered after at most", Kind.DURATION, by_default=False),
        Column(A.CENSORED_AT, "last observed", Kind.TIME, by_default=False),
    )
)

EXCHANGES = Layout(
    (
        Column(A.EXCHANGE_ID, "exchange", Kind.ID),
        Column(A.START, "start", Kind.TIME),
        Column(A.PARTIES, "parties", Kind.TEXT),
        Column(A.STATUS, "status", Kind.TEXT),
        Column(A.FIRST_RESPONSE_SECONDS, "first reply", Kind.DURATION, keep=1),
        Column(A.LONGEST_GAP_SECONDS, "longest wait", Kind.DURATION, keep=1),
        Column(A.BREACHES, "breaches", Kind.COUNT, keep=2),
        Column(A.MESSAGES, "messages", Kind.COUNT, keep=3),
        Column(A.ATTEMPTS, "attempts", Kind.COUNT, keep=3),
        Column(A.CHANNELS, "channels", Kind.TEXT, keep=4),
        Column(A.END, "end", Kind.TIME, keep=5),
    )
)

SILENCES = Layout(
    (
        Column(SILENCE, "who owed whom", Kind.TEXT),
        Column(A.START, "from", Kind.TIME),
        Column(A.SECONDS, "silent for", Kind.DURATION),
        Column(A.EVENTS, "events meanwhile", Kind.WRAP, keep=1),
        Column(A.ONGOING, "ongoing", Kind.FLAG, keep=2),
        Column(A.END, "until", Kind.TIME, keep=3),
        Column(A.EPISODE_ID, "episode", Kind.ID, keep=4),
    )
)


def _waited(answered: str, columns: list[str]) -> pl.Expr:
    """How long an attempt or episode waited: until its answer, or "≥" its open age when it is
    still unanswered (censored: the wait is at least that long), or — an attempt answered
    through a retry — until its episode closed."""
    open_for = pl.col(A.OPEN_SECONDS).map_elements(lambda s: f"≥ {humanize(s)}", pl.String)
    waited = (
        pl.when(pl.col(answered).is_not_null())
        .then(pl.col(answered).map_elements(humanize, pl.String))
        .when(pl.col(A.OPEN_SECONDS).is_not_null())
        .then(open_for)
    )
    if A.WAIT_SECONDS in columns:
        waited = waited.otherwise(pl.col(A.WAIT_SECONDS).map_elements(humanize, pl.String))
    return waited.alias(WAITED)


def with_derived(frame: pl.DataFrame) -> pl.DataFrame:
    """The columns a table shows that combine result columns ("US → RU", "≥ 12h 17m 00s")."""
    derived = []
    for answered in (A.TTFR, A.GAP_SECONDS):
        if {answered, A.OPEN_SECONDS} <= set(frame.columns):
            derived.append(_waited(answered, frame.columns))
    if {Col.FROM_PARTY, Col.TO_PARTY} <= set(frame.columns):
        derived.append(pl.format("{} → {}", Col.FROM_PARTY, Col.TO_PARTY).alias(FROM_TO))
    if {A.PARTY, A.OWED_TO} <= set(frame.columns):
        derived.append(pl.format("{} owed {}", A.PARTY, A.OWED_TO).alias(SILENCE))
    return frame.with_columns(derived)


#: The statistics, one row each, in the order a reader takes them in (KM first, answered-only
#: beside, labelled). `km_median_reached` is not shown: "not reached" says it.
STATISTICS = Layout(
    (
        Column(S.ATTEMPTS, "attempts", Kind.COUNT),
        Column(S.EPISODES, "episodes", Kind.COUNT),
        Column(S.ANSWERED_EPISODES, "answered", Kind.COUNT),
        Column(S.UNANSWERED_EPISODES, "unanswered (censored)", Kind.COUNT),
        Column(S.KM_MEDIAN, "median wait (KM)", Kind.DURATION),
        Column(S.KM_P90, "90th percentile wait (KM)", Kind.DURATION),
        Column(S.SHARE_5M, "answered within 5 min (KM)", Kind.SHARE),
        Column(S.SHARE_15M, "answered within 15 min (KM)", Kind.SHARE),
        Column(S.SHARE_1H, "answered within 1 h (KM)", Kind.SHARE),
        Column(S.SHARE_24H, "answered within 24 h (KM)", Kind.SHARE),
        Column(S.RMST, "mean wait to the horizon (RMST)", Kind.DURATION),
        Column(S.RMST_HORIZON, "RMST horizon", Kind.DURATION),
        Column(S.KM_LONGEST_FOLLOWUP, "longest follow-up", Kind.DURATION),
        Column(S.ANSWERED_MEDIAN, "median wait, answered only", Kind.DURATION),
        Column(S.ANSWERED_P90, "90th percentile, answered only", Kind.DURATION),
        Column(S.ANSWERED_MAX, "longest wait, answered only", Kind.DURATION),
        Column(S.BREACHES, "breaches (times as written)", Kind.COUNT),
        Column(S.BREACHES_CERTAIN, "breaches certain (every reading)", Kind.COUNT),
        Column(S.BREACHES_POSSIBLE, "breach on some reading only", Kind.COUNT),
        Column(S.LONGEST_RETRY_STREAK, "longest retry streak", Kind.COUNT),
        Column(S.REPEATED_FAILURE_STREAKS, "repeated-failure streaks", Kind.COUNT),
        Column(S.LONGEST_OWED_SILENCE, "longest owed silence", Kind.DURATION),
    )
)

#: What a statistics value of null means, per figure: the KM median and p90 are "not reached"
#: (never a number made up), a share past the longest follow-up "not estimable" (§3.2); the
#: others are "none" (no answered episode, no silence).
NONE = "–"
GROUP_TITLE = {ALL: "all"}

SOURCES = Layout(
    (
        Column(SourceCol.SOURCE, "source", Kind.ID),
        Column(SourceCol.CONTACTS, "contacts", Kind.COUNT),
        Column(SourceCol.EVENTS, "events", Kind.COUNT),
        Column(SourceCol.FIRST, "first record", Kind.TIME, keep=1),
        Column(SourceCol.LAST, "last record", Kind.TIME, keep=1),
        Column(SourceCol.INGESTS, "ingests", Kind.TEXT, keep=2),
        Column(SourceCol.BYTES, "bytes", Kind.COUNT, keep=3),
        Column(SourceCol.SHA256, "SHA-256", Kind.ID, keep=4),
    )
)
