"""How firm a figure is (SPEC §3.2): the interval a recorded time stands for, the bounds of a
wait between two such times, and whether a breach holds on every reading of them or only some.

A time written to the `second` stands for itself; to the `minute`, for [t, t + 60 s); to the
`day`, for that whole UTC day; `approximate`, for t ± the policy's half-width. The point figures
keep using the times as written; the bounds say how far the truth may lie from them.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from deconf.analysis.columns import BreachCertainty
from deconf.vocabulary import Certainty, TimePrecision

#: From firmest to weakest: what a figure resting on several records is worth.
CERTAINTY_ORDER = (Certainty.REPORTED, Certainty.INFERRED, Certainty.DISPUTED)
PRECISION_ORDER = (
    TimePrecision.SECOND,
    TimePrecision.MINUTE,
    TimePrecision.APPROXIMATE,
    TimePrecision.DAY,
)

_DAY = timedelta(days=1)
_MINUTE = timedelta(minutes=1)


def earliest(time: pl.Expr, precision: pl.Expr, approximate: timedelta) -> pl.Expr:
    """The earliest moment a time recorded with `precision` may stand for. (The precision is
    compared as it comes, an Enum: no strings made for the comparison.)"""
    return (
        pl.when(precision == TimePrecision.DAY.value)
        .then(time.dt.truncate("1d"))
        .when(precision == TimePrecision.APPROXIMATE.value)
        .then(time - approximate)
        .otherwise(time)
    )


def latest(time: pl.Expr, precision: pl.Expr, approximate: timedelta) -> pl.Expr:
    """The latest moment (the interval's upper end) a recorded time may stand for."""
    return (
        pl.when(precision == TimePrecision.DAY.value)
        .then(time.dt.truncate("1d") + _DAY)
        .when(precision == TimePrecision.MINUTE.value)
        .then(time + _MINUTE)
        .when(precision == TimePrecision.APPROXIMATE.value)
        .then(time + approximate)
        .otherwise(time)
    )


def seconds_at_least_zero(later: pl.Expr, earlier: pl.Expr) -> pl.Expr:
    """Seconds from `earlier` to `later`, never below 0 (a wait cannot be negative)."""
    return ((later - earlier).dt.total_microseconds() / 1_000_000).clip(lower_bound=0.0)


#: How firm a breach is, as a rank: the firmest of several attempts' is the largest.
NO_BREACH, POSSIBLE_BREACH, CERTAIN_BREACH = 0, 1, 2


def breach_rank(
    until_lo: pl.Expr, until_hi: pl.Expr, deadline_lo: pl.Expr, deadline_hi: pl.Expr
) -> pl.Expr:
    """CERTAIN_BREACH when the wait ends after the deadline on every reading, POSSIBLE_BREACH
    when on some, NO_BREACH when on none. Both the wait's end and the deadline are intervals."""
    return (
        pl.when(until_lo > deadline_hi)
        .then(pl.lit(CERTAIN_BREACH, dtype=pl.Int8))
        .when(until_hi > deadline_lo)
        .then(pl.lit(POSSIBLE_BREACH, dtype=pl.Int8))
        .otherwise(pl.lit(NO_BREACH, dtype=pl.Int8))
    )


def breach_named(rank: pl.Expr) -> pl.Expr:
    """`certain`, `possible` or null, from a breach rank."""
    return rank.replace_strict(
        {CERTAIN_BREACH: BreachCertainty.CERTAIN, POSSIBLE_BREACH: BreachCertainty.POSSIBLE},
        default=None,
        return_dtype=pl.String,
    )


def _rank(value: pl.Expr, order: tuple) -> pl.Expr:
    return value.cast(pl.String).replace_strict(
        {level.value: rank for rank, level in enumerate(order)}, default=0, return_dtype=pl.Int8
    )


def certainty_rank(certainty: pl.Expr) -> pl.Expr:
    """0 reported (or absent), 1 inferred, 2 disputed."""
    return _rank(certainty.fill_null(Certainty.REPORTED.value), CERTAINTY_ORDER)


def precision_rank(precision: pl.Expr) -> pl.Expr:
    """0 second (or absent), 1 minute, 2 approximate, 3 day."""
    return _rank(precision.fill_null(TimePrecision.SECOND.value), PRECISION_ORDER)


def _named(ranks: list[pl.Expr], order: tuple) -> pl.Expr:
    worst = pl.max_horizontal(ranks)
    return worst.replace_strict(
        {rank: level.value for rank, level in enumerate(order)}, return_dtype=pl.String
    )


def certainty_named(rank: pl.Expr) -> pl.Expr:
    """The certainty a rank from `certainty_rank` stands for."""
    return _named([rank], CERTAINTY_ORDER)


def precision_named(rank: pl.Expr) -> pl.Expr:
    """The time precision a rank from `precision_rank` stands for."""
    return _named([rank], PRECISION_ORDER)


def weakest_among(certainty: pl.Expr) -> pl.Expr:
    """Aggregate: the weakest certainty in a group (an episode's or an exchange's attempts)."""
    return _named([certainty_rank(certainty).max()], CERTAINTY_ORDER)


def coarsest_among(precision: pl.Expr) -> pl.Expr:
    """Aggregate: the coarsest time precision in a group."""
    return _named([precision_rank(precision).max()], PRECISION_ORDER)
