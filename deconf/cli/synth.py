"""`deconf synth`: write a synthetic log for scale tests and benchmarks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from deconf.cli.common import handles_errors, stdout
from deconf.synth import write_log


@handles_errors
def synth(
    records: Annotated[int, typer.Option("--records", min=1, help="Number of log lines.")],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="File to write: .jsonl (JSON Lines) or .csv.")
    ],
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same bytes.")] = 0,
    parties: Annotated[int, typer.Option("--parties", min=2, help="Number of parties.")] = 6,
) -> None:
    """Write a valid, realistic synthetic log (same arguments, same bytes).

    \b
    Example:
      deconf synth --records 10000 --seed 1 -o synthetic.csv
    """
    written = write_log(output, records, seed, parties)
    stdout.print(f"wrote {written:,} records to {output}", markup=False)
