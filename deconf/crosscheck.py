"""Checks across records: duplicate ids (rejections), dangling replies and clock skew (warnings).

Run once over every source of a log together (and, on ingest, against what the store already
holds, through its id index: `deconf.idindex`), after each line has been validated on its own.
"""

from __future__ import annotations

import polars as pl

from deconf.explain import Problem, show_value
from deconf.frames import UTC_TIME, Col, Records
from deconf.idindex import HASH, PARENT_AT, PROVENANCE, TABLE, content_hash
from deconf.validation import FileResult, Issue, RejectedLine, Validation

__all__ = ["HASH", "PARENT_AT", "TABLE", "content_hash", "cross_check"]

_PROVENANCE = PROVENANCE
# what names one record: its origin and id (an imported row can yield several records, one line)
_KEY = (*_PROVENANCE, Col.ID)
_HASH = HASH
_TABLE = TABLE
_ORDER = "_source_order"


def id_index(records: Records, order: int = 0) -> pl.DataFrame:
    """id, table and origin of every record: what duplicate checks compare."""
    return pl.concat(
        [
            frame.select(Col.ID, Col.ORIGIN_FILE, Col.ORIGIN_LINE).with_columns(
                pl.lit(table).alias(_TABLE), pl.lit(order).alias(_ORDER)
            )
            for table, frame in (("contact", records.contacts), ("event", records.events))
        ]
    )


def with_hashes(index: pl.DataFrame, records: Records) -> pl.DataFrame:
    """The index rows with each record's content hash (computed for these rows only)."""
    parts = []
    for table, frame in (("contact", records.contacts), ("event", records.events)):
        rows = index.filter(pl.col(_TABLE) == table)
        if rows.is_empty():
            continue
        wanted = frame.join(rows.select(_KEY), on=list(_KEY), how="semi")
        hashed = wanted.select(*_KEY).with_columns(content_hash(wanted))
        parts.append(rows.join(hashed, on=list(_KEY), how="left"))
    if not parts:
        return index.with_columns(pl.lit(None, dtype=pl.UInt64).alias(_HASH))
    return pl.concat(parts)


def cross_check(
    results: list[FileResult],
    stored: pl.DataFrame | None = None,
    *,
    earlier: pl.DataFrame | None = None,
    replies: bool = True,
) -> Validation:
    """Combine per-source results into one Validation with the cross-record checks applied.

    `stored` is the id index of what a store holds (`deconf.idindex.index_of`); `earlier` the
    index of what this run accepted from earlier blocks (`deconf.runningcheck`), whose records
    come first. `replies=False` leaves the reply checks to the caller, who has seen every block.
    """
    rejected = [line for result in results for line in result.rejected]
    records = Records.concat([r.records for r in results])
    index = pl.concat([id_index(r.records, i) for i, r in enumerate(results)])
    # only ids that occur more than once need their content compared; their hashes find them
    # cheaply (a collision only adds a candidate, which the grouping by id below lets through)
    repeated = index.filter(pl.col(Col.ID).hash().is_duplicated())
    prior = None
    if earlier is not None and not earlier.is_empty():
        again = index.join(earlier.select(Col.ID), on=Col.ID, how="semi")
        repeated = pl.concat([repeated, again]).unique(list(_KEY), maintain_order=True)
        prior = earlier.join(again.select(Col.ID), on=Col.ID, how="semi")
    repeated = with_hashes(repeated, records)
    if prior is not None and not prior.is_empty():
        prior = prior.with_columns(pl.lit(-1).alias(_ORDER)).select(repeated.columns)
        repeated = pl.concat([prior.cast(repeated.schema), repeated])
    repeated = repeated.sort(_ORDER, Col.ORIGIN_LINE)
    first = {
        "_first_file": pl.col(Col.ORIGIN_FILE).first().over(Col.ID),
        "_first_line": pl.col(Col.ORIGIN_LINE).first().over(Col.ID),
        "_first_hash": pl.col(_HASH).first().over(Col.ID),
        "_first_table": pl.col(_TABLE).first().over(Col.ID),
    }
    repeated = repeated.with_columns(**first, _later=pl.int_range(pl.len()).over(Col.ID) > 0)
    later = repeated.filter("_later")
    same = (pl.col(_HASH) == pl.col("_first_hash")) & (pl.col(_TABLE) == pl.col("_first_table"))
    identical = later.filter(same)
    conflicting = later.filter(~same).with_columns(pl.lit(None, pl.String).alias("_message"))
    already = conflicting.clear()
    if stored is not None and not stored.is_empty():
        firsts = index.join(later.select(*_KEY), on=list(_KEY), how="anti")
        clash, already = _against_store(firsts, records, stored, conflicting)
        conflicting = pl.concat([conflicting, clash])
    texts = _texts_of(results, conflicting)
    for row in conflicting.iter_rows(named=True):
        first_seen = f"{row['_first_file']}:{row['_first_line']}"
        message = row["_message"] or f"duplicate id; first used at {first_seen}"
        rejected.append(
            RejectedLine(
                row[Col.ORIGIN_FILE],
                row[Col.ORIGIN_LINE],
                texts.get((row[Col.ORIGIN_FILE], row[Col.ORIGIN_LINE]), ""),
                (Problem(Col.ID, message, show_value(row[Col.ID])),),
            )
        )
    drop = pl.concat([f.select(_KEY) for f in (identical, conflicting, already)])
    if not drop.is_empty():
        records = Records(
            records.contacts.join(drop, on=list(_KEY), how="anti", maintain_order="left"),
            records.events.join(drop, on=list(_KEY), how="anti", maintain_order="left"),
        )
    warnings = [
        Issue(
            r[Col.ORIGIN_FILE],
            r[Col.ORIGIN_LINE],
            Col.ID,
            f"identical duplicate of {r['_first_file']}:{r['_first_line']}; kept once",
            show_value(r[Col.ID]),
        )
        for r in identical.iter_rows(named=True)
    ]
    if replies:
        warnings += reply_warnings(records, stored)
    rejected.sort(key=lambda r: (r.file, r.line))
    return Validation(
        records=records,
        lines=sum(r.lines for r in results),
        rejected=rejected,
        warnings=sorted(warnings, key=lambda w: (w.file, w.line)),
        identical_duplicates=identical.height,
        already_stored=already.height,
    )


