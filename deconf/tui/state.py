"""What the exchanges list shows, as plain Python and Polars: the filtered and sorted exchanges,
the cursor, search matches and jumps. No Textual here, so every rule is tested without a
terminal; the widgets only draw what this holds.

Every figure comes from `deconf.analysis`; this module selects, orders and formats, nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from deconf.analysis import Analysis
from deconf.analysis.columns import A
from deconf.analysis.tallies import gap_histogram
from deconf.frames import Col
from deconf.times import wall_time
from deconf.tui import filtering
from deconf.tui.filtering import FILTER_NAMES, Filter
from deconf.tui.table_state import TableState
from deconf.tui.text import plain
from deconf.tui.timeline import TimelineItem, timeline

__all__ = ["FILTER_NAMES", "SORTABLE", "BrowserState", "TimelineItem", "plain"]

SORTABLE = (
    A.START,
    A.PARTIES,
    A.CHANNELS,
    A.MESSAGES,
    A.ATTEMPTS,
    A.STATUS,
    A.FIRST_RESPONSE_SECONDS,
    A.LONGEST_GAP_SECONDS,
)
#: the exchanges list's column titles, which the status line names the sort by, too
EXCHANGE_TITLES = {
    A.START: "start",
    A.PARTIES: "parties",
    A.CHANNELS: "channel",
    A.MESSAGES: "msgs",
    A.ATTEMPTS: "att",
    A.STATUS: "status",
    A.FIRST_RESPONSE_SECONDS: "first reply",
    A.LONGEST_GAP_SECONDS: "longest gap",
    Col.SUMMARY: "summary",
}
FLAGGED = {"unanswered": pl.col(A.UNANSWERED_ATTEMPTS) > 0, "breach": pl.col(A.BREACHES) > 0}
#: filters that read the records of each exchange (the others read the exchanges' columns)
RECORD_COLUMNS = {filtering.KIND: Col.KIND, filtering.PRECEDENCE: Col.PRECEDENCE}


@dataclass
class Display:
    """How times are shown on every screen: the display zone, or each record's own zone."""

    zone: str = "UTC"
    use_recorded_zone: bool = False

    def when(self, moment: datetime | None, recorded_tz: str | None = None) -> str:
        if moment is None:
            return ""
        zone = recorded_tz if (self.use_recorded_zone and recorded_tz) else self.zone
        return wall_time(moment, zone)

    @property
    def time_width(self) -> int:
        """Cells a time takes: 20 in UTC ("…:00Z"), 25 with an offset ("…:00 +0300")."""
        return 20 if (self.zone == "UTC" and not self.use_recorded_zone) else 25

    @property
    def label(self) -> str:
        return "record's own zone" if self.use_recorded_zone else self.zone


