"""`deconf synth`: write a synthetic log (or two sides' logs of the same traffic) for scale tests,
benchmarks and measuring reconcile."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from deconf.cli.common import handles_errors, stdout
from deconf.errors import UsageError
from deconf.synth import write_log
from deconf.synth_sides import write_sides
from deconf.times import TimeError, parse_duration


@handles_errors
def synth(
    records: Annotated[int, typer.Option("--records", min=1, help="Number of log lines.")],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="File to write: .jsonl (JSON Lines) or .csv.")
    ],
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same bytes.")] = 0,
    parties: Annotated[int, typer.Option("--parties", min=2, help="Number of parties.")] = 6,
    sides: Annotated[
        int,
        typer.Option(
            "--sides",
            min=1,
            max=2,
            help="2: write two sides' logs of the same traffic (OUTPUT-a.jsonl, OUTPUT-b.jsonl) "
            "and the ground truth (OUTPUT-truth.json).",
        ),
    ] = 1,
    clock_offset: Annotated[
        str,
        typer.Option(
            "--clock-offset",
            help="With --sides 2: what must be added to side b's times to put them on side a's "
            "clock (e.g. 90s, -2m).",
        ),
    ] = "90s",
    drop: Annotated[
        float,
        typer.Option("--drop", min=0, max=0.99, help="With --sides 2: share each side leaves out."),
    ] = 0.05,
    conflict: Annotated[
        float,
        typer.Option(
            "--conflict",
            min=0,
            max=1,
            help="With --sides 2: share of contacts both logged that side b tells differently "
            "(outcome, kind or time in turn).",
        ),
    ] = 0.02,
) -> None:
    """Write a valid, realistic synthetic log (same arguments, same bytes); with --sides 2, two
    sides' logs of the same traffic and the ground truth, to measure reconcile.

    \b
    Example:
      deconf synth --records 10000 --seed 1 -o synthetic.csv
      deconf synth --records 2000 --sides 2 --clock-offset 90s -o pair.jsonl
    """
    if sides == 1:
        written = write_log(output, records, seed, parties)
        stdout.print(f"wrote {written:,} records to {output}", markup=False)
        return
    sign = -1 if clock_offset.strip().startswith("-") else 1
    try:
        offset = sign * parse_duration(clock_offset.strip().lstrip("-"))
    except TimeError as error:
        raise UsageError(f"{error.message} ({clock_offset!r})", setting="clock_offset") from None
    for path in write_sides(output, records, seed, parties, offset, drop, conflict):
        stdout.print(f"wrote {path}", markup=False)
