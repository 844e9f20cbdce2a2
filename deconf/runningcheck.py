"""Cross-record checks over a log that arrives in blocks, so that memory holds a block, not the log.

Each block is checked against the first occurrence of every id in earlier blocks (their id index:
id, table, origin, content hash, time; about 40 bytes a record) and against the store's index: a
repeated id is an identical duplicate or a conflict exactly as when the whole log is checked at
once (a later copy is compared with the run's first one, even when that one was already stored).
Replies are checked last, once every record they may answer has been seen.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import polars as pl

from deconf.crosscheck import PARENT_AT, TABLE, cross_check, replies_against, replies_of
from deconf.frames import UTC_TIME, Col, Records
from deconf.idindex import INDEX_SCHEMA, index_of
from deconf.idset import IdHashSet, id_hashes
from deconf.progress import Report, Step, silent
from deconf.validation import FileResult, Issue, RejectedLine, Validation

_NEW = "_new"
_KEY = (Col.ORIGIN_FILE, Col.ORIGIN_LINE, Col.ID)
_COMPACT = {TABLE: pl.Categorical, Col.ORIGIN_FILE: pl.Categorical}


class RunningCheck:
    """Feed validated blocks in log order to `add`; `finish` gives the whole log's verdicts."""

    def __init__(self, stored: pl.DataFrame | None = None):
        self.stored = stored if stored is not None and not stored.is_empty() else None
        self._stored_ids = IdHashSet()
        if self.stored is not None:
            self._stored_ids.add(id_hashes(self.stored[Col.ID]))
        # the first record of each id in this run so far, and whether it is new to the store
        # (origin and table as categories: a few bytes a record instead of a string each)
        self._firsts: list[pl.DataFrame] = []
        self._seen_ids = IdHashSet()
        self._replies: list[pl.DataFrame] = []
        self.lines = 0
        self.new = 0
        self.rejected: list[RejectedLine] = []
        self.warnings: list[Issue] = []
        self.identical_duplicates = 0
        self.already_stored = 0

    def add(self, block: FileResult) -> Records:
        """The block's new records, once checked against the store and every earlier block."""
        ids = pl.concat([block.records.contacts[Col.ID], block.records.events[Col.ID]])
        hashes = id_hashes(ids)
        seen_before = self._seen_ids.may_contain(hashes)
        maybe_stored = self._stored_ids.may_contain(hashes)
        if not (seen_before.any() or maybe_stored.any() or _repeats(hashes)):
            # the usual block: every id new to the store, the run and the block itself, so
            # every record is its id's first and nothing needs comparing
            self._keep(index_of(block.records).sort(Col.ORIGIN_LINE), all_new=hashes)
            self.lines += block.lines
            self.new += len(block.records)
            self.rejected += block.rejected
            self._replies.append(replies_of(block.records))
            return block.records
        # ids met before: candidates by hash, confirmed against the real ids (rarely any)
        earlier = self._earlier(ids.filter(seen_before))
        stored = None
        if self.stored is not None and maybe_stored.any():
            stored = self.stored.join(ids.filter(maybe_stored).to_frame(), on=Col.ID, how="semi")
        checked = cross_check([block], stored, earlier=earlier, replies=False)
        every = index_of(block.records).sort(Col.ORIGIN_LINE)
        if earlier is not None:
            every = every.join(earlier.select(Col.ID), on=Col.ID, how="anti")
        firsts = every.unique(Col.ID, keep="first", maintain_order=True)
        new = pl.concat(
            [checked.records.contacts.select(_KEY), checked.records.events.select(_KEY)]
        ).with_columns(pl.lit(True).alias(_NEW))
        self._keep(firsts.join(new, on=list(_KEY), how="left", maintain_order="left"))
        self._replies.append(replies_of(checked.records))
        self.lines += checked.lines
        self.new += len(checked.records)
        self.rejected += checked.rejected
        self.warnings += checked.warnings
        self.identical_duplicates += checked.identical_duplicates
        self.already_stored += checked.already_stored
        return checked.records

    def _keep(self, firsts: pl.DataFrame, *, all_new: np.ndarray | None = None) -> None:
        """Remember the block's first records of their ids, and which of them are new.
        `all_new`: the hashes of the block's ids, when every record is new and its id's
        first (they are then the hashes of `firsts`, not computed again)."""
        new = pl.lit(True) if all_new is not None else pl.col(_NEW).fill_null(False)
        self._firsts.append(firsts.with_columns(new.alias(_NEW)).cast(_COMPACT))
        hashes = all_new if all_new is not None else id_hashes(firsts[Col.ID])
        self._seen_ids.add(hashes)

    def _earlier(self, candidates: pl.Series) -> pl.DataFrame | None:
        """The index rows of the run's first records of these ids (None when there are none)."""
        if candidates.is_empty():
            return None
        found = [
            part.join(candidates.to_frame(), on=Col.ID, how="semi") for part in self._firsts
        ]
        earlier = pl.concat(found).drop(_NEW).cast(INDEX_SCHEMA)
        return None if earlier.is_empty() else earlier

    @property
    def seen(self) -> pl.LazyFrame:
        """The id index of the run's new records (what an ingest adds to the store's), as a
        query: written out in batches, it is never whole in memory."""
        parts = [f.lazy().filter(_NEW).drop(_NEW).cast(INDEX_SCHEMA) for f in self._firsts]
        return pl.concat(parts) if parts else pl.LazyFrame(schema=INDEX_SCHEMA)

    def finish(self, records: Records | None = None) -> Validation:
        """Every block's verdicts as one Validation, the reply checks done; `records` are the
        new records if the caller kept them (else none: an ingest wrote them as it went)."""
        replies = pl.concat(self._replies) if self._replies else None
        if replies is not None and not replies.is_empty():
            # only the records some reply names, found in one streamed pass over the run's
            # index (a join per block would build the table of names again for every block)
            named = replies.select(pl.col(Col.IN_REPLY_TO).unique().alias(Col.ID)).lazy()
            parents = [f.lazy().filter(_NEW).select(Col.ID, PARENT_AT) for f in self._firsts]
            if self.stored is not None:
                parents.append(self.stored.lazy().select(Col.ID, PARENT_AT))
            found = (
                pl.concat([p.cast({PARENT_AT: UTC_TIME}) for p in parents])
                .join(named, on=Col.ID, how="semi")
                .collect(engine="streaming")
            )
            self.warnings += replies_against(replies, found)
        return Validation(
            records=records if records is not None else Records.empty(),
            lines=self.lines,
            rejected=sorted(self.rejected, key=lambda r: (r.file, r.line)),
            warnings=sorted(self.warnings, key=lambda w: (w.file, w.line)),
            identical_duplicates=self.identical_duplicates,
            already_stored=self.already_stored,
        )


def check_blocks(
    blocks: Iterable[FileResult], progress: Report = silent, *, keep: bool = False
) -> Validation:
    """A log's Validation from its validated blocks, each checked as it comes (what `validate`
    and the analysis of log files run); with its new records when `keep` (in the blocks' chunks: a
    column is made contiguous where the analysis reads it, not every column), else none."""
    running = RunningCheck()
    kept = []
    for block in blocks:
        records = running.add(block)
        if keep:
            kept.append(records)
    progress(Step("checking replies across the records"))
    return running.finish(Records.concat(kept) if keep else None)


def _repeats(hashes: np.ndarray) -> bool:
    """Whether two of these id hashes are equal (two records of one id, or a collision)."""
    ordered = np.sort(hashes)
    return bool((ordered[1:] == ordered[:-1]).any())
