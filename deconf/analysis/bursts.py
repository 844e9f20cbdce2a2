"""Bursts of attempts: calls from one party to another less than an hour apart. The report's
findings and its close-up chart both tell the story of the worst one, so it is found here once."""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from deconf.analysis.columns import A, Status
from deconf.frames import Col

BURST_GAP = timedelta(hours=1)
_BURST = "_burst"


def worst_burst(attempts: pl.DataFrame) -> pl.DataFrame | None:
    """The burst of attempts (same pair, less than BURST_GAP apart) with the most attempts that
    got no answer of their own; None when every attempt was answered."""
    bursts = attempts.sort(Col.FROM_PARTY, Col.TO_PARTY, Col.SENT_AT, A.ATTEMPT_ID).with_columns(
        (
            (pl.col(Col.SENT_AT).diff().over(Col.FROM_PARTY, Col.TO_PARTY) > BURST_GAP)
            .fill_null(True)
            .cum_sum()
        ).alias(_BURST)
    )
    ranked = (
        bursts.group_by(_BURST)
        .agg(
            (pl.col(A.STATUS) != Status.ANSWERED).sum().alias("_without"),
            pl.col(Col.SENT_AT).min().alias("_first"),
        )
        .filter(pl.col("_without") > 0)
        .sort(["_without", "_first"], descending=[True, False])
    )
    if ranked.is_empty():
        return None
    return (
        bursts.filter(pl.col(_BURST) == ranked[_BURST][0])
        .drop(_BURST)
        .sort(Col.SENT_AT, A.ATTEMPT_ID)
    )
