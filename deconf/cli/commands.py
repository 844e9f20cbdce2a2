"""The Typer application: every command, and the options of `deconf` itself (`--version`,
`--install-completion` and `--show-completion` for bash, zsh, fish and PowerShell)."""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Iterable
from functools import cache
from typing import Any

import typer

from deconf.cli import VERSION_LINE
from deconf.cli.catalog import COMMANDS, HELP

#: Where each command lives: (module under deconf.cli, function). Order as in the catalog.
WHERE = {
    "validate": ("records", "validate"),
    "ingest": ("records", "ingest"),
    "import": ("importing", "import_"),
    "verify": ("records", "verify"),
    "schema": ("records", "schema"),
    "sources": ("records", "sources"),
    "gaps": ("analysis", "gaps"),
    "episodes": ("analysis", "episodes"),
    "stats": ("analysis", "stats"),
    "exchanges": ("analysis", "exchanges"),
    "silences": ("analysis", "silences"),
    "synth": ("synth", "synth"),
    "reconcile": ("reconcile", "reconcile"),
    "report": ("report", "report"),
    "verify-report": ("report", "verify_report"),
    "browse": ("browse", "browse"),
}


def build(names: Iterable[str]) -> typer.Typer:
    """The application with the named commands: all of them for `app`; one, to run it, so that
    `deconf stats` does not import the report's templates or the browser."""
    application = typer.Typer(
        name="deconf",
        help=HELP,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=True,
        rich_markup_mode=None,
    )
    application.callback()(_root)
    for name in names:
        module, function = WHERE[name]
        command = getattr(_imported(f"deconf.cli.{module}"), function)
        application.command(name=name)(command)
    return application


def _imported(module: str) -> Any:
    """The module, imported with the cyclic garbage collector paused: importing Polars, pyarrow
    and pydantic creates some 300,000 objects, and the collections that many allocations
    trigger find next to nothing (a tenth of a second of CPU at every start). The objects
    imported are then frozen (`gc.freeze`): modules and classes live as long as the process,
    and the collections during the command's work need not walk them again (once: a process
    that runs commands again, as the tests do, freezes no garbage of the runs before)."""
    fresh = module not in sys.modules
    enabled = gc.isenabled()
    gc.disable()
    try:
        return importlib.import_module(module)
    finally:
        if fresh:
            gc.freeze()
        if enabled:
            gc.enable()


def _version(value: bool) -> None:
    if value:
        typer.echo(VERSION_LINE)
        raise typer.Exit()


def _root(
    version: bool = typer.Option(
        False,
        "--version",
        "-V",
        callback=_version,
        is_eager=True,
        help="Print the version and exit.",
    ),
) -> None:
    """deconf"""


@cache
def _whole() -> typer.Typer:
    return build(c.name for c in COMMANDS)


def __getattr__(name: str) -> Any:
    """`app`, the application with every command, is built on first use (PEP 562)."""
    if name == "app":
        return _whole()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
