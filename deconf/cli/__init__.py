"""The `deconf` command line: a thin layer over the Python API.

`deconf --version` and `deconf --help` answer before anything heavy is imported (the commands
import Polars; the help comes from `deconf.cli.catalog`); `app` (the Typer application, in
`deconf.cli.commands`) is loaded on first use.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from deconf.version import __version__

VERSION_LINE = f"deconf {__version__}"


def main() -> None:
    arguments = sys.argv[1:]
    if _completing():  # shell completion asks the whole application
        from deconf.cli.commands import app

        app()
        return
    if arguments in (["--version"], ["-V"]):
        print(VERSION_LINE)
        return
    if arguments in ([], ["--help"]):
        from deconf.cli.catalog import root_help_group

        root_help_group()()
    from deconf.cli.catalog import COMMANDS
    from deconf.cli.commands import build

    names = [c.name for c in COMMANDS]
    # a command named first: build the application with it alone (its imports, not all)
    build(arguments[:1] if arguments[:1] and arguments[0] in names else names)()


def _completing() -> bool:
    """Whether the shell's completion is asking (Click's `_PROG_COMPLETE` variable is set)."""
    return any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ)


def __getattr__(name: str) -> Any:
    if name == "app":
        from deconf.cli.commands import app

        return app
    raise AttributeError(f"module 'deconf.cli' has no attribute {name!r}")
