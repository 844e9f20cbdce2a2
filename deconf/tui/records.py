"""A record as stored: its fields from the frame and, when its file is still there, the line it
was read from (file:line), for the raw view (`p`). No Textual here."""

from __future__ import annotations

from itertools import islice
from pathlib import Path
from typing import Any

import polars as pl

from deconf.frames import Col, Records
from deconf.store import TABLES, Store


def find_record(records: Records, record_id: str) -> dict[str, Any] | None:
    """The contact or event with this id, every stored column, or None."""
    for frame in (records.contacts, records.events):
        if Col.ID in frame.columns:
            found = frame.filter(pl.col(Col.ID) == record_id)
            if not found.is_empty():
                return found.row(0, named=True)
    return None


def stored_record(store: Store, record_id: str) -> dict[str, Any] | None:
    """The record with this id as the store holds it, every column (a scan filtered by id)."""
    for table in TABLES:
        found = store.scan(table).filter(pl.col(Col.ID) == record_id).head(1).collect()
        if not found.is_empty():
            return found.row(0, named=True)
    return None


def origin(record: dict[str, Any]) -> str:
    file, line = record.get(Col.ORIGIN_FILE), record.get(Col.ORIGIN_LINE)
    if not file:
        return "origin unknown"
    return f"{file}:{line}" if line else str(file)


def source_line(record: dict[str, Any], limit: int = 100_000) -> str | None:
    """The line of the file the record was read from, if the file is still readable."""
    file, line = record.get(Col.ORIGIN_FILE), record.get(Col.ORIGIN_LINE)
    if not file or not line:
        return None
    try:
        with Path(file).open(encoding="utf-8", errors="replace") as handle:
            found = next(islice(handle, line - 1, None), None)
    except OSError:
        return None
    return None if found is None else found.rstrip("\n")[:limit]
