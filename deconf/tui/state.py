"""What the browser shows, as plain Python and Polars: the filtered and sorted exchanges, the
cursor, search matches, jumps, and the timeline of one exchange. No Textual here, so every rule
is tested without a terminal; the widgets only draw what this holds.

Every figure comes from `deconf.analysis`; this module selects, orders and formats, nothing more.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from deconf.analysis import Analysis
from deconf.analysis.asof import parse_as_of
from deconf.analysis.columns import A, Status
from deconf.analysis.tallies import gap_histogram
from deconf.export import to_csv, to_json
from deconf.frames import Col
from deconf.times import humanize, rfc3339, wall_time

FILTER_NAMES = ("party", "channel", "kind", "status", "precedence", "since", "until")
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
FLAGGED = {"unanswered": pl.col(A.UNANSWERED_ATTEMPTS) > 0, "breach": pl.col(A.BREACHES) > 0}
SEARCH_TEXT = "_search"
CONTROL = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def plain(text: Any) -> str:
    """Log text made safe to draw: control characters and escape sequences become visible
    placeholders instead of reaching the terminal; letters of every script are kept."""
    if text is None:
        return ""
    out = []
    for character in str(text):
        if character in "\n\r\t":
            out.append(" ")
        elif unicodedata.category(character) in CONTROL:
            out.append("\ufffd")
        else:
            out.append(character)
    return "".join(out)


@dataclass
class TimelineItem:
    """One line of an exchange's timeline: a message or an event that happened meanwhile."""

    at: datetime
    record_id: str
    is_event: bool
    text: str
    status: str | None = None  # an attempt's status
    breach: bool = False
    recorded_tz: str | None = None


