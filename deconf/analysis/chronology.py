"""Every message and event in time order, with what each rests on: the board of inquiry's
chronology, and the evidence behind a finding (the same rows, for the records it names).

Each row carries its time and how precisely it was recorded, the parties, kind, outcome, summary,
the citation (`source`), the certainty (`reported`, `inferred`, `disputed`) and, for attempts,
what became of them — so no figure is shown without the records under it.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from deconf.analysis.columns import A
from deconf.analysis.linking import attempt_rows
from deconf.frames import Col, Records
from deconf.vocabulary import RecordType

COLUMNS = (
    Col.AT,
    Col.TIME_PRECISION,
    Col.TYPE,
    Col.ID,
    Col.FROM_PARTY,
    Col.TO_PARTY,
    Col.KIND,
    Col.ATTEMPT_OUTCOME,
    A.STATUS,
    Col.SUMMARY,
    Col.SOURCE,
    Col.CERTAINTY,
    Col.ORIGIN_FILE,
)


def chronology(records: Records, attempts: pl.DataFrame) -> pl.DataFrame:
    """One row per contact and event, in time order (ties by id); `status` for attempts."""
    contacts = records.contacts.select(
        pl.col(Col.SENT_AT).alias(Col.AT),
        pl.col(Col.TIME_PRECISION).cast(pl.String),
        pl.lit(RecordType.CONTACT.value).alias(Col.TYPE),
        Col.ID,
        Col.FROM_PARTY,
        Col.TO_PARTY,
        pl.col(Col.KIND).cast(pl.String),
        pl.col(Col.ATTEMPT_OUTCOME).cast(pl.String),
        Col.SUMMARY,
        Col.SOURCE,
        pl.col(Col.CERTAINTY).cast(pl.String),
        Col.ORIGIN_FILE,
    )
    rows = attempt_rows(records.contacts, attempts)
    if rows is None:
        status = attempts.select(pl.col(A.ATTEMPT_ID).alias(Col.ID), A.STATUS)
        contacts = contacts.join(status, on=Col.ID, how="left")
    else:  # the attempts are rows of the contacts, in order: no join on ids
        status = pl.Series(A.STATUS, [None] * contacts.height, dtype=pl.String)
        contacts = contacts.with_columns(status.scatter(rows, attempts[A.STATUS]))
    events = records.events.select(
        Col.AT,
        pl.col(Col.TIME_PRECISION).cast(pl.String),
        pl.lit(RecordType.EVENT.value).alias(Col.TYPE),
        Col.ID,
        pl.col(Col.ACTOR).alias(Col.FROM_PARTY),
        pl.lit(None, dtype=pl.String).alias(Col.TO_PARTY),
        pl.col(Col.KIND).cast(pl.String),
        pl.lit(None, dtype=pl.String).alias(Col.ATTEMPT_OUTCOME),
        Col.SUMMARY,
        Col.SOURCE,
        pl.col(Col.CERTAINTY).cast(pl.String),
        Col.ORIGIN_FILE,
        pl.lit(None, dtype=pl.String).alias(A.STATUS),
    )
    return (
        pl.concat([contacts.select(COLUMNS), events.select(COLUMNS)])
        .with_columns(
            pl.col(Col.TIME_PRECISION).fill_null("second"),
            pl.col(Col.CERTAINTY).fill_null("reported"),
        )
        .sort(Col.AT, Col.ID)
    )


def evidence(rows: pl.DataFrame, ids: Iterable[str]) -> pl.DataFrame:
    """The chronology rows of the named records, in time order: what a finding rests on."""
    wanted = list(dict.fromkeys(i for i in ids if i is not None))
    return rows.filter(pl.col(Col.ID).is_in(wanted))
