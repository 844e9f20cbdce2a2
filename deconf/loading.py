"""Load and validate whole logs: the entry point the CLI, the store and the Python API share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from deconf.crosscheck import cross_check
from deconf.errors import InputError, UsageError
from deconf.frames import Records
from deconf.model import known_time_zones
from deconf.reading import read_log, read_mappings
from deconf.validation import Validation, validate_raw


def check_zone(zone: str | None, option: str = "--assume-tz") -> str | None:
    if zone is not None and zone not in known_time_zones():
        raise UsageError(f"{option}: {zone!r} is not a known IANA time zone (e.g. Asia/Damascus)")
    return zone


def validate_logs(
    paths: Sequence[str | Path],
    *,
    input_format: str | None = None,
    assume_tz: str | None = None,
    keep_extra: bool = False,
    stored: Records | None = None,
) -> Validation:
    """Read and validate log files as one log. Raises InputError for input that is no log."""
    check_zone(assume_tz)
    if not paths:
        raise InputError("no log file given")
    results = [
        validate_raw(read_log(Path(p), input_format), assume_tz=assume_tz, keep_extra=keep_extra)
        for p in paths
    ]
    return cross_check(results, stored)


def validate_records(
    records: Iterable[Mapping[str, Any]],
    *,
    assume_tz: str | None = None,
    keep_extra: bool = False,
    source: str = "<records>",
) -> Validation:
    """Validate records given as Python mappings (the Python API's way in)."""
    check_zone(assume_tz)
    raw = read_mappings(records, source)
    return cross_check([validate_raw(raw, assume_tz=assume_tz, keep_extra=keep_extra)])
