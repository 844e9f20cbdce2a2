"""`deconf import`: foreign logs (tables, mail, chat, forms) into records, validated as any log.

The flow, one module per step::

    mapping (TOML, checked before any row is read)
    readers → delimited | spreadsheet | jsonrows, or presets/* (a source → a table of text cells)
        → fields (Polars expressions per field; cells for blanks, timefields for times)
        → addressees (from_parent / from_reply / from_thread, joins over the whole import)
        → a RawLog per source → validation.validate_raw, exactly as `deconf validate`
    deconf.writing (the accepted records back out as a deconf log, shared with reconcile)

Every candidate record keeps its source's file and row line, so each rejection is located.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from deconf.crosscheck import cross_check
from deconf.errors import InputError
from deconf.importing.addressees import infer_addressees
from deconf.importing.fields import map_table
from deconf.importing.mapping import Mapping, MappingError, mapping_from, merge, read_toml
from deconf.importing.presets import PRESETS, preset_data
from deconf.importing.readers import read_table
from deconf.importing.tables import SourceTable
from deconf.loading import validate_blocks, validate_files
from deconf.progress import RECORDS, Report, Step, silent
from deconf.reading import (
    LINE,
    PROBLEMS,
    RAW_SCHEMA,
    TIME_FIELDS,
    InputFormat,
    RawLog,
    parsed_column,
)
from deconf.times import check_zone
from deconf.validation import FileResult, Validation, validate_raw

__all__ = [
    "PRESETS",
    "Imported",
    "MappingError",
    "import_sources",
    "resolve_mapping",
    "validate_blocks_or_import",
    "validate_files_or_import",
    "validate_import",
    "validate_import_files",
]

_SOURCE = "_source_number"
_PARSED = {parsed_column(name) for name in TIME_FIELDS}


@dataclass
class Imported:
    """What reading and mapping the sources gave, before validation."""

    raws: list[RawLog]
    rows: int  # source rows read (a row can yield several records, or be rejected whole)
    skipped: dict[str, int] = field(default_factory=dict)  # reason → rows left out on purpose
    zone: str | None = None
    notes: list[str] = field(default_factory=list)


def resolve_mapping(
    map_path: str | Path | None, preset: str | None, assume_tz: str | None = None
) -> Mapping:
    """The mapping to import with: a preset's, a file's, or a file's over a preset's."""
    if map_path is None and preset is None:
        raise MappingError("name a mapping file (--map MAP.toml) or a preset (--preset NAME)")
    data = preset_data(preset) if preset else {}
    where = f"preset {preset}"
    if map_path is not None:
        data, where = merge(data, read_toml(map_path)), str(map_path)
    if assume_tz and not (data.get("time") or {}).get("zone"):
        data = merge(data, {"time": {"zone": assume_tz}})
    mapping = mapping_from(data, where)
    if preset:
        PRESETS[preset].check(mapping)
    return mapping


def read_source(path: Path, mapping: Mapping, preset: str | None) -> list[SourceTable]:
    """The source's tables: one, or one per file of an export folder (slack)."""
    if preset:
        read = PRESETS[preset].read(path, mapping)
        return read if isinstance(read, list) else [read]
    return [read_table(path, mapping.source)]


def import_sources(
    paths: Sequence[str | Path], mapping: Mapping, preset: str | None = None
) -> Imported:
    """Read every source and map its rows to candidate records (one RawLog per source)."""
    if not paths:
        raise InputError("no source file given")
    tables = [t for p in paths for t in read_source(Path(p), mapping, preset)]
    mapped = [
        map_table(table, mapping).with_columns(pl.lit(number).alias(_SOURCE))
        for number, table in enumerate(tables)
    ]
    every = infer_addressees(mapped[0] if len(mapped) == 1 else pl.concat(mapped))
    raws = []
    for number, table in enumerate(tables):
        frame = every if len(tables) == 1 else every.filter(pl.col(_SOURCE) == number)
        instants = [c for c in frame.columns if c in _PARSED]
        frame = frame.select(*RAW_SCHEMA.names(), PROBLEMS, *instants)
        if not frame[LINE].is_sorted():
            frame = frame.sort(LINE, maintain_order=True)
        raws.append(RawLog(table.source, InputFormat.IMPORTED, frame))
    skipped: dict[str, int] = {}
    for table in tables:
        for reason, count in table.skipped.items():
            skipped[reason] = skipped.get(reason, 0) + count
    rows = sum(t.frame.height for t in tables)
    notes = [n for t in tables for n in t.notes]
    return Imported(raws, rows, skipped, mapping.time.zone, notes)


def validate_import_files(
    paths: Sequence[str | Path],
    mapping: Mapping,
    preset: str | None = None,
    progress: Report = silent,
) -> tuple[list[FileResult], Imported]:
    """Import, then validate each source on its own exactly as `validate` judges a log (the
    cross-record checks follow, over all sources, or under the store's lock on ingest)."""
    progress(Step(f"reading and mapping {len(paths)} source{'s' if len(paths) != 1 else ''}"))
    imported = import_sources(paths, mapping, preset)
    total, done, results = sum(raw.frame.height for raw in imported.raws), 0, []
    for raw in imported.raws:
        progress(Step(f"validating {Path(raw.source).name}", done, total, RECORDS))
        results.append(validate_raw(raw, assume_tz=imported.zone))
        done += raw.frame.height
    progress(Step("validated", done, total, RECORDS))
    return results, imported


def validate_import(
    paths: Sequence[str | Path], mapping: Mapping, preset: str | None = None
) -> tuple[Validation, Imported]:
    """Import and validate as one log (cross-record checks included)."""
    files, imported = validate_import_files(paths, mapping, preset)
    return cross_check(files), imported


def validate_files_or_import(
    paths: Sequence[str | Path],
    *,
    map_path: str | Path | None = None,
    preset: str | None = None,
    input_format: str | None = None,
    assume_tz: str | None = None,
    keep_extra: bool = False,
    progress: Report = silent,
) -> list[FileResult]:
    """Logs in deconf's schema, or foreign logs through a mapping when one is named: what
    `validate`, `ingest`, the analysis commands, `browse` and `report` read."""
    if map_path is None and preset is None:
        return validate_files(
            paths,
            input_format=input_format,
            assume_tz=assume_tz,
            keep_extra=keep_extra,
            progress=progress,
        )
    check_zone(assume_tz)
    mapping = resolve_mapping(map_path, preset, assume_tz)
    return validate_import_files(paths, mapping, preset, progress)[0]


def validate_blocks_or_import(
    paths: Sequence[str | Path],
    *,
    map_path: str | Path | None = None,
    preset: str | None = None,
    input_format: str | None = None,
    assume_tz: str | None = None,
    keep_extra: bool = False,
    progress: Report = silent,
) -> Iterable[FileResult]:
    """Like `validate_files_or_import`, but logs in deconf's schema come block by block, as
    they are validated (what `validate` and `ingest` read: memory holds a block, not a log)."""
    if map_path is None and preset is None:
        return validate_blocks(
            paths,
            input_format=input_format,
            assume_tz=assume_tz,
            keep_extra=keep_extra,
            progress=progress,
        )
    return validate_files_or_import(
        paths, map_path=map_path, preset=preset, assume_tz=assume_tz, progress=progress
    )
