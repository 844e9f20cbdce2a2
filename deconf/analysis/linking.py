"""Reply linking (SPEC §3): which counterpart messages answer which attempts, and how.

Explicit links come from `in_reply_to`. Inferred links are found with as-of joins: for each
attempt, the earliest delivered, unlinked message from the counterpart strictly after it, within
the inference window and in a compatible thread. Whether the attempt's episode was still open at
that moment is decided later, in `episodes`, once episodes are known.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from deconf.analysis.columns import A
from deconf.frames import Col
from deconf.policy import Policy
from deconf.vocabulary import (
    ACKNOWLEDGEMENT_KINDS,
    EXPECTS_RESPONSE_KINDS,
    SUBSTANTIVE_KINDS,
    AttemptOutcome,
)

REPLY_ID = "_reply_id"
REPLY_AT = "_reply_at"
REPLY_ORDER = "_reply_order"
#: Position of a contact in (sent_at, id) order: "records are taken in time order, ties by id".
ORDER = "_order"
_KEY = "_search_from"
_ONE_MICROSECOND = timedelta(microseconds=1)

#: Reply levels: any reply, an acknowledgement, a substantive answer.
LEVELS: dict[str, frozenset[str] | None] = {
    "any": None,
    "ack": frozenset(k.value for k in ACKNOWLEDGEMENT_KINDS),
    "substantive": frozenset(k.value for k in SUBSTANTIVE_KINDS),
}


def is_attempt() -> pl.Expr:
    """A contact that expects a response: `expects_response`, else what its kind implies."""
    by_kind = pl.col(Col.KIND).cast(pl.String).is_in([k.value for k in EXPECTS_RESPONSE_KINDS])
    return pl.coalesce(pl.col(Col.EXPECTS_RESPONSE), by_kind)


def attempts_of(contacts: pl.DataFrame) -> pl.DataFrame:
    """The attempts, in time order (ties by id)."""
    return (
        contacts.filter(is_attempt())
        .select(
            pl.col(Col.ID).alias(A.ATTEMPT_ID),
            ORDER,
            Col.SENT_AT,
            Col.FROM_PARTY,
            Col.TO_PARTY,
            Col.CHANNEL,
            Col.KIND,
            Col.PRECEDENCE,
            Col.THREAD,
            Col.RESPOND_BY,
            Col.ATTEMPT_OUTCOME,
            Col.TIME_PRECISION,
            Col.ORIGIN_FILE,
            Col.CERTAINTY,
        )
        .sort(Col.SENT_AT, A.ATTEMPT_ID)
    )


def _delivered() -> pl.Expr:
    return pl.col(Col.ATTEMPT_OUTCOME) == AttemptOutcome.DELIVERED.value


def explicit_replies(
    attempts: pl.DataFrame, contacts: pl.DataFrame, policy: Policy
) -> pl.DataFrame:
    """Every valid explicit reply per attempt: attempt_id, reply id/time/kind."""
    min_latency = policy.min_reply_latency
    replies = contacts.filter(pl.col(Col.IN_REPLY_TO).is_not_null() & _delivered()).select(
        pl.col(Col.IN_REPLY_TO).alias(A.ATTEMPT_ID),
        pl.col(Col.ID).alias(REPLY_ID),
        pl.col(Col.SENT_AT).alias(REPLY_AT),
        pl.col(ORDER).alias(REPLY_ORDER),
        pl.col(Col.KIND).cast(pl.String).alias("_reply_kind"),
        pl.col(Col.FROM_PARTY).alias("_reply_from"),
        pl.col(Col.TO_PARTY).alias("_reply_to"),
    )
    latency = pl.col(REPLY_AT) - pl.col(Col.SENT_AT)
    return (
        attempts.select(A.ATTEMPT_ID, Col.SENT_AT, Col.FROM_PARTY, Col.TO_PARTY)
        .join(replies, on=A.ATTEMPT_ID, how="inner")
        .filter(
            (pl.col("_reply_from") == pl.col(Col.TO_PARTY))
            & (pl.col("_reply_to") == pl.col(Col.FROM_PARTY))
            & ((latency >= min_latency) | (latency < timedelta(0)))  # skew: kept, flagged
        )
        .select(A.ATTEMPT_ID, REPLY_ID, REPLY_AT, REPLY_ORDER, "_reply_kind")
    )


def earliest(replies: pl.DataFrame, kinds: frozenset[str] | None) -> pl.DataFrame:
    """Per attempt, the earliest reply (ties by id), optionally of some kinds only."""
    if kinds is not None:
        replies = replies.filter(pl.col("_reply_kind").is_in(sorted(kinds)))
    return replies.sort(REPLY_ORDER).unique(A.ATTEMPT_ID, keep="first", maintain_order=True)


def _candidates(contacts: pl.DataFrame, kinds: frozenset[str] | None) -> pl.DataFrame:
    """Delivered messages naming nothing, keyed by the pair they would answer, in order."""
    candidates = contacts.filter(pl.col(Col.IN_REPLY_TO).is_null() & _delivered())
    if kinds is not None:
        candidates = candidates.filter(pl.col(Col.KIND).cast(pl.String).is_in(sorted(kinds)))
    return candidates.select(
        # a message from B to A answers an attempt from A to B
        pl.col(Col.TO_PARTY).alias(Col.FROM_PARTY),
        pl.col(Col.FROM_PARTY).alias(Col.TO_PARTY),
        pl.col(Col.THREAD),
        pl.col(Col.ID).alias(REPLY_ID),
        pl.col(Col.SENT_AT).alias(REPLY_AT),
        pl.col(ORDER).alias(REPLY_ORDER),
    )


def inferred_first(
    attempts: pl.DataFrame,
    contacts: pl.DataFrame,
    policy: Policy,
    kinds: frozenset[str] | None,
    among: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Per attempt, the earliest unlinked counterpart message that may answer it (any state).

    `contacts` and `attempts` come in record order (time, then id), so no sorting is needed;
    `among` limits the search to attempts known to have some candidate.
    """
    candidates = _candidates(contacts, kinds)
    shift = max(policy.min_reply_latency, _ONE_MICROSECOND)  # strictly after the attempt
    left = attempts.select(
        A.ATTEMPT_ID,
        Col.FROM_PARTY,
        Col.TO_PARTY,
        Col.THREAD,
        Col.SENT_AT,
        (pl.col(Col.SENT_AT) + shift).alias(_KEY),
    )
    if among is not None:
        left = left.join(
            among.select(A.ATTEMPT_ID), on=A.ATTEMPT_ID, how="semi", maintain_order="left"
        )
    pair = [Col.FROM_PARTY, Col.TO_PARTY]
    threaded = left.filter(pl.col(Col.THREAD).is_not_null())
    within = pl.col(REPLY_AT) - pl.col(Col.SENT_AT) <= policy.inference_window
    if threaded.is_empty():
        found = _first_after(left, candidates, pair)
        return found.filter(within).select(A.ATTEMPT_ID, REPLY_ID, REPLY_AT, REPLY_ORDER)
    found = pl.concat(
        [
            _first_after(
                threaded, candidates.filter(pl.col(Col.THREAD).is_not_null()), [*pair, Col.THREAD]
            ),
            _first_after(threaded, candidates.filter(pl.col(Col.THREAD).is_null()), pair),
            _first_after(left.filter(pl.col(Col.THREAD).is_null()), candidates, pair),
        ]
    )
    return (
        found.filter(within)
        .sort(REPLY_ORDER)
        .unique(A.ATTEMPT_ID, keep="first", maintain_order=True)
        .select(A.ATTEMPT_ID, REPLY_ID, REPLY_AT, REPLY_ORDER)
    )


