"""`deconf browse`: the terminal browser, on log files or the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from deconf.analysis.asof import parse_as_of
from deconf.analysis.readings import Reading, read_as
from deconf.cli.analysis import AsOfOpt, PolicyOpt, ReadingOpt
from deconf.cli.common import (
    AssumeTzOpt,
    InputFormatOpt,
    KeepExtraOpt,
    MapOpt,
    NoVerifyOpt,
    OptionalLogsArg,
    PresetOpt,
    SourceOpt,
    StoreOpt,
    handles_errors,
)
from deconf.cli.options import DataOptions
from deconf.cli.progress import progress_shown
from deconf.errors import UsageError
from deconf.marks import marks_path
from deconf.opening import is_stdin
from deconf.policy import load_policy
from deconf.progress import Report, silent
from deconf.sources import open_store
from deconf.store import REJECTS
from deconf.times import check_zone


@handles_errors
def browse(
    logs: OptionalLogsArg = None,
    store: StoreOpt = None,
    tz: Annotated[
        str, typer.Option("--tz", help="Display zone (IANA); z toggles to each record's own zone.")
    ] = "UTC",
    follow: Annotated[bool, typer.Option("--follow", help="Re-read growing log files.")] = False,
    policy: PolicyOpt = None,
    as_of: AsOfOpt = None,
    assume_tz: AssumeTzOpt = None,
    keep_extra: KeepExtraOpt = False,
    input_format: InputFormatOpt = None,
    map_path: MapOpt = None,
    preset: PresetOpt = None,
    source: SourceOpt = None,
    reading: ReadingOpt = None,
    no_verify: NoVerifyOpt = False,
) -> None:
    """Browse the exchanges in a terminal UI (? in the app lists every key).

    \b
    Example:
      deconf browse logs/khasham-2018.jsonl --tz Asia/Damascus
    """
    from deconf.tui.app import DeconfBrowser, Loaded, known_binding_ids  # loaded only if asked
    from deconf.tui.keymap import KeymapError, keymap_path, load_keymap

    check_zone(tz, "tz")
    keymap_file = keymap_path()
    try:
        keymap = load_keymap(keymap_file, known_binding_ids())
    except KeymapError as error:
        raise UsageError(str(error)) from None
    if logs and any(is_stdin(p) for p in logs):
        raise UsageError("the browser reads its keys from standard input; name a log file")
    rules = load_policy(policy)
    chosen = Reading.parse(reading)
    options = DataOptions(
        logs,
        store,
        source=source,
        input_format=input_format,
        assume_tz=assume_tz,
        keep_extra=keep_extra,
        map_path=map_path,
        preset=preset,
        verify=not no_verify,
    )

    def read(progress: Report = silent) -> Loaded:
        data = options.load(progress=progress)
        records = read_as(data.records, chosen)
        if logs:
            shown = " ".join(str(p) for p in logs)
            shown += f" --map {map_path}" if map_path else ""
            shown += f" --preset {preset}" if preset else ""
            return Loaded(records, data.rejected_now, f"`deconf validate {shown}` lists why")
        rejects = data.store.root / REJECTS
        return Loaded(records, data.summary.rejected, f"see {rejects}")

    # read once here, so that input that is no log (or a reading it has not) fails before the
    # screen opens (exit 2); the browser's first load takes this result, --follow reads again
    with progress_shown() as progress:
        first = [read(progress)]

    def load() -> Loaded:
        return first.pop() if first else read()

    app = DeconfBrowser(
        load,
        marks_path(logs, None if logs else open_store(store, verify=False).root),
        policy=rules,
        as_of=parse_as_of(as_of),
        zone=tz,
        follow=[Path(p) for p in logs] if (follow and logs) else None,
        keymap=keymap,
        keymap_file=keymap_file,
        inputs=[Path(p) for p in logs] if logs else [open_store(store).root],
    )
    app.run()
