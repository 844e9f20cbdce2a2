"""What a preset is: a reader for its source, and checks of the mapping it needs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from deconf.importing.mapping import Mapping
from deconf.importing.tables import SourceTable


def _no_check(mapping: Mapping) -> None:
    """Most presets need nothing from the user's mapping."""


@dataclass(frozen=True)
class Preset:
    name: str
    describe: str
    read: Callable[[Path, Mapping], SourceTable]
    check: Callable[[Mapping], None] = _no_check
