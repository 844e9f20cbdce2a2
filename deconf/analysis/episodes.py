"""Episodes and per-attempt figures (SPEC §3), without a loop over attempts.

An A→B episode opens at an attempt when none is open, takes in every later A→B attempt made while
it is open, and closes at the earliest first response of any of its attempts. Records are taken
in time order, ties broken by id: `_order` is each contact's position in that order.

Why this can be computed in bulk: let f(j) be the position of the earliest record that could
answer attempt j — its earliest explicit reply (or j itself, when that reply is logged before
it: clock skew), or its earliest inferred candidate, whether or not j's episode is still open
then. Answers never come before their attempt in this order, so for an episode starting at
attempt s the close is min f over all later attempts of the pair — a suffix minimum — and the
next episode starts at the first attempt after that close. Following those "next start" pointers
from the first attempt visits exactly the episode starts, one step per episode. An inferred
candidate then counts as a reply only if it is no later than its episode's close, which is
"while the episode is still open".
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import polars as pl

from deconf.analysis.columns import A, Link, Status, seconds_between
from deconf.analysis.linking import (
    ORDER,
    REPLY_AT,
    REPLY_ID,
    REPLY_ORDER,
    attempts_of,
    first_replies,
)
from deconf.frames import UTC_TIME, Col
from deconf.policy import Policy

_NEVER = np.iinfo(np.int64).max
_F = "_f_order"
_CLOSE = "_close_order"
_PAIR = "_pair"
LEVELS = ("any", "ack", "substantive")


def _level_columns(attempts: pl.DataFrame, level: str, explicit, inferred) -> pl.DataFrame:
    """Join a level's earliest explicit and inferred candidate replies onto the attempts."""
    for source, frame in (("x", explicit), ("i", inferred)):
        attempts = attempts.join(
            frame.select(
                A.ATTEMPT_ID,
                pl.col(REPLY_ID).alias(f"_{level}_{source}_id"),
                pl.col(REPLY_AT).alias(f"_{level}_{source}_at"),
                pl.col(REPLY_ORDER).alias(f"_{level}_{source}_order"),
            ),
            on=A.ATTEMPT_ID,
            how="left",
        )
    return attempts


def _episode_starts(frame: pl.DataFrame) -> np.ndarray:
    """Boolean mask of episode starts; frame sorted by (pair, order) with `_close_if_start`.

    `_close_if_start` of row s is the suffix minimum of f within the pair: the close of an
    episode that would start at s. The next start is the pair's first attempt after it.
    """
    n = frame.height
    starts = np.zeros(n, dtype=bool)
    if n == 0:
        return starts
    rows = frame.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"),
        _PAIR,
        pl.col(ORDER).cast(pl.Int64),
        "_close_if_start",
    )
    pair_end = rows.group_by(_PAIR).agg(pl.col("_row").max().add(1).alias("_pair_end"))
    targets = (
        rows.filter(pl.col("_close_if_start") != _NEVER)
        .sort("_close_if_start")
        .join_asof(
            rows.select(_PAIR, ORDER, pl.col("_row").alias("_next")).sort(ORDER),
            left_on="_close_if_start",
            right_on=ORDER,
            by=_PAIR,
            strategy="forward",
            allow_exact_matches=False,
            check_sortedness=False,
        )
        .select("_row", "_next")
    )
    following = (
        rows.join(pair_end, on=_PAIR, how="left")
        .join(targets, on="_row", how="left")
        .sort("_row")
        .select(
            pl.max_horizontal(pl.col("_next").fill_null(pl.col("_pair_end")), pl.col("_row") + 1)
        )
        .to_series()
        .to_list()
    )
    position = 0
    while position < n:  # one step per episode
        starts[position] = True
        position = following[position]
    return starts


