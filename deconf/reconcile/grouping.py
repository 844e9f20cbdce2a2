"""Which records are accounts of one contact: each source's contacts matched against every
contact the sources before it logged, in passes from the surest pairing to the loosest.

A contact as all sources saw it is a *group*, named by the row of its first account; a record
matched only within the time-conflict window is marked stage 2 (a time conflict).
"""

from __future__ import annotations

import polars as pl

from deconf.reconcile.columns import GROUP, KEY, ROW, SAME, SRC, STAGE, US
from deconf.reconcile.matching import match

#: Matching widens in steps (shares of the tolerance). At each step identical accounts are
#: matched up to that distance and conflicting ones (another outcome or kind) up to that distance
#: less a penalty: a pair that disagrees must be closer in time to win over one that agrees.
STEPS = tuple(i / 20 for i in range(1, 21))
CONFLICT_PENALTY = 0.2
#: Conflicting accounts further apart than this share (less the penalty) are tried only after
#: the same account at a conflicting time.
CONFLICTS_BEFORE_TIME = 0.3


def _passes(tolerance: int, window: int) -> list[tuple[str, int, int]]:
    """(key, reach in µs, stage) of each matching pass, in order."""
    passes = []
    for step in STEPS:
        if CONFLICT_PENALTY < step <= CONFLICTS_BEFORE_TIME:
            passes.append((KEY, round((step - CONFLICT_PENALTY) * tolerance), 1))
        passes.append((SAME, round(step * tolerance), 1))
    passes.append((SAME, window, 2))  # the same account at a conflicting time
    passes.append((KEY, tolerance, 1))  # conflicting accounts anywhere within the tolerance
    return passes


def accounts_of(contacts: pl.DataFrame, count: int, tolerance: int, window: int) -> pl.DataFrame:
    """(GROUP, ROW, SRC, STAGE) of every contact: which contact, as all sources saw it, each
    record is an account of. A group is named by the row of its first account.

    Each source is matched against the groups so far in passes that widen step by step (see
    STEPS), then identical accounts within the time-conflict window (time conflicts), then any
    accounts of the same kind class within the tolerance."""
    first = contacts.filter(pl.col(SRC) == 0)
    groups = first.select(pl.col(ROW).alias(GROUP), KEY, SAME, US)
    parts = [first.select(pl.col(ROW).alias(GROUP), ROW, SRC, pl.lit(1, pl.UInt8).alias(STAGE))]
    for k in range(1, count):
        left = groups
        right = contacts.filter(pl.col(SRC) == k).select(ROW, KEY, SAME, US)
        for key, reach, stage in _passes(tolerance, window):
            pairs = match(left, right, reach, key)
            if pairs.is_empty():
                continue
            parts.append(
                pairs.select(
                    GROUP,
                    ROW,
                    pl.lit(k, pl.UInt16).alias(SRC),
                    pl.lit(stage, pl.UInt8).alias(STAGE),
                )
            )
            left = left.join(pairs.select(GROUP), on=GROUP, how="anti")
            right = right.join(pairs.select(ROW), on=ROW, how="anti")
        parts.append(
            right.select(
                pl.col(ROW).alias(GROUP),
                ROW,
                pl.lit(k, pl.UInt16).alias(SRC),
                pl.lit(1, pl.UInt8).alias(STAGE),
            )
        )
        groups = pl.concat([groups, right.select(pl.col(ROW).alias(GROUP), KEY, SAME, US)])
    return pl.concat(parts)