def _against_store(firsts: pl.DataFrame, records: Records, known: pl.DataFrame, like: pl.DataFrame):
    """First occurrences whose id the store holds (`known`: its id index): identical ones
    (already stored, a no-op) and conflicting ones (rejected, naming where the stored one came
    from)."""
    overlap = firsts.join(known.select(Col.ID), on=Col.ID, how="semi")
    if overlap.is_empty():
        return like.clear(), overlap
    ours = with_hashes(overlap, records)
    theirs = known.join(overlap.select(Col.ID), on=Col.ID, how="semi").select(
        Col.ID,
        pl.col(_HASH).alias("_first_hash"),
        pl.col(_TABLE).alias("_first_table"),
        pl.col(Col.ORIGIN_FILE).alias("_first_file"),
        pl.col(Col.ORIGIN_LINE).alias("_first_line"),
    )
    matched = ours.join(theirs, on=Col.ID, how="inner")
    same = (pl.col(_HASH) == pl.col("_first_hash")) & (pl.col(_TABLE) == pl.col("_first_table"))
    clash = matched.filter(~same).with_columns(
        pl.lit(False).alias("_later"),
        pl.format(
            "id already in the store with other content (ingested from {}:{})",
            "_first_file",
            "_first_line",
        ).alias("_message"),
    )
    return clash.select(like.columns).cast(like.schema), matched.filter(same)


def _texts_of(results: list[FileResult], rows: pl.DataFrame) -> dict[tuple[str, int], str]:
    """The verbatim text of each of `rows`' lines (origin file and line), read back from its
    source: only rejected lines are quoted, so only they are looked up."""
    found: dict[tuple[str, int], str] = {}
    for result in results:
        lines = rows.filter(pl.col(Col.ORIGIN_FILE) == result.source)[Col.ORIGIN_LINE].unique()
        if lines.len():
            texts = result.texts(lines)
            found |= {(result.source, n): t or "" for n, t in zip(lines, texts, strict=True)}
    return found


def reply_warnings(records: Records, stored: pl.DataFrame | None = None) -> list[Issue]:
    """Dangling `in_reply_to` and replies timed before what they answer (kept, flagged);
    `stored` is the store's id index, whose rows carry each contact's time."""
    parts = [
        records.contacts.select(Col.ID, pl.col(Col.SENT_AT).alias(PARENT_AT)),
        records.events.select(Col.ID, pl.lit(None, dtype=UTC_TIME).alias(PARENT_AT)),
    ]
    if stored is not None:
        parts.append(stored.select(Col.ID, pl.col(PARENT_AT).cast(UTC_TIME)))
    return replies_against(replies_of(records), pl.concat(parts))


def replies_of(records: Records) -> pl.DataFrame:
    """What the reply checks need of the records that answer another."""
    return records.contacts.filter(pl.col(Col.IN_REPLY_TO).is_not_null()).select(
        Col.IN_REPLY_TO, Col.SENT_AT, Col.ORIGIN_FILE, Col.ORIGIN_LINE
    )


def replies_against(replies: pl.DataFrame, parents: pl.DataFrame) -> list[Issue]:
    """The reply warnings of `replies` (`replies_of`) given every record they may answer
    (id and, for a contact, its time: PARENT_AT)."""
    parents = parents.select(Col.ID, pl.col(PARENT_AT).cast(UTC_TIME), pl.lit(True).alias("_known"))
    # ids are unique by now (duplicates were dropped, stored ones are not among the new)
    linked = replies.join(parents, left_on=Col.IN_REPLY_TO, right_on=Col.ID, how="left")
    dangling = linked.filter(pl.col("_known").is_null())
    skewed = linked.filter(pl.col(Col.SENT_AT) < pl.col(PARENT_AT))
    issues = [
        Issue(
            r[Col.ORIGIN_FILE],
            r[Col.ORIGIN_LINE],
            Col.IN_REPLY_TO,
            "names an id that is not in the log (dangling reply)",
            show_value(r[Col.IN_REPLY_TO]),
        )
        for r in dangling.iter_rows(named=True)
    ]
    issues += [
        Issue(
            r[Col.ORIGIN_FILE],
            r[Col.ORIGIN_LINE],
            Col.SENT_AT,
            f"reply is timed before what it answers ({r[Col.IN_REPLY_TO]}); kept, "
            "flagged as clock skew",
            r[Col.SENT_AT].isoformat(),
        )
        for r in skewed.iter_rows(named=True)
    ]
    return issues
