"""`deconf reconcile`: several sources' logs of one channel, matched, corrected, disputed."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.text import Text

from deconf.cli.analysis import PolicyOpt
from deconf.cli.common import (
    EXIT_DATA,
    EXIT_OK,
    AssumeTzOpt,
    InputFormatOpt,
    handles_errors,
    human_durations,
    render_table,
    stderr,
    stdout,
)
from deconf.errors import UsageError
from deconf.export import to_csv
from deconf.frames import Col
from deconf.loading import validate_logs
from deconf.policy import load_policy
from deconf.reconcile import reconcile as reconcile_sources
from deconf.reconcile.columns import R
from deconf.reconcile.result import Reconciliation
from deconf.times import TimeError, parse_duration
from deconf.writing import write_jsonl

SHOWN = 200


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


def _load(sources: list[tuple[str, Path]], input_format, assume_tz) -> tuple[list, int]:
    loaded, rejected = [], 0
    for name, path in sources:
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


def _print_tables(result: Reconciliation) -> None:
    sources = result.sources.with_columns(
        pl.col(R.OFFSET).alias("offset_seconds"), pl.col(R.SPREAD).alias("spread_seconds")
    ).select(
        R.NAME,
        R.RECORDS,
        R.COVERAGE_START,
        R.COVERAGE_END,
        "offset_seconds",
        "spread_seconds",
        R.MATCHES,
    )
    render_table(
        human_durations(sources),
        f"Sources (clock offset: what to add to a source's times to put them on "
        f"{result.names[0]}'s clock)",
    )
    counts = result.counts()
    stdout.print(
        Text(
            f"{counts['matched']} contacts logged by several sources, {counts['only']} by one "
            f"only; {counts['conflicts']} conflicts"
        )
    )
    names = result.names
    conflicts = result.conflicts
    render_table(
        conflicts.select(R.TYPE, R.CORRECTED_AT, *names).head(SHOWN),
        "Conflicts: the sources' accounts of one contact differ",
        total=conflicts.height,
    )
    only = result.only
    render_table(
        human_durations(
            only.select(
                R.SOURCE,
                Col.ID,
                pl.format("{} → {}", Col.FROM_PARTY, Col.TO_PARTY).alias("from → to"),
                Col.KIND,
                R.CORRECTED_AT,
                R.OTHER_BEFORE,
                R.OTHER_AFTER,
                R.OTHER_SILENCE,
            ).head(SHOWN)
        ),
        "Logged by one source only, with the others' last and next record between the same parties",
        total=only.height,
    )
    matched = result.matched
    render_table(
        human_durations(matched.select(*names, R.TIME_DIFFERENCE).head(SHOWN)),
        "Matched (time difference after correcting the clocks)",
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
) -> None:
    """Match two or more sources' logs of one channel: clock offsets, matched records, records
    only one side logged, conflicts; -o writes the merged log."""
    rules = load_policy(policy)
    settings = rules.reconcile
    if (given := _tolerance(tolerance)) is not None:
        settings = settings.model_copy(update={"tolerance": given})
    sources = [named_source(argument) for argument in logs]
    loaded, rejected = _load(sources, input_format, assume_tz)
    result = reconcile_sources(loaded, settings)
    if output is not None:
        written = write_jsonl(result.merged, output)
        stderr.print(f"deconf: wrote the merged log ({written} records) to {output}", markup=False)
    if fmt is ReconcileFormat.JSON:
        sys.stdout.write(result.to_json())
    elif fmt is ReconcileFormat.CSV:
        typer.echo(to_csv(result.records), nl=False)
    else:
        _print_tables(result)
    raise typer.Exit(EXIT_DATA if rejected else EXIT_OK)
