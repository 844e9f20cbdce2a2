"""Checks across records: duplicate ids (rejections), dangling replies and clock skew (warnings).

Run once over every source of a log together (and, on ingest, against what the store already
holds), after each line has been validated on its own.
"""

from __future__ import annotations

import polars as pl

from deconf.explain import Problem, show_value
from deconf.frames import Col, Records
from deconf.reading import LINE, TEXT
from deconf.validation import FileResult, Issue, RejectedLine, Validation

_PROVENANCE = (Col.ORIGIN_FILE, Col.ORIGIN_LINE)
_HASH = "_content_hash"
_TABLE = "_table"
_ORDER = "_source_order"


def content_hash(frame: pl.DataFrame) -> pl.Series:
    """A hash of each record's content, provenance left out: equal records, equal hashes."""
    fields = [c for c in frame.columns if c not in _PROVENANCE]
    return frame.select(pl.struct(fields).hash(seed=0).alias(_HASH)).to_series()


def id_index(records: Records, order: int = 0) -> pl.DataFrame:
    """id, table, content hash and origin of every record: what duplicate checks compare."""
    parts = []
    for table, frame in (("contact", records.contacts), ("event", records.events)):
        parts.append(
            frame.select(Col.ID, Col.ORIGIN_FILE, Col.ORIGIN_LINE).with_columns(
                pl.lit(table).alias(_TABLE),
                content_hash(frame),
                pl.lit(order).alias(_ORDER),
            )
        )
    return pl.concat(parts)


def cross_check(results: list[FileResult], stored: Records | None = None) -> Validation:
    """Combine per-source results into one Validation with the cross-record checks applied."""
    rejected = [line for result in results for line in result.rejected]
    index = pl.concat([id_index(r.records, i) for i, r in enumerate(results)]).sort(
        _ORDER, Col.ORIGIN_LINE
    )
    index = index.with_columns(
        pl.col(Col.ORIGIN_FILE).first().over(Col.ID).alias("_first_file"),
        pl.col(Col.ORIGIN_LINE).first().over(Col.ID).alias("_first_line"),
        pl.col(_HASH).first().over(Col.ID).alias("_first_hash"),
        pl.col(_TABLE).first().over(Col.ID).alias("_first_table"),
        (pl.int_range(pl.len()).over(Col.ID) > 0).alias("_later"),
    )
    later = index.filter("_later")
    same = (pl.col(_HASH) == pl.col("_first_hash")) & (pl.col(_TABLE) == pl.col("_first_table"))
    identical = later.filter(same)
    conflicting = later.filter(~same)
    if stored is not None and len(stored):
        conflicting, already = _against_store(index.filter(~pl.col("_later")), stored, conflicting)
    else:
        already = index.clear()
    texts = {r.source: r.texts for r in results}
    for row in conflicting.iter_rows(named=True):
        first = f"{row['_first_file']}:{row['_first_line']}"
        message = row.get("_message") or f"duplicate id; first used at {first}"
        rejected.append(
            RejectedLine(
                row[Col.ORIGIN_FILE],
                row[Col.ORIGIN_LINE],
                _text_of(texts, row[Col.ORIGIN_FILE], row[Col.ORIGIN_LINE]),
                (Problem(Col.ID, message, show_value(row[Col.ID])),),
            )
        )
    drop = pl.concat(
        [f.select(Col.ORIGIN_FILE, Col.ORIGIN_LINE) for f in (identical, conflicting, already)]
    )
    records = Records.concat([r.records for r in results])
    records = Records(
        records.contacts.join(drop, on=list(_PROVENANCE), how="anti", maintain_order="left"),
        records.events.join(drop, on=list(_PROVENANCE), how="anti", maintain_order="left"),
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


def _against_store(firsts: pl.DataFrame, stored: Records, conflicting: pl.DataFrame):
    """Split first occurrences into already-stored (identical) and conflicting with the store."""
    known = id_index(stored).select(
        Col.ID,
        pl.col(_HASH).alias("_stored_hash"),
        pl.col(_TABLE).alias("_stored_table"),
        pl.col(Col.ORIGIN_FILE).alias("_stored_file"),
        pl.col(Col.ORIGIN_LINE).alias("_stored_line"),
    )
    matched = firsts.join(known, on=Col.ID, how="inner")
    same = (pl.col(_HASH) == pl.col("_stored_hash")) & (pl.col(_TABLE) == pl.col("_stored_table"))
    already = matched.filter(same)
    clash = matched.filter(~same).with_columns(
        pl.format(
            "id already in the store with other content (ingested from {}:{})",
            "_stored_file",
            "_stored_line",
        ).alias("_message")
    )
    merged = pl.concat(
        [
            conflicting.with_columns(pl.lit(None, pl.String).alias("_message")),
            clash.select([*conflicting.columns, "_message"]),
        ]
    )
    return merged, already.select(firsts.columns)


def _text_of(texts: dict[str, pl.DataFrame], source: str, line: int) -> str:
    frame = texts.get(source)
    if frame is None:
        return ""
    found = frame.filter(pl.col(LINE) == line)[TEXT]
    return found[0] if found.len() else ""


def reply_warnings(records: Records, stored: Records | None = None) -> list[Issue]:
    """Dangling `in_reply_to` and replies timed before what they answer (kept, flagged)."""
    contacts = records.contacts
    all_ids = pl.concat([records.contacts[Col.ID], records.events[Col.ID]])
    parent_times = contacts.select(Col.ID, pl.col(Col.SENT_AT).alias("_parent_at"))
    if stored is not None and len(stored):
        all_ids = pl.concat([all_ids, stored.contacts[Col.ID], stored.events[Col.ID]])
        parent_times = pl.concat(
            [parent_times, stored.contacts.select(Col.ID, pl.col(Col.SENT_AT).alias("_parent_at"))]
        )
    replies = contacts.filter(pl.col(Col.IN_REPLY_TO).is_not_null())
    dangling = replies.filter(~pl.col(Col.IN_REPLY_TO).is_in(all_ids.implode()))
    skewed = replies.join(
        parent_times.unique(Col.ID), left_on=Col.IN_REPLY_TO, right_on=Col.ID, how="inner"
    ).filter(pl.col(Col.SENT_AT) < pl.col("_parent_at"))
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
