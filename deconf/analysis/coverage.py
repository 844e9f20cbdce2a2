"""What each source observed (SPEC §3.2 "Coverage"): a log, or a source ingested into the store,
only sees until its last timestamp. An episode still open is followed only that far, so a 2018
log stored beside a 2019 log does not "owe" an answer for the 467 days in between.

A source is the file a record was read from (`origin_file`); records given through the Python
API share one source.
"""

from __future__ import annotations

import polars as pl

from deconf.analysis.columns import A
from deconf.frames import UTC_TIME, Col, Records

_TIME = "_time"
_CONTACT = "_contact"


def coverage_of(records: Records) -> pl.DataFrame:
    """One row per source: origin_file, covers_from, covers_until, contacts, events."""
    stacked = pl.concat(
        [
            records.contacts.select(
                Col.ORIGIN_FILE, pl.col(Col.SENT_AT).alias(_TIME), pl.lit(True).alias(_CONTACT)
            ),
            records.events.select(
                Col.ORIGIN_FILE, pl.col(Col.AT).alias(_TIME), pl.lit(False).alias(_CONTACT)
            ),
        ]
    ).with_columns(pl.col(Col.ORIGIN_FILE).fill_null(""))
    return (
        stacked.group_by(Col.ORIGIN_FILE)
        .agg(
            pl.col(_TIME).min().alias(A.COVERS_FROM),
            pl.col(_TIME).max().alias(A.COVERS_UNTIL),
            pl.col(_CONTACT).sum().cast(pl.Int64).alias(A.CONTACTS),
            (~pl.col(_CONTACT)).sum().cast(pl.Int64).alias(A.EVENT_RECORDS),
        )
        .with_columns(pl.col(A.COVERS_FROM).cast(UTC_TIME), pl.col(A.COVERS_UNTIL).cast(UTC_TIME))
        .sort(A.COVERS_FROM, Col.ORIGIN_FILE)
    )


def covers_until(origin_files: pl.Series, coverage: pl.DataFrame) -> pl.Series:
    """Per row, until when the source it was read from observed (null for an unknown source)."""
    return origin_files.replace_strict(
        coverage[Col.ORIGIN_FILE], coverage[A.COVERS_UNTIL], default=None, return_dtype=UTC_TIME
    ).alias(A.COVERS_UNTIL)
