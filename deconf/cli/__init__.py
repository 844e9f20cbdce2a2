"""The `deconf` command line: a thin layer over the Python API.

`deconf --version` and `deconf --help` answer before anything heavy is imported (the commands
import Polars; the help comes from `deconf.cli.catalog`); `app` (the Typer application, in
`deconf.cli.commands`) is loaded on first use.
"""

from __future__ import annotations

import sys
from typing import Any

from deconf.version import __version__

VERSION_LINE = f"deconf {__version__}"


def main() -> None:
    if sys.argv[1:] in (["--version"], ["-V"]):
        print(VERSION_LINE)
        return
    if sys.argv[1:] in ([], ["--help"]):
        from deconf.cli.catalog import root_help_group

        root_help_group()()
    from deconf.cli.commands import app

    app()


def __getattr__(name: str) -> Any:
    if name == "app":
        from deconf.cli.commands import app

        return app
    raise AttributeError(f"module 'deconf.cli' has no attribute {name!r}")
