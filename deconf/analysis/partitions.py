"""The analysis by party pair: the unit that can be spread over processes or machines.

Every link, episode and silence lies between two parties: a reply to an A→B attempt comes from B
to A, an episode is a run of A→B attempts, a silence is B saying nothing to A while one is open.
So the records of each unordered pair {A, B} can be analyzed on their own (`analyze_pair`), the
results put together (`combine`) and the statistics reduced from per-pair parts
(`deconf.analysis.stats.statistics_part`), and the outcome is the whole log's analysis. Exchanges
are not split: a thread may join records of several pairs. Events are attached to silences once
the pairs are put together, as they belong to no pair.

Nothing here picks an engine: `deconf.engines` maps `analyze_pair` over a cluster's workers; a
test (tests/test_partitions.py) holds partition-wise results equal to the whole-data ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from deconf.analysis.columns import A
from deconf.analysis.linked import link
from deconf.analysis.silences import silence_intervals
from deconf.frames import Col
from deconf.policy import Policy

Pair = tuple[str, str]


def pairs_of(contacts: pl.DataFrame | pl.LazyFrame) -> list[Pair]:
    """The unordered party pairs with records, each as (lesser name, greater name), sorted."""
    low = pl.min_horizontal(pl.col(Col.FROM_PARTY), pl.col(Col.TO_PARTY)).alias("_low")
    high = pl.max_horizontal(pl.col(Col.FROM_PARTY), pl.col(Col.TO_PARTY)).alias("_high")
    frame = contacts.lazy().select(low, high).unique().sort("_low", "_high").collect()
    return list(frame.iter_rows())


def pair_where(pair: Pair) -> pl.Expr:
    """The records between the two parties, in either direction."""
    a, b = pair
    forth = (pl.col(Col.FROM_PARTY) == a) & (pl.col(Col.TO_PARTY) == b)
    back = (pl.col(Col.FROM_PARTY) == b) & (pl.col(Col.TO_PARTY) == a)
    return forth | back


def split_by_pair(contacts: pl.DataFrame) -> list[pl.DataFrame]:
    """The contacts cut into one frame per unordered pair, each in the original row order."""
    return [contacts.filter(pair_where(pair)) for pair in pairs_of(contacts)]


@dataclass(frozen=True)
class PairResult:
    """What the records of some pairs decide on their own: attempts, episodes and the silences
    without their events."""

    attempts: pl.DataFrame
    episodes: pl.DataFrame
    silences: pl.DataFrame


def analyze_pair(
    contacts: pl.DataFrame,
    policy: Policy,
    as_of: datetime,
    coverage: pl.DataFrame,
    *,
    for_statistics: bool = False,
) -> PairResult:
    """Attempts, episodes and silences of the contacts of one pair (or of any set of pairs).
    `coverage` is the whole log's (`coverage_of`): how far each source saw is not a pair's.
    `for_statistics`: only the columns the statistics read (`link`)."""
    linked = link(contacts, policy, as_of, coverage, for_statistics=for_statistics)
    return PairResult(linked.attempts, linked.episodes, silence_intervals(linked))


def combine(results: list[PairResult]) -> PairResult:
    """The results of disjoint pairs as one, in the order the whole-data analysis gives."""
    if not results:
        raise ValueError("no pair results to combine")
    return PairResult(
        pl.concat([r.attempts for r in results]).sort(Col.SENT_AT, A.ATTEMPT_ID),
        pl.concat([r.episodes for r in results]).sort(A.OPENED_AT, A.EPISODE_ID),
        pl.concat([r.silences for r in results]).sort(A.START, A.PARTY, A.OWED_TO, A.EPISODE_ID),
    )
