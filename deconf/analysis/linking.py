"""Reply linking (SPEC §3): which counterpart messages answer which attempts, and how.

Explicit links come from `in_reply_to`. Inferred links are found by a forward as-of search: for
each attempt, the earliest delivered, unlinked message from the counterpart strictly after it,
within the inference window and in a compatible thread. Whether the attempt's episode was still
open at that moment is decided later, in `episodes`, once episodes are known.

Every reply is named by its *position* in (sent_at, id) order (`ORDER`), so the search is an
integer one (`deconf.analysis.keys.Sorted`) and what a reply says (its id, time, precision) is
gathered by position when needed, never joined back on id strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import polars as pl

from deconf.analysis.keys import Queries, Sorted, codes, dense, grouped
from deconf.frames import Col, in_record_order
from deconf.policy import Policy
from deconf.vocabulary import (
    ACKNOWLEDGEMENT_KINDS,
    EXPECTS_RESPONSE_KINDS,
    SUBSTANTIVE_KINDS,
    AttemptOutcome,
)

#: Position of a contact in (sent_at, id) order: "records are taken in time order, ties by id".
ORDER = "_order"
#: The contact's directed party pair (from, to), and the reverse pair (to, from), as integers.
PAIR = "_pair"
REVERSE = "_reverse"
_ONE_MICROSECOND = timedelta(microseconds=1)
_ROW = "_row"

#: Reply levels: any reply, an acknowledgement, a substantive answer.
LEVELS: dict[str, frozenset[str] | None] = {
    "any": None,
    "ack": frozenset(k.value for k in ACKNOWLEDGEMENT_KINDS),
    "substantive": frozenset(k.value for k in SUBSTANTIVE_KINDS),
}


def is_attempt() -> pl.Expr:
    """A contact that expects a response: `expects_response`, else what its kind implies."""
    # compared as the kind's own values (an Enum): no million strings made for the test
    by_kind = pl.col(Col.KIND).is_in([k.value for k in EXPECTS_RESPONSE_KINDS])
    return pl.coalesce(pl.col(Col.EXPECTS_RESPONSE), by_kind)


def attempt_rows(contacts: pl.DataFrame, attempts: pl.DataFrame) -> np.ndarray | None:
    """The rows of `contacts` that hold the given attempts, found without joining on ids when
    the contacts come in record order and the attempts are all of theirs, as the analysis makes
    them (its attempts keep that order); None otherwise."""
    needed = {Col.ID, Col.SENT_AT, Col.KIND, Col.EXPECTS_RESPONSE}
    if not needed <= set(contacts.columns) or not in_record_order(contacts, Col.SENT_AT):
        return None
    rows = np.flatnonzero(contacts.select(is_attempt().fill_null(False)).to_series().to_numpy())
    return rows if len(rows) == attempts.height else None


def _delivered() -> pl.Expr:
    return pl.col(Col.ATTEMPT_OUTCOME) == AttemptOutcome.DELIVERED.value


def _of_kinds(kinds: frozenset[str] | None) -> pl.Expr:
    if kinds is None:
        return pl.lit(True)
    return pl.col(Col.KIND).is_in(sorted(kinds))


@dataclass(frozen=True)
class Candidates:
    """Per attempt (aligned with the attempts' rows) and level, the position of the earliest
    explicit reply and of the earliest inferred candidate; `never` where there is none."""

    explicit: dict[str, np.ndarray]
    inferred: dict[str, np.ndarray]
    never: int


def explicit_first(
    attempts: pl.DataFrame,
    contacts: pl.DataFrame,
    policy: Policy,
    never: int,
    levels: tuple[str, ...] = tuple(LEVELS),
) -> dict[str, np.ndarray]:
    """Per level, each attempt's earliest valid explicit reply: delivered, naming the attempt,
    from its counterpart, after at least the minimum latency (or before it: skew, kept)."""
    min_latency = policy.min_reply_latency
    replies = contacts.filter(pl.col(Col.IN_REPLY_TO).is_not_null() & _delivered()).select(
        pl.col(Col.IN_REPLY_TO).alias(Col.ID),
        pl.col(ORDER).alias("_reply"),
        pl.col(Col.SENT_AT).alias("_reply_at"),
        *(_of_kinds(LEVELS[level]).alias(level) for level in levels),
        pl.col(REVERSE).alias("_answers"),  # the counterpart answers the attempt's own pair
    )
    latency = pl.col("_reply_at") - pl.col(Col.SENT_AT)
    found = (
        replies.join(
            attempts.select(Col.ID, Col.SENT_AT, PAIR, pl.int_range(pl.len()).alias(_ROW)),
            on=Col.ID,
            how="inner",
        )
        .filter(
            (pl.col("_answers") == pl.col(PAIR))
            & ((latency >= min_latency) | (latency < timedelta(0)))  # skew: kept, flagged
        )
        .select(_ROW, "_reply", *levels)
    )
    rows, positions = found[_ROW].to_numpy(), found["_reply"].to_numpy().astype(np.int64)
    firsts = {}
    for level in levels:
        earliest = np.full(attempts.height, never, dtype=np.int64)
        kept = found[level].to_numpy()
        np.minimum.at(earliest, rows[kept], positions[kept])
        firsts[level] = earliest
    return firsts


def inferred_first(
    attempts: pl.DataFrame,
    contacts: pl.DataFrame,
    policy: Policy,
    never: int,
    by_pair: np.ndarray,
    levels: tuple[str, ...] = tuple(LEVELS),
) -> dict[str, np.ndarray]:
    """Per level, each attempt's earliest unlinked counterpart message that may answer it (in
    any state of its episode): delivered, naming nothing, strictly after the attempt (and after
    the minimum latency), within the inference window, and in the attempt's thread or in none.
    Among candidates at the same instant the first in record order (the smallest id) wins.
    `by_pair` is the attempts' order by pair (`keys.grouped`)."""
    times = contacts[Col.SENT_AT].dt.epoch("us").to_numpy()
    sent = attempts[Col.SENT_AT].dt.epoch("us").to_numpy()
    shift = max(policy.min_reply_latency, _ONE_MICROSECOND) // _ONE_MICROSECOND
    window = policy.inference_window // _ONE_MICROSECOND
    start = np.searchsorted(times, sent + shift, side="left")  # strictly after the attempt
    reverse = contacts[REVERSE].to_numpy()
    by_pairs = Queries(attempts[PAIR].to_numpy(), start, never, by_pair)
    threaded = attempts[Col.THREAD].is_not_null().to_numpy()
    if threaded.any():
        thread_of, candidate_thread = _thread_groups(attempts, contacts)
        by_threads = Queries(np.maximum(thread_of, 0), start, never, grouped(thread_of))
        unthreaded = contacts[Col.THREAD].is_null().to_numpy()
    unlinked = pl.col(Col.IN_REPLY_TO).is_null() & _delivered()
    candidates = contacts.select(
        (unlinked & _of_kinds(LEVELS[level])).fill_null(False).alias(level) for level in levels
    )
    firsts = {}
    for level in levels:
        positions = np.flatnonzero(candidates[level].to_numpy())
        found = Sorted(reverse[positions], positions, never).first_from(by_pairs)
        if threaded.any():
            without = positions[unthreaded[positions]]
            within = positions[candidate_thread[positions] >= 0]
            found = np.where(
                threaded,
                np.minimum(
                    Sorted(reverse[without], without, never).first_from(by_pairs),
                    Sorted(candidate_thread[within], within, never).first_from(by_threads),
                ),
                found,
            )
        late = times[np.minimum(found, len(times) - 1)] - sent > window
        firsts[level] = np.where((found == never) | late, never, found)
    return firsts


def _thread_groups(attempts: pl.DataFrame, contacts: pl.DataFrame):
    """One integer per (pair, thread): an attempt's own and, per contact, that of the attempts a
    message would answer (its reverse pair, same thread); -1 without a thread."""
    attempt_thread, contact_thread = codes(attempts[Col.THREAD], contacts[Col.THREAD])
    pairs = np.concatenate([attempts[PAIR].to_numpy(), contacts[REVERSE].to_numpy()])
    threads = np.concatenate([attempt_thread, contact_thread])
    groups = np.where(threads >= 0, dense(pairs, threads), -1)
    return groups[: attempts.height], groups[attempts.height :]


def first_replies(
    attempts: pl.DataFrame,
    contacts: pl.DataFrame,
    policy: Policy,
    by_pair: np.ndarray,
    levels: tuple[str, ...] = tuple(LEVELS),
) -> Candidates:
    """Candidate first replies of every attempt, at the given levels (of `LEVELS`), as
    positions. `by_pair` is the attempts' order by pair (`keys.grouped`)."""
    never = contacts.height
    return Candidates(
        explicit_first(attempts, contacts, policy, never, levels),
        inferred_first(attempts, contacts, policy, never, by_pair, levels),
        never,
    )
