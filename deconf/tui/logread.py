"""How the browser reads log files: validated in a process of its own (`deconf.apart`), which
hands back only the records the browser holds and takes what the read left behind with it.

At a million records the browser read in its own process idled at 500-560 MB, 80-130 MB more
than the same browser on the same records from the store: the leftovers of decoding and
validating (Python objects and the JSON decoder's blocks on the C heap, pages Polars' allocator
keeps, pyarrow's libraries). Read in a child, the browser holds what it would hold from the
store. The child's errors are raised here as they were raised there (a log that is no log: one
located line, exit 2), its progress steps drawn here; `--follow` reads again the same way.

The child is started as soon as the command line is seen to browse log files (`start_early`),
so that it imports Polars and the validation while this process imports the command line and
Textual. Standard library only at import, for that reason; no Textual here (the child imports
this module).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from deconf.apart import CannotHandBack, CannotStart, prestart, run_apart
from deconf.progress import Report, silent

if TYPE_CHECKING:
    from deconf.analysis.readings import Reading
    from deconf.cli.options import DataOptions
    from deconf.tui.loaded import Loaded

#: What the child imports while it waits for the read: what reading a log imports.
WARM = (
    "deconf.tui.logread",
    "deconf.cli.options",
    "deconf.tui.held",
    "deconf.tui.loaded",
    "deconf.importing",
    "deconf.runningcheck",
    "deconf.strictjson",
    "pyarrow.json",
)
#: `deconf browse` options that take no value (the others take the next argument).
_FLAGS = {"--follow", "--keep-extra", "--no-verify"}


def read_logs(options: DataOptions, chosen: Reading, progress: Report = silent) -> Loaded:
    """The logs validated (once), as of the latest time of all their records (as `deconf stats
    --reading` takes it), narrowed to a reading of a merged log and to the columns the browser
    reads. In this process: the child runs this."""
    from deconf.analysis.asof import latest_timestamp
    from deconf.analysis.readings import read_as
    from deconf.tui.held import CONTACT_COLUMNS, narrowed
    from deconf.tui.loaded import Loaded

    data = options.load(contact_columns=CONTACT_COLUMNS, progress=progress)
    latest = latest_timestamp(data.records)
    records = narrowed(read_as(data.records, chosen))
    shown = " ".join(str(p) for p in options.logs or ())
    shown += f" --map {options.map_path}" if options.map_path else ""
    shown += f" --preset {options.preset}" if options.preset else ""
    return Loaded(records, data.rejected_now, f"`deconf validate {shown}` lists why", as_of=latest)


def read_logs_apart(options: DataOptions, chosen: Reading, progress: Report = silent) -> Loaded:
    """`read_logs` in a fresh process, its records handed back; here when no process can be
    started (no temporary folder for the records, a limit on processes) or its records cannot
    be handed back (a full temporary directory): the same records, the read's leftovers kept."""
    try:
        return run_apart(read_logs, options, chosen, progress=progress)
    except (CannotStart, CannotHandBack):  # no child, or a full temporary directory
        return read_logs(options, chosen, progress)


def start_early(arguments: list[str]) -> None:
    """Start the reading process now if `deconf browse`'s arguments (`arguments`) name log
    files: a file named and no `--store`. A wrong guess costs a process that imports and is
    ended at exit; the reading itself does not depend on it."""
    if "--help" in arguments:
        return
    named, rest = [], iter(arguments)
    for argument in rest:
        if argument == "--store" or argument.startswith("--store="):
            return
        if argument.startswith("-") and argument != "-":
            if "=" not in argument and argument not in _FLAGS:
                next(rest, None)  # its value
            continue
        named.append(argument)
    if named:
        prestart(*WARM)
