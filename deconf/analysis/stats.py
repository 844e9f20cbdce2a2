"""Statistics over episodes per responder, initiator, channel, precedence, kind or overall (§3.1).

Groups take the episode's first attempt's fields. Kaplan–Meier figures treat unanswered episodes
as censored at the as-of time; answered-only figures are reported beside them, labelled as such,
because they are what other tools report and are biased low when many attempts go unanswered.

Every figure is reduced from parts that add up: `statistics_part` takes the episodes and silences
of any subset of party pairs (an episode and its silences belong to one pair) to counts, maxima
and a risk table per group; `reduce_statistics` sums the parts of disjoint subsets and derives the
figures. Whole-log statistics are the reduction of one part, so a log split by pair over a
cluster's workers gives the same figures (tests/test_partitions.py holds that on random logs).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from deconf.analysis.columns import REPEATED_FAILURE_STREAK, A, S, Status
from deconf.analysis.survival import (
    ANSWERED,
    DURATION,
    GROUP,
    OBSERVED,
    add_risk_tables,
    km_summary,
    risk_table,
)
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


@dataclass(frozen=True)
class StatisticsPart:
    """The statistics of some party pairs in a form that adds up with other pairs' parts."""

    by: str
    counts: pl.DataFrame  # per group: sums and maxima of episode figures
    risk: pl.DataFrame  # per group and duration: answered and censored episodes
    silence: pl.DataFrame  # per group: the longest owed silence


_SUMMED = (
    S.ATTEMPTS,
    S.EPISODES,
    S.ANSWERED_EPISODES,
    S.UNANSWERED_EPISODES,
    S.BREACHES,
    S.BREACHES_CERTAIN,
    S.BREACHES_POSSIBLE,
    S.REPEATED_FAILURE_STREAKS,
)


def statistics_part(episodes: pl.DataFrame, silences: pl.DataFrame, by: str) -> StatisticsPart:
    """The part of the statistics that the given episodes and their silences contribute."""
    grouped = episodes.with_columns(_group_expression(by))
    answered = pl.col(A.STATUS) == Status.ANSWERED
    counts = grouped.group_by(GROUP).agg(
        pl.col(A.RETRY_STREAK).sum().alias(S.ATTEMPTS),
        pl.len().alias(S.EPISODES),
        answered.sum().alias(S.ANSWERED_EPISODES),
        (~answered).sum().alias(S.UNANSWERED_EPISODES),
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
    silence = (
        silences.join(grouped.select(A.EPISODE_ID, GROUP), on=A.EPISODE_ID)
        .group_by(GROUP)
        .agg(pl.col(A.SECONDS).max().alias(S.LONGEST_OWED_SILENCE))
    )
    return StatisticsPart(by, counts, risk_table(samples), silence)


def reduce_statistics(parts: list[StatisticsPart], policy: Policy) -> pl.DataFrame:
    """One row per group with the §3.1 figures (schema: COLUMNS), from parts of disjoint pairs."""
    if not parts:
        raise ValueError("no statistics parts to reduce")
    by = {part.by for part in parts}
    if len(by) != 1:
        raise ValueError(f"statistics parts grouped differently: {sorted(by)}")
    counts = (
        pl.concat([part.counts for part in parts])
        .group_by(GROUP)
        .agg(
            *(pl.col(name).sum() for name in _SUMMED),
            pl.col(S.LONGEST_RETRY_STREAK).max(),
        )
    )
    risk = add_risk_tables([part.risk for part in parts])
    gaps = (  # every answered episode's gap, as many times as it occurs
        risk.filter(pl.col(ANSWERED) > 0)
        .select(GROUP, pl.col(DURATION).repeat_by(ANSWERED))
        .explode(DURATION)
        .group_by(GROUP)
        .agg(
            pl.col(DURATION).median().alias(S.ANSWERED_MEDIAN),
            pl.col(DURATION).quantile(0.9, interpolation="linear").alias(S.ANSWERED_P90),
            pl.col(DURATION).max().alias(S.ANSWERED_MAX),
        )
    )
    horizon = policy.horizon.total_seconds()
    km = km_summary(risk, WITHIN, horizon)
    silence = (
        pl.concat([part.silence for part in parts])
        .group_by(GROUP)
        .agg(pl.col(S.LONGEST_OWED_SILENCE).max())
    )
    return (
        counts.join(gaps, on=GROUP, how="left")
        .join(km, on=GROUP, how="left")
        .join(silence, on=GROUP, how="left")
        .with_columns(pl.col(S.KM_MEDIAN).is_not_null().alias(S.KM_MEDIAN_REACHED))
        .rename({GROUP: S.GROUP})
        .select(COLUMNS)
        .sort(S.GROUP)
    )


def statistics(
    episodes: pl.DataFrame,
    silences: pl.DataFrame,
    policy: Policy,
    by: str,
) -> pl.DataFrame:
    """One row per group with the §3.1 figures (schema: COLUMNS)."""
    return reduce_statistics([statistics_part(episodes, silences, by)], policy)
