"""Row filters shared by every command: --party, --channel, --since, --until, --reading.

A party filter is applied to the records before the analysis: every reply between a pair
involves both parties, so keeping all records of a party leaves its episodes unchanged. Channel
and time filters only select rows of the results: a reply on another channel, or before --since,
still answers an attempt, so cutting records there would change the figures. A reading of a
merged log (`deconf.analysis.readings`) selects records: it is what a source says happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from deconf.analysis.columns import A
from deconf.analysis.readings import read_as
from deconf.frames import Col, Records


@dataclass(frozen=True)
class Filters:
    party: str | None = None
    channel: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    reading: str | None = None

    def contacts_where(self) -> pl.Expr | None:
        """The part of the filters that may be applied to the records themselves."""
        if self.party is None:
            return None
        return (pl.col(Col.FROM_PARTY) == self.party) | (pl.col(Col.TO_PARTY) == self.party)

    def records(self, records: Records) -> Records:
        records = read_as(records, self.reading)
        where = self.contacts_where()
        if where is None:
            return records
        return Records(records.contacts.filter(where), records.events)

    def rows(self, frame: pl.DataFrame, time_column: str) -> pl.DataFrame:
        """Rows of a result frame on the channel and within [since, until]."""
        condition = pl.lit(True)
        if self.channel is not None:
            if A.CHANNELS in frame.columns:
                condition &= pl.col(A.CHANNELS).list.contains(self.channel)
            else:
                condition &= pl.col(Col.CHANNEL).cast(pl.String) == self.channel
        time = pl.col(time_column)
        if self.since is not None:
            condition &= time >= pl.lit(self.since, dtype=frame.schema[time_column])
        if self.until is not None:
            condition &= time <= pl.lit(self.until, dtype=frame.schema[time_column])
        return frame.filter(condition)
