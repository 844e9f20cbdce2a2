"""Preset `ics309`: an ICS 309 Communications Log kept as a spreadsheet laid out like the form.

The form writes times as HHMM only; their date is the operational period's, written once in the
header, and the log rolls over midnight without saying so. The reader finds the period's first
date in the header (or takes ``[time] date``), finds the table by its header row (the first that
starts with "Time" and names a From column), and gives each row its date: the period's, plus one
day for each time that is earlier than the one before it.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from deconf.errors import InputError
from deconf.importing.delimited import read_delimited
from deconf.importing.mapping import Mapping
from deconf.importing.presets.base import Preset
from deconf.importing.presets.chat import KIND, chat_kind
from deconf.importing.tables import SourceTable
from deconf.reading import decode_text, read_bytes

COLUMNS = ("date", "time", "from", "from_msg", "to", "to_msg", "subject", KIND)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _column(name: str) -> str | None:
    """The preset's name for one of the form's column headings."""
    words = re.sub(r"[^a-z#]+", " ", name.lower()).split()
    if not words:
        return None
    if words[0] == "time":
        return "time"
    if words[0] in ("from", "to"):
        return words[0] + ("_msg" if "msg" in words or "#" in words or "no" in words else "")
    if words[0] in ("subject", "message", "messages"):
        return "subject"
    return None


def read(path: Path, mapping: Mapping) -> SourceTable:
    data = read_bytes(path)
    text = decode_text(data, str(path))
    lines = text.split("\n")
    header_at = next(
        (
            i
            for i, line in enumerate(lines)
            if line.strip().lower().startswith(("time", '"time')) and "from" in line.lower()
        ),
        None,
    )
    if header_at is None:
        raise InputError(
            f"{path}: no ICS 309 table (no header row starting with 'Time' and a From)"
        )
    date = mapping.time.date or _period_date(lines[:header_at], mapping)
    if date is None:
        raise InputError(
            f"{path}: no Operational Period date above the table; set [time] date in the mapping"
        )
    table = read_delimited(text.encode(), str(path), ",", header_at)
    renamed = {c: _column(c) for c in table.columns}
    frame = table.frame.rename({c: n for c, n in renamed.items() if n}, strict=False)
    for name in COLUMNS:
        if name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(name))
    time = pl.col("time").str.strip_chars().str.replace(":", "", literal=True).str.zfill(4)
    minutes = time.str.slice(0, 2).cast(pl.Int32, strict=False) * 60 + time.str.slice(2, 2).cast(
        pl.Int32, strict=False
    )
    previous = minutes.forward_fill().shift(1)
    days = (minutes < previous).fill_null(False).cast(pl.Int64).cum_sum()
    start = pl.lit(date).str.to_date("%Y-%m-%d")
    frame = frame.with_columns(
        (start + pl.duration(days=days)).dt.strftime("%Y-%m-%d").alias("date"),
        time.alias("time"),
        chat_kind(pl.col("subject"), pl.lit(None, pl.String)).alias(KIND),
    )
    return SourceTable(str(path), frame, COLUMNS)


def _period_date(lines: list[str], mapping: Mapping) -> str | None:
    """The first date on the Operational Period line (ISO, or month/day/year as on the US form;
    day/month/year when [source] date_order = "dmy")."""
    for line in lines:
        if "operational period" not in line.lower() and "date" not in line.lower():
            continue
        iso = _ISO_DATE.search(line)
        if iso:
            year, month, day = iso.groups()
            return f"{year}-{int(month):02d}-{int(day):02d}"
        us = _US_DATE.search(line)
        if us:
            first, second, year = us.groups()
            day_first = (
                mapping.source.date_order is not None and mapping.source.date_order.value == "dmy"
            )
            month, day = (second, first) if day_first else (first, second)
            return f"{year}-{int(month):02d}-{int(day):02d}"
    return None


PRESET = Preset("ics309", "an ICS 309 communications log (CSV laid out like the form)", read)
