"""How `deconf browse` reads log files (`tui/logread.py`): in a process of its own, giving the
records, rejected count and as-of time a read in this process gives; its errors reach the user
located, exit 2; no temporary file stays behind; the process is started as soon as the command
line names a log."""

from __future__ import annotations

import tempfile

import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from deconf import apart
from deconf.analysis.readings import Reading
from deconf.cli import app as cli
from deconf.cli.browse import reader
from deconf.cli.options import DataOptions
from deconf.tui import logread
from tests.conftest import HUMANITARIAN, KHASHAM, contact

#: every test's temporary files in a folder of its own, checked empty at its end (conftest)
pytestmark = pytest.mark.usefixtures("temporary")


@pytest.fixture
def with_a_rejected_line(write_log):
    return write_log(
        [contact(id="a1"), "{not json", contact(id="a2", sent_at="2018-02-07T11:00:00Z")],
        "rejects.jsonl",
    )


@pytest.mark.parametrize("which", ["khasham", "humanitarian", "rejects"])
def test_the_records_read_apart_are_those_read_here(which, with_a_rejected_line):
    log = {"khasham": KHASHAM, "humanitarian": HUMANITARIAN}.get(which, with_a_rejected_line)
    options = DataOptions([log])
    here = logread.read_logs(options, Reading())
    there = reader(options)()  # what the browser reads, first and at each --follow re-read
    assert_frame_equal(there.records.contacts, here.records.contacts)
    assert_frame_equal(there.records.events, here.records.events)
    assert (there.rejected, there.rejected_hint, there.as_of, there.what) == (
        here.rejected,
        here.rejected_hint,
        here.as_of,
        here.what,
    )
    assert there.rejected == (1 if which == "rejects" else 0)


def test_a_reading_the_log_does_not_have_is_named_by_its_flag_exit_2(terminal):
    result = CliRunner().invoke(cli, ["browse", str(KHASHAM), "--reading", "side:B"])
    assert result.exit_code == 2
    assert "--reading: the records name no sources (logged_by)" in result.output
    assert "Traceback" not in result.output


def test_a_log_that_is_no_log_is_located_exit_2(tmp_path, terminal):
    text = tmp_path / "notes.jsonl"
    text.write_text("meeting at ten\n", encoding="utf-16")
    result = CliRunner().invoke(cli, ["browse", str(text)])
    assert result.exit_code == 2
    assert str(text) in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("arguments", "starts"),
    [
        (["night.jsonl"], True),
        (["--tz", "Asia/Damascus", "night.jsonl", "--follow"], True),
        (["--follow", "--reading=side:B", "a.jsonl", "b.jsonl"], True),
        (["--store", "store"], False),
        (["--store=store", "night.jsonl"], False),
        (["--policy", "policy.toml"], False),  # a file, but an option's: the store is read
        (["--follow", "--no-verify"], False),
        (["night.jsonl", "--help"], False),
        ([], False),
    ],
)
def test_the_reader_starts_early_when_the_command_line_names_a_log(arguments, starts, monkeypatch):
    started: list[tuple] = []
    monkeypatch.setattr(logread, "prestart", lambda *warm: started.append(warm))
    logread.start_early(arguments)
    assert started == ([logread.WARM] if starts else [])


def test_every_module_the_reader_warms_exists():
    import importlib.util

    assert all(importlib.util.find_spec(name) for name in logread.WARM)


def test_the_flags_it_knows_are_browse_s_own():
    """An option taking no value read as taking one would hide the log named after it."""
    import typer.main

    from deconf.cli.commands import build

    command = typer.main.get_command(build(["browse"]))
    browse = command.commands["browse"] if hasattr(command, "commands") else command
    flags = {o for p in browse.params if getattr(p, "is_flag", False) for o in p.opts}
    assert flags - {"--help"} == logread._FLAGS


def test_without_a_temporary_folder_the_log_is_read_here(monkeypatch):
    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied", "/tmp")

    monkeypatch.setattr(tempfile, "mkdtemp", refused)
    options = DataOptions([KHASHAM])
    there = reader(options)()
    assert_frame_equal(
        there.records.contacts, logread.read_logs(options, Reading()).records.contacts
    )


def test_records_the_reading_process_cannot_hand_back_are_read_here(monkeypatch):
    def full(*args, **kwargs):  # the temporary directory filled up under the records
        raise apart.CannotHandBack("cannot hand the value back: No space left on device")

    monkeypatch.setattr(logread, "run_apart", full)
    options = DataOptions([KHASHAM])
    assert_frame_equal(
        reader(options)().records.contacts, logread.read_logs(options, Reading()).records.contacts
    )
