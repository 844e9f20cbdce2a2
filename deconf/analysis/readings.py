"""Readings of a merged log (SPEC §7): the figures as one source tells them, as only what several
sources agree on tells them, or from everything.

A merged log (`deconf reconcile -o`) names in `logged_by` the sources that logged each record
("US:kh-020"). A reading is a filter of the records before the analysis:

- ``all`` — every record, the disputed accounts of every side included (the default);
- ``side:NAME`` — what source NAME logged: the records it logged alone, those it logged with
  others, and its own account wherever accounts conflict;
- ``corroborated`` — only records that two or more sources logged alike.

The analysis commands, the report and the browser take a reading and pass it here; none of them
filters on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from deconf.analysis.columns import S
from deconf.errors import UsageError
from deconf.frames import Col, Records
from deconf.vocabulary import Certainty

ALL = "all"
CORROBORATED = "corroborated"
SIDE_PREFIX = "side:"
SETTING = "reading"  # the setting a wrong reading is reported against
READINGS_HELP = "all (default), side:NAME (what source NAME logged) or corroborated"

#: Columns of `compare_readings` (the statistics keep their own names).
READING = "reading"
#: The figures per responder that findings compare across readings.
COMPARED = (S.KM_MEDIAN, S.UNANSWERED_EPISODES, S.EPISODES)
#: Columns of `disagreements`.
LOGGED_BY_SOURCES = "sources"
DISAGREEMENT = "disagreement"
DISPUTED = "disputed"
ONLY = "only"


@dataclass(frozen=True)
class Reading:
    """A parsed reading: ALL, CORROBORATED, or a side with its source name."""

    kind: str = ALL
    side: str | None = None

    def __str__(self) -> str:
        return f"{SIDE_PREFIX}{self.side}" if self.kind == SIDE_PREFIX else self.kind

    @classmethod
    def parse(cls, text: str | None) -> Reading:
        if text is None or text == ALL:
            return cls()
        if text == CORROBORATED:
            return cls(CORROBORATED)
        if text.startswith(SIDE_PREFIX) and text[len(SIDE_PREFIX) :].strip():
            return cls(SIDE_PREFIX, text[len(SIDE_PREFIX) :].strip())
        raise UsageError(f"choose {READINGS_HELP} ({text!r})", setting=SETTING)


def _names() -> pl.Expr:
    """The source names of each record's `logged_by` entries (the part before the colon)."""
    return pl.col(Col.LOGGED_BY).list.eval(pl.element().str.split(":").list.first())


def sources_of(records: Records) -> list[str]:
    """The source names a merged log's records name, sorted."""
    names = pl.concat(
        [
            frame.select(_names().alias("_n")).explode("_n")["_n"]
            for frame in (records.contacts, records.events)
        ]
    )
    return sorted(names.drop_nulls().unique().to_list())


def _kept(reading: Reading) -> pl.Expr:
    if reading.kind == CORROBORATED:
        return (pl.col(Col.LOGGED_BY).list.len() >= 2).fill_null(False)
    return _names().list.contains(reading.side).fill_null(False)


def read_as(records: Records, reading: Reading | str | None) -> Records:
    """The records of the reading; a UsageError when the log names no sources or not that one."""
    if not isinstance(reading, Reading):
        reading = Reading.parse(reading)
    if reading.kind == ALL:
        return records
    known = sources_of(records)
    if not known:
        raise UsageError(
            f"the records name no sources (logged_by), so there is no {reading} reading; "
            "readings are for a merged log written by `deconf reconcile -o`",
            setting=SETTING,
        )
    if reading.side is not None and reading.side not in known:
        raise UsageError(
            f"no source {reading.side!r} in the records; they name {', '.join(known)}",
            setting=SETTING,
        )
    keep = _kept(reading)
    return Records(records.contacts.filter(keep), records.events.filter(keep))


def readings_of(records: Records) -> list[Reading]:
    """The readings worth comparing: each source's side, then what they corroborate."""
    sides = [Reading(SIDE_PREFIX, name) for name in sources_of(records)]
    return [*sides, Reading(CORROBORATED)] if len(sides) >= 2 else []


def disagreements(records: Records) -> pl.DataFrame:
    """Where a merged log's sources disagree: disputed accounts, and contacts only some of the
    sources logged, in time order, with the names of the sources behind each."""
    known = sources_of(records)
    if len(known) < 2:
        return records.contacts.head(0).with_columns(
            pl.lit(None, pl.List(pl.String)).alias(LOGGED_BY_SOURCES),
            pl.lit(None, pl.String).alias(DISAGREEMENT),
        )
    contacts = records.contacts.with_columns(_names().alias(LOGGED_BY_SOURCES))
    disputed = pl.col(Col.CERTAINTY) == Certainty.DISPUTED.value
    partial = pl.col(LOGGED_BY_SOURCES).list.len() < len(known)
    return (
        contacts.filter(pl.col(Col.LOGGED_BY).is_not_null() & (disputed | partial))
        .with_columns(
            pl.when(disputed).then(pl.lit(DISPUTED)).otherwise(pl.lit(ONLY)).alias(DISAGREEMENT)
        )
        .sort(Col.SENT_AT, Col.ID)
    )
