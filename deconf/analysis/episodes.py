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

#: The columns of the episodes, in order.
COLUMNS = (
    A.EPISODE_ID,
    Col.FROM_PARTY,
    Col.TO_PARTY,
    Col.CHANNEL,
    Col.KIND,
    Col.PRECEDENCE,
    A.FIRST_ATTEMPT_ID,
    A.OPENED_AT,
    Col.TIME_PRECISION,
    Col.ORIGIN_FILE,
    A.CLOSED_AT,
    A.CLOSING_RESPONSE_ID,
    A.GAP_SECONDS,
    A.GAP_MIN,
    A.GAP_MAX,
    A.OPEN_SECONDS,
    A.OPEN_MIN,
    A.OPEN_MAX,
    A.CENSORED_AT,
    A.RETRY_STREAK,
    A.STATUS,
    A.BREACH,
    A.BREACH_CERTAINTY,
    A.BREACHES,
    A.BREACHES_CERTAIN,
    A.BREACHES_POSSIBLE,
    A.RESTS_ON_CERTAINTY,
    A.RESTS_ON_PRECISION,
)
#: What the statistics (`deconf.analysis.stats`) and the owed silences
#: (`deconf.analysis.silences`) read of the episodes.
FOR_STATISTICS = (
    A.EPISODE_ID,
    Col.FROM_PARTY,
    Col.TO_PARTY,
    Col.CHANNEL,
    Col.KIND,
    Col.PRECEDENCE,
    A.OPENED_AT,
    A.CLOSED_AT,
    A.GAP_SECONDS,
    A.OPEN_SECONDS,
    A.CENSORED_AT,
    A.RETRY_STREAK,
    A.STATUS,
    A.BREACHES,
    A.BREACHES_CERTAIN,
    A.BREACHES_POSSIBLE,
)


def _reductions(attempts: pl.DataFrame) -> dict:
    """Per-episode reductions over the attempts: name → (the attempts' values, made only when
    asked for; the ufunc reducing them; the dtype of the result)."""

    def rank_is(level: int):
        return lambda: (attempts[BREACH_RANK].to_numpy() == level).astype(np.int64)

    def column(name: str):
        return lambda: attempts[name].to_numpy()

    return {
        A.BREACHES: (
            lambda: attempts[A.BREACH].fill_null(False).to_numpy().astype(np.int64),
            np.add,
            pl.UInt32,
        ),
        BREACH_RANK: (column(BREACH_RANK), np.maximum, pl.Int8),
        A.BREACHES_CERTAIN: (rank_is(CERTAIN_BREACH), np.add, pl.UInt32),
        A.BREACHES_POSSIBLE: (rank_is(POSSIBLE_BREACH), np.add, pl.UInt32),
        CERTAINTY_RANK: (column(CERTAINTY_RANK), np.maximum, pl.Int8),
        PRECISION_RANK: (column(PRECISION_RANK), np.maximum, pl.Int8),
    }


#: Which reductions each episode column rests on.
_RESTS_ON = {
    A.BREACH: A.BREACHES,
    A.BREACHES: A.BREACHES,
    A.BREACH_CERTAINTY: BREACH_RANK,
    A.BREACHES_CERTAIN: A.BREACHES_CERTAIN,
    A.BREACHES_POSSIBLE: A.BREACHES_POSSIBLE,
    A.RESTS_ON_CERTAINTY: CERTAINTY_RANK,
    A.RESTS_ON_PRECISION: PRECISION_RANK,
}


def _per_episode(attempts: pl.DataFrame, layout: Layout, columns: tuple[str, ...]) -> pl.DataFrame:
    """Breaches and firmness of each episode's attempts, one row per episode number: those
    the episode `columns` rest on."""
    wanted = {_RESTS_ON[name] for name in columns if name in _RESTS_ON}
    return pl.DataFrame(
        [
            pl.Series(name, layout.per_episode(values(), ufunc), dtype=dtype)
            for name, (values, ufunc, dtype) in _reductions(attempts).items()
            if name in wanted
        ]
    )