@dataclass
class BrowserState:
    analysis: Analysis
    rejected: int = 0
    zone: str = "UTC"
    use_recorded_zone: bool = False
    filters: dict[str, str] = field(default_factory=dict)
    sort_column: str = A.START
    descending: bool = False
    cursor: int = 0
    query: str = ""
    matches: list[int] = field(default_factory=list)
    _index: pl.DataFrame | None = None
    view: pl.DataFrame = field(init=False)

    def __post_init__(self) -> None:
        self.view = self.base()
        self.apply()

    # ------------------------------------------------------------ the list

    def base(self) -> pl.DataFrame:
        """The exchanges as the analysis gives them (what the first screen needs, no more)."""
        return self.analysis.exchanges

    def index(self) -> pl.DataFrame:
        """Exchanges with what filters and search look at: every kind, precedence, party and
        summary in them. Built on first use (a filter or a search), not at start."""
        if self._index is None:
            contacts = self.analysis.records.contacts.join(self.analysis.membership, on=Col.ID)
            extra = contacts.group_by(A.EXCHANGE_ID).agg(
                pl.col(Col.KIND).cast(pl.String).unique().alias("_kinds"),
                pl.col(Col.PRECEDENCE).cast(pl.String).unique().alias("_precedences"),
                pl.col(Col.RECORDED_TZ).drop_nulls().first().alias("_recorded_tz"),
                pl.concat_str(
                    Col.FROM_PARTY,
                    pl.lit(" "),
                    Col.TO_PARTY,
                    pl.lit(" "),
                    pl.col(Col.SUMMARY).fill_null(""),
                )
                .str.join(" ")
                .str.to_lowercase()
                .alias(SEARCH_TEXT),
            )
            self._index = self.base().join(extra, on=A.EXCHANGE_ID, how="left")
        return self._index

    @property
    def total(self) -> int:
        return self.base().height

    def _condition(self) -> pl.Expr:
        condition = pl.lit(True)
        for name, value in self.filters.items():
            if name == "party":
                condition &= pl.col(A.PARTIES).list.contains(value)
            elif name == "channel":
                condition &= pl.col(A.CHANNELS).list.contains(value)
            elif name == "kind":
                condition &= pl.col("_kinds").list.contains(value)
            elif name == "precedence":
                condition &= pl.col("_precedences").list.contains(value)
            elif name == "status":
                condition &= pl.col(A.STATUS) == value
            elif name in ("since", "until"):
                moment = pl.lit(_parse_moment(value), dtype=pl.Datetime("us", "UTC"))
                condition &= (
                    (pl.col(A.END) >= moment) if name == "since" else (pl.col(A.START) <= moment)
                )
        return condition

    def apply(self, keep: str | None = None) -> None:
        """Recompute the view from filters and sort; keep the cursor on `keep` if it is shown."""
        if keep is None and not self.view.is_empty() and self.cursor < self.view.height:
            keep = self.view[A.EXCHANGE_ID][self.cursor]
        source = self.index() if self.filters else self.base()
        view = source.filter(self._condition()) if self.filters else source
        self.view = view.sort(
            [self.sort_column, A.EXCHANGE_ID], descending=[self.descending, False], nulls_last=True
        )
        self.cursor = 0
        if keep is not None:
            found = self.view.with_row_index("_i").filter(pl.col(A.EXCHANGE_ID) == keep)
            if not found.is_empty():
                self.cursor = int(found["_i"][0])
        if self.query:
            self.search(self.query, move=False)

    def set_filter(self, name: str, value: str | None) -> None:
        if name not in FILTER_NAMES:
            raise ValueError(f"no filter {name!r}")
        if value in (None, ""):
            self.filters.pop(name, None)
        else:
            if name in ("since", "until"):
                _parse_moment(value)  # a bad time is refused before it hides anything
            self.filters[name] = value
        self.apply()

    def replace_filters(self, values: dict[str, str]) -> None:
        """Set all filters at once; on a bad value nothing changes and ValueError says why."""
        for name in ("since", "until"):
            if values.get(name):
                _parse_moment(values[name])
        unknown = set(values) - set(FILTER_NAMES)
        if unknown:
            raise ValueError(f"no filter {', '.join(sorted(unknown))}")
        self.filters = {k: v for k, v in values.items() if v}
        self.apply()

    def clear_filters(self) -> None:
        self.filters.clear()
        self.apply()

    def sort_by(self, column: str, descending: bool | None = None) -> None:
        if column not in SORTABLE:
            raise ValueError(f"cannot sort by {column!r}")
        self.descending = (
            (not self.descending if column == self.sort_column else False)
            if descending is None
            else descending
        )
        self.sort_column = column
        self.apply()

    def next_sort(self) -> None:
        position = SORTABLE.index(self.sort_column) if self.sort_column in SORTABLE else -1
        self.sort_by(SORTABLE[(position + 1) % len(SORTABLE)], descending=False)

    def move(self, steps: int) -> None:
        if self.view.height:
            self.cursor = max(0, min(self.view.height - 1, self.cursor + steps))

    @property
    def current(self) -> dict[str, Any] | None:
        if not self.view.height:
            return None
        return self.view.row(self.cursor, named=True)

    # ------------------------------------------------------------ finding things

    def search(self, query: str, move: bool = True) -> int:
        """Exchanges whose parties or summaries contain `query` (any case); moves to the first
        match at or after the cursor. Returns how many match."""
        self.query = query.strip()
        if not self.query:
            self.matches = []
            return 0
        ids = self.index().filter(
            pl.col(SEARCH_TEXT).str.contains(self.query.lower(), literal=True)
        )[A.EXCHANGE_ID]
        self.matches = (
            self.view.with_row_index("_i")
            .filter(pl.col(A.EXCHANGE_ID).is_in(ids.implode()))["_i"]
            .to_list()
        )
        if move and self.matches:
            self.cursor = next((m for m in self.matches if m >= self.cursor), self.matches[0])
        return len(self.matches)

    def next_match(self, direction: int = 1) -> bool:
        return self._jump(self.matches, direction)

    def next_flagged(self, flag: str, direction: int = 1) -> bool:
        """Move to the next (or previous) exchange with an unanswered attempt or a breach."""
        rows = self.view.with_row_index("_i").filter(FLAGGED[flag])["_i"].to_list()
        return self._jump(rows, direction)

    def _jump(self, rows: list[int], direction: int) -> bool:
        if not rows:
            return False
        if direction > 0:
            target = next((r for r in rows if r > self.cursor), rows[0])
        else:
            target = next((r for r in reversed(rows) if r < self.cursor), rows[-1])
        self.cursor = target
        return True

    def goto_time(self, text: str) -> bool:
        """Move to the first exchange (in time) starting at or after the given time."""
        moment = _parse_moment(text)
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

    def when(self, moment: datetime | None, recorded_tz: str | None = None) -> str:
        """A time in the display zone (or the record's own zone when toggled)."""
        if moment is None:
            return ""
        zone = recorded_tz if (self.use_recorded_zone and recorded_tz) else self.zone
        return wall_time(moment, zone)

    def status_line(self) -> str:
        shown = f"{self.view.height} of {self.total} exchanges shown"
        hidden = self.total - self.view.height
        filters = ", ".join(f"{k}={v}" for k, v in self.filters.items()) or "none"
        zone = "record's own zone" if self.use_recorded_zone else self.zone
        parts = [shown, f"as of {rfc3339(self.analysis.as_of)}", f"filters: {filters}"]
        if hidden:
            parts.append(f"{hidden} hidden")
        if self.query:
            parts.append(f"search '{self.query}': {len(self.matches)} matches")
        parts.append(f"sorted by {self.sort_column}{' ↓' if self.descending else ''}")
        parts.append(f"times: {zone}")
        return " · ".join(parts)

    def timeline(self, exchange_id: str) -> list[TimelineItem]:
        """The exchange's messages in order, each reply with the gap since what it answers,
        unanswered attempts with their open age, and the events meanwhile in their place."""
        analysis = self.analysis
        members = analysis.membership.filter(pl.col(A.EXCHANGE_ID) == exchange_id)[Col.ID]
        contacts = analysis.records.contacts.filter(pl.col(Col.ID).is_in(members.implode())).sort(
            Col.SENT_AT, Col.ID
        )
        attempts = {
            r[A.ATTEMPT_ID]: r
            for r in analysis.attempts.filter(
                pl.col(A.ATTEMPT_ID).is_in(members.implode())
            ).iter_rows(named=True)
        }
        answers = {
            r[A.FIRST_RESPONSE_ID]: r
            for r in attempts.values()
            if r[A.FIRST_RESPONSE_ID] is not None
        }
        items = []
        for row in contacts.iter_rows(named=True):
            attempt = attempts.get(row[Col.ID])
            head = (
                f"{plain(row[Col.FROM_PARTY])} → {plain(row[Col.TO_PARTY])}  {row[Col.KIND]}"
                f" [{row[Col.ATTEMPT_OUTCOME]}]  via {row[Col.CHANNEL]}"
            )
            notes = []
            if attempt is not None:
                if attempt[A.STATUS] == Status.UNANSWERED:
                    notes.append(f"UNANSWERED, open {_duration(attempt[A.OPEN_SECONDS])}")
                else:
                    notes.append(attempt[A.STATUS])
                if attempt[A.BREACH]:
                    notes.append("BREACH of target")
                if attempt[A.RETRY_STREAK] > 1:
                    notes.append(
                        f"attempt {attempt[A.ATTEMPT_NUMBER]} of {attempt[A.RETRY_STREAK]}"
                    )
            answered = answers.get(row[Col.ID])
            if answered is not None:
                notes.append(
                    f"answers {answered[A.ATTEMPT_ID]} after "
                    f"{_duration(answered[A.TTFR])} ({answered[A.LINK]})"
                )
            notes.append(f"certainty: {row[Col.CERTAINTY]}")
            text = (
                f"{head}  — {'; '.join(notes)}\n    {plain(row[Col.SUMMARY])}"
                f"\n    source: {plain(row[Col.SOURCE]) or '—'}"
            )
            items.append(
                TimelineItem(
                    at=row[Col.SENT_AT],
                    record_id=row[Col.ID],
                    is_event=False,
                    text=text,
                    status=attempt[A.STATUS] if attempt else None,
                    breach=bool(attempt and attempt[A.BREACH]),
                    recorded_tz=row[Col.RECORDED_TZ],
                )
            )
        if items:
            waiting = any(i.status == Status.UNANSWERED for i in items)
            last = analysis.as_of if waiting else items[-1].at
            events = analysis.records.events.filter(
                pl.col(Col.AT).is_between(items[0].at, last)
            ).sort(Col.AT, Col.ID)
            for row in events.iter_rows(named=True):
                items.append(
                    TimelineItem(
                        at=row[Col.AT],
                        record_id=row[Col.ID],
                        is_event=True,
                        text=(
                            f"▲ event: {row[Col.KIND]} — {plain(row[Col.SUMMARY])} "
                            f"({row[Col.CERTAINTY]}; source: {plain(row[Col.SOURCE]) or '—'})"
                        ),
                    )
                )
        return sorted(items, key=lambda i: (i.at, i.is_event, i.record_id))

    def export(self, path: Path) -> int:
        """Write the current view (filtered, sorted) to CSV or JSON by the file's extension."""
        frame = self.view.drop([c for c in self.view.columns if c.startswith("_")])
        text = to_json(frame) if path.suffix.lower() == ".json" else to_csv(frame)
        path.write_text(text, encoding="utf-8")
        return frame.height

    def histogram(self) -> list[tuple[str, int]]:
        """Episode gaps in bins, unanswered episodes as their own bar (never as zero)."""
        return gap_histogram(self.analysis.episodes)


def _duration(seconds: float | None) -> str:
    return humanize(seconds)


def _parse_moment(text: str) -> datetime:
    moment = parse_as_of(text)
    if moment is None:
        raise ValueError("a time is needed")
    return moment
