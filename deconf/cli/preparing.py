"""After an ingest: the browser's first screen prepared (`deconf.prepared`), or why not."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from deconf.cli.common import say, stderr
from deconf.progress import Report, Step

if TYPE_CHECKING:  # `deconf validate` imports this module, and starts without the store
    from deconf.store import Store

NoPrepareOpt = Annotated[
    bool,
    typer.Option(
        "--no-prepare",
        help="Do not prepare the browser's first screen (`deconf browse --store` then computes "
        "it: some seconds at 1M records). For a batch of ingests, leave it to the last one.",
    ),
]

#: How the preparing process's words begin when it ran out of memory or address space.
_OUT_OF_MEMORY = ("memory allocation", "memoryerror", "cannot allocate memory")


def prepare_browsing(store: Store, progress: Report) -> bool:
    """Prepare the browser's first screen of the store as the ingest left it, in a process of
    its own: the ingest has succeeded, and whatever happens to the preparation (a full disk,
    a memory limit it outgrows, a kill) is said on stderr as a note and changes neither the
    store nor the exit status; the browser then computes its first screen. True when it is
    prepared."""
    from deconf.prepared import is_prepared, wanted  # the analysis: only for commands that ingest

    if not wanted(store):
        return False
    if is_prepared(store):
        return True
    progress(Step("preparing the browser's first screen"))
    package_root = str(Path(__file__).resolve().parents[2])  # where `deconf` is importable
    path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
    child = subprocess.run(
        [sys.executable, "-m", "deconf.prepared", str(store.root)],
        capture_output=True,
        text=True,
        errors="replace",
        env={**os.environ, "PYTHONPATH": path},
    )
    if child.returncode == 0:
        return is_prepared(store)
    lines = child.stderr.strip().splitlines()
    if child.returncode == -signal.SIGKILL:
        why = "it was killed"
    elif child.returncode == -signal.SIGABRT or any(
        mark in child.stderr.lower() for mark in _OUT_OF_MEMORY
    ):
        why = "it ran out of memory"
    elif child.returncode < 0:
        why = f"it was stopped by signal {-child.returncode}"
    else:
        why = lines[-1] if lines else f"exit {child.returncode}"
    say(
        f"deconf: note: the browser's first screen was not prepared ({why}); the records are "
        "stored, and `deconf browse` computes it",
        stderr,
    )
    return False
