"""Statistics over episodes per responder, initiator, channel, precedence, kind or overall (§3.1).

Groups take the episode's first attempt's fields. Kaplan–Meier figures treat unanswered episodes
as censored at the as-of time; answered-only figures are reported beside them, labelled as such,
because they are what other tools report and are biased low when many attempts go unanswered.
"""

from __future__ import annotations

import polars as pl

from deconf.analysis.columns import A, Status
from deconf.analysis.survival import DURATION, GROUP, OBSERVED, km_summary
from deconf.frames import Col
from deconf.policy import Policy

ALL = "all"
GROUPINGS = (Col.TO_PARTY, Col.FROM_PARTY, Col.CHANNEL, Col.PRECEDENCE, Col.KIND, ALL)
WITHIN = {
    "share_answered_5m": 300.0,
    "share_answered_15m": 900.0,
    "share_answered_1h": 3600.0,
    "share_answered_24h": 86400.0,
}
REPEATED_FAILURE_STREAK = 3

COLUMNS = (
    A.GROUP,
    "attempts",
    "episodes",
    "answered_episodes",
    "unanswered_episodes",
    "km_median_seconds",
    "km_median_reached",
    "km_longest_followup_seconds",
    "km_p90_seconds",
    *WITHIN,
    "rmst_seconds",
    "rmst_horizon_seconds",
    "answered_median_seconds",
    "answered_p90_seconds",
    "answered_max_seconds",
    "breaches",
    "longest_retry_streak",
    "repeated_failure_streaks",
    "longest_owed_silence_seconds",
)


def _group_expression(by: str) -> pl.Expr:
    if by == ALL:
        return pl.lit(ALL).alias(GROUP)
    if by not in GROUPINGS:
        raise ValueError(f"cannot group by {by!r}; choose one of {', '.join(GROUPINGS)}")
    return pl.col(by).cast(pl.String).alias(GROUP)


def statistics(
    episodes: pl.DataFrame,
    silences: pl.DataFrame,
    policy: Policy,
    by: str,
) -> pl.DataFrame:
    """One row per group with the §3.1 figures (schema: COLUMNS)."""
    grouped = episodes.with_columns(_group_expression(by))
    answered = pl.col(A.STATUS) == Status.ANSWERED
    gap = pl.col(A.GAP_SECONDS)
    counts = grouped.group_by(GROUP).agg(
        pl.col(A.RETRY_STREAK).sum().alias("attempts"),
        pl.len().alias("episodes"),
        answered.sum().alias("answered_episodes"),
        (~answered).sum().alias("unanswered_episodes"),
        gap.filter(answered).median().alias("answered_median_seconds"),
        gap.filter(answered).quantile(0.9, interpolation="linear").alias("answered_p90_seconds"),
        gap.filter(answered).max().alias("answered_max_seconds"),
        pl.col(A.BREACHES).sum().alias("breaches"),
        pl.col(A.RETRY_STREAK).max().alias("longest_retry_streak"),
        (pl.col(A.RETRY_STREAK) >= REPEATED_FAILURE_STREAK).sum().alias("repeated_failure_streaks"),
    )
    samples = grouped.select(
        GROUP,
        pl.coalesce(A.GAP_SECONDS, A.OPEN_SECONDS).alias(DURATION),
        answered.alias(OBSERVED),
    )
    horizon = policy.horizon.total_seconds()
    km = km_summary(samples, WITHIN, horizon)
    silence = (
        silences.join(grouped.select(A.EPISODE_ID, GROUP), on=A.EPISODE_ID)
        .group_by(GROUP)
        .agg(pl.col(A.SECONDS).max().alias("longest_owed_silence_seconds"))
    )
    return (
        counts.join(km, on=GROUP, how="left")
        .join(silence, on=GROUP, how="left")
        .with_columns(
            pl.col("km_median_seconds").is_not_null().alias("km_median_reached"),
            pl.lit(horizon).alias("rmst_horizon_seconds"),
        )
        .rename({GROUP: A.GROUP})
        .select(COLUMNS)
        .sort(A.GROUP)
    )