def assign_episodes(attempts: pl.DataFrame) -> pl.DataFrame:
    """Add episode ids, numbers, streaks and the close position `_close_order`."""
    frame = attempts.sort(Col.FROM_PARTY, Col.TO_PARTY, ORDER).with_columns(
        pl.struct(Col.FROM_PARTY, Col.TO_PARTY).rank("dense").cast(pl.Int64).alias(_PAIR),
        pl.col(_F).cast(pl.Int64).fill_null(_NEVER).alias("_f_or_never"),
    )
    frame = frame.with_columns(
        pl.col("_f_or_never").cum_min(reverse=True).over(_PAIR).alias("_close_if_start")
    )
    frame = frame.with_columns(pl.Series("_start", _episode_starts(frame))).with_columns(
        pl.col("_start").cum_sum().alias("_episode")
    )
    close = pl.col("_close_if_start").first().over("_episode")
    return frame.with_columns(
        pl.concat_str(pl.lit("ep:"), pl.col(A.ATTEMPT_ID).first().over("_episode")).alias(
            A.EPISODE_ID
        ),
        pl.when(close == _NEVER).then(None).otherwise(close).alias(_CLOSE),
        pl.int_range(pl.len()).over("_episode").add(1).cast(pl.UInt32).alias(A.ATTEMPT_NUMBER),
        pl.len().over("_episode").alias(A.RETRY_STREAK),
    )


def analyze_attempts(contacts: pl.DataFrame, policy: Policy, as_of: datetime) -> pl.DataFrame:
    """One row per attempt with its first response, status, episode and breach (SPEC §3)."""
    contacts = contacts.sort(Col.SENT_AT, Col.ID).with_row_index(ORDER)
    attempts = attempts_of(contacts)
    _, levels = first_replies(attempts, contacts, policy)
    for level, (explicit, inferred) in levels.items():
        attempts = _level_columns(attempts, level, explicit, inferred)
    # the earliest record that could answer each attempt (an explicit reply logged before its
    # attempt counts from the attempt itself: clock skew)
    explicit = pl.max_horizontal("_any_x_order", ORDER).cast(pl.Int64)
    explicit = pl.when(pl.col("_any_x_order").is_not_null()).then(explicit)
    attempts = attempts.with_columns(
        pl.min_horizontal(explicit, pl.col("_any_i_order").cast(pl.Int64)).alias(_F)
    )
    attempts = assign_episodes(attempts)
    positions = contacts.select(
        pl.col(ORDER).cast(pl.Int64).alias(_CLOSE),
        pl.col(Col.SENT_AT).alias(A.CLOSED_AT),
        pl.col(Col.ID).alias(A.CLOSING_RESPONSE_ID),
    )
    attempts = attempts.join(positions, on=_CLOSE, how="left").with_columns(
        # a close at the attempt itself means a skewed explicit reply: name that reply
        pl.when(pl.col(_CLOSE) == pl.col(ORDER).cast(pl.Int64))
        .then(pl.col("_any_x_id"))
        .otherwise(pl.col(A.CLOSING_RESPONSE_ID))
        .alias(A.CLOSING_RESPONSE_ID)
    )
    for level in LEVELS:
        attempts = attempts.with_columns(*_own_reply(level))
    return _finish_attempts(attempts, policy, as_of)


def _own_reply(level: str) -> list[pl.Expr]:
    """An attempt's own earliest reply at a level: explicit, or inferred while it is open."""
    x_order = pl.col(f"_{level}_x_order")
    i_open = pl.col(f"_{level}_i_order").cast(pl.Int64) <= pl.col(_CLOSE)
    i_order = pl.when(i_open).then(pl.col(f"_{level}_i_order"))
    explicit_first = x_order.is_not_null() & (i_order.is_null() | (x_order < i_order))
    inferred = i_order.is_not_null()

    def pick(suffix: str) -> pl.Expr:
        return (
            pl.when(explicit_first)
            .then(pl.col(f"_{level}_x_{suffix}"))
            .when(inferred)
            .then(pl.col(f"_{level}_i_{suffix}"))
            .alias(f"_{level}_{suffix}")
        )

    return [
        pick("at"),
        pick("id"),
        pl.when(explicit_first)
        .then(pl.lit(Link.EXPLICIT))
        .when(inferred)
        .then(pl.lit(Link.INFERRED))
        .alias(f"_{level}_link"),
    ]


