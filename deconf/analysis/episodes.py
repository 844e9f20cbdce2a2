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

_F = "_f_order"
_CLOSE = "_close_order"
_PAIR = "_pair"
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


def analyze_attempts(contacts: pl.DataFrame, policy: Policy, as_of: datetime) -> pl.DataFrame:
    """One row per attempt with its first response, status, episode and breach (SPEC §3)."""
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
    attempts = attempts.with_columns(
        pl.min_horizontal(explicit, pl.col("_any_i_order").cast(pl.Int64)).alias(_F)
    )
    attempts = assign_episodes(attempts, never=contacts.height)
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
