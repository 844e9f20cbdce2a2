"""Progress: the core reports steps through a callback; the CLI draws them on a terminal only."""

from __future__ import annotations

import io

from rich.console import Console
from typer.testing import CliRunner

from deconf.cli.commands import app
from deconf.cli.progress import progress_shown
from deconf.loading import validate_files
from deconf.progress import BYTES, Step, silent
from tests.conftest import HUMANITARIAN, KHASHAM

runner = CliRunner()


def test_validation_reports_bytes_done_file_by_file():
    steps: list[Step] = []
    validate_files([KHASHAM, HUMANITARIAN], progress=steps.append)
    total = KHASHAM.stat().st_size + HUMANITARIAN.stat().st_size
    assert [s.what for s in steps] == [
        "validating khasham-2018.jsonl",
        "validating humanitarian-notifications.jsonl",
        "validated",
    ]
    assert [s.done for s in steps] == [0, KHASHAM.stat().st_size, total]
    assert {(s.total, s.unit) for s in steps} == {(total, BYTES)}


def _terminal() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=100), out


def test_on_a_terminal_the_step_its_amount_and_rate_are_drawn():
    console, out = _terminal()
    with progress_shown(console=console, delay=0) as report:
        report(Step("validating big.jsonl", 0, 2_000_000, BYTES))
        report(Step("validating big.jsonl", 1_000_000, 2_000_000, BYTES))
    drawn = out.getvalue()
    assert "validating big.jsonl" in drawn
    assert "1.0 MB of 2.0 MB" in drawn


def test_quiet_or_not_a_terminal_draws_nothing():
    console, out = _terminal()
    with progress_shown(quiet=True, console=console, delay=0) as report:
        assert report is silent
    piped = Console(file=io.StringIO(), force_terminal=False)
    with progress_shown(console=piped, delay=0) as report:
        assert report is silent
    assert out.getvalue() == ""


def test_a_piped_command_prints_no_progress():
    result = runner.invoke(app, ["validate", str(KHASHAM)])
    assert result.exit_code == 0
    assert result.stderr == ""
    quiet = runner.invoke(app, ["stats", str(KHASHAM), "--quiet", "--format", "json"])
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_a_step_of_unknown_size_shows_no_amount():
    console, out = _terminal()
    with progress_shown(console=console, delay=0) as report:
        report(Step("reading the store"))
    assert "reading the store" in out.getvalue()
    assert "0 records" not in out.getvalue()