def _finish_attempts(attempts: pl.DataFrame, policy: Policy, as_of: datetime) -> pl.DataFrame:
    as_of_lit = pl.lit(as_of, dtype=UTC_TIME)
    sent = pl.col(Col.SENT_AT)
    status = (
        pl.when(pl.col("_any_at").is_not_null())
        .then(pl.lit(Status.ANSWERED))
        .when(pl.col(A.CLOSED_AT).is_not_null())
        .then(pl.lit(Status.SUPERSEDED))
        .otherwise(pl.lit(Status.UNANSWERED))
    )
    waited_until = (  # a reply logged before its attempt (clock skew) means no wait
        pl.when(pl.col(A.STATUS) == Status.ANSWERED)
        .then(pl.max_horizontal("_any_at", sent))
        .when(pl.col(A.STATUS) == Status.SUPERSEDED)
        .then(pl.col(A.CLOSED_AT))
        .otherwise(as_of_lit)
    )
    frame = attempts.with_columns(status.alias(A.STATUS)).with_columns(
        waited_until.alias("_waited_until"),
        policy.target_seconds().alias(A.TARGET_SECONDS),
    )
    deadline = pl.coalesce(
        pl.col(Col.RESPOND_BY),
        sent + pl.duration(microseconds=(pl.col(A.TARGET_SECONDS) * 1e6).cast(pl.Int64)),
    )
    return frame.select(
        A.ATTEMPT_ID,
        Col.FROM_PARTY,
        Col.TO_PARTY,
        Col.CHANNEL,
        Col.KIND,
        Col.PRECEDENCE,
        Col.THREAD,
        Col.ATTEMPT_OUTCOME,
        Col.SENT_AT,
        A.STATUS,
        pl.col("_any_id").alias(A.FIRST_RESPONSE_ID),
        pl.col("_any_at").alias(A.FIRST_RESPONSE_AT),
        seconds_between(pl.col("_any_at"), sent).alias(A.TTFR),
        pl.col("_any_link").alias(A.LINK),
        pl.col("_ack_id").alias(A.ACK_ID),
        seconds_between(pl.col("_ack_at"), sent).alias(A.TT_ACK),
        pl.col("_substantive_id").alias(A.SUBSTANTIVE_ID),
        seconds_between(pl.col("_substantive_at"), sent).alias(A.TT_SUBSTANTIVE),
        (pl.col("_any_at") < sent).fill_null(False).alias(A.CLOCK_SKEW),
        pl.when(pl.col(A.STATUS) == Status.UNANSWERED)
        .then(seconds_between(as_of_lit, sent))
        .alias(A.OPEN_SECONDS),
        seconds_between(pl.col("_waited_until"), sent).alias(A.WAIT_SECONDS),
        A.EPISODE_ID,
        A.ATTEMPT_NUMBER,
        A.RETRY_STREAK,
        A.TARGET_SECONDS,
        pl.col(Col.RESPOND_BY),
        (pl.col("_waited_until") > deadline).alias(A.BREACH),
        A.CLOSED_AT,
        A.CLOSING_RESPONSE_ID,
    ).sort(Col.SENT_AT, A.ATTEMPT_ID)


def episodes_of(attempts: pl.DataFrame, as_of: datetime) -> pl.DataFrame:
    """One row per episode, described by its first attempt (SPEC §3 "Episode")."""
    as_of_lit = pl.lit(as_of, dtype=UTC_TIME)
    breaches = attempts.group_by(A.EPISODE_ID).agg(
        pl.col(A.BREACH).sum().alias(A.BREACHES),
    )
    answered = pl.col(A.CLOSED_AT).is_not_null()
    opened = pl.col(Col.SENT_AT)
    return (
        attempts.filter(pl.col(A.ATTEMPT_NUMBER) == 1)
        .join(breaches, on=A.EPISODE_ID)
        .select(
            A.EPISODE_ID,
            Col.FROM_PARTY,
            Col.TO_PARTY,
            Col.CHANNEL,
            Col.KIND,
            Col.PRECEDENCE,
            pl.col(A.ATTEMPT_ID).alias(A.FIRST_ATTEMPT_ID),
            opened.alias(A.OPENED_AT),
            A.CLOSED_AT,
            A.CLOSING_RESPONSE_ID,
            seconds_between(pl.col(A.CLOSED_AT), opened).alias(A.GAP_SECONDS),
            pl.when(~answered).then(seconds_between(as_of_lit, opened)).alias(A.OPEN_SECONDS),
            A.RETRY_STREAK,
            pl.when(answered)
            .then(pl.lit(Status.ANSWERED))
            .otherwise(pl.lit(Status.UNANSWERED))
            .alias(A.STATUS),
            (pl.col(A.BREACHES) > 0).alias(A.BREACH),
            A.BREACHES,
        )
        .sort(A.OPENED_AT, A.EPISODE_ID)
    )
