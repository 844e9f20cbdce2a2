"""Presets: a reader for a source that is not a plain table, and the mapping shipped with it.

Each preset is one module (its reader, producing a table of text cells like any source) and one
TOML file beside it (its mapping), so what a preset does is written in the same keys a user
writes; a user's ``--map`` file merges over it, key by key (`deconf.importing.mapping.merge`).
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from deconf.importing.mapping import MappingError, toml_data
from deconf.importing.presets import ics309, mbox, slack, whatsapp
from deconf.importing.presets.base import Preset

PRESETS: dict[str, Preset] = {
    p.name: p for p in (mbox.PRESET, slack.PRESET, whatsapp.PRESET, ics309.PRESET)
}


def preset_data(name: str) -> dict[str, Any]:
    """The preset's own mapping, as TOML data."""
    if name not in PRESETS:
        raise MappingError(f"--preset: no preset {name!r} (presets: {', '.join(PRESETS)})")
    text = resources.files(__package__).joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return toml_data(text, f"preset {name}")
