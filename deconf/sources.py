"""Where the data comes from: named log files or the store, turned into records, a validation
summary and provenance. The CLI, the browser and the report all get their data here, so "logs or
the store" is decided, worded and checked in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from deconf.analysis.asof import parse_as_of
from deconf.analysis.emptiness import Extent, extent_of
from deconf.errors import StoreError, StoreMismatch, UsageError
from deconf.frames import Col, Records
from deconf.integrity import quick_check
from deconf.logpaths import PathLike, as_paths, distinct
from deconf.opening import digest, source_name
from deconf.progress import Report, Step, silent
from deconf.store import Store

if TYPE_CHECKING:  # validation is imported where logs are read: a store needs none of it
    from deconf.validation import Validation


@dataclass(frozen=True)
class Problem:
    """One reason a line was rejected, located: what the validation summary groups."""

    field: str
    message: str
    where: str  # "file:line"


@dataclass(frozen=True)
class Summary:
    """What validation found, whether just now (logs) or at ingest time (the store)."""

    lines: int
    accepted: int
    rejected: int
    warnings: int
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class InputFile:
    path: str
    sha256: str
    bytes: int


@dataclass(frozen=True)
class StoreState:
    path: str
    chain_hash: str
    ingests: int


@dataclass(frozen=True)
class Provenance:
    """Where the data came from: input files with their hashes, or a store and its chain."""

    inputs: list[InputFile]
    store: StoreState | None


@dataclass
class Loaded:
    """Records ready for analysis, with what validation found and where they came from."""

    records: Records
    summary: Summary
    as_of: datetime | None  # parsed once; None: the latest time in the data
    logs: list[Path] = field(default_factory=list)
    store: Store | None = None
    validation: Validation | None = None  # log files only: every rejected line and warning
    source: str | None = None  # the one source the records were limited to
    repeated: list[Path] = field(default_factory=list)  # log files named more than once

    @property
    def rejected_now(self) -> int:
        """Lines of the named log files rejected just now (a store's were rejected at ingest)."""
        return len(self.validation.rejected) if self.validation else 0

    def extent(self) -> Extent:
        """What the whole data holds, before the as-of time and any filter (to say why a result
        is empty). From the store it is read again, without the filters pushed down."""
        if self.store is None:
            return extent_of(_of_source(self.records, self.source))
        records = self.store.load(
            contact_columns=(
                Col.SENT_AT,
                Col.FROM_PARTY,
                Col.TO_PARTY,
                Col.CHANNEL,
                Col.ORIGIN_FILE,
            ),
            event_columns=(Col.AT, Col.ORIGIN_FILE),
            contacts_where=_source_where(self.source),
        )
        return extent_of(_of_source(records, self.source))

    def provenance(self) -> Provenance:
        """Input files with their SHA-256 (hashed on demand: only reports need them), or the
        store's sources and chain."""
        if self.store is None:
            return Provenance([InputFile(source_name(p), *digest(p)) for p in self.logs], None)
        entries = self.store.manifest()
        sources: dict[str, dict] = {}
        for entry in entries:
            for source in entry["sources"]:
                sources.setdefault(source["sha256"], source)
        inputs = [
            InputFile(s["path"], s["sha256"], s["bytes"])
            for s in sorted(sources.values(), key=lambda s: (s["path"], s["sha256"]))
        ]
        state = StoreState(str(self.store.root), self.store.chain_hash(), len(entries))
        return Provenance(inputs, state)


def open_store(root: PathLike | None, *, verify: bool = True) -> Store:
    """The store at `root` (or the default one); StoreError when there is none there, and
    StoreMismatch when its manifest and files do not match (the cheap check: chain and sizes;
    `verify=False` skips it, for a look at a damaged store)."""
    target = Store(root)
    if not target.exists():
        raise StoreError(f"{target.root}: not a deconf store; name log files or ingest first")
    if verify:
        problems = quick_check(target)
        if problems:
            more = f" and {len(problems) - 1} more" if len(problems) > 1 else ""
            raise StoreMismatch(
                f"{target.root}: the store's manifest and files do not match: "
                f"{problems[0]}{more}; verifying the store says more"
            )
    return target


def load_data(
    logs: PathLike | Sequence[PathLike] | None = None,
    store: PathLike | None = None,
    *,
    as_of: str | datetime | None = None,
    input_format: str | None = None,
    assume_tz: str | None = None,
    keep_extra: bool = False,
    map_path: PathLike | None = None,
    preset: str | None = None,
    contact_columns: Sequence[str] | None = None,
    event_columns: Sequence[str] | None = None,
    contacts_where: pl.Expr | None = None,
    source: str | None = None,
    progress: Report = silent,
    verify: bool = True,
) -> Loaded:
    """Validate the named log files, or read the store when none is named. From the store only
    what the analysis needs is read: the columns asked for, the contacts `contacts_where`
    selects, nothing after the as-of time. `source` limits the records to those of one source
    (a log file as it was named when read or ingested, or its file name alone). With a mapping
    (`map_path`) or a `preset`, the named files are foreign logs imported through it. A store
    whose manifest and files do not match is refused (StoreMismatch) unless `verify` is False."""
    moment = parse_as_of(as_of)
    paths, repeated = distinct(as_paths(logs)) if logs else ([], [])
    if paths:
        from deconf.importing import validate_blocks_or_import
        from deconf.runningcheck import check_blocks

        if source is not None:
            source = _one_of([source_name(p) for p in paths], source)
        # block by block, as `validate` reads: each block is decoded and validated in threads
        # while the one before is checked against the earlier ones
        blocks = validate_blocks_or_import(
            paths,
            map_path=map_path,
            preset=preset,
            input_format=input_format,
            assume_tz=assume_tz,
            keep_extra=keep_extra,
            progress=progress,
        )
        validation = check_blocks(blocks, progress, keep=True)
        summary = Summary(
            lines=validation.lines,
            accepted=validation.accepted,
            rejected=len(validation.rejected),
            warnings=len(validation.warnings),
            problems=[Problem(e.field, e.message, f"{e.file}:{e.line}") for e in validation.errors],
        )
        records = _of_source(validation.records, source)
        return Loaded(
            records,
            summary,
            moment,
            logs=paths,
            validation=validation,
            source=source,
            repeated=repeated,
        )
    target = open_store(store, verify=verify)
    if source is not None:
        source = _one_of(
            sorted({s["path"] for e in target.manifest() for s in e["sources"]}), source
        )
        where = _source_where(source)
        contacts_where = where if contacts_where is None else contacts_where & where
        if contact_columns is not None:  # once, even when the analysis reads it already
            contact_columns = tuple(dict.fromkeys((*contact_columns, Col.ORIGIN_FILE)))
        if event_columns is not None:
            event_columns = tuple(dict.fromkeys((*event_columns, Col.ORIGIN_FILE)))
    progress(Step(f"reading the store {target.root}"))
    records = target.load(
        contact_columns=contact_columns,
        event_columns=event_columns,
        contacts_where=contacts_where,
        until=moment,
    )
    return Loaded(
        _of_source(records, source), store_summary(target), moment, store=target, source=source
    )


def _one_of(sources: list[str], name: str) -> str:
    """The source `name` stands for: a source as named when read, or its file name alone."""
    if name in sources:
        return name
    by_file_name = [s for s in sources if Path(s).name == name]
    if len(by_file_name) == 1:
        return by_file_name[0]
    known = ", ".join(sources) or "none"
    if by_file_name:
        raise UsageError(
            f"{name!r} names several sources ({', '.join(by_file_name)}); give the path as listed",
            setting="source",
        )
    raise UsageError(f"no source is named {name!r}; the sources are: {known}", setting="source")


def _source_where(source: str | None) -> pl.Expr | None:
    return None if source is None else pl.col(Col.ORIGIN_FILE) == source


def _of_source(records: Records, source: str | None) -> Records:
    if source is None:
        return records
    return Records(
        records.contacts.filter(pl.col(Col.ORIGIN_FILE) == source),
        records.events.filter(pl.col(Col.ORIGIN_FILE) == source),
    )


#: Columns of `store_sources`.
class SourceCol:
    SOURCE = "source"
    SHA256 = "sha256"
    BYTES = "bytes"
    INGESTS = "ingests"
    CONTACTS = "contacts"
    EVENTS = "events"
    FIRST = "first"
    LAST = "last"


def store_sources(store: PathLike | None = None) -> pl.DataFrame:
    """The sources a store was filled from, one row each: its records, their time span and the
    ingests that read it (SHA-256 and size as last ingested). A record that an earlier source
    already held is counted there, once."""
    target = open_store(store)
    described: dict[str, dict] = {}
    for entry in target.manifest():
        for s in entry["sources"]:
            row = described.setdefault(s["path"], {SourceCol.INGESTS: []})
            row |= {
                SourceCol.SOURCE: s["path"],
                SourceCol.SHA256: s["sha256"],
                SourceCol.BYTES: s["bytes"],
            }
            row[SourceCol.INGESTS].append(entry["sequence"])
    listed = pl.DataFrame(
        list(described.values()),
        schema={
            SourceCol.SOURCE: pl.String,
            SourceCol.SHA256: pl.String,
            SourceCol.BYTES: pl.Int64,
            SourceCol.INGESTS: pl.List(pl.Int64),
        },
    )
    counts = [
        target.scan(table)
        .group_by(pl.col(Col.ORIGIN_FILE).alias(SourceCol.SOURCE))
        .agg(
            pl.len().alias(name),
            pl.col(time).min().alias(f"_first_{name}"),
            pl.col(time).max().alias(f"_last_{name}"),
        )
        .collect()
        for table, name, time in (
            ("contacts", SourceCol.CONTACTS, Col.SENT_AT),
            ("events", SourceCol.EVENTS, Col.AT),
        )
    ]
    joined = listed.join(counts[0], on=SourceCol.SOURCE, how="left").join(
        counts[1], on=SourceCol.SOURCE, how="left"
    )
    return joined.select(
        SourceCol.SOURCE,
        SourceCol.SHA256,
        SourceCol.BYTES,
        SourceCol.INGESTS,
        pl.col(SourceCol.CONTACTS).fill_null(0).cast(pl.Int64),
        pl.col(SourceCol.EVENTS).fill_null(0).cast(pl.Int64),
        pl.min_horizontal(f"_first_{SourceCol.CONTACTS}", f"_first_{SourceCol.EVENTS}").alias(
            SourceCol.FIRST
        ),
        pl.max_horizontal(f"_last_{SourceCol.CONTACTS}", f"_last_{SourceCol.EVENTS}").alias(
            SourceCol.LAST
        ),
    ).sort(SourceCol.SOURCE)


def store_summary(target: Store) -> Summary:
    """The validation summary of everything ingested into a store, from its manifest and rejects."""
    entries = target.manifest()
    problems = [
        Problem(*_split_reason(reason), f"{reject['file']}:{reject['line']}")
        for reject in target.rejects()
        for reason in reject["reasons"]
    ]
    return Summary(
        lines=sum(e["lines"] for e in entries),
        accepted=sum(e["accepted"] for e in entries),
        rejected=sum(e["rejected"] for e in entries),
        warnings=sum(e.get("warnings", 0) for e in entries),
        problems=problems,
    )


def _split_reason(reason: str) -> tuple[str, str]:
    field_name, _, message = reason.partition(": ")
    return field_name, message
