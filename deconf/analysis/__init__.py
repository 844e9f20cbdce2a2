"""Response-gap analysis (SPEC §3): the figures deconf exists to produce, as Polars frames.

    from deconf.analysis import analyze
    result = analyze(records, policy, as_of="2018-02-08T00:00:00Z")
    result.attempts, result.episodes, result.exchanges, result.silences, result.stats(by="to_party")

Every front end (CLI, TUI, report) reads these frames; none computes a figure of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

import polars as pl

from deconf.analysis.asof import known_at, resolve_as_of
from deconf.analysis.bursts import worst_burst
from deconf.analysis.chronology import chronology
from deconf.analysis.columns import A
from deconf.analysis.coverage import coverage_of
from deconf.analysis.exchanges import Grouped, exchange_ids, exchanges_of, group_exchanges
from deconf.analysis.filters import Filters
from deconf.analysis.linked import LINKING_COLUMNS, Linked, link
from deconf.analysis.partitions import PairResult
from deconf.analysis.silences import silence_events, silence_intervals, with_events
from deconf.analysis.stats import GROUPINGS, StatisticsPart, reduce_statistics, statistics
from deconf.frames import Col, Records
from deconf.policy import Policy

#: The record columns the figures (attempts, episodes, silences, statistics) read: linking's,
#: and who logged each record (a reading of a merged log selects by it).
FIGURE_COLUMNS = tuple(dict.fromkeys((*LINKING_COLUMNS, Col.LOGGED_BY)))
#: The record columns the analysis reads: a store scan needs no others. Certainty and source
#: travel with the records so that every figure can say what it rests on (§3.2).
CONTACT_COLUMNS = tuple(dict.fromkeys((*FIGURE_COLUMNS, Col.SUMMARY, Col.CERTAINTY, Col.SOURCE)))
EVENT_COLUMNS = (
    Col.ID,
    Col.AT,
    Col.KIND,
    Col.SUMMARY,
    Col.LOGGED_BY,
    Col.CERTAINTY,
    Col.SOURCE,
    Col.TIME_PRECISION,
    Col.ORIGIN_FILE,
    Col.ACTOR,
)


@dataclass
class Analysis:
    """The analysis of a log at an as-of time under a policy. Frames are computed on first use."""

    records: Records
    policy: Policy
    as_of: datetime
    filters: Filters = field(default_factory=Filters)
    coverage: pl.DataFrame | None = None
    _stats: dict[str, pl.DataFrame] = field(default_factory=dict, repr=False)
    #: statistics parts per grouping, when the per-pair work was done elsewhere (an engine)
    _parts: dict[str, list[StatisticsPart]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_pairs(
        cls,
        records: Records,
        policy: Policy,
        as_of: datetime,
        filters: Filters,
        coverage: pl.DataFrame,
        pairs: PairResult,
        parts: dict[str, list[StatisticsPart]] | None = None,
    ) -> Analysis:
        """An analysis whose per-pair work (attempts, episodes, silences and, if given, the
        statistics parts) was done elsewhere, e.g. on a cluster's workers, and combined."""
        analysis = cls(records, policy, as_of, filters, coverage, _parts=dict(parts or {}))
        # cached properties are plain instance attributes once computed: fill them in
        analysis.__dict__.update(
            _all_attempts=pairs.attempts,
            _all_episodes=pairs.episodes,
            _all_silences=pairs.silences,
        )
        return analysis

    @cached_property
    def _linked(self) -> Linked:
        if self.coverage is None:
            self.coverage = coverage_of(self.records)
        return link(self.records.contacts, self.policy, self.as_of, self.coverage)

    @cached_property
    def _counted(self) -> Linked:
        """The linking the statistics read, when nothing else has been asked for: no reply ids,
        no acknowledgements (`link(..., for_statistics=True)`); `stats` shows no record."""
        if "_linked" in self.__dict__:
            return self._linked
        if self.coverage is None:
            self.coverage = coverage_of(self.records)
        return link(
            self.records.contacts, self.policy, self.as_of, self.coverage, for_statistics=True
        )

    @cached_property
    def _all_attempts(self) -> pl.DataFrame:
        return self._linked.attempts

    @cached_property
    def _all_episodes(self) -> pl.DataFrame:
        return self._linked.episodes

    @cached_property
    def _all_silences(self) -> pl.DataFrame:
        return silence_intervals(self._linked)

    @cached_property
    def attempts(self) -> pl.DataFrame:
        """One row per attempt (SPEC §3): first response, status, episode, breach."""
        return self.filters.rows(self._all_attempts, Col.SENT_AT)

    @cached_property
    def episodes(self) -> pl.DataFrame:
        """One row per episode: the unit of every statistic."""
        return self.filters.rows(self._all_episodes, A.OPENED_AT)

    @cached_property
    def _grouped(self) -> Grouped:
        return group_exchanges(self.records.contacts, self._all_attempts)

    @cached_property
    def membership(self) -> pl.DataFrame:
        """Every contact's exchange: columns id, exchange_id."""
        return exchange_ids(self._grouped)

    @cached_property
    def exchanges(self) -> pl.DataFrame:
        """One row per exchange: records joined by reply links and shared threads."""
        return self.filters.rows(exchanges_of(self._grouped, self._all_attempts), A.START)

    @cached_property
    def silences(self) -> pl.DataFrame:
        """Owed silences, with the events that fall inside each."""
        frame = with_events(self._all_silences, self.records.events)
        return self.filters.rows(frame, A.START)

    @cached_property
    def chronology(self) -> pl.DataFrame:
        """Every message and event in time order, with its time precision, source, certainty
        and (attempts) status: what every figure rests on."""
        return chronology(self.records, self._all_attempts)

    @cached_property
    def worst_burst(self) -> pl.DataFrame | None:
        """The worst burst of calls (`deconf.analysis.bursts`): the report's findings and its
        close-up chart both tell it, so it is found once."""
        return worst_burst(self.attempts)

    @cached_property
    def silence_events(self) -> pl.DataFrame:
        """Each event inside an owed silence, with how long the silence had lasted then."""
        return silence_events(self.silences, self.records.events)

    def stats(self, by: str = Col.TO_PARTY) -> pl.DataFrame:
        """Statistics per group (to_party, from_party, channel, precedence, kind or all). Asked
        for before any list, they come from the linking for the statistics alone (`_counted`):
        the same figures for about half the work."""
        if by not in self._stats and by in self._parts:
            self._stats[by] = reduce_statistics(self._parts[by], self.policy)
        if by not in self._stats:
            self._stats[by] = statistics(
                self._figure_episodes(), self._figure_silences(), self.policy, by
            )
        return self._stats[by]

    def _figure_episodes(self) -> pl.DataFrame:
        """The episodes as the statistics read them: those at hand, else their figures alone."""
        if "episodes" in self.__dict__:
            return self.episodes
        if "_all_episodes" in self.__dict__ or "_linked" in self.__dict__:
            return self.filters.rows(self._all_episodes, A.OPENED_AT)
        return self.filters.rows(self._counted.episodes, A.OPENED_AT)

    def _figure_silences(self) -> pl.DataFrame:
        """The silences as the statistics read them: their length and episode, so not the
        events inside (unless the silences with their events are at hand already)."""
        if "silences" in self.__dict__:
            return self.silences
        if "_all_silences" in self.__dict__ or "_linked" in self.__dict__:
            return self.filters.rows(self._all_silences, A.START)
        return self.filters.rows(silence_intervals(self._counted), A.START)

    def within(self, exchange_ids: pl.Series) -> Analysis:
        """The same analysis narrowed to the episodes with an attempt in the given exchanges
        (and their silences), so statistics of a filtered view are the analysis's own figures."""
        attempts = self.attempts.join(
            self.membership.rename({Col.ID: A.ATTEMPT_ID}), on=A.ATTEMPT_ID
        ).filter(pl.col(A.EXCHANGE_ID).is_in(exchange_ids.implode()))
        episode_ids = attempts[A.EPISODE_ID].unique().implode()
        narrowed = Analysis(self.records, self.policy, self.as_of, self.filters)
        narrowed.__dict__["episodes"] = self.episodes.filter(
            pl.col(A.EPISODE_ID).is_in(episode_ids)
        )
        narrowed.__dict__["silences"] = self.silences.filter(
            pl.col(A.EPISODE_ID).is_in(episode_ids)
        )
        return narrowed


def analyze(
    records: Records,
    policy: Policy | None = None,
    as_of: str | datetime | None = None,
    filters: Filters | None = None,
) -> Analysis:
    """Analyze validated records as known at `as_of` (default: the latest timestamp in them)."""
    filters = filters or Filters()
    moment = resolve_as_of(records, as_of)
    known = known_at(records, moment)
    # coverage before the party filter: a source observed what it observed, whoever is shown
    return Analysis(filters.records(known), policy or Policy(), moment, filters, coverage_of(known))


__all__ = [
    "CONTACT_COLUMNS",
    "EVENT_COLUMNS",
    "FIGURE_COLUMNS",
    "GROUPINGS",
    "Analysis",
    "Filters",
    "analyze",
]
