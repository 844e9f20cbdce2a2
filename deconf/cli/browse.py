"""`deconf browse`: the terminal browser, on log files or the store."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from deconf.analysis.asof import latest_timestamp, parse_as_of
from deconf.analysis.readings import ALL, Reading, read_as
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
from deconf.store import MANIFEST, REJECTS
from deconf.times import check_zone
from deconf.tui.loaded import Loaded, head_start


@handles_errors
def browse(
    logs: OptionalLogsArg = None,
    store: StoreOpt = None,
    tz: Annotated[
        str, typer.Option("--tz", help="Display zone (IANA); z toggles to each record's own zone.")
    ] = "UTC",
    follow: Annotated[
        bool,
        typer.Option(
            "--follow", help="Re-read the logs when they change (a store: when ingested)."
        ),
    ] = False,
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
    check_zone(tz, "tz")
    if logs and any(is_stdin(p) for p in logs):
        raise UsageError("the browser reads its keys from standard input; name a log file")
    if not has_terminal():
        raise UsageError(
            "the browser needs a terminal: it reads keys from standard input and draws on "
            "standard error, and one of them is a file or a pipe here; in a script, "
            "`deconf exchanges`, `deconf silences`, `deconf attempts` or `deconf report` "
            "give the same figures"
        )
    rules = load_policy(policy)
    moment = parse_as_of(as_of)
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
    read = reader(options, reading)
    # the first read, and the analysis of what the first screen lists, start now in a thread
    # (`tui/loaded.py`) while Textual is imported and the screen opens; the read is waited for
    # here, so that input that is no log (or a reading it has not) fails before the screen
    # opens (exit 2); --follow reads again
    with progress_shown() as progress:
        reading_now = head_start(read, rules, moment, progress)
        from deconf.tui.app import DeconfBrowser, known_binding_ids  # loaded only if asked
        from deconf.tui.keymap import KeymapError, keymap_path, load_keymap

        keymap_file = keymap_path()
        try:
            keymap = load_keymap(keymap_file, known_binding_ids())
        except KeymapError as error:
            raise UsageError(str(error)) from None
        first = [reading_now.take()]

    def load() -> Loaded:
        return first.pop() if first else read()

    root = None if logs else open_store(store, verify=False).root
    watched = None
    if follow:  # logs by name; a store by its manifest, replaced at each ingest
        watched = [Path(p) for p in logs] if logs else [root / MANIFEST]
    app = DeconfBrowser(
        load,
        marks_path(logs, root),
        policy=rules,
        as_of=moment,
        zone=tz,
        follow=watched,
        keymap=keymap,
        keymap_file=keymap_file,
        inputs=[Path(p) for p in logs] if logs else [root],
    )
    app.run()


def has_terminal() -> bool:
    """Whether the browser can run: Textual reads keys from the process's standard input and
    draws on its standard error. Without a terminal there it would wait for keys that never
    come (reading the end of /dev/null over and over, a core busy until killed)."""
    return all(
        stream is not None and stream.isatty() for stream in (sys.__stdin__, sys.__stderr__)
    )


def reader(options: DataOptions, reading: str | None = None) -> Callable[..., Loaded]:
    """How the browser reads its data, each time it is asked (--follow reads again): the logs
    (validated once a read) or the store, narrowed to a reading of a merged log. Without
    --as-of the analysis is as of the latest time of all the data read, the reading's or not,
    as `deconf stats --reading` takes it (SPEC §3: records after it are left out, nothing else
    moves it)."""
    from deconf.prepared import load_prepared
    from deconf.tui.held import CONTACT_COLUMNS
    from deconf.tui.logread import read_logs_apart
    from deconf.tui.records import stored_record

    chosen = Reading.parse(reading)

    def read(progress: Report = silent) -> Loaded:
        if options.logs:  # in a process of its own, which takes the read's leftovers with it
            return read_logs_apart(options, chosen, progress)
        # from the store only the columns the browser reads
        data = options.load(contact_columns=CONTACT_COLUMNS, progress=progress)
        latest = latest_timestamp(data.records)
        records = read_as(data.records, chosen)
        held = data.store
        whole = chosen.kind == ALL and options.source is None  # what an ingest prepares
        return Loaded(
            records,
            data.summary.rejected,
            f"see {held.root / REJECTS}",
            as_of=latest,
            lookup=lambda record_id: stored_record(held, record_id),
            what=f"the store {held.root}",
            prepared=(lambda policy: load_prepared(held, policy)) if whole else None,
        )

    return read
