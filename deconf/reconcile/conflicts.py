"""Conflicts: where sources that logged the same contact give different accounts of it."""

from __future__ import annotations

import polars as pl

from deconf.frames import Col
from deconf.reconcile.columns import GROUP, STAGE, ConflictType, R


def conflicts_of(members: pl.DataFrame) -> pl.DataFrame:
    """One row per (GROUP, type) for every contact logged by several sources whose accounts
    differ: in outcome, in kind (within its class), or in time beyond the tolerance."""
    shared = members.filter(pl.len().over(GROUP) > 1)
    per_group = shared.group_by(GROUP).agg(
        (pl.col(Col.ATTEMPT_OUTCOME).n_unique() > 1).alias(ConflictType.OUTCOME.value),
        (pl.col(Col.KIND).n_unique() > 1).alias(ConflictType.KIND.value),
        (pl.col(STAGE).max() > 1).alias(ConflictType.TIME.value),
    )
    order = {t.value: i for i, t in enumerate(ConflictType)}
    return (
        per_group.unpivot(index=GROUP, variable_name=R.TYPE, value_name="_differs")
        .filter("_differs")
        .select(GROUP, R.TYPE)
        .sort(GROUP, pl.col(R.TYPE).replace_strict(order, return_dtype=pl.UInt8))
    )
