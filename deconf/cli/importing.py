"""`deconf import`: foreign logs in through a mapping or a preset; out as a log or to the store."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from deconf.cli.common import (
    EXIT_DATA,
    EXIT_OK,
    AssumeTzOpt,
    MapOpt,
    PresetOpt,
    TableFormat,
    handles_errors,
    print_json,
    stderr,
    stdout,
)
from deconf.cli.preparing import NoPrepareOpt, prepare_browsing
from deconf.cli.progress import QuietOpt, progress_shown
from deconf.crosscheck import cross_check
from deconf.errors import UsageError, flag_name
from deconf.importing import Imported, resolve_mapping, validate_import_files
from deconf.progress import Step
from deconf.store import REJECTS, Store
from deconf.times import check_zone
from deconf.validation import Validation
from deconf.writing import write_jsonl

SHOWN = 20


@handles_errors
def import_(
    sources: Annotated[
        list[Path],
        typer.Argument(
            help="Source files: CSV, TSV, XLSX, JSON, JSON Lines; for presets an mbox file, a "
            "Slack export folder, a WhatsApp chat .txt, an ICS 309 CSV.",
            show_default=False,
        ),
    ],
    map_path: MapOpt = None,
    preset: PresetOpt = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Write the accepted records to this deconf log (JSON Lines)."
        ),
    ] = None,
    store: Annotated[
        Path | None,
        typer.Option(
            "--store",
            help="Ingest the accepted records into this store instead (atomic; the same "
            "source twice adds nothing).",
            show_default=False,
        ),
    ] = None,
    assume_tz: AssumeTzOpt = None,
    fmt: Annotated[
        TableFormat, typer.Option("--format", help="How to print the summary: table or json.")
    ] = TableFormat.TABLE,
    quiet: QuietOpt = False,
    no_prepare: NoPrepareOpt = False,
) -> None:
    """Turn logs that are not in deconf's schema into records, through a mapping (--map) or a
    preset (--preset). Every produced record is validated as `deconf validate` does; each
    rejection names the source file and row. Without -o or --store the log goes to stdout.
    Exit 1 when any record is rejected, 2 when the mapping or a source cannot be used.

    \b
    Example:
      deconf import logs/notification-tracker.csv --map logs/notification-tracker.toml -o t.jsonl
    """
    if output is not None and store is not None:
        raise UsageError("give either -o FILE or --store DIR, not both")
    check_zone(assume_tz)
    mapping = resolve_mapping(map_path, preset, assume_tz)
    extra: dict[str, object] = {}
    with progress_shown(quiet) as progress:
        files, imported = validate_import_files(sources, mapping, preset, progress)
        if store is not None:
            target = Store(store)
            progress(Step(f"checking against the store and writing it ({target.root})"))
            result = target.ingest(files)
            validation = result.validation
            extra = {
                "new": result.new_records,
                "already_stored": validation.already_stored,
                "store": str(target.root),
                "ingest": result.entry["sequence"],
                "browser_first_screen_prepared": not no_prepare
                and prepare_browsing(target, progress),
            }
        else:
            progress(Step("checking ids and replies across the records"))
            validation = cross_check(files)
            progress(Step(f"writing {len(validation.records):,} records"))
            if output is not None:
                write_jsonl(validation.records, output)
                extra = {"output": str(output)}
            else:
                sys.stdout.flush()
                write_jsonl(validation.records, sys.stdout.buffer)
    console = stdout if (output is not None or store is not None) else stderr
    if fmt is TableFormat.JSON:
        summary = validation.summary(flag_name) | _import_summary(imported) | extra
        if output is None and store is None:
            console.print_json(data=summary)
        else:
            print_json(summary)
    else:
        _print_summary(console, validation, imported, extra)
    raise typer.Exit(EXIT_DATA if validation.rejected else EXIT_OK)


def _import_summary(imported: Imported) -> dict[str, object]:
    return {"rows": imported.rows, "skipped": imported.skipped, "notes": imported.notes}


def _print_summary(
    console: Console, validation: Validation, imported: Imported, extra: dict[str, object]
) -> None:
    console.print(
        Text(
            f"{imported.rows} rows → {validation.lines} records: {validation.accepted} accepted, "
            f"{len(validation.rejected)} rejected, {len(validation.warnings)} warnings"
        )
    )
    for reason, count in imported.skipped.items():
        console.print(Text(f"  skipped: {count} {reason}"))
    for note in imported.notes:
        console.print(Text(f"  note: {note}"))
    errors = validation.errors
    for issue in errors[:SHOWN]:
        console.print(Text(f"  error: {issue.text(flag_name)}"))
    if len(errors) > SHOWN:
        console.print(f"  … and {len(errors) - SHOWN} more errors (--format json lists all)")
    for issue in validation.warnings[:SHOWN]:
        console.print(Text(f"  warning: {issue.text(flag_name)}"))
    if len(validation.warnings) > SHOWN:
        console.print(f"  … and {len(validation.warnings) - SHOWN} more warnings")
    if "output" in extra:
        console.print(Text(f"written: {extra['output']}"))
    if "store" in extra:
        console.print(
            Text(
                f"store: {extra['store']} (ingest {extra['ingest']}): {extra['new']} new, "
                f"{extra['already_stored']} already stored"
            )
        )
        if validation.rejected:
            console.print(
                Text(f"rejected rows kept with their reasons in {extra['store']}/{REJECTS}")
            )
