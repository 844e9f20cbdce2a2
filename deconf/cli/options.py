"""The options every data-reading command shares, gathered once into one value.

Typer needs each option in each command's signature (that is what `--help` shows), but past
the signature the options travel together: a command builds a :class:`DataOptions` (what to
read and how) and, for the analysis commands, an :class:`AnalysisOptions` around it (what to
look at), and hands that on, instead of passing twenty keywords through every layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl

from deconf.progress import Report, silent
from deconf.sources import Loaded, load_data


@dataclass(frozen=True)
class DataOptions:
    """What to read (logs, or the store) and how: `deconf.sources.load_data`'s own options."""

    logs: list[Path] | None = None
    store: Path | None = None
    source: str | None = None  # one source of the data only
    input_format: str | None = None
    assume_tz: str | None = None
    keep_extra: bool = False
    map_path: Path | None = None  # foreign logs, imported through this mapping ...
    preset: str | None = None  # ... or this preset
    verify: bool = True  # refuse a store whose manifest and files do not match

    def load(
        self,
        *,
        as_of: str | datetime | None = None,
        contact_columns: Sequence[str] | None = None,
        event_columns: Sequence[str] | None = None,
        contacts_where: pl.Expr | None = None,
        progress: Report = silent,
    ) -> Loaded:
        return load_data(
            self.logs,
            self.store,
            as_of=as_of,
            input_format=self.input_format,
            assume_tz=self.assume_tz,
            keep_extra=self.keep_extra,
            map_path=self.map_path,
            preset=self.preset,
            contact_columns=contact_columns,
            event_columns=event_columns,
            contacts_where=contacts_where,
            source=self.source,
            progress=progress,
            verify=self.verify,
        )


@dataclass(frozen=True)
class AnalysisOptions:
    """An analysis command's options: the data, the policy, the moment and the filters."""

    data: DataOptions
    policy: Path | None = None
    as_of: str | None = None
    party: str | None = None
    channel: str | None = None
    since: str | None = None
    until: str | None = None
    reading: str | None = None
    engine: str | None = None
    #: the display zone (--tz): a date alone in --since/--until is a day there
    zone: str = "UTC"
