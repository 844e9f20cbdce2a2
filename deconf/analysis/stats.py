"""Statistics over episodes per responder, initiator, channel, precedence, kind or overall (§3.1).

Groups take the episode's first attempt's fields. Kaplan–Meier figures treat unanswered episodes
as censored at the as-of time; answered-only figures are reported beside them, labelled as such,
because they are what other tools report and are biased low when many attempts go unanswered.
"""

from __future__ import annotations

import polars as pl

from deconf.analysis.columns import REPEATED_FAILURE_STREAK, A, S, Status
from deconf.analysis.survival import DURATION, GROUP, OBSERVED, km_summary
from deconf.frames import Col
from deconf.policy import Policy

ALL = "all"
GROUPINGS = (Col.TO_PARTY, Col.FROM_PARTY, Col.CHANNEL, Col.PRECEDENCE, Col.KIND, ALL)
WITHIN = {
    S.SHARE_5M: 300.0,
    S.SHARE_15M: 900.0,
    S.SHARE_1H: 3600.0,
    S.SHARE_24H: 86400.0,
}

COLUMNS = (
    S.GROUP,
    S.ATTEMPTS,
    S.EPISODES,
    S.ANSWERED_EPISODES,
    S.UNANSWERED_EPISODES,
    S.KM_MEDIAN,
    S.KM_MEDIAN_REACHED,
    S.KM_LONGEST_FOLLOWUP,
    S.KM_P90,
    *WITHIN,
    S.RMST,
    S.RMST_HORIZON,
    S.ANSWERED_MEDIAN,
    S.ANSWERED_P90,
    S.ANSWERED_MAX,
    S.BREACHES,
    S.BREACHES_CERTAIN,
    S.BREACHES_POSSIBLE,
    S.LONGEST_RETRY_STREAK,
    S.REPEATED_FAILURE_STREAKS,
    S.LONGEST_OWED_SILENCE,
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
        pl.col(A.RETRY_STREAK).sum().alias(S.ATTEMPTS),
        pl.len().alias(S.EPISODES),
        answered.sum().alias(S.ANSWERED_EPISODES),
        (~answered).sum().alias(S.UNANSWERED_EPISODES),
        gap.filter(answered).median().alias(S.ANSWERED_MEDIAN),
        gap.filter(answered).quantile(0.9, interpolation="linear").alias(S.ANSWERED_P90),
        gap.filter(answered).max().alias(S.ANSWERED_MAX),
        pl.col(A.BREACHES).sum().alias(S.BREACHES),
        pl.col(A.BREACHES_CERTAIN).sum().alias(S.BREACHES_CERTAIN),
        pl.col(A.BREACHES_POSSIBLE).sum().alias(S.BREACHES_POSSIBLE),
        pl.col(A.RETRY_STREAK).max().alias(S.LONGEST_RETRY_STREAK),
        (pl.col(A.RETRY_STREAK) >= REPEATED_FAILURE_STREAK).sum().alias(S.REPEATED_FAILURE_STREAKS),
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
        .agg(pl.col(A.SECONDS).max().alias(S.LONGEST_OWED_SILENCE))
    )
    return (
        counts.join(km, on=GROUP, how="left")
        .join(silence, on=GROUP, how="left")
        .with_columns(pl.col(S.KM_MEDIAN).is_not_null().alias(S.KM_MEDIAN_REACHED))
        .rename({GROUP: S.GROUP})
        .select(COLUMNS)
        .sort(S.GROUP)
    )
