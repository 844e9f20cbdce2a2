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

from dataclasses import dataclass
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
from deconf.analysis.keys import nullable, pair_codes
from deconf.analysis.linking import ORDER, PAIR, REVERSE, Candidates, first_replies, is_attempt
from deconf.analysis.waits import EPISODE, finish_attempts
from deconf.frames import Col
from deconf.policy import Policy

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


def positioned(contacts: pl.DataFrame) -> pl.DataFrame:
    """The linking columns in record order, with each contact's position and party pair codes."""
    contacts = contacts.select(LINKING_COLUMNS)
    if not _in_record_order(contacts):
        contacts = contacts.sort(Col.SENT_AT, Col.ID)
    forward, reverse = pair_codes(contacts)
    return contacts.with_row_index(ORDER).with_columns(
        pl.Series(PAIR, forward, dtype=pl.Int64), pl.Series(REVERSE, reverse, dtype=pl.Int64)
    )


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


@dataclass(frozen=True)
class Layout:
    """Per attempt (aligned with the attempts' rows): its episode (a dense number), its number
    and streak within it, the row of the episode's first attempt, and the positions of the
    record that closed the episode and of the reply that did (`never` while open)."""

    episode: np.ndarray
    number: np.ndarray
    streak: np.ndarray
    first_row: np.ndarray
    close: np.ndarray
    closer: np.ndarray


def assign_episodes(
    pairs: np.ndarray, orders: np.ndarray, f: np.ndarray, answer: np.ndarray, never: int
) -> Layout:
    """Episodes of attempts given in record order: `pairs` their directed pair codes, `orders`
    their positions, `f` the position of the earliest record that could answer each and `answer`
    that record's reply (`never` for none). The work happens in (pair, order) order; results go
    back to the rows through the inverse permutation."""
    permutation = np.argsort(pairs, kind="stable")  # rows are in order already
    starts, closes = _episode_layout(pairs[permutation], orders[permutation], f[permutation], never)
    n = len(starts)
    episode_sorted = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    close_sorted = closes[first][episode_sorted] if n else np.zeros(0, dtype=np.int64)
    # the reply that closed each episode: that of its earliest attempt whose answer came first
    # (a retry answered by a reply logged at the same second is closed by that reply)
    closing = np.flatnonzero((f[permutation] == close_sorted) & (close_sorted != never))
    episodes_closed, earliest_closing = np.unique(episode_sorted[closing], return_index=True)
    closer_of = np.full(len(first), never, dtype=np.int64)
    closer_of[episodes_closed] = answer[permutation][closing[earliest_closing]]
    layout = {name: np.empty(n, dtype=np.int64) for name in Layout.__dataclass_fields__}
    if n:
        layout["episode"][permutation] = episode_sorted
        layout["number"][permutation] = np.arange(n) - first[episode_sorted] + 1
        layout["streak"][permutation] = np.diff(np.append(first, n))[episode_sorted]
        layout["first_row"][permutation] = permutation[first[episode_sorted]]
        layout["close"][permutation] = close_sorted
        layout["closer"][permutation] = closer_of[episode_sorted]
    return Layout(**layout)


def _own_replies(candidates: Candidates, close: np.ndarray) -> dict[str, np.ndarray]:
    """Per level, an attempt's own earliest reply: explicit, or inferred while its episode is
    still open (no later than its close), as positions; and per level whether it was explicit."""
    never = candidates.never
    replies = {}
    for level in LEVELS:
        explicit = candidates.explicit[level]
        inferred = candidates.inferred[level]
        inferred = np.where(inferred <= close, inferred, never)
        replies[level] = np.minimum(explicit, inferred)
        replies[f"{level}_explicit"] = (explicit < never) & (explicit < inferred)
    return replies


