"""The commands of `deconf`, named and summarized without importing them, so that `deconf --help`
answers in the time Python and Click take to start (issue 14: ≤ 0.3 s), not after Polars and the
analysis are loaded. `deconf.cli.commands` registers the commands themselves; a test holds this
catalog to it (names, order, each summary the first sentence of the command's docstring), and to
the help Typer prints, byte for byte.
"""

from __future__ import annotations

from typing import NamedTuple

HELP = (
    "Deconfliction communications log analyzer: who tried to reach whom, when, and how "
    "long the other side left them without an answer."
)


class Command(NamedTuple):
    name: str
    summary: str  # the first sentence of the command's docstring


COMMANDS = (
    Command(
        "validate",
        "Check log files against the record schema; exit 1 when any line is rejected.",
    ),
    Command(
        "ingest",
        "Validate logs and append their accepted records to the store (atomic, append-only).",
    ),
    Command(
        "import",
        "Turn logs that are not in deconf's schema into records, through a mapping (--map) or "
        "a preset (--preset).",
    ),
    Command("verify", "Re-hash the store's data and manifest; exit 1 naming what changed."),
    Command("schema", "Print a JSON Schema generated from the models (or write all of them)."),
    Command(
        "sources",
        "List the sources a store was filled from: records, time span, ingests, hash.",
    ),
    Command("gaps", "One row per attempt: first reply, how long it took, status, episode, breach."),
    Command("episodes", "One row per episode (a first attempt and its retries until an answer)."),
    Command(
        "stats",
        "Statistics over episodes: Kaplan-Meier with unanswered censored, answered-only beside.",
    ),
    Command("exchanges", "One row per exchange: records joined by reply links and shared threads."),
    Command(
        "silences",
        "Owed silences: while a party owed an answer and sent nothing, with events inside.",
    ),
    Command(
        "synth",
        "Write a valid, realistic synthetic log (same arguments, same bytes); with --sides 2, two "
        "sides' logs of the same traffic and the ground truth, to measure reconcile.",
    ),
    Command(
        "reconcile",
        "Match two or more sources' logs of one channel: clock offsets, matched records, records "
        "only one side logged, conflicts; -o writes the merged log.",
    ),
    Command("report", "Write an audit report (html, md or json) of log files or of the store."),
    Command(
        "verify-report",
        "Check that a report matches the data it names: input hashes (by content, whatever the "
        "path's spelling), the marks file, then every byte recomputed (and, for Markdown, every "
        "chart beside it); a mismatch names the first differing line and its section.",
    ),
    Command("browse", "Browse the exchanges in a terminal UI (? in the app lists every key)."),
)

#: The options of `deconf` itself, as Typer declares them (`deconf.cli.commands`).
OPTIONS = (
    (("-V", "--version"), "Print the version and exit."),
    (("--install-completion",), "Install completion for the current shell."),
    (
        ("--show-completion",),
        "Show completion for the current shell, to copy it or customize the installation.",
    ),
)


def root_help_group():
    """A Click group that prints the same top-level help as the Typer application, from this
    catalog alone. It only ever prints help: running a command goes through the real app."""
    import click

    class Listed(click.Group):
        def list_commands(self, ctx: click.Context) -> list[str]:
            return list(self.commands)  # registration order, as Typer lists them

    group = Listed(
        name="deconf",
        help=HELP,
        no_args_is_help=True,
        params=[click.Option(list(names), is_flag=True, help=text) for names, text in OPTIONS],
    )
    for command in COMMANDS:
        group.add_command(click.Command(command.name, help=command.summary))
    return group
