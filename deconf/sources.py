"""Where the data comes from: named log files or the store, turned into records, a validation
summary and provenance. The CLI, the browser and the report all get their data here, so "logs or
the store" is decided, worded and checked in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl

from deconf.analysis.asof import parse_as_of
from deconf.errors import StoreError
from deconf.frames import Records
from deconf.loading import PathLike, as_paths, validate_logs
from deconf.store import Store, sha256_file
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

    @property
    def rejected_now(self) -> int:
        """Lines of the named log files rejected just now (a store's were rejected at ingest)."""
        return len(self.validation.rejected) if self.validation else 0

    def provenance(self) -> Provenance:
        """Input files with their SHA-256 (hashed on demand: only reports need them), or the
        store's sources and chain."""
        if self.store is None:
            return Provenance(
                [InputFile(str(p), sha256_file(p), p.stat().st_size) for p in self.logs], None
            )
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


def open_store(root: PathLike | None) -> Store:
    """The store at `root` (or the default one); StoreError when there is none there."""
    target = Store(root)
    if not target.exists():
        raise StoreError(f"{target.root}: not a deconf store; name log files or ingest first")
    return target


def load_data(
    logs: PathLike | Sequence[PathLike] | None = None,
    store: PathLike | None = None,
    *,
    as_of: str | datetime | None = None,
    input_format: str | None = None,
    assume_tz: str | None = None,
    keep_extra: bool = False,
    contact_columns: Sequence[str] | None = None,
    event_columns: Sequence[str] | None = None,
    contacts_where: pl.Expr | None = None,
) -> Loaded:
    """Validate the named log files, or read the store when none is named. From the store only
    what the analysis needs is read: the columns asked for, the contacts `contacts_where`
    selects, nothing after the as-of time."""
    moment = parse_as_of(as_of)
    paths = as_paths(logs) if logs else []
    if paths:
        validation = validate_logs(
            paths, input_format=input_format, assume_tz=assume_tz, keep_extra=keep_extra
        )
        summary = Summary(
            lines=validation.lines,
            accepted=validation.accepted,
            rejected=len(validation.rejected),
            warnings=len(validation.warnings),
            problems=[Problem(e.field, e.message, f"{e.file}:{e.line}") for e in validation.errors],
        )
        return Loaded(validation.records, summary, moment, logs=paths, validation=validation)
    target = open_store(store)
    records = target.load(
        contact_columns=contact_columns,
        event_columns=event_columns,
        contacts_where=contacts_where,
        until=moment,
    )
    return Loaded(records, store_summary(target), moment, store=target)


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
