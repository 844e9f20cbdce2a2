"""The store's id index: for each ingest, a small Parquet file listing every record it added —
id, table, origin, content hash and (for a contact) its time — so that the next ingest checks
duplicate ids, dangling replies and clock skew against the store without loading it (issue 14).

Content hashes are Polars' own (`deconf.crosscheck.content_hash`), which a Polars release may
change, so each index file names the version that hashed it (`HASHED_BY`); a store whose index is
missing (made before there was one) or hashed by another version is indexed again from its data,
once per ingest, the old way.
"""

from __future__ import annotations

import polars as pl

from deconf.frames import UTC_TIME, Col, Records

HASH = "_content_hash"
TABLE = "_table"
PARENT_AT = "_parent_at"
#: Where a record came from: not part of its content.
PROVENANCE = (Col.ORIGIN_FILE, Col.ORIGIN_LINE)

#: The name of the index in the manifest's file list, and its folder in the store.
INDEX = "ids"
HASHED_BY = f"polars {pl.__version__}"
INDEX_SCHEMA = pl.Schema(
    {
        Col.ID: pl.String,
        TABLE: pl.String,
        Col.ORIGIN_FILE: pl.String,
        Col.ORIGIN_LINE: pl.Int64,
        HASH: pl.UInt64,
        PARENT_AT: UTC_TIME,
    }
)


def content_hash(frame: pl.DataFrame) -> pl.Series:
    """A hash of each record's content, provenance left out: equal records, equal hashes."""
    fields = [c for c in frame.columns if c not in PROVENANCE]
    return frame.select(pl.struct(fields).hash(seed=0).alias(HASH)).to_series()


def index_of(records: Records) -> pl.DataFrame:
    """The index rows of these records (schema: INDEX_SCHEMA)."""
    parts = [
        frame.select(
            Col.ID,
            pl.lit(table).alias(TABLE),
            Col.ORIGIN_FILE,
            Col.ORIGIN_LINE,
            content_hash(frame),
            (pl.col(Col.SENT_AT) if table == "contact" else pl.lit(None)).alias(PARENT_AT),
        )
        for table, frame in (("contact", records.contacts), ("event", records.events))
    ]
    return pl.concat([part.cast(INDEX_SCHEMA) for part in parts])