def episodes_of(
    attempts: pl.DataFrame,
    contacts: pl.DataFrame,
    closers: pl.Series,
    layout: Layout,
    policy: Policy,
    columns: tuple[str, ...] = COLUMNS,
) -> pl.DataFrame:
    """One row per episode, described by its first attempt (SPEC §3 "Episode"), with the bounds
    of its gap or open age from the time precision of its first attempt and closing reply.
    `attempts` carry their episode number and ranks (`EPISODE`, `RANKS`); `closers` are the
    positions of each attempt's episode's closing reply. Attempts come in record order, so their
    first attempts come in the episodes' order (opened_at, then episode id: "ep:" + its id).
    Only `columns` (of `COLUMNS`) are computed, from the attempts' columns they rest on
    (`FOR_STATISTICS`: what the statistics and the owed silences read)."""
    first = attempts[A.ATTEMPT_NUMBER] == 1
    figures = _per_episode(attempts, layout, columns)[attempts.filter(first)[EPISODE]]
    closing = ()
    if A.GAP_MIN in columns or A.GAP_MAX in columns:  # the bounds of the closing reply's time
        closes = closers.filter(first)
        closing_precision = contacts[Col.TIME_PRECISION].gather(closes).fill_null("second")
        closing = (
            closing_precision.alias("_close_precision"),
            contacts[Col.SENT_AT].gather(closes).alias("_close_at"),
        )
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
    outputs = (
        pl.col(A.EPISODE_ID),
        pl.col(Col.FROM_PARTY),
        pl.col(Col.TO_PARTY),
        pl.col(Col.CHANNEL),
        pl.col(Col.KIND),
        pl.col(Col.PRECEDENCE),
        pl.col(A.ATTEMPT_ID).alias(A.FIRST_ATTEMPT_ID),
        opened.alias(A.OPENED_AT),
        pl.col(Col.TIME_PRECISION),
        pl.col(Col.ORIGIN_FILE),
        pl.col(A.CLOSED_AT),
        pl.col(A.CLOSING_RESPONSE_ID),
        seconds_between(closed, opened).alias(A.GAP_SECONDS),
        pl.when(answered).then(seconds_at_least_zero(close_lo, open_hi)).alias(A.GAP_MIN),
        pl.when(answered).then(seconds_at_least_zero(close_hi, open_lo)).alias(A.GAP_MAX),
        pl.col(A.OPEN_SECONDS),
        pl.col(A.OPEN_MIN),
        pl.col(A.OPEN_MAX),
        pl.col(A.CENSORED_AT),
        pl.col(A.RETRY_STREAK),
        pl.when(answered)
        .then(pl.lit(Status.ANSWERED))
        .otherwise(pl.lit(Status.UNANSWERED))
        .alias(A.STATUS),
        (pl.col(A.BREACHES) > 0).alias(A.BREACH),
        breach_named(pl.col(BREACH_RANK)).alias(A.BREACH_CERTAINTY),
        pl.col(A.BREACHES),
        pl.col(A.BREACHES_CERTAIN),
        pl.col(A.BREACHES_POSSIBLE),
        certainty_named(pl.col(CERTAINTY_RANK)).alias(A.RESTS_ON_CERTAINTY),
        precision_named(pl.col(PRECISION_RANK)).alias(A.RESTS_ON_PRECISION),
    )
    return (
        attempts.lazy()
        .filter(first)
        .drop(A.BREACH_CERTAINTY, A.RESTS_ON_CERTAINTY, A.RESTS_ON_PRECISION, *RANKS, strict=False)
        .with_columns(*(pl.lit(column) for column in (*closing, *figures)))
        .select(e for e in outputs if e.meta.output_name() in columns)
        .collect(engine="streaming")
    )

