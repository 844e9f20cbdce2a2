"""The `deconf` command's first step: run the CLI so that running out of memory is a clear error.

Under a memory limit (`ulimit -v`), Python raises MemoryError, but Polars' native code cannot:
an allocation it is refused aborts the process ("memory allocation of N bytes failed"), which
no handler in the process can turn into a message. So when a limit is set, the command runs in a
child process and this one, which has loaded nothing big, watches it: a child that died of an
abort, or of a MemoryError, becomes one line saying what the limit is, how much data there was
and about how much it needs (from the figures measured in docs/robustness.md), and exit 2.
Without a limit the CLI runs in this process, as always. Standard library only, on purpose.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys

SUPERVISED_ENV = "DECONF_SUPERVISED"
EXIT_USAGE = 2
MB = 1 << 20
# Address space (ulimit -v) measured in docs/robustness.md: about 1.2 GB to start Polars and the
# analysis, and about 50 bytes for each byte of JSON Lines input beyond that.
BASE_NEED = 1200 * MB
NEED_PER_INPUT_BYTE = 50
# What a child that ran out of address space prints: Rust's abort message, Python's error, and
# the loader's when a native library cannot even be mapped (Polars then reports itself missing).
# OpenBLAS (under numpy) gives up with "Memory allocation still failed"; a native thread pool
# (Polars', pyarrow's) that cannot reserve a thread's stack panics with EAGAIN ("OS can't spawn
# worker thread: Resource temporarily unavailable", or the same error unwrapped). Compared in
# lower case.
_NATIVE_OUT_OF_MEMORY = (
    "memory allocation",
    "memoryerror",
    "cannot allocate memory",
    "failed to map segment",
    "polars binary is missing",
    "can't spawn worker thread",
    "failed to spawn thread",
    "resource temporarily unavailable",
    "can't start new thread",  # Python's own threads (a reader's decoding pool)
)
#: How deconf's own words for running out of memory begin (`deconf.cli.common`, a MemoryError
#: caught in a command): under a limit the line this module writes says more (limit, input,
#: need), so it takes their place.
OUT_OF_MEMORY_WORDS = "out of memory: "
_INTERACTIVE = {"browse"}  # the browser draws on stderr: it is not captured


def looks_out_of_memory(said: str) -> bool:
    """Whether what a process that died said is running out of memory (its native code's or
    Python's words)."""
    return any(mark in said.lower() for mark in _NATIVE_OUT_OF_MEMORY)


def address_space_limit() -> int | None:
    """The soft RLIMIT_AS in bytes, or None when there is none."""
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    return None if soft == resource.RLIM_INFINITY else soft


def input_bytes(arguments: list[str]) -> int:
    """The size of the files named on the command line (what the run has to hold)."""
    total = 0
    for argument in arguments:
        try:
            if os.path.isfile(argument):
                total += os.path.getsize(argument)
        except (OSError, ValueError):
            continue
    return total


def need(size: int) -> int:
    """About how much address space a run over `size` bytes of input needs."""
    return BASE_NEED + NEED_PER_INPUT_BYTE * size


def _amount(size: int) -> str:
    """A size as a reader takes it in: "17 KB" for a small log, not "0.0 MB"."""
    return f"{size / MB:.1f} MB" if size >= MB else f"{max(1, round(size / 1024))} KB"


def out_of_memory_message(limit: int | None, size: int) -> str:
    where = f"the memory limit (ulimit -v) of {limit // MB} MB" if limit else "the memory"
    return (
        f"deconf: {OUT_OF_MEMORY_WORDS}{where} cannot hold this run over {_amount(size)} of "
        f"input, which needs about {need(size) // MB} MB; raise the limit, or split the input "
        "(docs/robustness.md gives the figures)"
    )


def _run_here() -> None:
    try:
        from deconf.cli import main as run_cli

        run_cli()
    except MemoryError:
        sys.stderr.write(out_of_memory_message(address_space_limit(), input_bytes(sys.argv)))
        sys.stderr.write("\n")
        sys.exit(EXIT_USAGE)


def _supervise(limit: int) -> None:
    arguments = sys.argv[1:]
    interactive = bool(set(arguments) & _INTERACTIVE)
    child = subprocess.Popen(
        [sys.executable, "-m", "deconf", *arguments],
        env={**os.environ, SUPERVISED_ENV: "1"},
        stderr=None if interactive else subprocess.PIPE,
    )
    try:
        _, errors = child.communicate()
    except KeyboardInterrupt:
        child.send_signal(signal.SIGINT)
        child.wait()
        sys.exit(130)
    text = errors.decode("utf-8", "replace") if errors else ""
    died = child.returncode < 0 and -child.returncode in (signal.SIGABRT, signal.SIGSEGV)
    lines = text.splitlines()
    ours = all(line.startswith("deconf: ") for line in lines)  # deconf's own words
    said_out_of_memory = any(line.startswith(f"deconf: {OUT_OF_MEMORY_WORDS}") for line in lines)
    native = not ours and looks_out_of_memory(text)
    if died or said_out_of_memory or native:
        sys.stderr.write(out_of_memory_message(limit, input_bytes(arguments)) + "\n")
        sys.exit(EXIT_USAGE)
    sys.stderr.write(text)
    sys.exit(child.returncode if child.returncode >= 0 else 128 - child.returncode)


def main() -> None:
    limit = address_space_limit()
    if limit is None or os.environ.get(SUPERVISED_ENV):
        _run_here()
    else:
        _supervise(limit)
