"""Addressees that message exports do not write down (SPEC §6 ``from_parent`` / ``from_reply``).

Tweets, IRC and chat know only who wrote each message. A reply's addressee is the sender of what
it answers (or, when it follows up its own sender's message, that message's addressee — resolved
in a few bulk passes, since that one may be inferred too); a message nobody's reply names is
addressed to whoever answered it first (``from_reply``); ``from_thread`` (an extension for IRC-
style logs with a thread key and addressees on answers only) takes the first later message in the
same thread that is addressed to this one's sender. Joins over the whole import, never a row loop.
"""

from __future__ import annotations

import polars as pl

from deconf.frames import Col
from deconf.importing.fields import FROM_PARENT, FROM_REPLY, FROM_THREAD, ORDER_AT, TO_DEFAULT

_HELPERS = (FROM_PARENT, FROM_REPLY, FROM_THREAD, TO_DEFAULT)
_PASSES = 8  # chains of self-follow-ups longer than this keep the default
_ROW = "_row"


def infer_addressees(frame: pl.DataFrame) -> pl.DataFrame:
    """to_party filled by the rules each record's mapping asked for, then by its default."""
    if not frame.select(pl.any_horizontal(FROM_PARENT, FROM_REPLY, FROM_THREAD).any()).item():
        return frame.drop(_HELPERS)
    frame = frame.with_row_index(_ROW)
    explicit = frame[Col.TO_PARTY]
    by_reply = _first_replier(frame)
    by_thread = _first_addressed_in_thread(frame)
    current = explicit
    for _ in range(_PASSES):
        by_parent = _parent_sender(frame.with_columns(current.alias(Col.TO_PARTY)))
        resolved = frame.select(
            pl.coalesce(
                explicit,
                pl.when(FROM_PARENT).then(by_parent),
                pl.when(FROM_REPLY).then(by_reply),
                pl.when(FROM_THREAD).then(by_thread),
            )
        ).to_series()
        if resolved.equals(current):
            break
        current = resolved
    return frame.with_columns(pl.coalesce(current, pl.col(TO_DEFAULT)).alias(Col.TO_PARTY)).drop(
        *_HELPERS, _ROW
    )


def _parent_sender(frame: pl.DataFrame) -> pl.Series:
    """The sender of the record this one names in in_reply_to, or its addressee when this one
    follows up its own sender's record."""
    parents = frame.select(
        pl.col(Col.ID).alias(Col.IN_REPLY_TO),
        pl.col(Col.FROM_PARTY).alias("_parent_from"),
        pl.col(Col.TO_PARTY).alias("_parent_to"),
    ).unique(Col.IN_REPLY_TO, keep="first")
    joined = frame.select(_ROW, Col.IN_REPLY_TO, Col.FROM_PARTY).join(
        parents, on=Col.IN_REPLY_TO, how="left"
    )
    return (
        joined.sort(_ROW)
        .select(
            pl.when(pl.col("_parent_from") != pl.col(Col.FROM_PARTY))
            .then(pl.col("_parent_from"))
            .otherwise(pl.col("_parent_to"))
        )
        .to_series()
    )


def _first_replier(frame: pl.DataFrame) -> pl.Series:
    """The sender of the earliest record from someone else that names this one in in_reply_to."""
    senders = frame.select(
        pl.col(Col.ID).alias(Col.IN_REPLY_TO), pl.col(Col.FROM_PARTY).alias("_to")
    )
    replies = (
        frame.filter(pl.col(Col.IN_REPLY_TO).is_not_null())
        .select(Col.IN_REPLY_TO, Col.FROM_PARTY, ORDER_AT, Col.ID)
        .join(senders.unique(Col.IN_REPLY_TO, keep="first"), on=Col.IN_REPLY_TO)
        .filter(pl.col(Col.FROM_PARTY) != pl.col("_to"))
        .sort(ORDER_AT, Col.ID, nulls_last=True)
        .group_by(Col.IN_REPLY_TO, maintain_order=True)
        .first()
        .select(pl.col(Col.IN_REPLY_TO).alias(Col.ID), pl.col(Col.FROM_PARTY).alias("_replier"))
    )
    joined = frame.select(_ROW, Col.ID).join(replies, on=Col.ID, how="left")
    return joined.sort(_ROW)["_replier"]


def _first_addressed_in_thread(frame: pl.DataFrame) -> pl.Series:
    """The sender of the first later record in this one's thread addressed to this one's sender."""
    empty = pl.Series("_answerer", [None] * frame.height, dtype=pl.String)
    if not frame[FROM_THREAD].any():
        return empty
    timed = pl.col(ORDER_AT).is_not_null() & pl.col(Col.THREAD).is_not_null()
    asking = frame.filter(timed & pl.col(FROM_THREAD)).select(
        _ROW, Col.THREAD, pl.col(Col.FROM_PARTY).alias("_party"), ORDER_AT
    )
    answers = frame.filter(timed & pl.col(Col.TO_PARTY).is_not_null()).select(
        Col.THREAD,
        pl.col(Col.TO_PARTY).alias("_party"),
        pl.col(Col.FROM_PARTY).alias("_answerer"),
        ORDER_AT,
    )
    if asking.is_empty() or answers.is_empty():
        return empty
    found = asking.sort(ORDER_AT).join_asof(
        answers.sort(ORDER_AT),
        check_sortedness=False,  # sorted by time overall, hence within each group
        on=ORDER_AT,
        by=[Col.THREAD, "_party"],
        strategy="forward",
        allow_exact_matches=False,
    )
    joined = frame.select(_ROW).join(found.select(_ROW, "_answerer"), on=_ROW, how="left")
    return joined.sort(_ROW)["_answerer"]
