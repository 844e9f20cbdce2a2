"""Every CLI command is documented: a row in README's command table, a help text, and `--help`
that works. A command added without them fails here."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from deconf.cli import app
from tests.conftest import ROOT

COMMANDS = sorted(
    info.name or info.callback.__name__.replace("_", "-") for info in app.registered_commands
)


def _readme_commands() -> set[str]:
    table = (ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `deconf ([a-z-]+)", table, flags=re.MULTILINE))


def test_the_command_list_is_not_empty():
    assert {"validate", "gaps", "stats", "report", "browse"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_is_in_the_readme_table(name):
    assert name in _readme_commands(), f"`deconf {name}` is missing from README's command table"


def test_the_readme_table_names_no_command_that_does_not_exist():
    assert _readme_commands() <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_has_help(name):
    command = typer.main.get_command(app).commands[name]
    assert (command.help or "").strip(), f"`deconf {name}` has no help text"
    result = CliRunner().invoke(app, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
