"""The `deconf` command line: a thin layer over the Python API.

`deconf --version` and `deconf --help` answer before anything heavy is imported (the commands
import Polars; the help comes from `deconf.cli.catalog`); `app` (the Typer application, in
`deconf.cli.commands`) is loaded on first use.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any

from deconf.version import __version__

# deconf does no linear algebra: numpy's OpenBLAS starting a pool of threads (one per core) at
# import is 0.05 s of every command's start for nothing. A setting of the user's is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

VERSION_LINE = f"deconf {__version__}"
EXIT_USAGE = 2


def main() -> None:
    """Run the CLI; output that cannot be flushed at the end (stdout on a full disk) is one line
    and exit 2; a closed pipe ends quietly (the reader stopped reading)."""
    try:
        _run()
        code: Any = 0
    except SystemExit as done:
        code = done.code
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    except OSError as error:
        _silence_stdout()
        with contextlib.suppress(OSError):
            sys.stderr.write(f"deconf: standard output: {error.strerror or error}\n")
        code = EXIT_USAGE
    sys.exit(code)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that Python's own flush at exit fails no more."""
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _run() -> None:
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
    if arguments[:1] == ["browse"]:  # `browse LOG`: the log's reader starts importing now
        from deconf.tui.logread import start_early

        start_early(arguments[1:])
    from deconf.cli.catalog import COMMANDS
    from deconf.cli.commands import build

    names = [c.name for c in COMMANDS]
    if arguments and not arguments[0].startswith("-") and arguments[0] not in names:
        _no_such_command(arguments[0], {c.name: c.summary for c in COMMANDS})
    # a command named first: build the application with it alone (its imports, not all)
    build(arguments[:1] if arguments[:1] and arguments[0] in names else names)()


#: words people reach for that name another command ("the attempts" are `deconf gaps`' rows)
SYNONYMS = {"attempts": "gaps", "attempt": "gaps", "statistics": "stats", "tui": "browse"}


def _no_such_command(typed: str, commands: dict[str, str]) -> None:
    """One line naming the command most likely meant, and exit 2 (Click says only 'No such
    command')."""
    import difflib

    meant = SYNONYMS.get(typed.lower()) or next(
        iter(difflib.get_close_matches(typed.lower(), list(commands), n=1, cutoff=0.6)), None
    )
    said = commands[meant].rstrip(".") if meant else ""
    hint = f"; did you mean `deconf {meant}` ({said[:1].lower()}{said[1:]})" if meant else ""
    sys.stderr.write(f"deconf: no command {typed!r}{hint}; `deconf --help` lists them\n")
    raise SystemExit(EXIT_USAGE)


def _completing() -> bool:
    """Whether the shell's completion is asking (Click's `_PROG_COMPLETE` variable is set)."""
    return any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ)


def __getattr__(name: str) -> Any:
    if name == "app":
        from deconf.cli.commands import app

        return app
    raise AttributeError(f"module 'deconf.cli' has no attribute {name!r}")