class BrowserState(TableState):
    """The exchanges list. Filters are kept as typed (name → text) and may be switched off."""

    def __init__(
        self,
        analysis: Analysis,
        rejected: int = 0,
        zone: str = "UTC",
        display: Display | None = None,
    ) -> None:
        self.analysis, self.rejected = analysis, rejected
        self.display = display or Display(zone)
        self.filters, self.disabled = {}, set()
        #: what is still being computed while the list is shown (said on the status line)
        self.pending: str | None = None
        super().__init__(
            analysis.exchanges,
            A.EXCHANGE_ID,
            sortable=SORTABLE,
            sort_column=A.START,
            presorted=(A.START, False),  # the analysis lists exchanges by start, then id
        )

    # zone and toggle live in `display`, shared by every screen
    @property
    def zone(self) -> str:
        return self.display.zone

    @zone.setter
    def zone(self, value: str) -> None:
        self.display.zone = value

    @property
    def use_recorded_zone(self) -> bool:
        return self.display.use_recorded_zone

    @use_recorded_zone.setter
    def use_recorded_zone(self, value: bool) -> None:
        self.display.use_recorded_zone = value

    def when(self, moment: datetime | None, recorded_tz: str | None = None) -> str:
        return self.display.when(moment, recorded_tz)

    # ------------------------------------------------------------ the list

    def base(self) -> pl.DataFrame:
        """The exchanges as the analysis gives them (what the first screen needs, no more)."""
        return self.analysis.exchanges

    def _holding(self, spec: Filter) -> pl.Expr:
        """Exchanges holding a record of the kind or precedence asked for (negated: none),
        found from the records each time (nothing is kept between filters)."""
        column = RECORD_COLUMNS[spec.name]
        wanted = [v.lower() for v in spec.values]
        ids = (
            self.analysis.records.contacts.lazy()
            .filter(pl.col(column).cast(pl.String).str.to_lowercase().is_in(wanted))
            .select(Col.ID)
        )
        exchanges = (
            self.analysis.membership.lazy()
            .join(ids, on=Col.ID, how="semi")
            .select(pl.col(A.EXCHANGE_ID).cast(pl.String).unique())
            .collect()[A.EXCHANGE_ID]
        )
        hit = pl.col(A.EXCHANGE_ID).is_in(exchanges.implode())
        return ~hit if spec.negated else hit

    @property
    def active_filters(self) -> list[Filter]:
        return [
            Filter.parse(name, text, enabled=name not in self.disabled)
            for name, text in self.filters.items()
        ]

    def source(self) -> pl.DataFrame:
        active = [f for f in self.active_filters if f.enabled]
        if not active:
            return self.base()
        condition = filtering.condition(
            [f for f in active if f.name not in RECORD_COLUMNS], self.zone
        )
        for spec in active:
            if spec.name in RECORD_COLUMNS and spec.values:
                condition &= self._holding(spec)
        return self.base().filter(condition)

    def matching(self, pattern: str) -> pl.Series:
        """Rows of the view whose exchange holds a record whose id, parties or summary match
        (a regular expression, any case). Read from the records each time: nothing is kept
        between searches (at a million records an index of the texts would be 100 MB)."""
        contacts = self.analysis.records.contacts
        text = pl.concat_str(
            [
                pl.col(Col.ID),
                pl.col(Col.FROM_PARTY).cast(pl.String),
                pl.col(Col.TO_PARTY).cast(pl.String),
                pl.col(Col.SUMMARY).fill_null(""),
            ],
            separator=" ",
        )
        hits = contacts.lazy().filter(text.str.contains(f"(?i){pattern}")).select(Col.ID)
        exchanges = (
            self.analysis.membership.lazy()
            .join(hits, on=Col.ID, how="semi")
            .select(pl.col(A.EXCHANGE_ID).cast(pl.String).unique())
            .collect()[A.EXCHANGE_ID]
        )
        return self.view.with_row_index("_i").filter(
            pl.col(A.EXCHANGE_ID).is_in(exchanges.implode())
        )["_i"]

    def set_filter(self, name: str, value: str | None) -> None:
        values = dict(self.filters)
        if value in (None, ""):
            values.pop(name, None)
        else:
            values[name] = value
        if name not in FILTER_NAMES:
            raise ValueError(f"no filter {name!r}")
        self.replace_filters(values, self.disabled - ({name} if value else set()))

    def replace_filters(self, values: dict[str, str], disabled: set[str] | None = None) -> None:
        """Set all filters at once; on a bad value nothing changes and ValueError says why."""
        problems = filtering.check(values, self.zone)
        if problems:
            raise ValueError("; ".join(problems.values()))
        self.filters = {k: v.strip() for k, v in values.items() if v.strip()}
        self.disabled = {d for d in (disabled or set()) if d in self.filters}
        self.apply()

    def toggle_filters(self) -> str:
        """Switch every filter off (keeping its text), or all back on."""
        if not self.filters:
            return "no filters (f sets them)"
        self.disabled = set() if self.disabled else set(self.filters)
        self.apply()
        return "filters off" if self.disabled else "filters on"

    def clear_filters(self) -> None:
        self.filters.clear()
        self.disabled.clear()
        self.apply()

    def suggestions(self, name: str) -> list[str]:
        """Values a filter field can take, from the data (for completion as one types): read
        from the record columns, never from the filter index, so the dialog opens at once."""
        contacts = self.analysis.records.contacts
        if name == filtering.PARTY:
            values = pl.concat([contacts[Col.FROM_PARTY], contacts[Col.TO_PARTY]])
        elif name in (filtering.CHANNEL, filtering.KIND, filtering.PRECEDENCE):
            column = {
                filtering.CHANNEL: Col.CHANNEL,
                filtering.KIND: Col.KIND,
                filtering.PRECEDENCE: Col.PRECEDENCE,
            }[name]
            values = contacts[column].cast(pl.String)
        elif name == filtering.STATUS:
            return list(filtering.STATUSES)
        else:
            return []
        return sorted(values.drop_nulls().unique().to_list())

    # ------------------------------------------------------------ finding things

    def next_flagged(self, flag: str, direction: int = 1) -> bool:
        """Move to the next (or previous) exchange with an unanswered attempt or a breach."""
        return self.jump(self.rows_where(FLAGGED[flag]), direction)

    def goto_time(self, text: str) -> bool:
        """Move to the first exchange (in time) starting at or after the given time."""
        moment = filtering.parse_moment(text, "time", self.zone)
        rows = (
            self.view.with_row_index("_i")
            .filter(pl.col(A.START) >= pl.lit(moment, dtype=pl.Datetime("us", "UTC")))
            .sort(A.START)["_i"]
        )
        if rows.is_empty():
            return False
        self.cursor = int(rows[0])
        return True

    # ------------------------------------------------------------ showing things

    @property
    def chips(self) -> list[tuple[str, bool]]:
        """Each filter as a chip (its text, whether it is on)."""
        return [(plain(f.chip), f.enabled) for f in self.active_filters]

    def status_line(self) -> str:
        shown = f"{self.view.height:,} of {self.total:,} exchanges shown"
        hidden = self.total - self.view.height
        filters = ", ".join(f"{chip}{'' if on else ' (off)'}" for chip, on in self.chips) or "none"
        parts = [shown, f"as of {self.when(self.analysis.as_of)}", f"filters: {filters}"]
        if hidden:
            parts.append(f"{hidden:,} hidden")
        if self.query:
            parts.append(f"search /{plain(self.query)}/: {len(self.matches):,} matches")
        sorted_by = EXCHANGE_TITLES.get(self.sort_column, self.sort_column)
        parts.append(f"sorted by {sorted_by}{' ↓' if self.descending else ' ↑'}")
        parts.append(f"times: {self.display.label}")
        if self.pending:
            parts.append(f"{self.pending}…")
        return " · ".join(parts)

    def timeline(self, exchange_id: str) -> list[TimelineItem]:
        return timeline(self.analysis, exchange_id)

    def filter_scope(self) -> str:
        """What the filters keep, said in words ('' when no filter is on): the statistics,
        silences and events views say it in their titles."""
        if not any(f.enabled for f in self.active_filters):
            return ""
        return f"the {self.view.height:,} of {self.total:,} exchanges the filters keep"

    def view_analysis(self) -> Analysis:
        """The analysis of what the list shows: all of it, or the exchanges the filters keep."""
        if not any(f.enabled for f in self.active_filters):
            return self.analysis
        return self.analysis.within(self.view[A.EXCHANGE_ID])

    def histogram(self) -> list[tuple[str, int]]:
        """Episode gaps in bins of the view's episodes (from the analysis)."""
        return gap_histogram(self.view_analysis().episodes)
