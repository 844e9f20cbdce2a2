"""The as-of time: the moment the analysis is made; records after it are left out (SPEC §3)."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from deconf.errors import UsageError
from deconf.frames import Col, Records
from deconf.times import TimeError, parse_moment


def parse_as_of(value: str | datetime | None, setting: str = "as_of") -> datetime | None:
    """None (latest timestamp in the data), 'now', an RFC 3339 timestamp with offset, or a
    datetime (naive ones taken as UTC); a UsageError naming `setting` otherwise."""
    try:
        return parse_moment(value)
    except TimeError as error:
        raise UsageError(error.message, setting=setting) from None


def latest_timestamp(records: Records) -> datetime | None:
    candidates = [
        records.contacts[Col.SENT_AT].max(),
        records.events[Col.AT].max(),
    ]
    present = [c for c in candidates if c is not None]
    return max(present) if present else None


def resolve_as_of(records: Records, as_of: str | datetime | None) -> datetime:
    """The as-of moment: given, or the latest timestamp in the data (now, for an empty log)."""
    chosen = parse_as_of(as_of)
    if chosen is None:
        chosen = latest_timestamp(records) or datetime.now(UTC)
    return chosen


def known_at(records: Records, as_of: datetime) -> Records:
    """Only what was known at the as-of moment (the records themselves, not a copy, when nothing
    is later: the usual case, as the as-of time defaults to the latest time in the data)."""
    latest = latest_timestamp(records)
    if latest is None or latest <= as_of:
        return records
    moment = pl.lit(as_of, dtype=records.contacts.schema[Col.SENT_AT])
    return Records(
        records.contacts.filter(pl.col(Col.SENT_AT) <= moment),
        records.events.filter(pl.col(Col.AT) <= moment),
    )
