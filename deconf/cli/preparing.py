"""After an ingest: the browser's first screen prepared (`deconf.prepared`), or why not."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from deconf.cli.common import say, stderr
from deconf.errors import OutputError
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


def prepare_browsing(store: Store, progress: Report) -> bool:
    """Prepare the browser's first screen of the store as the ingest left it, in a process of
    its own (`deconf.apart`): the ingest has succeeded, and whatever happens to the preparation
    (a full disk, a memory limit it outgrows, a kill, no process to run it in) is said on stderr
    as a note and changes neither the store nor the exit status; the browser then computes its
    first screen. True when it is prepared."""
    from deconf.apart import CannotHandBack, CannotStart, run_apart
    from deconf.prepared import is_prepared, prepare, wanted  # the analysis: for ingests only

    if not wanted(store):
        return False
    if is_prepared(store):
        return True
    progress(Step("preparing the browser's first screen"))
    try:
        return run_apart(prepare, store)
    except OutputError as error:
        why = error.message
    except MemoryError:  # died of it, or killed (the kernel's out-of-memory killer)
        why = "it ran out of memory"
    except (CannotStart, CannotHandBack, RuntimeError) as error:
        why = str(error).splitlines()[0]
    say(
        f"deconf: note: the browser's first screen was not prepared ({why}); the records are "
        "stored, and `deconf browse` computes it",
        stderr,
    )
    return False
