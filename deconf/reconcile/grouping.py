"""Which records are accounts of one contact: each source's contacts matched against every
contact the sources before it logged, in passes from the surest pairing to the loosest.

A contact as all sources saw it is a *group*, named by the row of its first account; a record
matched further apart than the tolerance is marked stage 2 (a time conflict).

Replies carry evidence that time alone does not: two replies that name, each in its own log, the
accounts of one contact answer the same thing. So the matching runs twice when replies name what
they answer: once without that evidence, to learn which contact each reply answers (its
*target*), then again with passes that pair replies answering the same contact before any other.
"""

from __future__ import annotations

import polars as pl

from deconf.frames import Col
from deconf.reconcile.columns import GROUP, KEY, ROW, SAME, SRC, STAGE, TARGET, US
from deconf.reconcile.matching import match

#: Matching widens in steps (shares of the tolerance). At each step identical accounts are
#: matched up to that distance and conflicting ones (another outcome or kind) up to that distance
#: less a penalty: a pair that disagrees must be closer in time to win over one that agrees.
#: A tenth of the tolerance (30 s at 5 min), not more: the next retry, a minute on, logged by the
#: other side alone, must not take the place of a retry's own account told differently 4 s away.
STEPS = tuple(i / 20 for i in range(1, 21))
CONFLICT_PENALTY = 0.1
#: Conflicting accounts further apart than this share (less the penalty) are tried only after
#: the same account at a conflicting time.
CONFLICTS_BEFORE_TIME = 0.2

#: A pass: the key columns that must be equal, how far apart in time (µs) records may be.
Pass = tuple[tuple[str, ...], int]
_GROUP_US = "_group_us"


def _passes(tolerance: int, window: int) -> list[Pass]:
    """The matching passes, in order (with TARGET added to each key, the same sequence pairs
    replies answering one contact first)."""
    passes: list[Pass] = []
    for step in STEPS:
        if CONFLICT_PENALTY < step <= CONFLICTS_BEFORE_TIME:
            passes.append(((KEY,), round((step - CONFLICT_PENALTY) * tolerance)))
        passes.append(((SAME,), round(step * tolerance)))
    passes.append(((SAME,), window))  # the same account at a conflicting time
    passes.append(((KEY,), tolerance))  # conflicting accounts anywhere within the tolerance
    # Passes on one key in a row are one pass to the last reach: matching is greedy by distance,
    # and taking the pairs within r1 first, then those within r2, is the same greedy order.
    return [
        p
        for p, after in zip(passes, [*passes[1:], None], strict=True)
        if not after or after[0] != p[0]
    ]


def accounts_of(contacts: pl.DataFrame, count: int, tolerance: int, window: int) -> pl.DataFrame:
    """(GROUP, ROW, SRC, STAGE) of every contact: which contact, as all sources saw it, each
    record is an account of. A group is named by the row of its first account.

    Records of different keys never meet, so the second round runs only on the keys where some
    reply names its target; elsewhere the first round stands."""
    narrow = contacts.select(ROW, SRC, KEY, SAME, US)
    members = _accounts(narrow, count, tolerance, window, replies=False)
    targets = reply_targets(contacts, members)
    if targets.is_empty():
        return members
    linked = narrow.join(targets, on=ROW, how="left")
    again = pl.col(KEY).is_in(linked.drop_nulls(TARGET)[KEY].unique().implode())
    second = _accounts(linked.filter(again), count, tolerance, window, replies=True)
    kept = members.join(narrow.filter(~again).select(ROW), on=ROW)
    return pl.concat([kept, second])


def reply_targets(contacts: pl.DataFrame, members: pl.DataFrame) -> pl.DataFrame:
    """(ROW, TARGET) of each reply whose target, in its own log, is an account of a contact
    several sources logged: the group of that contact. (Ids are unique within a validated log;
    a reply that would name two records names none.)"""
    shared = members.filter(pl.len().over(GROUP) > 1).select(ROW, GROUP)
    ids = shared.join(contacts.select(ROW, SRC, Col.ID), on=ROW).select(
        SRC, pl.col(Col.ID).alias(Col.IN_REPLY_TO), pl.col(GROUP).alias(TARGET)
    )
    return (
        contacts.select(ROW, SRC, Col.IN_REPLY_TO)
        .drop_nulls(Col.IN_REPLY_TO)
        .join(ids, on=[SRC, Col.IN_REPLY_TO])
        .select(ROW, TARGET)
        .unique(ROW, keep="none")
    )


def _accounts(
    contacts: pl.DataFrame, count: int, tolerance: int, window: int, replies: bool
) -> pl.DataFrame:
    """Each source matched against the groups so far in the passes of `_passes` (with
    `replies`, first on replies answering one contact); a pair further apart than the tolerance
    is a time conflict (stage 2)."""
    keys = [KEY, SAME, US] + ([TARGET] if replies else [])
    first = contacts.filter(pl.col(SRC) == 0)
    groups = first.select(pl.col(ROW).alias(GROUP), *keys)
    parts = [first.select(pl.col(ROW).alias(GROUP), ROW, SRC, pl.lit(1, pl.UInt8).alias(STAGE))]
    passes = _passes(tolerance, window)
    for k in range(1, count):
        left = groups
        right = contacts.filter(pl.col(SRC) == k).select(ROW, *keys)
        if replies:  # replies answering one contact first, on the replies alone
            linked = [((*key, TARGET), reach) for key, reach in passes]
            pairs = _run(left.drop_nulls(TARGET), right.drop_nulls(TARGET), linked, k, tolerance)
            parts.append(pairs)
            left = left.join(pairs.select(GROUP), on=GROUP, how="anti")
            right = right.join(pairs.select(ROW), on=ROW, how="anti")
        pairs = _run(left, right, passes, k, tolerance)
        parts.append(pairs)
        right = right.join(pairs.select(ROW), on=ROW, how="anti")
        parts.append(
            right.select(
                pl.col(ROW).alias(GROUP),
                ROW,
                pl.lit(k, pl.UInt16).alias(SRC),
                pl.lit(1, pl.UInt8).alias(STAGE),
            )
        )
        groups = pl.concat([groups, right.select(pl.col(ROW).alias(GROUP), *keys)])
    return pl.concat(parts)


def _run(
    left: pl.DataFrame, right: pl.DataFrame, passes: list[Pass], k: int, tolerance: int
) -> pl.DataFrame:
    """(GROUP, ROW, SRC, STAGE) of the pairs the passes make, in order, between the groups so
    far and source k's records."""
    found = []
    for key, reach in passes:
        pairs = match(left, right, reach, key)
        if pairs.is_empty():
            continue
        apart = (pl.col(US) - pl.col(_GROUP_US)).abs() > tolerance
        found.append(
            pairs.join(left.select(GROUP, pl.col(US).alias(_GROUP_US)), on=GROUP)
            .join(right.select(ROW, US), on=ROW)
            .select(
                GROUP,
                ROW,
                pl.lit(k, pl.UInt16).alias(SRC),
                pl.when(apart).then(2).otherwise(1).cast(pl.UInt8).alias(STAGE),
            )
        )
        left = left.join(pairs.select(GROUP), on=GROUP, how="anti")
        right = right.join(pairs.select(ROW), on=ROW, how="anti")
    schema = {GROUP: left.schema[GROUP], ROW: right.schema[ROW], SRC: pl.UInt16, STAGE: pl.UInt8}
    return pl.concat(found) if found else pl.DataFrame(schema=schema)
