"""Statistics of a store too large to analyse at once: one party pair at a time, in this process.

The statistics reduce from per-pair parts (`deconf.analysis.stats.statistics_part`), so they need
neither every record nor every episode in memory at once: the as-of time, the sources' coverage
and the list of pairs come from scans of the store's Parquet files, then each pair is read,
analysed and reduced to its parts (`deconf.engines.run_pair`, what a Dask worker runs) and its
tables are let go. Memory holds the largest pair's analysis; the figures are the whole
analysis's (tests/test_pairwise.py). What `deconf stats --store --engine pairs` runs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from deconf.analysis import Filters
from deconf.analysis.asof import parse_as_of
from deconf.analysis.coverage import coverage_of
from deconf.analysis.partitions import analyze_pair, pairs_of
from deconf.analysis.stats import reduce_statistics, statistics_part
from deconf.engines import PairTask, run_pair
from deconf.frames import Col, Records, empty_contacts
from deconf.policy import Policy
from deconf.progress import PAIRS, Report, Step, silent
from deconf.store import Store

#: Above this many stored contacts, `deconf stats --store` goes one pair at a time unless an
#: engine is named: the whole analysis peaks at about 600 bytes a contact (6.1 GB at 10M, over
#: the 4 GB a 10M store may take), one pair at a time at under 1 GB; below it the whole analysis
#: is the quicker (issue 14).
WHOLE_ANALYSIS_LIMIT = 4_000_000


def too_large_to_hold(store: Store) -> int | None:
    """The store's number of contacts when its statistics should go one pair at a time."""
    contacts = store.rows("contacts")
    return contacts if contacts > WHOLE_ANALYSIS_LIMIT else None


def store_statistics(
    store: Store,
    policy: Policy,
    as_of: str | datetime | None,
    filters: Filters,
    by: str,
    *,
    source: str | None = None,
    progress: Report = silent,
) -> tuple[pl.DataFrame, datetime]:
    """The statistics by `by` of what the store holds (of one source's records, if named), and
    the as-of moment they were made at."""
    contacts, events = store.scan("contacts"), store.scan("events")
    if source is not None:
        contacts = contacts.filter(pl.col(Col.ORIGIN_FILE) == source)
        events = events.filter(pl.col(Col.ORIGIN_FILE) == source)
    where = filters.contacts_where()  # a party's contacts only, as the local analysis reads them
    if where is not None:
        contacts = contacts.filter(where)
    progress(Step("scanning the store for its time span, sources and party pairs"))
    moment = parse_as_of(as_of) or _latest(contacts, events) or datetime.now(UTC)
    known = Records(
        contacts.filter(pl.col(Col.SENT_AT) <= moment),  # type: ignore[arg-type]
        events.filter(pl.col(Col.AT) <= moment),  # type: ignore[arg-type]
    )
    coverage = coverage_of(known)  # a query over the scans: a row a source, not a record
    coverage = coverage.collect() if isinstance(coverage, pl.LazyFrame) else coverage
    pairs = pairs_of(known.contacts.select(Col.FROM_PARTY, Col.TO_PARTY).unique().collect())
    root = str(Path(store.root).resolve())
    parts = []
    for done, pair in enumerate(pairs):
        progress(Step("analyzing party pairs one at a time", done, len(pairs), PAIRS))
        task = PairTask(root, pair, policy, moment, filters, source, coverage, for_statistics=True)
        _, pair_parts = run_pair(task)
        parts.append(pair_parts[by])
    if not parts:  # no pair: the empty analysis, reduced the same way
        empty = analyze_pair(empty_contacts(), policy, moment, coverage)
        parts.append(statistics_part(empty.episodes, empty.silences, by))
    return reduce_statistics(parts, policy), moment


def _latest(contacts: pl.LazyFrame, events: pl.LazyFrame) -> datetime | None:
    found = pl.concat(
        [
            contacts.select(pl.col(Col.SENT_AT).max().alias("_t")),
            events.select(pl.col(Col.AT).max().alias("_t")),
        ]
    ).collect()["_t"]
    return found.max()  # type: ignore[return-value]