def _first_after(left: pl.DataFrame, right: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """The first right row at or after each left key. Among candidates at the same instant the
    forward as-of join takes the first in record order, i.e. the smallest id (the property test
    against the brute-force reference holds this to the SPEC's tie rule)."""
    joined = left.join_asof(
        right.select(*by, REPLY_ID, REPLY_AT, REPLY_ORDER),
        left_on=_KEY,
        right_on=REPLY_AT,
        by=by,
        strategy="forward",
        allow_exact_matches=True,
        check_sortedness=False,
    )
    return joined.filter(pl.col(REPLY_ID).is_not_null()).select(
        A.ATTEMPT_ID, Col.SENT_AT, REPLY_ID, REPLY_AT, REPLY_ORDER
    )


def first_replies(attempts: pl.DataFrame, contacts: pl.DataFrame, policy: Policy):
    """Candidate first replies per level: {level: (explicit earliest, inferred earliest)}."""
    explicit = explicit_replies(attempts, contacts, policy)
    any_inferred = inferred_first(attempts, contacts, policy, None)
    levels = {"any": (earliest(explicit, None), any_inferred)}
    for level, kinds in LEVELS.items():
        if kinds is not None:  # a kind-restricted candidate exists only where some candidate does
            levels[level] = (
                earliest(explicit, kinds),
                inferred_first(attempts, contacts, policy, kinds, among=any_inferred),
            )
    return explicit, levels
