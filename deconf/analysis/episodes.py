"""Episodes and per-attempt figures (SPEC §3), without a loop over attempts.

An A→B episode opens at an attempt when none is open, takes in every later A→B attempt made while
it is open, and closes at the earliest first response of any of its attempts.

Why this can be computed in bulk: let f(j) be the earliest moment attempt j could be answered
(its earliest explicit reply, clamped to its own time, or its earliest inferred candidate, whether
or not its episode is open then). Responses never precede their attempts, so for an episode
starting at attempt s the close is min f over all later attempts of the pair — a suffix minimum —
and the next episode starts at the first attempt made at or after that close. Following those
"next start" pointers from the first attempt visits exactly the episode starts, one step per
episode. An inferred candidate then counts as a reply only if it comes no later than its episode's
close, which is exactly "while the episode is still open".
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import polars as pl

from deconf.analysis.columns import A, Link, Status, seconds_between
from deconf.analysis.linking import REPLY_AT, REPLY_ID, attempts_of, first_replies
from deconf.frames import UTC_TIME, Col
from deconf.policy import Policy

_F = "_f"
_F_ID = "_f_id"
_CLOSE = "_close"
_CLOSE_ID = "_close_id"
_PAIR = "_pair"


def _level_columns(attempts: pl.DataFrame, level: str, explicit, inferred) -> pl.DataFrame:
    """Join a level's explicit and inferred earliest replies onto the attempts."""
    return attempts.join(
        explicit.select(
            A.ATTEMPT_ID,
            pl.col(REPLY_ID).alias(f"_{level}_x_id"),
            pl.col(REPLY_AT).alias(f"_{level}_x_at"),
        ),
        on=A.ATTEMPT_ID,
        how="left",
    ).join(
        inferred.select(
            A.ATTEMPT_ID,
            pl.col(REPLY_ID).alias(f"_{level}_i_id"),
            pl.col(REPLY_AT).alias(f"_{level}_i_at"),
        ),
        on=A.ATTEMPT_ID,
        how="left",
    )


def _earlier(at_a: pl.Expr, id_a: pl.Expr, at_b: pl.Expr, id_b: pl.Expr) -> pl.Expr:
    """Whether (at_a, id_a) comes first; nulls come last."""
    return (at_b.is_null() | (at_a < at_b) | ((at_a == at_b) & (id_a <= id_b))) & at_a.is_not_null()


_NEVER = np.iinfo(np.int64).max


