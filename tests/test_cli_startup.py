"""`deconf --help` and `--version` answer without importing Polars or the analysis, and the quick
help is the help the Typer application prints."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest
from click.testing import CliRunner as ClickRunner
from typer.testing import CliRunner

from deconf.cli.catalog import COMMANDS, root_help_group
from deconf.cli.commands import app
from tests.conftest import ROOT

HEAVY = ("polars", "numpy", "deconf.analysis", "typer", "rich")


@pytest.mark.parametrize("args", [["--help"], [], ["--version"]])
def test_help_and_version_import_nothing_heavy(args):
    probe = (
        "import sys, runpy; sys.argv = ['deconf', *sys.argv[1:]]\n"
        "try:\n    runpy.run_module('deconf.cli', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        f"print('LOADED', [m for m in {HEAVY!r} if m in sys.modules])"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip().endswith("LOADED []"), done.stdout + done.stderr
    assert "Usage" in done.stdout + done.stderr or "deconf " in done.stdout


@pytest.mark.parametrize("args", [["--help"], []])
def test_the_quick_help_is_the_applications_help(args):
    real = CliRunner().invoke(app, args, prog_name="deconf", terminal_width=100)
    quick = ClickRunner().invoke(root_help_group(), args, prog_name="deconf", terminal_width=100)
    assert (quick.exit_code, quick.output) == (real.exit_code, real.output)


def test_the_catalog_lists_the_applications_commands_with_their_summaries():
    registered = [(c.name or c.callback.__name__, c.callback) for c in app.registered_commands]
    assert [name for name, _ in registered] == [c.name for c in COMMANDS]
    for (_, function), command in zip(registered, COMMANDS, strict=True):
        first_paragraph = " ".join(inspect.getdoc(function).split("\n\n")[0].split())
        assert first_paragraph.startswith(command.summary), command.name
        rest = first_paragraph[len(command.summary) :]
        assert command.summary.endswith(".") and (not rest or rest.startswith(" "))


def test_a_command_runs_with_its_own_imports_only_and_answers_as_the_application_does():
    probe = (
        "import sys, runpy; sys.argv = ['deconf', *sys.argv[1:]]\n"
        "try:\n    runpy.run_module('deconf.cli', run_name='__main__')\n"
        "except SystemExit as exit:\n    code = exit.code\n"
        "print('LOADED', [m for m in ('deconf.report', 'textual', 'jinja2') if m in sys.modules],"
        " code, file=sys.stderr)"
    )
    args = ["stats", "logs/khasham-2018.jsonl", "--format", "json", "--by", "channel"]
    done = subprocess.run(
        [sys.executable, "-c", probe, *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stderr.strip().endswith("LOADED [] 0"), done.stderr
    assert done.stdout == CliRunner().invoke(app, args).stdout


def test_validate_starts_without_the_analysis_or_the_store():
    probe = (
        "import sys, runpy; sys.argv = ['deconf', *sys.argv[1:]]\n"
        "try:\n    runpy.run_module('deconf.cli', run_name='__main__')\n"
        "except SystemExit as exit:\n    code = exit.code\n"
        "print('LOADED', [m for m in ('deconf.analysis', 'deconf.store', 'deconf.sources')"
        " if m in sys.modules], code, file=sys.stderr)"
    )
    args = ["validate", "logs/khasham-2018.jsonl", "--format", "json"]
    done = subprocess.run(
        [sys.executable, "-c", probe, *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stderr.strip().endswith("LOADED [] 0"), done.stderr
    assert '"rejected": 0' in done.stdout
