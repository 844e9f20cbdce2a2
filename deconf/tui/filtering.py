"""The browser's filters as a reader types them, turned into Polars conditions.

Each filter is one field of text: `RU` keeps exchanges with RU, `RU, US` with RU or US (OR within
a field), `!RU` or `!RU, US` those with neither. Matching ignores case. Filters of different fields
combine with AND. A filter can be switched off without losing its text; the list shows each as a
chip. Time fields take an RFC 3339 time, `now`, or a date alone (in the display zone: `since` from
the start of that day, `until` to its end).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from deconf.analysis.columns import A, Status
from deconf.times import TimeError, parse_day_or_moment

PARTY, CHANNEL, KIND, STATUS, PRECEDENCE, SINCE, UNTIL = (
    "party",
    "channel",
    "kind",
    "status",
    "precedence",
    "since",
    "until",
)
FILTER_NAMES = (PARTY, CHANNEL, KIND, STATUS, PRECEDENCE, SINCE, UNTIL)
TIME_FILTERS = (SINCE, UNTIL)
KINDS_SEEN = "_kinds"
PRECEDENCES_SEEN = "_precedences"
#: the exchange column each value filter looks in (lists: any element may match)
FILTER_COLUMNS = {
    PARTY: A.PARTIES,
    CHANNEL: A.CHANNELS,
    KIND: KINDS_SEEN,
    STATUS: A.STATUS,
    PRECEDENCE: PRECEDENCES_SEEN,
}
STATUSES = (
    Status.ANSWERED,
    Status.SUPERSEDED,
    Status.PARTLY_ANSWERED,
    Status.UNANSWERED,
    Status.NO_ATTEMPTS,
)


@dataclass(frozen=True)
class Filter:
    """One field's filter: the values (any may match), negated or not, on or off."""

    name: str
    values: tuple[str, ...]
    negated: bool = False
    enabled: bool = True

    @classmethod
    def parse(cls, name: str, text: str, enabled: bool = True) -> Filter:
        text = text.strip()
        negated = text.startswith("!")
        values = tuple(v.strip() for v in text.removeprefix("!").split(",") if v.strip())
        return cls(name, values, negated, enabled)

    @property
    def text(self) -> str:
        return ("!" if self.negated else "") + ", ".join(self.values)

    @property
    def chip(self) -> str:
        sign = "≠" if self.negated else "="
        return f"{self.name}{sign}{' | '.join(self.values)}"


def parse_moment(text: str, field: str = "time", zone: str = "UTC", end_of_day: bool = False):
    """A date alone, `now` or an RFC 3339 time; ValueError naming the field otherwise."""
    try:
        return parse_day_or_moment(text, zone, end_of_day)
    except TimeError:
        raise ValueError(
            f"{field}: {text.strip()!r} is not a time; use a date (2018-02-07), "
            "an RFC 3339 time (2018-02-07T20:30:00Z) or now"
        ) from None


def check(values: dict[str, str], zone: str = "UTC") -> dict[str, str]:
    """Field name → what is wrong with it, for every field that cannot be used as typed."""
    problems = {}
    for name, text in values.items():
        if name not in FILTER_NAMES:
            problems[name] = f"no filter {name!r}"
        elif name in TIME_FILTERS and text.strip():
            try:
                parse_moment(text, name, zone)
            except ValueError as error:
                problems[name] = str(error)
        elif text.strip() and not Filter.parse(name, text).values:
            problems[name] = f"{name}: give a value, or values separated by commas"
    return problems


def condition(active: list[Filter], zone: str = "UTC") -> pl.Expr:
    """Rows that pass every enabled filter."""
    result = pl.lit(True)
    for spec in active:
        if not spec.enabled or not spec.values:
            continue
        if spec.name in TIME_FILTERS:
            moment = pl.lit(
                parse_moment(spec.values[0], spec.name, zone, end_of_day=spec.name == UNTIL),
                dtype=pl.Datetime("us", "UTC"),
            )
            result &= (
                (pl.col(A.END) >= moment) if spec.name == SINCE else (pl.col(A.START) <= moment)
            )
            continue
        wanted = pl.lit(pl.Series([v.lower() for v in spec.values]))
        column = pl.col(FILTER_COLUMNS[spec.name])
        if spec.name == STATUS:
            hit = column.cast(pl.String).str.to_lowercase().is_in(wanted.implode())
        else:
            hit = column.list.eval(
                pl.element().str.to_lowercase().is_in(wanted.implode())
            ).list.any()
        result &= ~hit.fill_null(False) if spec.negated else hit.fill_null(False)
    return result
