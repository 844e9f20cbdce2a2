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

from deconf.analysis.columns import A, BreachCertainty, Link, Status, seconds_between
from deconf.analysis.firmness import (
    coarsest_among,
    earliest,
    firmest,
    latest,
    seconds_at_least_zero,
    weakest_among,
)
from deconf.analysis.linking import (
    ORDER,
    REPLY_AT,
    REPLY_ID,
    REPLY_ORDER,
    attempts_of,
    first_replies,
)
from deconf.analysis.waits import finish_attempts
from deconf.frames import Col
from deconf.policy import Policy

_F = "_f_order"
_CLOSE = "_close_order"
_PAIR = "_pair"
_ANSWER = "_answer_id"
LEVELS = ("any", "ack", "substantive")
#: What linking and episodes read of a contact; the rest (summary, source…) stays behind.
LINKING_COLUMNS = (
    Col.ID,
    Col.SENT_AT,
    Col.FROM_PARTY,
    Col.TO_PARTY,
    Col.CHANNEL,
    Col.KIND,
    Col.ATTEMPT_OUTCOME,
    Col.IN_REPLY_TO,
    Col.THREAD,
    Col.PRECEDENCE,
    Col.EXPECTS_RESPONSE,
    Col.RESPOND_BY,
    Col.TIME_PRECISION,
    Col.ORIGIN_FILE,
    Col.CERTAINTY,
)


def _in_record_order(contacts: pl.DataFrame) -> bool:
    """Whether contacts already come in (sent_at, id) order, as the store gives them."""
    later = pl.col(Col.SENT_AT) > pl.col(Col.SENT_AT).shift(1)
    tie_ordered = (pl.col(Col.SENT_AT) == pl.col(Col.SENT_AT).shift(1)) & (
        pl.col(Col.ID) > pl.col(Col.ID).shift(1)
    )
    return bool(contacts.select((later | tie_ordered).slice(1).all()).item())


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


def _episode_layout(pairs: np.ndarray, orders: np.ndarray, f: np.ndarray, never: int):
    """Episode starts and closes for attempts sorted by (pair, order), all in numpy.

    `pairs` are dense pair numbers (non-decreasing), `orders` the attempts' positions, `f` the
    position of the earliest record that could answer each (or `never`). Returns the boolean
    start mask and, per attempt, the close position of the episode that would start there.
    """
    n = len(orders)
    starts = np.zeros(n, dtype=bool)
    if n == 0:
        return starts, np.zeros(0, dtype=np.int64)
    # one sortable key per attempt: pairs apart by more than any position, so that a suffix
    # minimum or a search never crosses from one pair into another
    spread = np.int64(never + 1)
    base = pairs.astype(np.int64) * spread
    suffix_min = np.minimum.accumulate((base + f)[::-1])[::-1] - base
    keys = base + orders
    following = np.searchsorted(keys, base + suffix_min, side="right")
    follow = np.maximum(following, np.arange(1, n + 1)).tolist()
    position = 0
    while position < n:  # one step per episode
        starts[position] = True
        position = follow[position]
    return starts, suffix_min


def assign_episodes(attempts: pl.DataFrame, never: int) -> pl.DataFrame:
    """Add episode ids, numbers, streaks and the close position `_close_order`.

    The work happens on numpy arrays in (pair, order) order; results go back to the rows through
    the inverse permutation, so the wide frame itself is never sorted.
    """
    columns = attempts.select(
        pl.concat_str(Col.FROM_PARTY, pl.lit("\x1f"), Col.TO_PARTY).rank("dense").alias(_PAIR),
        pl.col(ORDER).cast(pl.Int64),
        pl.col(_F).cast(pl.Int64).fill_null(never),
    )
    pairs, orders = columns[_PAIR].to_numpy(), columns[ORDER].to_numpy()
    permutation = np.lexsort((orders, pairs))
    starts, closes = _episode_layout(
        pairs[permutation], orders[permutation], columns[_F].to_numpy()[permutation], never
    )
    n = len(starts)
    episode = np.cumsum(starts) - 1
    first_row = np.flatnonzero(starts)
    number = np.empty(n, dtype=np.uint32)
    streak = np.empty(n, dtype=np.uint32)
    close = np.empty(n, dtype=np.int64)
    first_attempt = np.empty(n, dtype=np.int64)
    if n:
        number[permutation] = np.arange(n) - first_row[episode] + 1
        streak[permutation] = np.diff(np.append(first_row, n))[episode]
        close[permutation] = closes[first_row][episode]
        first_attempt[permutation] = permutation[first_row[episode]]
    return attempts.with_columns(
        pl.concat_str(pl.lit("ep:"), attempts[A.ATTEMPT_ID].gather(first_attempt)).alias(
            A.EPISODE_ID
        ),
        pl.Series(_CLOSE, close, dtype=pl.Int64).replace(never, None),
        pl.Series(A.ATTEMPT_NUMBER, number, dtype=pl.UInt32),
        pl.Series(A.RETRY_STREAK, streak, dtype=pl.UInt32),
    )


