"""What every command shares: options, exit codes, error handling and output formats."""

from __future__ import annotations

import functools
import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer
from rich.console import Console
from rich.text import Text

from deconf.atomic import reason, write_text, write_with
from deconf.errors import DeconfError, StoreMismatch, UsageError, flag_name, worded
from deconf.export import exact, to_csv, to_json
from deconf.inert import visible
from deconf.launch import OUT_OF_MEMORY_WORDS
from deconf.times import known_time_zones

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2

OUT_OF_MEMORY = (
    f"{OUT_OF_MEMORY_WORDS}the data does not fit in what this process may use (ulimit -v); "
    "docs/robustness.md says how much a log of a given size needs"
)

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


_LOGS_HELP = (
    "Log files (.jsonl or .csv, also compressed: .gz, .bz2, .xz, .zst); - reads standard input."
)
LogsArg = Annotated[list[Path], typer.Argument(help=_LOGS_HELP, show_default=False)]
OptionalLogsArg = Annotated[
    list[Path] | None,
    typer.Argument(help=f"{_LOGS_HELP} Omit to read the store.", show_default=False),
]


def complete_zone(incomplete: str) -> list[str]:
    """IANA zones for shell completion (`--tz Asia/Da<TAB>`)."""
    return sorted(z for z in known_time_zones() if z.lower().startswith(incomplete.lower()))


AssumeTzOpt = Annotated[
    str | None,
    typer.Option(
        "--assume-tz",
        help="IANA zone for timestamps written without an offset.",
        autocompletion=complete_zone,
    ),
]
KeepExtraOpt = Annotated[
    bool, typer.Option("--keep-extra", help="Keep unknown fields in an `extra` column.")
]
InputFormatOpt = Annotated[
    InputFormatOption | None,
    typer.Option("--input-format", help="Input format when the extension does not tell."),
]


TzOpt = Annotated[
    str,
    typer.Option(
        "--tz",
        help="Show times for people in this IANA zone (machine output stays UTC).",
        autocompletion=complete_zone,
    ),
]
ColumnsOpt = Annotated[
    str | None,
    typer.Option(
        "--columns",
        help="Table columns to show, comma-separated (default: as many as fit the terminal).",
    ),
]
FieldsOpt = Annotated[
    str | None,
    typer.Option("--fields", help="Fields of json/csv/parquet output, comma-separated."),
]
SourceOpt = Annotated[
    str | None,
    typer.Option(
        "--source",
        help="Only the records of this source (as `deconf sources` lists it, or its file name).",
    ),
]
MapOpt = Annotated[
    Path | None,
    typer.Option(
        "--map",
        help="Mapping file (TOML) for logs not written in deconf's schema: spreadsheets, CSV, "
        "JSON exports (docs/importing.md).",
        show_default=False,
    ),
]
PresetOpt = Annotated[
    str | None,
    typer.Option(
        "--preset",
        help="Built-in mapping and reader: mbox, slack (export folder), whatsapp (chat export "
        "text), ics309 (radio log CSV). With --map, the file's keys override the preset's.",
        show_default=False,
    ),
]
RawCsvOpt = Annotated[
    bool,
    typer.Option(
        "--raw-csv",
        help="CSV: write text cells as they are; by default a cell starting with = + - @ "
        "tab or CR gets an apostrophe before it, so a spreadsheet shows it instead of running it.",
    ),
]
NoVerifyOpt = Annotated[
    bool,
    typer.Option(
        "--no-verify",
        help="Read the store even when its manifest and files do not match (`deconf verify` "
        "says how).",
    ),
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


def say(text: str, console: Console | None = None) -> None:
    """Print one line of text that may carry a log's words: control characters shown, never
    run, and no markup read into it."""
    (console or stdout).print(Text(visible(text)))


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    say(f"deconf: {for_cli(message)}", stderr)
    return typer.Exit(code)


def handles_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn expected failures into one clear line on stderr and exit 2, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except StoreMismatch as error:
            message = f"{error.worded(flag_name)} (`deconf verify`; --no-verify proceeds anyway)"
            raise fail(message, EXIT_DATA) from None
        except DeconfError as error:
            raise fail(error.worded(flag_name)) from None
        except BrokenPipeError:
            sys.stderr.close()
            raise typer.Exit(EXIT_OK) from None
        except OSError as error:  # most often writing to stdout (a full disk, a lost terminal)
            where = error.filename or "standard output"
            raise fail(f"{where}: {reason(error)}") from None
        except MemoryError:
            raise fail(OUT_OF_MEMORY) from None

    return wrapper


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


#: Rows a table for people shows; machine formats give all.
TABLE_ROWS = 200
#: Width of a table written to a file or a pipe (no terminal to measure), unless $COLUMNS says.
UNMEASURED_WIDTH = 160


@contextmanager
def people_console(output: Path | None = None) -> Iterator[Console]:
    """A console for a table, on stdout or into `output`: as wide as the terminal, else
    $COLUMNS, else UNMEASURED_WIDTH. A table for a file is written whole when done (temp file
    and rename), or not at all."""
    columns = os.environ.get("COLUMNS", "")
    width = int(columns) if columns.isdigit() and int(columns) > 0 else UNMEASURED_WIDTH
    if output is not None:
        buffer = io.StringIO()
        yield Console(file=buffer, width=width, highlight=False)
        write_text(output, buffer.getvalue())
    elif sys.stdout.isatty():
        yield Console(highlight=False)
    else:
        yield Console(width=width, highlight=False)


def selected(frame: pl.DataFrame, fields: str | None) -> pl.DataFrame:
    """The machine-output columns named by --fields (comma-separated, in that order)."""
    if not fields:
        return frame
    names = [name.strip() for name in fields.split(",") if name.strip()]
    unknown = [name for name in names if name not in frame.columns]
    if unknown:
        raise UsageError(
            f"--fields: no field {', '.join(map(repr, unknown))}; "
            f"choose from {', '.join(frame.columns)}"
        )
    return frame.select(names)


def names_of(option: str | None) -> list[str] | None:
    """A comma-separated option as a list of names (None when not given)."""
    if not option:
        return None
    return [name.strip() for name in option.split(",") if name.strip()]


def write_machine(
    frame: pl.DataFrame, fmt: FrameFormat, output: Path | None, *, raw_csv: bool = False
) -> None:
    """JSON, CSV (to stdout or -o) or Parquet (to -o): exact, in UTC, documented keys. A file is
    written whole or not at all; CSV neutralises formula cells unless `raw_csv`."""
    if fmt is FrameFormat.PARQUET:
        if output is None:
            raise UsageError("--format parquet needs -o FILE")
        write_with(output, exact(frame).write_parquet)
        return
    text = to_json(frame) if fmt is FrameFormat.JSON else to_csv(frame, raw=raw_csv)
    if output is None:
        sys.stdout.write(text)
    else:
        write_text(output, text)
