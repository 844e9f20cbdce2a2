"""Bursts of attempts: calls from one party to another less than an hour apart. The report's
findings and its close-up chart both tell the story of the worst one, so it is found here once.

A burst worth telling has at least two attempts over a non-zero span (one call is not a burst,
and a close-up of a single instant shows nothing); the worst is the one with the most attempts
never answered, then the most without an answer of their own, then the earliest."""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from deconf.analysis.columns import A, Status
from deconf.frames import Col, in_record_order_sorted

BURST_GAP = timedelta(hours=1)
_BURST = "_burst"
_ROW = "_row"


def worst_burst(attempts: pl.DataFrame) -> pl.DataFrame | None:
    """The worst burst of attempts (same pair, less than BURST_GAP apart); None when no burst of
    two or more attempts over a non-zero span left any attempt without its own answer. Bursts
    are found on the few columns they need; the burst's own rows are taken from `attempts`."""
    attempts = in_record_order_sorted(attempts, Col.SENT_AT, A.ATTEMPT_ID)
    pair = (Col.FROM_PARTY, Col.TO_PARTY)
    # in time order, a pair's attempts more than BURST_GAP after the previous one start a burst
    starts = (pl.col(Col.SENT_AT).diff().over(pair) > BURST_GAP).fill_null(True)
    bursts = attempts.select(
        *pair, Col.SENT_AT, A.STATUS, starts.cum_sum().over(pair).alias(_BURST)
    ).with_row_index(_ROW)
    ranked = (
        bursts.group_by(*pair, _BURST)
        .agg(
            (pl.col(A.STATUS) == Status.UNANSWERED).sum().alias("_never"),
            (pl.col(A.STATUS) != Status.ANSWERED).sum().alias("_without"),
            pl.col(Col.SENT_AT).min().alias("_first"),
            pl.col(Col.SENT_AT).max().alias("_last"),
            pl.len().alias("_n"),
        )
        .filter(
            (pl.col("_without") > 0) & (pl.col("_n") >= 2) & (pl.col("_last") > pl.col("_first"))
        )
        .sort(["_never", "_without", "_first", *pair], descending=[True, True, False, False, False])
    )
    if ranked.is_empty():
        return None
    worst = ranked.row(0, named=True)
    chosen = pl.all_horizontal(pl.col(c) == worst[c] for c in (*pair, _BURST))
    return attempts[bursts.filter(chosen)[_ROW]]
