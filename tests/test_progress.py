"""Progress: the core reports steps through a callback; the CLI draws them on a terminal only."""

from __future__ import annotations

import io

from rich.console import Console
from typer.testing import CliRunner

from deconf.cli.commands import app
from deconf.cli.progress import progress_shown
from deconf.loading import validate_files
from deconf.progress import (
    BYTES,
    PAIRS,
    RECORDS,
    Step,
    done_text,
    rate_text,
    silent,
    step_text,
)
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


def test_counts_read_as_a_person_says_them_and_a_slow_rate_is_not_zero():
    assert done_text(3, 15, PAIRS) == "3 of 15 pairs"
    assert done_text(1_000, None, RECORDS) == "1,000 records"
    assert done_text(1_000_000, 2_000_000, BYTES) == "1.0 MB of 2.0 MB"
    assert rate_text(0.25, PAIRS) == "0.25 pairs/s"
    assert rate_text(250_000, RECORDS) == "250,000 records/s"
    assert rate_text(42_300_000, BYTES) == "42.3 MB/s"
    assert step_text(Step("analyzing party pairs", 1, 15, PAIRS)) == (
        "analyzing party pairs: 1 of 15 pairs"
    )


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


def test_a_step_of_unknown_size_after_a_measured_one_shows_no_amount_of_the_last():
    console, out = _terminal()
    with progress_shown(console=console, delay=0) as report:
        report(Step("validating big.jsonl", 2_000_000, 2_000_000, BYTES))
        out.truncate(0)
        report(Step("checking replies across the records"))
        report(Step("analyzing 1,000 contacts"))
    drawn = out.getvalue()
    assert "analyzing 1,000 contacts" in drawn
    assert "of 2.0 MB" not in drawn and "2,000,000" not in drawn


def test_validation_block_by_block_reports_bytes_as_blocks_are_read(monkeypatch):
    from deconf.loading import validate_blocks
    from deconf.reading import jsonl

    monkeypatch.setattr(jsonl, "JSONL_BLOCK_BYTES", 2_000)
    steps: list[Step] = []
    for _ in validate_blocks([KHASHAM], progress=steps.append):
        pass
    done = [s.done for s in steps]
    assert done == sorted(done) and done[-1] == KHASHAM.stat().st_size
    assert len(steps) > 3  # one a block, not one a file


def test_import_reports_its_sources_and_records(tmp_path):
    from deconf.importing import resolve_mapping, validate_import_files

    tracker = KHASHAM.parent / "notification-tracker.csv"
    mapping = resolve_mapping(tracker.with_suffix(".toml"), None, None)
    steps: list[Step] = []
    validate_import_files([tracker], mapping, None, steps.append)
    assert steps[0].what == "reading and mapping 1 source"
    assert steps[-1].what == "validated" and steps[-1].done == steps[-1].total > 0


def test_the_long_commands_take_quiet(tmp_path):
    log = str(KHASHAM)
    report = tmp_path / "night.json"
    commands = [
        [
            "import",
            str(KHASHAM.parent / "notification-tracker.csv"),
            "--map",
            str(KHASHAM.parent / "notification-tracker.toml"),
            "-o",
            str(tmp_path / "t.jsonl"),
            "-q",
        ],
        ["reconcile", log, str(KHASHAM.parent / "khasham-2018-ru.jsonl"), "-q", "--format", "json"],
        ["report", log, "--format", "json", "-o", str(report), "-q"],
        ["verify-report", str(report), log, "-q"],
    ]
    for arguments in commands:
        result = runner.invoke(app, arguments)
        assert result.exit_code == 0, (arguments, result.output)
        # what stderr holds is the command's own notes (a summary, "wrote ..."), never a bar
        assert "━" not in result.stderr and "validating" not in result.stderr
