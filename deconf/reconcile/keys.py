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
KIND_CLASS_COLUMN = "_class"


def all_contacts(parts: list[Records]) -> pl.DataFrame:
    """Every source's contacts in one frame with its source index, a row number, the matching
    key, the unordered pair and the time as logged (integer µs)."""
    frame = pl.concat(
        [
            p.contacts.with_columns(pl.lit(i, dtype=pl.UInt16).alias(SRC))
            for i, p in enumerate(parts)
        ]
    ).with_row_index(ROW)
    low = pl.min_horizontal(Col.FROM_PARTY, Col.TO_PARTY)
    high = pl.max_horizontal(Col.FROM_PARTY, Col.TO_PARTY)
    kind_class = pl.col(Col.KIND).cast(pl.String).replace_strict(KIND_CLASS, return_dtype=pl.String)
    return frame.with_columns(
        kind_class.alias(KIND_CLASS_COLUMN),
        pl.struct(low.alias("_low"), high.alias("_high")).rank("dense").cast(pl.UInt32).alias(PAIR),
        pl.col(Col.SENT_AT).dt.epoch("us").alias(US),
    ).with_columns(
        pl.struct(Col.FROM_PARTY, Col.TO_PARTY, KIND_CLASS_COLUMN)
        .rank("dense")
        .cast(pl.UInt32)
        .alias(KEY),
        pl.struct(Col.FROM_PARTY, Col.TO_PARTY, Col.KIND, Col.ATTEMPT_OUTCOME, Col.CHANNEL)
        .rank("dense")
        .cast(pl.UInt32)
        .alias(SAME),
    )