def analyze_attempts(
    contacts: pl.DataFrame,
    policy: Policy,
    as_of: datetime,
    coverage: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per attempt with its first response, status, episode and breach (SPEC §3), and
    how firm each figure is (§3.2). `coverage` (from `coverage_of`) says until when each source
    observed: an open episode is followed no further than that."""
    contacts = contacts.select(LINKING_COLUMNS)
    if not _in_record_order(contacts):
        contacts = contacts.sort(Col.SENT_AT, Col.ID)
    contacts = contacts.with_row_index(ORDER)
    attempts = attempts_of(contacts)
    _, levels = first_replies(attempts, contacts, policy)
    for level, (explicit, inferred) in levels.items():
        attempts = _level_columns(attempts, level, explicit, inferred)
    # the earliest record that could answer each attempt (an explicit reply logged before its
    # attempt counts from the attempt itself: clock skew)
    explicit = pl.max_horizontal("_any_x_order", ORDER).cast(pl.Int64)
    explicit = pl.when(pl.col("_any_x_order").is_not_null()).then(explicit)
    inferred = pl.col("_any_i_order").cast(pl.Int64)
    attempts = attempts.with_columns(
        pl.min_horizontal(explicit, inferred).alias(_F),
        # the record behind f: the explicit reply when it comes first, else the inferred one
        pl.when(explicit.is_not_null() & (inferred.is_null() | (explicit <= inferred)))
        .then(pl.col("_any_x_id"))
        .otherwise(pl.col("_any_i_id"))
        .alias(_ANSWER),
    )
    attempts = assign_episodes(attempts, never=contacts.height)
    positions = contacts.select(
        pl.col(ORDER).cast(pl.Int64).alias(_CLOSE), pl.col(Col.SENT_AT).alias(A.CLOSED_AT)
    )
    # the reply that closed each episode: that of the attempt whose answer came first (a retry
    # answered by a reply logged at the same second is closed by that reply, not by itself)
    closers = (
        attempts.filter(pl.col(_F) == pl.col(_CLOSE))
        .sort(ORDER)
        .group_by(A.EPISODE_ID, maintain_order=True)
        .agg(pl.col(_ANSWER).first().alias(A.CLOSING_RESPONSE_ID))
    )
    attempts = attempts.join(positions, on=_CLOSE, how="left", maintain_order="left").join(
        closers, on=A.EPISODE_ID, how="left", maintain_order="left"
    )
    for level in LEVELS:
        attempts = attempts.with_columns(*_own_reply(level))
    return finish_attempts(attempts, contacts, policy, as_of, coverage)


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


def episodes_of(attempts: pl.DataFrame, contacts: pl.DataFrame, policy: Policy) -> pl.DataFrame:
    """One row per episode, described by its first attempt (SPEC §3 "Episode"), with the bounds
    of its gap or open age from the time precision of its first attempt and closing reply."""
    per_episode = attempts.group_by(A.EPISODE_ID).agg(
        pl.col(A.BREACH).sum().alias(A.BREACHES),
        firmest(pl.col(A.BREACH_CERTAINTY)).alias(A.BREACH_CERTAINTY),
        (pl.col(A.BREACH_CERTAINTY) == BreachCertainty.CERTAIN).sum().alias(A.BREACHES_CERTAIN),
        (pl.col(A.BREACH_CERTAINTY) == BreachCertainty.POSSIBLE).sum().alias(A.BREACHES_POSSIBLE),
        weakest_among(pl.col(A.RESTS_ON_CERTAINTY)).alias(A.RESTS_ON_CERTAINTY),
        coarsest_among(pl.col(A.RESTS_ON_PRECISION)).alias(A.RESTS_ON_PRECISION),
    )
    closers = contacts.select(
        pl.col(Col.ID).alias(A.CLOSING_RESPONSE_ID),
        pl.col(Col.TIME_PRECISION).fill_null("second").alias("_close_precision"),
        pl.col(Col.SENT_AT).alias("_close_at"),
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
    return (
        attempts.filter(pl.col(A.ATTEMPT_NUMBER) == 1)
        .drop(A.BREACH_CERTAINTY, A.RESTS_ON_CERTAINTY, A.RESTS_ON_PRECISION)  # the episode's own
        .join(per_episode, on=A.EPISODE_ID)
        .join(closers, on=A.CLOSING_RESPONSE_ID, how="left")
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
            A.BREACH_CERTAINTY,
            A.BREACHES,
            A.BREACHES_CERTAIN,
            A.BREACHES_POSSIBLE,
            A.RESTS_ON_CERTAINTY,
            A.RESTS_ON_PRECISION,
        )
        .sort(A.OPENED_AT, A.EPISODE_ID)
    )
