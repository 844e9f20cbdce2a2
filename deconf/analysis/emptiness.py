"""Why a result is empty. An as-of time before the data, a window beside it or a filter that
matches nothing must not look like "no gaps": every front end asks here and says why, naming
the setting at fault and what the data holds (its time span, its parties, its channels).

Messages name settings in backticks (`as_of`); each front end words them its own way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from deconf.analysis.filters import Filters
from deconf.frames import Col, Records
from deconf.times import to_the_minute


@dataclass(frozen=True)
class Extent:
    """What the whole data holds, before any filter: its time span, parties and channels."""

    first: datetime | None
    last: datetime | None
    parties: tuple[str, ...]
    channels: tuple[str, ...]

    def span(self) -> str:
        if self.first is None or self.last is None:
            return "the data holds no records"
        return f"the data spans {to_the_minute(self.first)} to {to_the_minute(self.last)}"


def extent_of(records: Records) -> Extent:
    """The Extent of records (contacts and events; only their times, parties and channels)."""
    contacts, events = records.contacts, records.events
    times = [t for t in (contacts[Col.SENT_AT].min(), events[Col.AT].min()) if t is not None]
    ends = [t for t in (contacts[Col.SENT_AT].max(), events[Col.AT].max()) if t is not None]
    parties = pl.concat([contacts[Col.FROM_PARTY], contacts[Col.TO_PARTY]]).drop_nulls().unique()
    channels = contacts[Col.CHANNEL].cast(pl.String).drop_nulls().unique()
    return Extent(
        min(times) if times else None,
        max(ends) if ends else None,
        tuple(sorted(parties)),
        tuple(sorted(channels)),
    )


def _listed(values: tuple[str, ...], limit: int = 12) -> str:
    shown = ", ".join(values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def why_empty(what: str, extent: Extent, as_of: datetime, filters: Filters) -> str:
    """One sentence saying why there are no `what` (e.g. "attempts"), for a result found empty."""
    span = extent.span()
    if extent.first is None:
        return f"no {what}: {span}"
    if as_of < extent.first:
        return f"no {what}: `as_of` {to_the_minute(as_of)} is before the first record; {span}"
    if filters.party is not None and filters.party not in extent.parties:
        return (
            f"no {what}: no contact involves `party` {filters.party!r}; "
            f"parties in the data: {_listed(extent.parties)}"
        )
    if filters.channel is not None and filters.channel not in extent.channels:
        return (
            f"no {what}: nothing was sent on `channel` {filters.channel!r}; "
            f"channels in the data: {_listed(extent.channels)}"
        )
    if filters.since is not None and filters.until is not None and filters.since > filters.until:
        return f"no {what}: `since` {to_the_minute(filters.since)} is after `until`"
    if filters.since is not None and filters.since > extent.last:
        return f"no {what}: `since` {to_the_minute(filters.since)} is after the last record; {span}"
    if filters.since is not None and filters.since > as_of:
        return (
            f"no {what}: `since` {to_the_minute(filters.since)} is after `as_of` "
            f"{to_the_minute(as_of)}; {span}"
        )
    if filters.until is not None and filters.until < extent.first:
        return (
            f"no {what}: `until` {to_the_minute(filters.until)} is before the first record; {span}"
        )
    chosen = [
        f"`{name}` {value if isinstance(value, str) else to_the_minute(value)}"
        for name, value in (
            ("party", filters.party),
            ("channel", filters.channel),
            ("since", filters.since),
            ("until", filters.until),
        )
        if value is not None
    ]
    if chosen:
        return f"no {what} match {', '.join(chosen)} as of {to_the_minute(as_of)}; {span}"
    return f"no {what} in the data as of {to_the_minute(as_of)}; {span}"
