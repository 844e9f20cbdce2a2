"""`deconf reconcile`: several sources' logs of one channel, matched, corrected, disputed."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from deconf.cli import layouts
from deconf.cli.analysis import PolicyOpt
from deconf.cli.common import (
    EXIT_DATA,
    EXIT_OK,
    TABLE_ROWS,
    AssumeTzOpt,
    InputFormatOpt,
    TzOpt,
    handles_errors,
    people_console,
    stderr,
)
from deconf.cli.layouts import FROM_TO
from deconf.cli.progress import QuietOpt, progress_shown
from deconf.cli.tables import Column, Kind, Layout, render
from deconf.errors import UsageError
from deconf.export import to_csv
from deconf.frames import Col
from deconf.loading import validate_logs
from deconf.policy import load_policy
from deconf.progress import Report, Step
from deconf.reconcile import reconcile as reconcile_sources
from deconf.reconcile.columns import R
from deconf.reconcile.result import Reconciliation
from deconf.times import TimeError, check_zone, parse_duration
from deconf.writing import write_jsonl


class ReconcileFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


def named_source(argument: str) -> tuple[str, Path]:
    """'NAME=PATH' or a path (named by its file stem)."""
    path = Path(argument)
    if "=" in argument and not path.exists():
        name, _, rest = argument.partition("=")
        return name, Path(rest)
    return path.stem, path


def _load(
    sources: list[tuple[str, Path]], input_format, assume_tz, progress: Report
) -> tuple[list, int]:
    loaded, rejected = [], 0
    for number, (name, path) in enumerate(sources):
        progress(Step(f"reading {name} ({path.name})", number, len(sources), "sources"))
        validation = validate_logs([path], input_format=input_format, assume_tz=assume_tz)
        if validation.rejected:
            rejected += len(validation.rejected)
            stderr.print(
                f"deconf: {path}: {len(validation.rejected)} of {validation.lines} lines were "
                f"rejected and left out; `deconf validate {path}` lists why",
                markup=False,
            )
        loaded.append((name, validation.records))
    return loaded, rejected


SOURCES = Layout(
    (
        Column(R.NAME, "source", Kind.ID),
        Column(R.RECORDS, "records", Kind.COUNT),
        Column(R.OFFSET, "clock offset", Kind.DURATION),
        Column(R.SPREAD, "spread", Kind.DURATION, keep=2),
        Column(R.MATCHES, "unambiguous matches", Kind.COUNT, keep=2),
        Column(R.COVERAGE_START, "first record", Kind.TIME, keep=3),
        Column(R.COVERAGE_END, "last record", Kind.TIME, keep=3),
    )
)
ONLY = Layout(
    (
        Column(R.SOURCE, "logged by", Kind.ID),
        Column(Col.ID, "record", Kind.ID),
        Column(FROM_TO, "from → to", Kind.TEXT),
        Column(R.CORRECTED_AT, "sent", Kind.TIME),
        Column(R.OTHER_SILENCE, "others silent for", Kind.DURATION),
        Column(Col.KIND, "kind", Kind.TEXT, keep=2),
        Column(R.OTHER_BEFORE, "others' last before", Kind.TIME, keep=3),
        Column(R.OTHER_AFTER, "others' next after", Kind.TIME, keep=3),
    )
)


def _by_source(result: Reconciliation, *first: Column, last: tuple[Column, ...] = ()) -> Layout:
    """A layout with one id column per source, between `first` and `last`."""
    ids = tuple(Column(name, f"id in {name}", Kind.ID) for name in result.names)
    return Layout((*first, *ids, *last))


def _print_tables(result: Reconciliation, zone: str) -> None:
    with people_console(None) as console:
        render(
            result.sources,
            SOURCES,
            console,
            title="Sources (clock offset: what to add to a source's times to put them on "
            f"{result.names[0]}'s clock)",
            zone=zone,
        )
        counts = result.counts()
        console.print(
            Text(
                f"{counts['matched']:,} contacts logged by several sources, {counts['only']:,} by "
                f"one only; {counts['conflicts']:,} conflicts"
            )
        )
        conflicts = result.conflicts
        render(
            conflicts.head(TABLE_ROWS),
            _by_source(
                result,
                Column(R.TYPE, "conflict", Kind.TEXT),
                Column(R.CORRECTED_AT, "sent", Kind.TIME),
            ),
            console,
            title="Conflicts: the sources' accounts of one contact differ",
            zone=zone,
            total=conflicts.height,
        )
        only = result.only
        render(
            layouts.with_derived(only.head(TABLE_ROWS)),
            ONLY,
            console,
            title="Logged by one source only, with the others' silence between the same parties "
            "around it",
            zone=zone,
            total=only.height,
        )
        matched = result.matched
        render(
            matched.head(TABLE_ROWS),
            _by_source(
                result,
                last=(Column(R.TIME_DIFFERENCE, "apart after correction", Kind.DURATION),),
            ),
            console,
            title="Matched",
            zone=zone,
            total=matched.height,
        )


def _tolerance(value: str | None):
    if value is None:
        return None
    try:
        return parse_duration(value)
    except TimeError as error:
        raise UsageError(f"{error.message} ({value!r})", setting="tolerance") from None


@handles_errors
def reconcile(
    logs: Annotated[
        list[str],
        typer.Argument(
            help="Two or more logs of the same channel, each PATH or NAME=PATH (a source is "
            "named by its file stem otherwise); the first one's clock is the reference.",
            show_default=False,
        ),
    ],
    tolerance: Annotated[
        str | None,
        typer.Option(
            "--tolerance",
            help="How far apart one contact's records may be once the "
            "clocks are corrected (default: the policy's, 5m).",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the merged log (JSON Lines).")
    ] = None,
    fmt: Annotated[
        ReconcileFormat, typer.Option("--format", help="table, json or csv (one row per record).")
    ] = ReconcileFormat.TABLE,
    policy: PolicyOpt = None,
    assume_tz: AssumeTzOpt = None,
    input_format: InputFormatOpt = None,
    tz: TzOpt = "UTC",
    quiet: QuietOpt = False,
) -> None:
    """Match two or more sources' logs of one channel: clock offsets, matched records, records
    only one side logged, conflicts; -o writes the merged log.

    \b
    Example:
      deconf reconcile US=logs/khasham-2018.jsonl RU=logs/khasham-2018-ru.jsonl -o night.jsonl
    """
    check_zone(tz, "tz")
    rules = load_policy(policy)
    settings = rules.reconcile
    if (given := _tolerance(tolerance)) is not None:
        settings = settings.model_copy(update={"tolerance": given})
    sources = [named_source(argument) for argument in logs]
    with progress_shown(quiet) as progress:
        loaded, rejected = _load(sources, input_format, assume_tz, progress)
        progress(Step("matching the sources' records and estimating clock offsets"))
        result = reconcile_sources(loaded, settings)
        if output is not None:
            progress(Step("writing the merged log"))
            written = write_jsonl(result.merged, output)
    if output is not None:
        stderr.print(
            f"deconf: wrote the merged log ({written:,} records) to {output}", markup=False
        )
    if fmt is ReconcileFormat.JSON:
        sys.stdout.write(result.to_json())
    elif fmt is ReconcileFormat.CSV:
        typer.echo(to_csv(result.records), nl=False)
    else:
        _print_tables(result, tz)
    raise typer.Exit(EXIT_DATA if rejected else EXIT_OK)
