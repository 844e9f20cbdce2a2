"""Conflicts: where sources that logged the same contact give different accounts of it."""

from __future__ import annotations

import polars as pl

from deconf.frames import Col
from deconf.reconcile.columns import GROUP, STAGE, ConflictType, R

_ORDER = {t.value: i for i, t in enumerate(ConflictType)}


def conflicts_of(members: pl.DataFrame) -> pl.DataFrame:
    """One row per (GROUP, type) for every contact logged by several sources whose accounts
    differ: in outcome, in kind (within its class), or in time beyond the tolerance (matched
    only within the time-conflict window, STAGE 2). Accounts of a contact are compared with the
    next one: if any two differ, some neighbours do."""
    ordered = members.select(GROUP, STAGE, Col.ATTEMPT_OUTCOME, Col.KIND).sort(GROUP)
    same_contact = pl.col(GROUP) == pl.col(GROUP).shift()

    def differs(column: str) -> pl.Expr:
        return same_contact & (pl.col(column) != pl.col(column).shift())

    found = ordered.select(
        GROUP,
        differs(Col.ATTEMPT_OUTCOME).alias(ConflictType.OUTCOME.value),
        differs(Col.KIND).alias(ConflictType.KIND.value),
        (pl.col(STAGE) > 1).alias(ConflictType.TIME.value),
    )
    return (
        found.filter(pl.any_horizontal(t.value for t in ConflictType))
        .unpivot(index=GROUP, variable_name=R.TYPE, value_name="_differs")
        .filter("_differs")
        .select(GROUP, R.TYPE)
        .unique()
        .sort(GROUP, pl.col(R.TYPE).replace_strict(_ORDER, return_dtype=pl.UInt8))
    )
