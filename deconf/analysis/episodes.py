"""Episodes (SPEC §3 "Episode"): one row per episode, described by its first attempt, with the
figures of all its attempts (breaches, how firm they are) reduced over the episode layout
(`deconf.analysis.layout`) rather than grouped by episode id.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from deconf.analysis.columns import A, Status, seconds_between
from deconf.analysis.firmness import (
    CERTAIN_BREACH,
    POSSIBLE_BREACH,
    breach_named,
    certainty_named,
    earliest,
    latest,
    precision_named,
    seconds_at_least_zero,
)
from deconf.analysis.layout import Layout
from deconf.analysis.waits import BREACH_RANK, CERTAINTY_RANK, EPISODE, PRECISION_RANK, RANKS
from deconf.frames import Col
from deconf.policy import Policy


def _per_episode(attempts: pl.DataFrame, layout: Layout) -> pl.DataFrame:
    """Breaches and firmness of each episode's attempts, one row per episode number."""
    breach = attempts[A.BREACH].fill_null(False).to_numpy().astype(np.int64)
    rank = attempts[BREACH_RANK].to_numpy()
    return pl.DataFrame(
        {
            A.BREACHES: layout.per_episode(breach, np.add),
            BREACH_RANK: layout.per_episode(rank, np.maximum),
            A.BREACHES_CERTAIN: layout.per_episode(
                (rank == CERTAIN_BREACH).astype(np.int64), np.add
            ),
            A.BREACHES_POSSIBLE: layout.per_episode(
                (rank == POSSIBLE_BREACH).astype(np.int64), np.add
            ),
            CERTAINTY_RANK: layout.per_episode(attempts[CERTAINTY_RANK].to_numpy(), np.maximum),
            PRECISION_RANK: layout.per_episode(attempts[PRECISION_RANK].to_numpy(), np.maximum),
        },
        schema_overrides={
            A.BREACHES: pl.UInt32,
            A.BREACHES_CERTAIN: pl.UInt32,
            A.BREACHES_POSSIBLE: pl.UInt32,
            BREACH_RANK: pl.Int8,
            CERTAINTY_RANK: pl.Int8,
            PRECISION_RANK: pl.Int8,
        },
    )


def episodes_of(
    attempts: pl.DataFrame,
    contacts: pl.DataFrame,
    closers: pl.Series,
    layout: Layout,
    policy: Policy,
) -> pl.DataFrame:
    """One row per episode, described by its first attempt (SPEC §3 "Episode"), with the bounds
    of its gap or open age from the time precision of its first attempt and closing reply.
    `attempts` carry their episode number and ranks (`EPISODE`, `RANKS`); `closers` are the
    positions of each attempt's episode's closing reply. Attempts come in record order, so their
    first attempts come in the episodes' order (opened_at, then episode id: "ep:" + its id)."""
    first = attempts[A.ATTEMPT_NUMBER] == 1
    closing = contacts.select(
        pl.col(Col.TIME_PRECISION).gather(closers.filter(first)).fill_null("second"),
        pl.col(Col.SENT_AT).gather(closers.filter(first)),
    )
    figures = _per_episode(attempts, layout)[attempts.filter(first)[EPISODE]]
    answered = pl.col(A.CLOSED_AT).is_not_null()
    opened = pl.col(Col.SENT_AT)
    precision = pl.col(Col.TIME_PRECISION).fill_null("second")
    approximate = policy.approximate
    open_lo, open_hi = (
        earliest(opened, precision, approximate),
        latest(opened, precision, approximate),
    )
    closed = pl.col(A.CLOSED_AT)
    # a close at a skewed reply (logged before its attempt) stays around the close as written
    close_lo = pl.min_horizontal(
        earliest(pl.col("_close_at"), pl.col("_close_precision"), approximate), closed
    )
    close_hi = pl.max_horizontal(
        latest(pl.col("_close_at"), pl.col("_close_precision"), approximate), closed
    )
    return (
        attempts.lazy()
        .filter(first)
        .drop(A.BREACH_CERTAINTY, A.RESTS_ON_CERTAINTY, A.RESTS_ON_PRECISION, *RANKS)
        .with_columns(
            pl.lit(closing[Col.TIME_PRECISION]).alias("_close_precision"),
            pl.lit(closing[Col.SENT_AT]).alias("_close_at"),
            *(pl.lit(column) for column in figures),
        )
        .select(
            A.EPISODE_ID,
            Col.FROM_PARTY,
            Col.TO_PARTY,
            Col.CHANNEL,
            Col.KIND,
            Col.PRECEDENCE,
            pl.col(A.ATTEMPT_ID).alias(A.FIRST_ATTEMPT_ID),
            opened.alias(A.OPENED_AT),
            Col.TIME_PRECISION,
            Col.ORIGIN_FILE,
            A.CLOSED_AT,
            A.CLOSING_RESPONSE_ID,
            seconds_between(closed, opened).alias(A.GAP_SECONDS),
            pl.when(answered).then(seconds_at_least_zero(close_lo, open_hi)).alias(A.GAP_MIN),
            pl.when(answered).then(seconds_at_least_zero(close_hi, open_lo)).alias(A.GAP_MAX),
            A.OPEN_SECONDS,
            A.OPEN_MIN,
            A.OPEN_MAX,
            A.CENSORED_AT,
            A.RETRY_STREAK,
            pl.when(answered)
            .then(pl.lit(Status.ANSWERED))
            .otherwise(pl.lit(Status.UNANSWERED))
            .alias(A.STATUS),
            (pl.col(A.BREACHES) > 0).alias(A.BREACH),
            breach_named(pl.col(BREACH_RANK)).alias(A.BREACH_CERTAINTY),
            A.BREACHES,
            A.BREACHES_CERTAIN,
            A.BREACHES_POSSIBLE,
            certainty_named(pl.col(CERTAINTY_RANK)).alias(A.RESTS_ON_CERTAINTY),
            precision_named(pl.col(PRECISION_RANK)).alias(A.RESTS_ON_PRECISION),
        )
        .collect(engine="streaming")
    )
