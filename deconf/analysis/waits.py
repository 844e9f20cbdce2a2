"""Per-attempt waits, targets and breaches (SPEC §3 and §3.2), once replies and episodes are known.

The point figures use the times as written; beside each wait come its bounds from the records'
time precision, and beside each breach how firm it is. Three rules hold for every output:

- a reply logged before the attempt it names (clock skew) answers at the attempt's own time:
  the wait is 0 and the raw, negative difference is reported as `clock_skew_seconds`;
- an open attempt is followed until the as-of time or the end of coverage of the sources that
  recorded its episode, whichever is earlier (`censored_at`);
- the target is the attempt's own `respond_by` when it has one, else the policy's
  (`target_from` says which).
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from deconf.analysis.columns import A, BreachCertainty, Status, TargetFrom, seconds_between
from deconf.analysis.firmness import (
    breach_named,
    breach_rank,
    certainty_named,
    certainty_rank,
    earliest,
    latest,
    precision_named,
    precision_rank,
    seconds_at_least_zero,
)
from deconf.frames import UTC_TIME, Col
from deconf.policy import Policy

_UNTIL = "_waited_until"
_LO, _HI = "_until_lo", "_until_hi"
#: The dense number of an attempt's episode: what per-episode figures group by.
EPISODE = "_episode"
#: Breach, certainty and precision as ranks (firmness), which per-episode figures reduce.
BREACH_RANK, CERTAINTY_RANK, PRECISION_RANK = "_breach_rank", "_certainty_rank", "_precision_rank"
RANKS = (BREACH_RANK, CERTAINTY_RANK, PRECISION_RANK)
_FIRMNESS = (CERTAINTY_RANK, PRECISION_RANK, A.RESTS_ON_CERTAINTY, A.RESTS_ON_PRECISION)


def _censored_at(as_of: datetime, covered: bool) -> pl.Expr:
    """Per attempt: until when its episode was followed, if still open then: the as-of time,
    or the end of coverage of the sources that recorded the episode if earlier."""
    as_of_lit = pl.lit(as_of, dtype=UTC_TIME)
    if not covered:
        return as_of_lit
    return pl.min_horizontal(pl.coalesce(A.COVERS_UNTIL, as_of_lit), as_of_lit)


def _reply_bounds(
    contacts: pl.DataFrame, positions: pl.Series, prefix: str, policy: Policy, firmness: bool
) -> pl.DataFrame:
    """The interval the time of the records at `positions` stands for and, with `firmness`,
    how firm each is: one row per position (null where the position is)."""
    time, precision = pl.col(Col.SENT_AT), pl.col(Col.TIME_PRECISION).fill_null("second")
    read = (Col.SENT_AT, Col.TIME_PRECISION, *((Col.CERTAINTY,) if firmness else ()))
    bounds = (
        earliest(time, precision, policy.approximate).alias(f"{prefix}_lo"),
        latest(time, precision, policy.approximate).alias(f"{prefix}_hi"),
    )
    ranks = (
        certainty_rank(pl.col(Col.CERTAINTY)).alias(f"{prefix}_certainty"),
        precision_rank(precision).alias(f"{prefix}_precision"),
    )
    gathered = contacts.select(pl.col(read).gather(positions))
    return gathered.select(*bounds, *(ranks if firmness else ()))


def finish_attempts(
    attempts: pl.DataFrame,
    contacts: pl.DataFrame,
    replies: tuple[pl.Series, pl.Series],
    policy: Policy,
    as_of: datetime,
    covered: pl.Series | None,
    columns: tuple[str, ...] | None = None,
) -> pl.DataFrame:
    """The public per-attempt frame from the linking and episode working columns, plus `RANKS`
    (and `EPISODE`, passed through) for the per-episode figures. `replies` are the positions of
    each attempt's first reply and of the reply that closed its episode; `contacts` has the time,
    precision and certainty at every position; `covered`, per attempt, until when the sources
    that recorded its episode observed (None: no coverage known). Only `columns` (of `COLUMNS`
    and `RANKS`; all by default) are computed: the working columns they do not need are never made
    (`FOR_STATISTICS`: what the statistics read, which need no reply ids)."""
    columns = (*COLUMNS, *RANKS) if columns is None else columns
    sent = pl.col(Col.SENT_AT)
    precision = pl.col(Col.TIME_PRECISION).fill_null("second")
    first_reply, closer = replies
    source = attempts
    # how firm the figure is rests on the replies' certainty and precision too
    firmness = any(name in columns for name in _FIRMNESS)
    attempts = pl.concat(
        [
            attempts,
            _reply_bounds(contacts, first_reply, "_reply", policy, firmness),
            _reply_bounds(contacts, closer, "_close", policy, firmness),
        ],
        how="horizontal",
    ).lazy()
    if covered is not None:
        attempts = attempts.with_columns(covered.alias(A.COVERS_UNTIL))
    answered = pl.col("_any_at").is_not_null()
    superseded = ~answered & pl.col(A.CLOSED_AT).is_not_null()
    attempts = attempts.with_columns(
        answered.alias("_answered"), superseded.alias("_superseded")
    ).with_columns(
        pl.when("_answered")
        .then(pl.lit(Status.ANSWERED))
        .when("_superseded")
        .then(pl.lit(Status.SUPERSEDED))
        .otherwise(pl.lit(Status.UNANSWERED))
        .alias(A.STATUS),
        _censored_at(as_of, covered is not None).alias("_followed_until"),
        earliest(sent, precision, policy.approximate).alias("_sent_lo"),
        latest(sent, precision, policy.approximate).alias("_sent_hi"),
        pl.when(pl.col(Col.RESPOND_BY).is_not_null())
        .then(seconds_between(pl.col(Col.RESPOND_BY), sent))
        .otherwise(policy.target_seconds())
        .alias(A.TARGET_SECONDS),
        pl.when(pl.col(Col.RESPOND_BY).is_not_null())
        .then(pl.lit(TargetFrom.RESPOND_BY))
        .otherwise(pl.lit(TargetFrom.POLICY))
        .alias(A.TARGET_FROM),
    )
    answered, superseded = pl.col("_answered"), pl.col("_superseded")
    unanswered = ~answered & ~superseded
    followed = pl.col("_followed_until")
    closed = pl.col(A.CLOSED_AT)
    frame = attempts.with_columns(
        # a reply logged before its attempt (clock skew) answers at the attempt's own time
        pl.when(answered)
        .then(pl.max_horizontal("_any_at", sent))
        .when(superseded)
        .then(closed)
        .otherwise(followed)
        .alias(_UNTIL),
        # the interval the end of the wait stands for; a close at a skewed reply stays around
        # the close as written
        pl.when(answered)
        .then(pl.col("_reply_lo"))
        .when(superseded)
        .then(pl.min_horizontal("_close_lo", closed))
        .otherwise(followed)
        .alias(_LO),
        pl.when(answered)
        .then(pl.col("_reply_hi"))
        .when(superseded)
        .then(pl.max_horizontal("_close_hi", closed))
        .otherwise(followed)
        .alias(_HI),
    )
    target = pl.duration(microseconds=(pl.col(A.TARGET_SECONDS) * 1e6).cast(pl.Int64))
    by_policy = pl.col(Col.RESPOND_BY).is_null()
    deadline = pl.when(by_policy).then(sent + target).otherwise(pl.col(Col.RESPOND_BY))
    frame = frame.with_columns(
        seconds_at_least_zero(pl.col(_LO), pl.col("_sent_hi")).alias("_wait_min"),
        seconds_at_least_zero(pl.col(_HI), pl.col("_sent_lo")).alias("_wait_max"),
        deadline.alias("_deadline"),
        pl.when(by_policy).then(pl.col("_sent_lo") + target).otherwise(deadline).alias("_dl_lo"),
        pl.when(by_policy).then(pl.col("_sent_hi") + target).otherwise(deadline).alias("_dl_hi"),
        seconds_between(pl.col("_any_at"), sent).alias("_skew"),
    )
    wait_min, wait_max, skew = pl.col("_wait_min"), pl.col("_wait_max"), pl.col("_skew")
    deadline, deadline_lo, deadline_hi = pl.col("_deadline"), pl.col("_dl_lo"), pl.col("_dl_hi")
    frame = frame.with_columns(
        breach_rank(pl.col(_LO), pl.col(_HI), deadline_lo, deadline_hi).alias(BREACH_RANK)
    )
    if firmness:
        # the weakest certainty and coarsest time among the attempt and the reply its figure
        # rests on (its own, or the one that closed its episode)
        frame = frame.with_columns(
            pl.max_horizontal(
                certainty_rank(pl.col(Col.CERTAINTY)),
                pl.coalesce("_reply_certainty", "_close_certainty"),
            ).alias(CERTAINTY_RANK),
            pl.max_horizontal(
                precision_rank(precision), pl.coalesce("_reply_precision", "_close_precision")
            ).alias(PRECISION_RANK),
        )

    def waited(seconds: pl.Expr) -> pl.Expr:
        return seconds.clip(lower_bound=0.0)

    computed = (
        pl.col(A.STATUS),
        waited(skew).alias(A.TTFR),
        pl.when(answered).then(wait_min).alias(A.TTFR_MIN),
        pl.when(answered).then(wait_max).alias(A.TTFR_MAX),
        waited(seconds_between(pl.col("_ack_at"), sent)).alias(A.TT_ACK),
        waited(seconds_between(pl.col("_substantive_at"), sent)).alias(A.TT_SUBSTANTIVE),
        pl.when(skew < 0).then(skew).alias(A.CLOCK_SKEW_SECONDS),
        pl.when(unanswered).then(seconds_between(followed, sent)).alias(A.OPEN_SECONDS),
        pl.when(unanswered).then(wait_min).alias(A.OPEN_MIN),
        pl.when(unanswered).then(wait_max).alias(A.OPEN_MAX),
        pl.when(unanswered).then(followed).alias(A.CENSORED_AT),
        seconds_between(pl.col(_UNTIL), sent).alias(A.WAIT_SECONDS),
        wait_min.alias(A.WAIT_MIN),
        wait_max.alias(A.WAIT_MAX),
        pl.col(A.TARGET_SECONDS),
        pl.col(A.TARGET_FROM),
        (pl.col(_UNTIL) > deadline).alias(A.BREACH),
        breach_named(pl.col(BREACH_RANK)).alias(A.BREACH_CERTAINTY),
        certainty_named(pl.col(CERTAINTY_RANK)).alias(A.RESTS_ON_CERTAINTY),
        precision_named(pl.col(PRECISION_RANK)).alias(A.RESTS_ON_PRECISION),
        *(pl.col(rank) for rank in RANKS),
    )
    wanted = [e for e in computed if e.meta.output_name() in columns]
    # in batches: the working columns never all exist at once
    computed_frame = frame.select(wanted).collect(engine="streaming")
    # columns passed through as they are (renamed) are the working frame's own, not copies
    kept = source.select(
        pl.col(name).alias(public)
        for public, name in _KEPT.items()
        if public in columns or public == EPISODE
    )
    ordered = [name for name in (*COLUMNS, EPISODE, *RANKS) if name in columns or name == EPISODE]
    return pl.concat([kept, computed_frame], how="horizontal").select(ordered)


#: The public columns of the attempts, in order.
COLUMNS = (
    A.ATTEMPT_ID,
    Col.FROM_PARTY,
    Col.TO_PARTY,
    Col.CHANNEL,
    Col.KIND,
    Col.PRECEDENCE,
    Col.THREAD,
    Col.ATTEMPT_OUTCOME,
    Col.SENT_AT,
    Col.TIME_PRECISION,
    Col.ORIGIN_FILE,
    A.STATUS,
    A.FIRST_RESPONSE_ID,
    A.FIRST_RESPONSE_AT,
    A.TTFR,
    A.TTFR_MIN,
    A.TTFR_MAX,
    A.LINK,
    A.ACK_ID,
    A.TT_ACK,
    A.SUBSTANTIVE_ID,
    A.TT_SUBSTANTIVE,
    A.CLOCK_SKEW_SECONDS,
    A.OPEN_SECONDS,
    A.OPEN_MIN,
    A.OPEN_MAX,
    A.CENSORED_AT,
    A.WAIT_SECONDS,
    A.WAIT_MIN,
    A.WAIT_MAX,
    A.EPISODE_ID,
    A.ATTEMPT_NUMBER,
    A.RETRY_STREAK,
    A.TARGET_SECONDS,
    A.TARGET_FROM,
    Col.RESPOND_BY,
    A.BREACH,
    A.BREACH_CERTAINTY,
    A.CLOSED_AT,
    A.CLOSING_RESPONSE_ID,
    A.RESTS_ON_CERTAINTY,
    A.RESTS_ON_PRECISION,
)
#: What the statistics and owed silences read of the attempts, through their episodes
#: (`deconf.analysis.episodes.FOR_STATISTICS`): the breaches and how firm they are, how long an
#: open attempt was followed; no reply ids, no bounds of the waits.
FOR_STATISTICS = (
    Col.FROM_PARTY,
    Col.TO_PARTY,
    Col.CHANNEL,
    Col.KIND,
    Col.PRECEDENCE,
    Col.SENT_AT,
    A.OPEN_SECONDS,
    A.CENSORED_AT,
    A.EPISODE_ID,
    A.ATTEMPT_NUMBER,
    A.RETRY_STREAK,
    A.BREACH,
    A.CLOSED_AT,
    BREACH_RANK,
)
#: Public columns that are working columns as they are: public name → working name.
_KEPT = {
    A.ATTEMPT_ID: Col.ID,
    **{
        name: name
        for name in (
            Col.FROM_PARTY,
            Col.TO_PARTY,
            Col.CHANNEL,
            Col.KIND,
            Col.PRECEDENCE,
            Col.THREAD,
            Col.ATTEMPT_OUTCOME,
            Col.SENT_AT,
            Col.TIME_PRECISION,
            Col.ORIGIN_FILE,
            A.EPISODE_ID,
            A.ATTEMPT_NUMBER,
            A.RETRY_STREAK,
            Col.RESPOND_BY,
            A.CLOSED_AT,
            A.CLOSING_RESPONSE_ID,
            EPISODE,
        )
    },
    A.FIRST_RESPONSE_ID: "_any_id",
    A.FIRST_RESPONSE_AT: "_any_at",
    A.LINK: "_any_link",
    A.ACK_ID: "_ack_id",
    A.SUBSTANTIVE_ID: "_substantive_id",
}


__all__ = ["BreachCertainty", "finish_attempts"]
