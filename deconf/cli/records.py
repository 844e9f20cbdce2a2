"""Commands about records: validate, ingest, verify, schema."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
    say,
    selected,
    stderr,
    write_machine,
)
from deconf.cli.preparing import NoPrepareOpt, prepare_browsing
from deconf.cli.progress import QuietOpt, progress_shown
from deconf.errors import flag_name
from deconf.importing import validate_blocks_or_import
from deconf.logpaths import distinct
from deconf.runningcheck import check_blocks
from deconf.schemas import CORE_SCHEMAS, schema_text, write_all
from deconf.times import check_zone
from deconf.validation import Validation

SHOWN_ERRORS = 20


#: Every schema `deconf schema` knows: the core's and the report's.
def _report_schema() -> dict:
    from deconf.report.model import report_schema  # the report's machinery, only when asked

    return report_schema()


SCHEMAS = CORE_SCHEMAS | {"report": _report_schema}


# The store's side (deconf.store, deconf.integrity, deconf.sources, which imports the whole
# analysis) is imported by the commands that use it: `validate` starts without it.


def layouts():
    """The table layouts, imported when a table is drawn: they import the analysis, which
    `validate` and `ingest` never need (their start-up stays short)."""
    from deconf.cli import layouts as module

    return module


def _print_issues(validation: Validation) -> None:
    errors = validation.errors
    for issue in errors[:SHOWN_ERRORS]:
        say(f"  error: {issue.text(flag_name)}")
    if len(errors) > SHOWN_ERRORS:
        say(f"  … and {len(errors) - SHOWN_ERRORS} more errors (--format json lists all)")
    for issue in validation.warnings[:SHOWN_ERRORS]:
        say(f"  warning: {issue.text(flag_name)}")
    if len(validation.warnings) > SHOWN_ERRORS:
        say(f"  … and {len(validation.warnings) - SHOWN_ERRORS} more warnings")


def read_once(logs: list[Path]) -> list[Path]:
    """The logs, each once: a file named twice is read once, with a note on stderr."""
    kept, repeated = distinct(logs)
    for path in repeated:
        say(f"deconf: {path} is named more than once; read once", stderr)
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
        blocks = validate_blocks_or_import(
            logs,
            map_path=map_path,
            preset=preset,
            input_format=input_format,
            assume_tz=assume_tz,
            keep_extra=keep_extra,
            progress=progress,
        )
        validation = check_blocks(blocks, progress)
    if fmt is TableFormat.JSON:
        print_json(validation.summary(flag_name))
    else:
        say(_summary_line(validation))
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
    no_prepare: NoPrepareOpt = False,
) -> None:
    """Validate logs and append their accepted records to the store (atomic, append-only).
    Then prepare the browser's first screen of the store (see `--no-prepare`).

    \b
    Example:
      deconf ingest logs/khasham-2018.jsonl --store night-store
    """
    from deconf.store import REJECTS, Store

    logs = read_once(logs)
    target = Store(store)
    with progress_shown(quiet) as progress:
        blocks = validate_blocks_or_import(
            logs,
            map_path=map_path,
            preset=preset,
            input_format=input_format,
            assume_tz=assume_tz,
            keep_extra=keep_extra,
            progress=progress,
        )
        result = target.ingest(blocks)  # validated, checked and written block by block
        prepared = not no_prepare and prepare_browsing(target, progress)
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
                "browser_first_screen_prepared": prepared,
            }
        )
    else:
        say(
            f"{_summary_line(validation)}; {result.new_records:,} new, "
            f"{validation.already_stored:,} already stored"
        )
        _print_issues(validation)
        say(f"store: {target.root} (ingest {result.entry['sequence']})")
        say(f"chain hash: {result.entry['hash']}")
        if validation.rejected:
            say(f"rejected lines kept with their reasons in {target.root / REJECTS}")
    raise typer.Exit(EXIT_DATA if validation.rejected else EXIT_OK)


@handles_errors
def verify(
    store: StoreOpt = None,
    expect: Annotated[
        str | None,
        typer.Option(
            "--expect",
            help="The chain hash recorded earlier (ingest and verify print it): exit 1 when "
            "this store's chain no longer contains it (rewritten).",
        ),
    ] = None,
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="Remove what interrupted ingests left (never committed data or its manifest).",
        ),
    ] = False,
    fmt: Annotated[TableFormat, typer.Option("--format")] = TableFormat.TABLE,
) -> None:
    """Re-hash the store's data and manifest; exit 1 naming what changed. Leftovers of an
    interrupted ingest are told apart (ignored; --repair or the next ingest removes them).

    \b
    Example:
      deconf ingest logs/khasham-2018.jsonl --store night-store
      deconf verify --store night-store
    """
    from deconf.integrity import verify as verify_store
    from deconf.store import Store

    target = Store(store)
    removed = target.repair() if repair and target.started() else []
    found = verify_store(target, expect)
    if fmt is TableFormat.JSON:
        print_json(
            {
                "store": str(target.root),
                "ok": found.ok,
                "ingests": found.ingests,
                "problems": found.problems,
                "leftovers": found.leftovers,
                "removed": removed,
                "chain_hash": found.chain_hash,
                "expected_at": found.expected_at,
            }
        )
        raise typer.Exit(EXIT_OK if found.ok else EXIT_DATA)
    for line in removed:
        say(f"  repaired: {line}")
    if found.problems:
        say(f"store {target.root}: {_counted(len(found.problems), 'problem')}")
        for problem in found.problems:
            say(f"  {problem}")
    else:
        say(f"store {target.root}: intact ({_counted(found.ingests, 'ingest')})")
    for leftover in found.leftovers:
        say(f"  leftover: {leftover} (ignored; --repair or the next ingest removes it)")
    say(f"chain hash: {found.chain_hash}")
    if expect is not None and found.expected_at is not None:
        since = found.ingests - found.expected_at
        say(
            f"expected chain hash: ingest {found.expected_at}"
            + (f"; {since} ingests since" if since else "; the head")
        )
    raise typer.Exit(EXIT_OK if found.ok else EXIT_DATA)


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
            say(str(path))
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
    from deconf.cli.tables import render
    from deconf.sources import open_store, store_sources

    check_zone(tz, "tz")
    frame = store_sources(store)
    if fmt is FrameFormat.TABLE:
        with people_console() as console:
            render(
                frame,
                layouts().SOURCES,
                console,
                title=f"Sources of the store {open_store(store).root}",
                zone=tz,
                names=names_of(columns),
            )
    else:
        write_machine(selected(frame, fields), fmt, None)


def _counted(count: int, word: str) -> str:
    """ "1 ingest", "3 ingests"."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"