def _episode_starts(frame: pl.DataFrame) -> np.ndarray:
    """Boolean mask of episode starts; frame sorted by (pair, time) with `_close_us` per row.

    `_close_us` of row s is the suffix minimum of f within the pair: the close of an episode
    that would start at s. The next start is the first attempt of the pair at or after it.
    """
    n = frame.height
    starts = np.zeros(n, dtype=bool)
    if n == 0:
        return starts
    rows = frame.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"),
        _PAIR,
        pl.col(Col.SENT_AT).dt.epoch("us").alias("_t"),
        "_close_us",
    )
    pair_end = rows.group_by(_PAIR).agg(pl.col("_row").max().add(1).alias("_pair_end"))
    targets = (
        rows.filter(pl.col("_close_us") != _NEVER)
        .sort("_close_us")
        .join_asof(
            rows.select(_PAIR, "_t", pl.col("_row").alias("_next"))
            .unique([_PAIR, "_t"], keep="first")
            .sort("_t"),
            left_on="_close_us",
            right_on="_t",
            by=_PAIR,
            strategy="forward",
            allow_exact_matches=True,
            check_sortedness=False,
        )
        .select("_row", "_next")
    )
    following = (
        rows.join(pair_end, on=_PAIR, how="left")
        .join(targets, on="_row", how="left")
        .sort("_row")
        .select(
            pl.min_horizontal(
                pl.max_horizontal(
                    pl.col("_next").fill_null(pl.col("_pair_end")), pl.col("_row") + 1
                ),
                pl.col("_pair_end"),
            )
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
    """Add episode ids and closes, from the per-attempt earliest possible answer `_f`."""
    frame = attempts.sort(Col.FROM_PARTY, Col.TO_PARTY, Col.SENT_AT, A.ATTEMPT_ID).with_columns(
        pl.struct(Col.FROM_PARTY, Col.TO_PARTY).rank("dense").cast(pl.Int64).alias(_PAIR),
        pl.col(_F).dt.epoch("us").fill_null(_NEVER).alias("_f_us"),
    )
    frame = frame.with_columns(pl.col("_f_us").cum_min(reverse=True).over(_PAIR).alias("_close_us"))
    frame = frame.with_columns(pl.Series("_start", _episode_starts(frame))).with_columns(
        pl.col("_start").cum_sum().alias("_episode")
    )
    first = pl.col(A.ATTEMPT_ID).first().over("_episode")
    close_us = pl.col("_close_us").first().over("_episode")
    return frame.with_columns(
        pl.concat_str(pl.lit("ep:"), first).alias(A.EPISODE_ID),
        pl.when(close_us == _NEVER)
        .then(None)
        .otherwise(close_us)
        .cast(pl.Datetime("us"))
        .dt.replace_time_zone("UTC")
        .alias(_CLOSE),
        pl.int_range(pl.len()).over("_episode").add(1).alias(A.ATTEMPT_NUMBER),
        pl.len().over("_episode").alias(A.RETRY_STREAK),
    )


def analyze_attempts(contacts: pl.DataFrame, policy: Policy, as_of: datetime) -> pl.DataFrame:
    """One row per attempt with its first response, status, episode and breach (SPEC §3)."""
    attempts = attempts_of(contacts)
    _, levels = first_replies(attempts, contacts, policy)
    for level, (explicit, inferred) in levels.items():
        attempts = _level_columns(attempts, level, explicit, inferred)
    # the earliest moment each attempt could be answered (explicit clamped to its own time)
    x_at, x_id = pl.col("_any_x_at"), pl.col("_any_x_id")
    i_at, i_id = pl.col("_any_i_at"), pl.col("_any_i_id")
    x_clamped = pl.when(x_at.is_not_null()).then(pl.max_horizontal(x_at, pl.col(Col.SENT_AT)))
    attempts = attempts.with_columns(
        pl.when(_earlier(x_clamped, x_id, i_at, i_id)).then(x_clamped).otherwise(i_at).alias(_F),
        pl.when(_earlier(x_clamped, x_id, i_at, i_id)).then(x_id).otherwise(i_id).alias(_F_ID),
    )
    attempts = assign_episodes(attempts)
    # the reply that closed each episode
    closing = (
        attempts.filter(pl.col(_F) == pl.col(_CLOSE))
        .sort(_F, _F_ID)
        .group_by(A.EPISODE_ID, maintain_order=True)
        .agg(pl.col(_F_ID).first().alias(_CLOSE_ID))
    )
    attempts = attempts.join(closing, on=A.EPISODE_ID, how="left")
    for level in ("any", "ack", "substantive"):
        attempts = attempts.with_columns(*_own_reply(level))
    return _finish_attempts(attempts, policy, as_of)


def _own_reply(level: str) -> list[pl.Expr]:
    """An attempt's own earliest reply at a level: explicit, or inferred while it is open."""
    x_at, x_id = pl.col(f"_{level}_x_at"), pl.col(f"_{level}_x_id")
    i_open = pl.col(f"_{level}_i_at") <= pl.col(_CLOSE)
    i_at = pl.when(i_open).then(pl.col(f"_{level}_i_at"))
    i_id = pl.when(i_open).then(pl.col(f"_{level}_i_id"))
    explicit_first = _earlier(x_at, x_id, i_at, i_id)
    return [
        pl.when(explicit_first).then(x_at).otherwise(i_at).alias(f"_{level}_at"),
        pl.when(explicit_first).then(x_id).otherwise(i_id).alias(f"_{level}_id"),
        pl.when(explicit_first)
        .then(pl.lit(Link.EXPLICIT))
        .when(i_at.is_not_null())
        .then(pl.lit(Link.INFERRED))
        .alias(f"_{level}_link"),
    ]


def _finish_attempts(attempts: pl.DataFrame, policy: Policy, as_of: datetime) -> pl.DataFrame:
    as_of_lit = pl.lit(as_of, dtype=UTC_TIME)
    sent = pl.col(Col.SENT_AT)
    status = (
        pl.when(pl.col("_any_at").is_not_null())
        .then(pl.lit(Status.ANSWERED))
        .when(pl.col(_CLOSE).is_not_null())
        .then(pl.lit(Status.SUPERSEDED))
        .otherwise(pl.lit(Status.UNANSWERED))
    )
    waited_until = (
        pl.when(pl.col(A.STATUS) == Status.ANSWERED)
        .then(pl.max_horizontal("_any_at", sent))  # skew: waited 0
        .when(pl.col(A.STATUS) == Status.SUPERSEDED)
        .then(pl.col(_CLOSE))
        .otherwise(as_of_lit)
    )
    frame = attempts.with_columns(status.alias(A.STATUS)).with_columns(
        waited_until.alias("_waited_until"),
        policy.target_seconds().alias(A.TARGET_SECONDS),
    )
    deadline = pl.coalesce(
        pl.col(Col.RESPOND_BY), sent + pl.duration(microseconds=pl.col(A.TARGET_SECONDS) * 1e6)
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
        pl.col(_CLOSE).alias(A.CLOSED_AT),
        pl.col(_CLOSE_ID).alias(A.CLOSING_RESPONSE_ID),
    ).sort(Col.SENT_AT, A.ATTEMPT_ID)


def episodes_of(attempts: pl.DataFrame, as_of: datetime) -> pl.DataFrame:
    """One row per episode, described by its first attempt (SPEC §3 "Episode")."""
    as_of_lit = pl.lit(as_of, dtype=UTC_TIME)
    first = attempts.filter(pl.col(A.ATTEMPT_NUMBER) == 1)
    counts = attempts.group_by(A.EPISODE_ID).agg(
        pl.col(A.BREACH).sum().alias(A.BREACHES),
        pl.col(A.BREACH).any().alias(A.BREACH),
    )
    answered = pl.col(A.CLOSED_AT).is_not_null()
    return (
        first.join(counts.drop(A.BREACH), on=A.EPISODE_ID)
        .with_columns(
            pl.col(A.EPISODE_ID)
            .is_in(counts.filter(A.BREACH)[A.EPISODE_ID].implode())
            .alias(A.BREACH)
        )
        .select(
            A.EPISODE_ID,
            Col.FROM_PARTY,
            Col.TO_PARTY,
            Col.CHANNEL,
            Col.KIND,
            Col.PRECEDENCE,
            pl.col(A.ATTEMPT_ID).alias(A.FIRST_ATTEMPT_ID),
            pl.col(Col.SENT_AT).alias(A.OPENED_AT),
            A.CLOSED_AT,
            A.CLOSING_RESPONSE_ID,
            seconds_between(pl.col(A.CLOSED_AT), pl.col(Col.SENT_AT)).alias(A.GAP_SECONDS),
            pl.when(~answered)
            .then(seconds_between(as_of_lit, pl.col(Col.SENT_AT)))
            .alias(A.OPEN_SECONDS),
            A.RETRY_STREAK,
            pl.when(answered)
            .then(pl.lit(Status.ANSWERED))
            .otherwise(pl.lit(Status.UNANSWERED))
            .alias(A.STATUS),
            A.BREACH,
            A.BREACHES,
        )
        .sort(A.OPENED_AT, A.EPISODE_ID)
    )
