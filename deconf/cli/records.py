"""Commands about records: validate, ingest, verify, schema."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from deconf.cli import layouts
from deconf.cli.common import (
    EXIT_DATA,
    EXIT_OK,
    AssumeTzOpt,
    ColumnsOpt,
    FieldsOpt,
    FrameFormat,
    InputFormatOpt,
    KeepExtraOpt,
    LogsArg,
    MapOpt,
    PresetOpt,
    StoreOpt,
    TableFormat,
    TzOpt,
    handles_errors,
    names_of,
    people_console,
    print_json,
    selected,
    stderr,
    stdout,
    write_machine,
)
from deconf.cli.progress import QuietOpt, progress_shown
from deconf.cli.tables import render
from deconf.crosscheck import cross_check
from deconf.errors import flag_name
from deconf.importing import validate_files_or_import
from deconf.loading import distinct
from deconf.progress import Step
from deconf.report.model import report_schema
from deconf.schemas import CORE_SCHEMAS, schema_text, write_all
from deconf.sources import open_store, store_sources
from deconf.store import REJECTS, Store
from deconf.times import check_zone
from deconf.validation import Validation

SHOWN_ERRORS = 20
#: Every schema `deconf schema` knows: the core's and the report's.
SCHEMAS = CORE_SCHEMAS | {"report": report_schema}


def _print_issues(validation: Validation) -> None:
    errors = validation.errors
    for issue in errors[:SHOWN_ERRORS]:
        stdout.print(Text(f"  error: {issue.text(flag_name)}"))
    if len(errors) > SHOWN_ERRORS:
        stdout.print(f"  … and {len(errors) - SHOWN_ERRORS} more errors (--format json lists all)")
    for issue in validation.warnings[:SHOWN_ERRORS]:
        stdout.print(Text(f"  warning: {issue.text(flag_name)}"))
    if len(validation.warnings) > SHOWN_ERRORS:
        stdout.print(f"  … and {len(validation.warnings) - SHOWN_ERRORS} more warnings")


def read_once(logs: list[Path]) -> list[Path]:
    """The logs, each once: a file named twice is read once, with a note on stderr."""
    kept, repeated = distinct(logs)
    for path in repeated:
        stderr.print(Text(f"deconf: {path} is named more than once; read once"))
    return kept


def _summary_line(validation: Validation) -> str:
    return (
        f"{validation.lines:,} lines: {validation.accepted:,} accepted, "
        f"{len(validation.rejected):,} rejected, {len(validation.warnings):,} warnings"
    )


@handles_errors
def validate(
    logs: LogsArg,
    assume_tz: AssumeTzOpt = None,
    keep_extra: KeepExtraOpt = False,
    input_format: InputFormatOpt = None,
    map_path: MapOpt = None,
    preset: PresetOpt = None,
    fmt: Annotated[TableFormat, typer.Option("--format")] = TableFormat.TABLE,
    quiet: QuietOpt = False,
) -> None:
    """Check log files against the record schema; exit 1 when any line is rejected.

    \b
    Example:
      deconf validate logs/khasham-2018.jsonl
    """
    logs = read_once(logs)
    with progress_shown(quiet) as progress:
        files = validate_files_or_import(
            logs,
            map_path=map_path,
            preset=preset,
            input_format=input_format,
            assume_tz=assume_tz,
            keep_extra=keep_extra,
            progress=progress,
        )
        progress(Step("checking ids and replies across the records"))
        validation = cross_check(files)
    if fmt is TableFormat.JSON:
        print_json(validation.summary(flag_name))
    else:
        stdout.print(_summary_line(validation))
        _print_issues(validation)
    raise typer.Exit(EXIT_DATA if validation.rejected else EXIT_OK)


@handles_errors
def ingest(
    logs: LogsArg,
    store: StoreOpt = None,
    assume_tz: AssumeTzOpt = None,
    keep_extra: KeepExtraOpt = False,
    input_format: InputFormatOpt = None,
    map_path: MapOpt = None,
    preset: PresetOpt = None,
    fmt: Annotated[TableFormat, typer.Option("--format")] = TableFormat.TABLE,
    quiet: QuietOpt = False,
) -> None:
    """Validate logs and append their accepted records to the store (atomic, append-only).

    \b
    Example:
      deconf ingest logs/khasham-2018.jsonl --store night-store
    """
    logs = read_once(logs)
    target = Store(store)
    with progress_shown(quiet) as progress:
        files = validate_files_or_import(
            logs,
            map_path=map_path,
            preset=preset,
            input_format=input_format,
            assume_tz=assume_tz,
            keep_extra=keep_extra,
            progress=progress,
        )
        progress(Step(f"checking against the store and writing it ({target.root})"))
        result = target.ingest(files)
    validation = result.validation
    if fmt is TableFormat.JSON:
        print_json(
            validation.summary(flag_name)
            | {
                "new": result.new_records,
                "already_stored": validation.already_stored,
                "store": str(target.root),
                "ingest": result.entry["sequence"],
                "chain_hash": result.entry["hash"],
            }
        )
    else:
        stdout.print(
            f"{_summary_line(validation)}; {result.new_records:,} new, "
            f"{validation.already_stored:,} already stored"
        )
        _print_issues(validation)
        stdout.print(Text(f"store: {target.root} (ingest {result.entry['sequence']})"))
        if validation.rejected:
            stdout.print(Text(f"rejected lines kept with their reasons in {target.root / REJECTS}"))
    raise typer.Exit(EXIT_DATA if validation.rejected else EXIT_OK)


@handles_errors
def verify(
    store: StoreOpt = None,
    fmt: Annotated[TableFormat, typer.Option("--format")] = TableFormat.TABLE,
) -> None:
    """Re-hash the store's data and manifest; exit 1 naming what changed.

    \b
    Example:
      deconf ingest logs/khasham-2018.jsonl --store night-store
      deconf verify --store night-store
    """
    target = Store(store)
    problems = target.verify()
    if fmt is TableFormat.JSON:
        print_json(
            {
                "store": str(target.root),
                "ok": not problems,
                "problems": problems,
                "chain_hash": target.chain_hash(),
            }
        )
    elif problems:
        stdout.print(Text(f"store {target.root}: {len(problems)} problems"))
        for problem in problems:
            stdout.print(Text(f"  {problem}"))
    else:
        stdout.print(
            Text(
                f"store {target.root}: intact ({len(target.manifest())} ingests, "
                f"chain hash {target.chain_hash()})"
            )
        )
    raise typer.Exit(EXIT_DATA if problems else EXIT_OK)


@handles_errors
def schema(
    name: Annotated[str, typer.Argument(help=f"One of: {', '.join(SCHEMAS)}.")] = "record",
    write: Annotated[
        Path | None, typer.Option("--write", help="Write every schema into DIR.")
    ] = None,
) -> None:
    """Print a JSON Schema generated from the models (or write all of them).

    \b
    Example:
      deconf schema policy
    """
    if write is not None:
        for path in write_all(write, SCHEMAS):
            stdout.print(Text(str(path)))
        return
    if name not in SCHEMAS:
        raise typer.BadParameter(f"choose one of {', '.join(SCHEMAS)}", param_hint="NAME")
    typer.echo(schema_text(SCHEMAS[name]), nl=False)


@handles_errors
def sources(
    store: StoreOpt = None,
    fmt: Annotated[FrameFormat, typer.Option("--format", help="table, json or csv.")] = (
        FrameFormat.TABLE
    ),
    tz: TzOpt = "UTC",
    columns: ColumnsOpt = None,
    fields: FieldsOpt = None,
) -> None:
    """List the sources a store was filled from: records, time span, ingests, hash.
    `--source NAME` on the analysis commands limits them to one.

    \b
    Example:
      deconf ingest logs/khasham-2018.jsonl logs/humanitarian-notifications.jsonl --store both
      deconf sources --store both
    """
    check_zone(tz, "tz")
    frame = store_sources(store)
    if fmt is FrameFormat.TABLE:
        with people_console() as console:
            render(
                frame,
                layouts.SOURCES,
                console,
                title=f"Sources of the store {open_store(store).root}",
                zone=tz,
                names=names_of(columns),
            )
    else:
        write_machine(selected(frame, fields), fmt, None)
