"""The Typer application: every command, and the options of `deconf` itself (`--version`,
`--install-completion` and `--show-completion` for bash, zsh, fish and PowerShell)."""

from __future__ import annotations

import typer

from deconf.cli import VERSION_LINE, analysis, browse, importing, reconcile, records, report, synth

app = typer.Typer(
    name="deconf",
    help="Deconfliction communications log analyzer: who tried to reach whom, when, and how "
    "long the other side left them without an answer.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(VERSION_LINE)
        raise typer.Exit()


@app.callback()
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


app.command()(records.validate)
app.command()(records.ingest)
app.command(name="import")(importing.import_)
app.command()(records.verify)
app.command()(records.schema)
app.command()(records.sources)
app.command()(analysis.gaps)
app.command()(analysis.episodes)
app.command()(analysis.stats)
app.command()(analysis.exchanges)
app.command()(analysis.silences)
app.command()(synth.synth)
app.command()(reconcile.reconcile)
app.command()(report.report)
app.command(name="verify-report")(report.verify_report)
app.command()(browse.browse)
