"""Kaplan–Meier estimate of the episode gap, with unanswered episodes right-censored, in Polars.

S(t) = Π_{t_j ≤ t} (1 − d_j / n_j): n_j episodes still unanswered just before t_j (censored ones
at t_j count as at risk), d_j answered at t_j. Everything is computed from a risk table — per
group and distinct duration, how many were answered and how many censored there — and risk
tables of disjoint partitions add up (`add_risk_tables`), so the estimate over a whole log equals
the estimate over risk tables summed from its parts, wherever each part was counted.
Median = first t with S(t) ≤ 0.5, "not reached" otherwise (never a made-up number);
p90 = first t with S(t) ≤ 0.1; share answered within x is 1 − S(x); restricted mean to
τ = ∫₀^τ S(t) dt (S held at its last value after the last follow-up). A share or a restricted
mean reaching past the longest follow-up is not estimated (§3.2): shares there are null, and the
mean stops at the longest follow-up. Shares are rounded to 12 decimals so that 1 − 0.8 reads 0.2.
"""

from __future__ import annotations

import polars as pl

from deconf.analysis.columns import S

GROUP = "_group"
DURATION = "_duration"
OBSERVED = "_observed"
SURVIVAL = "_survival"
_EPSILON = 1e-12  # S is a product of fractions; 0.5 must compare as 0.5


ANSWERED = "_answered"
CENSORED = "_censored"


def risk_table(samples: pl.DataFrame) -> pl.DataFrame:
    """Per group and distinct duration: answered and censored counts. Input: GROUP, DURATION
    (seconds), OBSERVED (answered)."""
    return samples.group_by(GROUP, DURATION).agg(
        pl.col(OBSERVED).sum().cast(pl.Int64).alias(ANSWERED),
        (~pl.col(OBSERVED)).sum().cast(pl.Int64).alias(CENSORED),
    )


def add_risk_tables(tables: list[pl.DataFrame]) -> pl.DataFrame:
    """The risk table of the union of disjoint partitions: counts summed per group and time."""
    return (
        pl.concat(tables)
        .group_by(GROUP, DURATION)
        .agg(pl.col(ANSWERED).sum(), pl.col(CENSORED).sum())
    )


def km_curve(risk: pl.DataFrame) -> pl.DataFrame:
    """Per group and distinct duration: at risk, answered, censored, S(t), from a risk table."""
    steps = risk.sort(GROUP, DURATION)
    leaving = pl.col(ANSWERED) + pl.col(CENSORED)
    steps = steps.with_columns(
        (leaving.sum().over(GROUP) - leaving.cum_sum().over(GROUP) + leaving).alias("_at_risk")
    )
    return steps.with_columns(
        (1 - pl.col(ANSWERED) / pl.col("_at_risk")).cum_prod().over(GROUP).alias(SURVIVAL)
    )


def _first_time_below(curve: pl.DataFrame, level: float, name: str) -> pl.DataFrame:
    return (
        curve.filter((pl.col(ANSWERED) > 0) & (pl.col(SURVIVAL) <= level + _EPSILON))
        .group_by(GROUP)
        .agg(pl.col(DURATION).min().alias(name))
    )


def km_summary(risk: pl.DataFrame, within: dict[str, float], horizon: float) -> pl.DataFrame:
    """Per group, from a risk table: KM median and p90 (null when not reached), shares answered
    within each named threshold (null when not estimable), restricted mean up to min(horizon,
    longest follow-up) and that horizon, and the longest follow-up."""
    curve = km_curve(risk)
    groups = risk.group_by(GROUP).agg(pl.col(DURATION).max().alias(S.KM_LONGEST_FOLLOWUP))
    median = _first_time_below(curve, 0.5, S.KM_MEDIAN)
    p90 = _first_time_below(curve, 0.1, S.KM_P90)
    result = groups.join(median, on=GROUP, how="left").join(p90, on=GROUP, how="left")
    for name, seconds in within.items():
        result = result.join(_share(curve, name, seconds), on=GROUP, how="left")
    bounded = groups.select(
        GROUP,
        pl.col(S.KM_LONGEST_FOLLOWUP).clip(upper_bound=horizon).alias(S.RMST_HORIZON),
    )
    return result.join(_rmst(curve, bounded), on=GROUP, how="left").join(
        bounded, on=GROUP, how="left"
    )


def _share(curve: pl.DataFrame, name: str, seconds: float) -> pl.DataFrame:
    """1 − S(h), only where it is estimable (§3.2): some episode of the group was followed for at
    least h (answered or censored at or after h), or S already reached 0 before h. Otherwise
    null: nothing says how many would have been answered by then."""
    return curve.group_by(GROUP).agg(
        pl.when(
            (pl.col(DURATION).max() >= seconds)
            | (pl.col(SURVIVAL).filter(pl.col(DURATION) <= seconds).min() <= _EPSILON)
        )
        .then((1 - pl.col(SURVIVAL).filter(pl.col(DURATION) <= seconds).last()).fill_null(0.0))
        .round(12)
        .alias(name)
    )


def _rmst(curve: pl.DataFrame, horizons: pl.DataFrame) -> pl.DataFrame:
    """∫₀^τ S(t) dt per group, τ the group's own horizon (S is a step function)."""
    tau = pl.col(S.RMST_HORIZON)
    previous_t = pl.col(DURATION).shift(1, fill_value=0.0).over(GROUP)
    previous_s = pl.col(SURVIVAL).shift(1, fill_value=1.0).over(GROUP)
    pieces = curve.join(horizons, on=GROUP).with_columns(
        (
            (pl.min_horizontal(DURATION, tau) - pl.min_horizontal(previous_t, tau)) * previous_s
        ).alias("_piece")
    )
    return (
        pieces.group_by(GROUP, maintain_order=True)
        .agg(
            pl.col("_piece").sum().alias("_area"),
            pl.col(DURATION).last().alias("_last_t"),
            pl.col(SURVIVAL).last().alias("_last_s"),
            tau.first().alias("_tau"),
        )
        .select(
            GROUP,
            (
                pl.col("_area")
                + pl.col("_last_s") * (pl.col("_tau") - pl.col("_last_t")).clip(lower_bound=0)
            ).alias(S.RMST),
        )
    )
