"""`deconf browse`: the terminal browser, on log files or the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from deconf.cli.analysis import AsOfOpt, PolicyOpt
from deconf.cli.common import AssumeTzOpt, InputFormatOpt, OptionalLogsArg, StoreOpt, handles_errors
from deconf.loading import check_zone, validate_logs
from deconf.marks import marks_path
from deconf.policy import load_policy
from deconf.store import Store, StoreError


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
    input_format: InputFormatOpt = None,
) -> None:
    """Browse the exchanges in a terminal UI (? in the app lists every key)."""
    from deconf.tui.app import DeconfBrowser, Loaded  # the UI is loaded only when asked for

    check_zone(tz, "--tz")
    rules = load_policy(policy)
    if logs:
        validate_logs(logs, input_format=input_format, assume_tz=assume_tz)  # fail early, exit 2
        shown = " ".join(str(p) for p in logs)

        def load() -> Loaded:
            validation = validate_logs(logs, input_format=input_format, assume_tz=assume_tz)
            return Loaded(
                validation.records, len(validation.rejected), f"`deconf validate {shown}` lists why"
            )
    else:
        target = Store(store)
        if not target.exists():
            raise StoreError(f"{target.root}: not a deconf store; name log files or ingest first")

        def load() -> Loaded:
            rejected = sum(entry["rejected"] for entry in target.manifest())
            return Loaded(target.load(), rejected, f"see {target.root / 'rejects.jsonl'}")

    app = DeconfBrowser(
        load,
        marks_path(logs, None if logs else Store(store).root),
        policy=rules,
        as_of=as_of,
        zone=tz,
        follow=[Path(p) for p in logs] if (follow and logs) else None,
    )
    app.run()
