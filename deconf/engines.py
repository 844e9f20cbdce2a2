"""Where the per-pair analysis runs: in this process (`local`), or mapped over the workers of a
Dask cluster (`dask`, `dask:ADDRESS`) that read the store's Parquet files themselves.

The analysis splits by unordered party pair (`deconf.analysis.partitions`): each worker reads the
records of one pair from the store (the filter is pushed down to the Parquet scan), links them
into attempts, episodes and silences, and reduces its statistics to parts that add up
(`deconf.analysis.stats.statistics_part`). The driver puts the pairs together, attaches the
events to the silences, derives exchanges (a thread may cross pairs) and reduces the statistics.
The result is the same Analysis a local run gives (tests/test_engines.py).

Dask is an optional extra (`pip install 'deconf[dask]'`); without it, `--engine dask` is a usage
error that says so. Workers must see the store at the same path (a shared file system) and run
the same deconf version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from deconf.analysis import FIGURE_COLUMNS, GROUPINGS, Analysis, Filters, analyze
from deconf.analysis.asof import known_at, resolve_as_of
from deconf.analysis.columns import A
from deconf.analysis.coverage import coverage_of
from deconf.analysis.partitions import Pair, PairResult, analyze_pair, combine, pair_where, pairs_of
from deconf.analysis.stats import StatisticsPart, statistics_part
from deconf.errors import UsageError
from deconf.frames import Col, Records, empty_events
from deconf.policy import Policy
from deconf.progress import PAIRS, Report, Step, silent
from deconf.store import Store

LOCAL = "local"
DASK = "dask"
PAIRWISE = "pairs"  # one pair at a time in this process: statistics of a store too large to hold
ENGINES_HELP = (
    "local (default), pairs (statistics of a store, one party pair at a time: the least "
    "memory), dask (a local Dask cluster) or dask:ADDRESS (a running scheduler)"
)
SETTING = "engine"


@dataclass(frozen=True)
class Engine:
    kind: str = LOCAL
    address: str | None = None  # a Dask scheduler, e.g. tcp://10.0.0.5:8786; None: start one

    @classmethod
    def parse(cls, text: str | None) -> Engine:
        """'local', 'dask' or 'dask:ADDRESS'; a UsageError naming the setting otherwise."""
        if text is None or text == LOCAL:
            return cls()
        if text == PAIRWISE:
            return cls(PAIRWISE)
        kind, colon, address = text.partition(":")
        if kind == DASK and (not colon or address):
            return cls(DASK, address or None)
        raise UsageError(f"unknown engine {text!r}; use {ENGINES_HELP}", setting=SETTING)


def dask_missing() -> str | None:
    """Why the Dask engine cannot run here, or None when it can."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        return "the Dask engine needs the optional extra: pip install 'deconf[dask]'"
    return None


@dataclass(frozen=True)
class PairTask:
    """What a worker needs to analyze one pair: plain values, so that it pickles anywhere."""

    store: str
    pair: Pair
    policy: Policy
    as_of: datetime
    filters: Filters
    source: str | None
    coverage: pl.DataFrame  # how far each source saw: the whole log's, not the pair's
    for_statistics: bool = False  # only the statistics are wanted: link for them alone


def run_pair(task: PairTask) -> tuple[PairResult, dict[str, StatisticsPart]]:
    """On a worker: read one pair's contacts from the store, analyze them, reduce to parts."""
    where = pair_where(task.pair)
    columns = list(FIGURE_COLUMNS)  # a worker shows no record: no summaries
    if task.source is not None:
        where &= pl.col(Col.ORIGIN_FILE) == task.source
        columns = list(dict.fromkeys((*columns, Col.ORIGIN_FILE)))
    contacts = (
        Store(task.store)
        .load(contact_columns=columns, event_columns=(), contacts_where=where, until=task.as_of)
        .contacts
    )
    records = task.filters.records(known_at(Records(contacts, empty_events()), task.as_of))
    result = analyze_pair(
        records.contacts,
        task.policy,
        task.as_of,
        task.coverage,
        for_statistics=task.for_statistics,
    )
    episodes = task.filters.rows(result.episodes, A.OPENED_AT)
    silences = task.filters.rows(result.silences, A.START)
    parts = {by: statistics_part(episodes, silences, by) for by in GROUPINGS}
    return result, parts


def analyze_with(
    engine: Engine,
    records: Records,
    policy: Policy,
    as_of: datetime | None,
    filters: Filters,
    *,
    store: Store | None = None,
    source: str | None = None,
    progress: Report = silent,
) -> Analysis:
    """The analysis of `records` (read from `store`), with the per-pair work done by `engine`."""
    if engine.kind == LOCAL:
        progress(Step(f"analyzing {records.contacts.height:,} contacts"))
        return analyze(records, policy, as_of, filters)
    if engine.kind == PAIRWISE:
        raise UsageError(
            "the pairs engine gives statistics of a store only (deconf stats --store); "
            "use local or dask here",
            setting=SETTING,
        )
    reason = dask_missing()
    if reason is not None:
        raise UsageError(reason, setting=SETTING)
    if store is None:
        raise UsageError(
            "the Dask engine's workers read the store: ingest the logs first, or drop --engine",
            setting=SETTING,
        )
    moment = resolve_as_of(records, as_of)
    known = known_at(records, moment)
    coverage = coverage_of(known)  # before the filters, as the local analysis takes it
    records = filters.records(known)
    root = str(Path(store.root).resolve())
    tasks = [
        PairTask(root, pair, policy, moment, filters, source, coverage)
        for pair in pairs_of(records.contacts)
    ]
    outputs = _map_on_dask(engine.address, tasks, progress)
    if not outputs:  # no pair: the empty analysis, reduced the same way
        empty = analyze_pair(records.contacts.clear(), policy, moment, coverage)
        outputs = [
            (empty, {by: statistics_part(empty.episodes, empty.silences, by) for by in GROUPINGS})
        ]
    combined = combine([result for result, _ in outputs])
    parts = {by: [p[by] for _, p in outputs] for by in GROUPINGS}
    return Analysis.from_pairs(records, policy, moment, filters, coverage, combined, parts)


def _map_on_dask(address: str | None, tasks: list[PairTask], progress: Report) -> list[Any]:
    """Run `run_pair` over the tasks on a cluster (a local one when no address is given), in the
    tasks' order, reporting progress as pairs finish."""
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if address is None:
        cluster = LocalCluster(processes=True, threads_per_worker=1, dashboard_address=None)
    try:
        with Client(address or cluster) as client:
            futures = client.map(run_pair, tasks, pure=False)
            progress(Step("analyzing party pairs on the cluster", 0, len(tasks), PAIRS))
            for done, _ in enumerate(as_completed(futures), start=1):
                progress(Step("analyzing party pairs on the cluster", done, len(tasks), PAIRS))
            return client.gather(futures)
    finally:
        if cluster is not None:
            cluster.close()
