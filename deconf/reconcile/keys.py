"""What makes two sources' records comparable: the pair of parties, the direction and the kind
class (an attempt is matched with an attempt, an answer with an answer), as integer keys; and,
within that, what makes two accounts identical (the same kind, outcome and channel too), which
matching tries first so that a burst of retries pairs like with like.

All sources' contacts go into one frame first, so that a key means the same pair in every source.
"""

from __future__ import annotations

import polars as pl

from deconf.frames import Col, Records
from deconf.reconcile.columns import KEY, PAIR, ROW, SAME, SRC, US
from deconf.vocabulary import (
    ACKNOWLEDGEMENT_KINDS,
    EXPECTS_RESPONSE_KINDS,
    SUBSTANTIVE_KINDS,
    ContactKind,
)

ATTEMPT, ANSWER, OTHER = "attempt", "answer", "other"
#: The kind class of every contact kind: what a record may be matched with.
KIND_CLASS = {
    kind.value: ATTEMPT
    if kind in EXPECTS_RESPONSE_KINDS
    else ANSWER
    if kind in ACKNOWLEDGEMENT_KINDS | SUBSTANTIVE_KINDS
    else OTHER
    for kind in ContactKind
}


def _code(expression: pl.Expr) -> pl.Expr:
    return expression.to_physical().cast(pl.UInt64)


def all_contacts(parts: list[Records]) -> pl.DataFrame:
    """Every source's contacts in one frame with its source index, a row number, the matching
    keys, the unordered pair and the time as logged (integer µs). Keys are exact integer codes:
    parties are numbered through an Enum of the parties present, enums by their own codes."""
    frame = pl.concat(
        [
            p.contacts.with_columns(pl.lit(i, dtype=pl.UInt16).alias(SRC))
            for i, p in enumerate(parts)
        ]
    ).with_row_index(ROW)
    parties = pl.concat([frame[Col.FROM_PARTY], frame[Col.TO_PARTY]]).unique().sort()
    party = pl.Enum(parties.to_list())
    count = parties.len()
    sender = _code(pl.col(Col.FROM_PARTY).cast(party))
    receiver = _code(pl.col(Col.TO_PARTY).cast(party))
    classes = {name: i for i, name in enumerate((ATTEMPT, ANSWER, OTHER))}
    kind_class = (
        pl.col(Col.KIND)
        .cast(pl.String)
        .replace_strict(
            {kind: classes[c] for kind, c in KIND_CLASS.items()}, return_dtype=pl.UInt64
        )
    )
    directed = sender * count + receiver
    same = directed
    for column in (Col.KIND, Col.ATTEMPT_OUTCOME, Col.CHANNEL):
        same = same * len(frame.schema[column].categories) + _code(pl.col(column))
    return frame.with_columns(
        (pl.min_horizontal(sender, receiver) * count + pl.max_horizontal(sender, receiver)).alias(
            PAIR
        ),
        (directed * len(classes) + kind_class).alias(KEY),
        same.alias(SAME),
        pl.col(Col.SENT_AT).dt.epoch("us").alias(US),
    )
