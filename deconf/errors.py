"""The failures deconf expects, in one leaf module so that any layer can raise them without
importing another layer. Front ends turn each into one clear line and exit 2; none is a bug.

Core messages name the settings a user can change by their Python API names, in backticks
("add an offset or pass `assume_tz`"); each front end words them its own way with `worded` —
the CLI as its flags ("--assume-tz"). So the core never names a CLI flag.
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: Settings a message may point at, as the Python API names them.
SETTINGS = frozenset(
    {
        "assume_tz",
        "keep_extra",
        "input_format",
        "as_of",
        "since",
        "until",
        "tz",
        "policy",
        "party",
        "channel",
        "source",
    }
)
_SETTING_RE = re.compile(r"`([a-z_]+)`")


def api_name(setting: str) -> str:
    return setting


def flag_name(setting: str) -> str:
    """How the CLI spells a setting: `assume_tz` → --assume-tz."""
    return "--" + setting.replace("_", "-")


def worded(text: str, name: Callable[[str], str] = api_name) -> str:
    """`text` with each backticked setting named by `name` (other backticks left alone)."""
    return _SETTING_RE.sub(
        lambda m: name(m.group(1)) if m.group(1) in SETTINGS else m.group(0), text
    )


class DeconfError(Exception):
    """Base of the expected failures: the message is for a person, never a traceback.
    `setting` names the setting at fault, when there is one."""

    def __init__(self, message: str, *, setting: str | None = None):
        self.message = message
        self.setting = setting
        super().__init__(self.worded())

    def worded(self, name: Callable[[str], str] = api_name) -> str:
        text = worded(self.message, name)
        return f"{name(self.setting)}: {text}" if self.setting else text


class InputError(DeconfError):
    """Input that is not a log at all (binary, wrong encoding, missing, empty...)."""


class UsageError(DeconfError, ValueError):
    """A wrong setting (an unknown time zone, an unreadable policy file, a bad as-of time)."""


class StoreError(DeconfError):
    """A store that cannot be used as asked (not a store, locked, damaged)."""


class StoreMismatch(StoreError):
    """A store whose manifest and files do not match (a file missing, resized, or a broken
    chain): the data cannot be trusted as it stands. Front ends refuse to analyse it (exit 1)
    unless asked to proceed; `deconf verify` says more."""


class OutputError(DeconfError):
    """A result that cannot be written where asked (no such directory, a directory in the way,
    no permission, the disk full). Nothing is left half written."""
