"""What every command shares: options, exit codes, error handling and output formats."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from deconf.analysis.columns import S
from deconf.errors import DeconfError, UsageError, flag_name, worded
from deconf.export import to_csv, to_json
from deconf.times import PEOPLE_TIME_FORMAT, humanize

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2

stdout = Console(soft_wrap=True, highlight=False, width=None if sys.stdout.isatty() else 160)
stderr = Console(stderr=True, soft_wrap=True, highlight=False)


class TableFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


class FrameFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    PARQUET = "parquet"


class InputFormatOption(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"


LogsArg = Annotated[
    list[Path], typer.Argument(help="Log files (.jsonl or .csv).", show_default=False)
]
OptionalLogsArg = Annotated[
    list[Path] | None,
    typer.Argument(help="Log files (.jsonl or .csv); omit to read the store.", show_default=False),
]
AssumeTzOpt = Annotated[
    str | None,
    typer.Option("--assume-tz", help="IANA zone for timestamps written without an offset."),
]
KeepExtraOpt = Annotated[
    bool, typer.Option("--keep-extra", help="Keep unknown fields in an `extra` column.")
]
InputFormatOpt = Annotated[
    InputFormatOption | None,
    typer.Option("--input-format", help="Input format when the extension does not tell."),
]
StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help="Store directory (default: $DECONF_STORE or the user data dir).",
        show_default=False,
    ),
]


def for_cli(text: str) -> str:
    """A core message with the settings it names worded as this CLI's flags."""
    return worded(text, flag_name)


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    stderr.print(f"deconf: {for_cli(message)}", markup=False)
    return typer.Exit(code)


def handles_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn expected failures into one clear line on stderr and exit 2, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except DeconfError as error:
            raise fail(error.worded(flag_name)) from None
        except BrokenPipeError:
            sys.stderr.close()
            raise typer.Exit(EXIT_OK) from None

    return wrapper


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def write_frame(
    frame: pl.DataFrame,
    fmt: FrameFormat,
    output: Path | None,
    title: str,
    people: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
) -> None:
    """Write a result frame as json, csv, parquet (to -o) or a table for people (`people`
    picks and formats the columns a person reads)."""
    if fmt is FrameFormat.PARQUET:
        if output is None:
            raise UsageError("--format parquet needs -o FILE")
        frame.write_parquet(output)
        return
    if fmt is FrameFormat.JSON:
        text = to_json(frame)
    elif fmt is FrameFormat.CSV:
        text = to_csv(frame)
    else:
        shown = frame.head(TABLE_ROWS)
        render_table(people(shown) if people else shown, title, output, total=frame.height)
        return
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


def human_durations(frame: pl.DataFrame) -> pl.DataFrame:
    """Every *_seconds column as "2h 14m 00s" (tables are for people; machine formats keep µs)."""
    readable = {
        name: pl.col(name).map_elements(humanize, return_dtype=pl.String)
        for name in frame.columns
        if name.endswith("_seconds") or name == "seconds"
    }
    return frame.with_columns(
        (expr.fill_null("not reached") if name in S.NOT_REACHED_WHEN_NULL else expr).alias(name)
        for name, expr in readable.items()
    )


def _for_people(frame: pl.DataFrame) -> pl.DataFrame:
    """Times to the second with a Z, true/false as yes/no, lists joined: what a person reads."""
    return frame.with_columns(
        *(
            pl.col(n).dt.strftime(PEOPLE_TIME_FORMAT)
            for n, d in frame.schema.items()
            if isinstance(d, pl.Datetime)
        ),
        *(
            pl.col(n).replace_strict({True: "yes", False: "no"}, return_dtype=pl.String)
            for n, d in frame.schema.items()
            if d == pl.Boolean
        ),
        *(
            pl.col(n).list.join(", ")
            for n, d in frame.schema.items()
            if isinstance(d, pl.List) and d.inner == pl.String
        ),
    )


def percentages(frame: pl.DataFrame) -> pl.DataFrame:
    """Every share_* column as "16.4%"."""
    return frame.with_columns(
        pl.format("{}%", (pl.col(name) * 100).round(1))
        for name in frame.columns
        if name.startswith("share_")
    )


def transposed(frame: pl.DataFrame, key: str) -> pl.DataFrame:
    """One row per figure and one column per group: how a person reads a wide summary."""
    texts = _for_people(percentages(human_durations(frame))).with_columns(pl.all().cast(pl.String))
    columns = {"figure": [c for c in frame.columns if c != key]}
    for row in texts.iter_rows(named=True):
        columns[row[key]] = [row[c] for c in columns["figure"]]
    return pl.DataFrame(columns)


TABLE_ROWS = 200


def render_table(frame: pl.DataFrame, title: str, output: Path | None = None, total: int = 0):
    table = Table(title=title, show_lines=False)
    for name in frame.columns:
        table.add_column(name, overflow="fold")
    for row in _for_people(frame).iter_rows():
        table.add_row(*(Text("" if v is None else str(v)) for v in row))
    console = stdout if output is None else Console(file=output.open("w"), width=200)
    console.print(table)
    if frame.is_empty():
        console.print("(no rows)")
    if total > frame.height:
        console.print(f"… {total - frame.height} more rows (--format csv or json gives all)")
