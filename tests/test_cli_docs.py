"""Every CLI command is documented: a row in README's command table, a help text, `--help` that
works and ends with an example that runs. A command added without them fails here."""

from __future__ import annotations

import re
import shlex

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


def _examples(name: str) -> list[str]:
    """The example lines at the end of a command's --help."""
    result = CliRunner().invoke(app, [name, "--help"], env={"COLUMNS": "200"})
    _, _, tail = result.output.partition("Example:")
    return [line.strip() for line in tail.splitlines() if line.strip().startswith("deconf ")]


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_help_ends_with_an_example_of_itself(name):
    examples = _examples(name)
    assert examples, f"`deconf {name} --help` shows no example"
    assert any(e.startswith(f"deconf {name} ") for e in examples)


#: Examples that cannot run headless: the browser needs a terminal.
NOT_RUN = {"browse"}


@pytest.mark.parametrize("name", sorted(set(COMMANDS) - NOT_RUN))
def test_each_help_example_runs(name, tmp_path, monkeypatch):
    (tmp_path / "logs").symlink_to(ROOT / "logs")
    monkeypatch.chdir(tmp_path)
    for example in _examples(name):
        result = CliRunner().invoke(app, shlex.split(example)[1:], env={"COLUMNS": "100"})
        assert result.exit_code == 0, f"{example}\n{result.output}"
        assert result.exception is None or isinstance(result.exception, SystemExit)