def attempts_and_episodes(
    contacts: pl.DataFrame,
    policy: Policy,
    as_of: datetime,
    coverage: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One row per attempt with its first response, status, episode and breach (SPEC §3), and
    how firm each figure is (§3.2); and one row per episode. `coverage` (from `coverage_of`) says
    until when each source observed: an open episode is followed no further than that."""
    contacts = positioned(contacts)
    never = contacts.height
    attempts = contacts.filter(is_attempt())
    candidates = first_replies(attempts, contacts, policy)
    orders = attempts[ORDER].to_numpy().astype(np.int64)
    # the earliest record that could answer each attempt (an explicit reply logged before its
    # attempt counts from the attempt itself: clock skew), and the reply behind it
    explicit_any, inferred_any = candidates.explicit["any"], candidates.inferred["any"]
    explicit = np.where(explicit_any < never, np.maximum(explicit_any, orders), never)
    f = np.minimum(explicit, inferred_any)
    answer = np.where((explicit < never) & (explicit <= inferred_any), explicit_any, inferred_any)
    layout = assign_episodes(attempts[PAIR].to_numpy(), orders, f, answer, never)
    replies = _own_replies(candidates, layout.close)
    at = _gathered(contacts, never)
    attempts = attempts.with_columns(
        pl.concat_str(pl.lit("ep:"), attempts[Col.ID].gather(layout.first_row)).alias(
            A.EPISODE_ID
        ),
        pl.Series(EPISODE, layout.episode),
        pl.Series(A.ATTEMPT_NUMBER, layout.number, dtype=pl.UInt32),
        pl.Series(A.RETRY_STREAK, layout.streak, dtype=pl.UInt32),
        at(Col.SENT_AT, layout.close, A.CLOSED_AT),
        at(Col.ID, layout.closer, A.CLOSING_RESPONSE_ID),
        *(at(Col.ID, replies[level], f"_{level}_id") for level in LEVELS),
        *(at(Col.SENT_AT, replies[level], f"_{level}_at") for level in LEVELS),
        pl.when(pl.Series(replies["any_explicit"]))
        .then(pl.lit(Link.EXPLICIT))
        .when(pl.Series(replies["any"] < never))
        .then(pl.lit(Link.INFERRED))
        .alias("_any_link"),
    )
    attempts = finish_attempts(
        attempts,
        contacts.select(Col.SENT_AT, Col.TIME_PRECISION, Col.CERTAINTY),
        (nullable(replies["any"], never, "_any"), nullable(layout.closer, never, "_closer")),
        policy,
        as_of,
        coverage,
    )
    episodes = episodes_of(attempts, contacts, nullable(layout.closer, never, "_closer"), policy)
    return attempts.drop(EPISODE), episodes


def _gathered(contacts: pl.DataFrame, never: int):
    """A function giving a contacts column at positions (`never`: null), named."""

    def at(column: str, positions: np.ndarray, name: str) -> pl.Series:
        return contacts[column].gather(nullable(positions, never, name)).alias(name)

    return at


def episodes_of(
    attempts: pl.DataFrame, contacts: pl.DataFrame, closers: pl.Series, policy: Policy
) -> pl.DataFrame:
    """One row per episode, described by its first attempt (SPEC §3 "Episode"), with the bounds
    of its gap or open age from the time precision of its first attempt and closing reply.
    `attempts` carry their episode number (`EPISODE`); `closers` are the positions of each
    attempt's episode's closing reply. Attempts come in record order, so their first attempts
    come in the episodes' order (opened_at, then episode id: "ep:" + the first attempt's id)."""
    per_episode = attempts.group_by(EPISODE).agg(
        pl.col(A.BREACH).sum().alias(A.BREACHES),
        firmest(pl.col(A.BREACH_CERTAINTY)).alias(A.BREACH_CERTAINTY),
        (pl.col(A.BREACH_CERTAINTY) == BreachCertainty.CERTAIN).sum().alias(A.BREACHES_CERTAIN),
        (pl.col(A.BREACH_CERTAINTY) == BreachCertainty.POSSIBLE).sum().alias(A.BREACHES_POSSIBLE),
        weakest_among(pl.col(A.RESTS_ON_CERTAINTY)).alias(A.RESTS_ON_CERTAINTY),
        coarsest_among(pl.col(A.RESTS_ON_PRECISION)).alias(A.RESTS_ON_PRECISION),
    )
    first = pl.col(A.ATTEMPT_NUMBER) == 1
    closing = contacts.select(
        pl.col(Col.TIME_PRECISION).gather(closers.filter(attempts[A.ATTEMPT_NUMBER] == 1)),
        pl.col(Col.SENT_AT).gather(closers.filter(attempts[A.ATTEMPT_NUMBER] == 1)),
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
        attempts.filter(first)
        .drop(A.BREACH_CERTAINTY, A.RESTS_ON_CERTAINTY, A.RESTS_ON_PRECISION)  # the episode's own
        .with_columns(
            closing[Col.TIME_PRECISION].fill_null("second").alias("_close_precision"),
            closing[Col.SENT_AT].alias("_close_at"),
        )
        .join(per_episode, on=EPISODE, how="left", maintain_order="left")
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
    )
