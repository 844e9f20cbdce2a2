"""The import benchmark's input: a synthetic log rewritten as a foreign spreadsheet export.

A 1M-row CSV in the shape of a liaison desk's tracker (its own column names, local times
written `dd/mm/yyyy HH:MM:SS` without offset, outcomes and precedences as the desk words them),
and the column mapping that imports it. `import` is timed against `polars.read_csv` of the same
file (target: within 3×).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from deconf.frames import Col

ZONE = "Asia/Damascus"
PRECEDENCE_WORDS = {"flash": "FLASH", "immediate": "IMM", "priority": "PRI", "routine": "R"}
MAPPING = """
[time]
zone = "{zone}"
formats = ["%d/%m/%Y %H:%M:%S"]

[fields]
id = "Ref"
sent_at = "Time (local)"
from_party = "Caller"
to_party = "Called"
channel = "Line"
kind = "Type"
attempt_outcome = {{ column = "Result", default = "delivered" }}
in_reply_to = "Answers"
precedence = {{ column = "Prec", map = {{ {words} }} }}
summary = "Notes"
""".format(
    zone=ZONE, words=", ".join(f'"{word}" = "{value}"' for value, word in PRECEDENCE_WORDS.items())
)


def paths(log: Path) -> tuple[Path, Path]:
    return log.with_name(log.stem + "-foreign.csv"), log.with_name(log.stem + "-foreign.toml")


def write_foreign(log: Path) -> tuple[Path, Path]:
    """The contacts of a synthetic log as a foreign CSV, and its mapping (once per log)."""
    csv, mapping = paths(log)
    if csv.exists() and mapping.exists():
        return csv, mapping
    frame = pl.read_ndjson(log, infer_schema_length=None).filter(
        pl.col(Col.TYPE).is_null() | (pl.col(Col.TYPE) == "contact")
    )
    local = (
        pl.col(Col.SENT_AT)
        .str.to_datetime("%Y-%m-%dT%H:%M:%S%#z", time_unit="us")
        .dt.convert_time_zone(ZONE)
        .dt.strftime("%d/%m/%Y %H:%M:%S")
    )
    frame.select(
        pl.col(Col.ID).alias("Ref"),
        local.alias("Time (local)"),
        pl.col(Col.FROM_PARTY).alias("Caller"),
        pl.col(Col.TO_PARTY).alias("Called"),
        pl.col(Col.CHANNEL).alias("Line"),
        pl.col(Col.KIND).alias("Type"),
        pl.col(Col.ATTEMPT_OUTCOME).alias("Result"),
        pl.col(Col.IN_REPLY_TO).alias("Answers"),
        pl.col(Col.PRECEDENCE).replace_strict(PRECEDENCE_WORDS, default=None).alias("Prec"),
        pl.col(Col.SUMMARY).alias("Notes"),
    ).write_csv(csv)
    mapping.write_text(MAPPING, encoding="utf-8")
    return csv, mapping
