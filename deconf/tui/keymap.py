"""Key bindings a user may remap: a TOML file of binding id → key(s) in the user config directory.

    # ~/.config/deconf/keymap.toml
    next_unanswered = "ctrl+n"
    search = ["slash", "ctrl+f"]

Every binding of the browser carries an id (see `binding_ids`); Textual's own keymap mechanism
replaces the keys of the bindings with those ids, on every screen that has one. A keymap that
cannot be read, names an unknown id or gives something other than key names is refused with a
message naming the file and the entry, before the browser opens.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path

import platformdirs
from textual.binding import Binding

KEYMAP_NAME = "keymap.toml"
# a key as Textual names it: letters, digits, modifiers and names joined by "+" (ctrl+n, f5, slash)
_KEY = re.compile(r"^[A-Za-z0-9_+\-]+$|^.$")


class KeymapError(ValueError):
    """The user's keymap file cannot be used; the message names the file and the entry."""


def keymap_path() -> Path:
    """Where the keymap is looked for: `keymap.toml` in the per-user config dir of deconf."""
    return Path(platformdirs.user_config_dir("deconf")) / KEYMAP_NAME


def binding_ids(holders: Iterable[type]) -> dict[str, str]:
    """Every binding id of the given apps, screens and widgets, with its description."""
    ids: dict[str, str] = {}
    for holder in holders:
        for binding in getattr(holder, "BINDINGS", []):
            if isinstance(binding, Binding) and binding.id:
                ids.setdefault(binding.id, binding.description or binding.action)
    return ids


def load_keymap(path: Path, known: Iterable[str]) -> dict[str, str]:
    """The keymap in `path` as Textual wants it (id → comma-separated keys); {} if no file."""
    if not path.exists():
        return {}
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise KeymapError(f"{path}: cannot read the keymap: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise KeymapError(f"{path}: not valid TOML: {error}") from None
    known = sorted(known)
    keymap = {}
    for binding_id, keys in table.items():
        if binding_id not in known:
            close = difflib.get_close_matches(binding_id, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise KeymapError(
                f"{path}: {binding_id!r} is not a binding id{hint} (known ids: {', '.join(known)})"
            )
        names = [keys] if isinstance(keys, str) else keys
        if (
            not isinstance(names, list)
            or not names
            or not all(isinstance(n, str) and _KEY.match(n.strip()) for n in names)
        ):
            raise KeymapError(
                f"{path}: {binding_id}: give a key name or a list of key names "
                f'(e.g. "ctrl+n" or ["n", "f3"]), not {keys!r}'
            )
        keymap[binding_id] = ",".join(n.strip() for n in names)
    return keymap
