"""Hostile text stays inert in every output, and an output that cannot be written is one line
naming the path and the reason, exit 2, with nothing half written."""

from __future__ import annotations

import errno
import io
import json
import os
from xml.etree import ElementTree

import polars as pl
import pytest
from typer.testing import CliRunner

from deconf.atomic import write_bytes, write_files
from deconf.cli import app
from deconf.errors import OutputError
from deconf.export import to_csv
from deconf.inert import formula_safe, visible
from deconf.report.text import without_controls
from tests.conftest import KHASHAM, ROOT, contact

runner = CliRunner()

ESC_TITLE = "\x1b]0;pwned\x07"  # OSC: retitles the terminal, BEL ends it
RED = "\x1b[31m"
ZWJ_FAMILY = "\U0001f468\u200d\U0001f469"
HEBREW = "\u05e9\u05dc\u05d5\u05dd"


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def hostile_log(write_log):
    return write_log(
        [
            contact(
                id='=HYPERLINK("http://evil")',
                from_party=f"US{ESC_TITLE}",
                to_party=f"RU{RED}",
                summary=f"tab\there \x9b2J {ZWJ_FAMILY} {HEBREW} \x7f",
            ),
            contact(
                id="@r2",
                sent_at="2018-02-07T22:41:00+02:00",
                from_party=f"RU{RED}",
                to_party=f"US{ESC_TITLE}",
                kind="response",
                summary="-1+1",
                in_reply_to='=HYPERLINK("http://evil")',
            ),
        ]
    )


def test_visible_shows_controls_and_keeps_language():
    shown = visible(f"a{ESC_TITLE}b\x9b\u2028{ZWJ_FAMILY}{HEBREW}\u200f")
    assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown
    assert "␛]0;pwned␇" in shown
    assert ZWJ_FAMILY in shown and HEBREW in shown and "\u200f" in shown


def test_terminal_tables_print_no_control_characters(hostile_log):
    for command in ("gaps", "exchanges", "stats", "episodes"):
        result = run(command, hostile_log)
        assert result.exit_code == 0, result.output
        assert not any(c in result.stdout for c in "\x1b\x07\x9b\x7f"), command
        assert "␛" in result.stdout


def test_validation_messages_print_no_control_characters(write_log):
    path = write_log([contact(channel=f"pigeon{ESC_TITLE}")])
    result = run("validate", path)
    assert result.exit_code == 1
    assert "\x1b" not in result.stdout and "pigeon␛]0;pwned␇" in result.stdout


def test_csv_neutralises_formula_cells_and_raw_keeps_them(hostile_log):
    safe = pl.read_csv(io.StringIO(run("gaps", hostile_log, "--format", "csv").stdout))
    assert safe["attempt_id"].to_list() == ["'=HYPERLINK(\"http://evil\")"]
    assert safe["first_response_id"].to_list() == ["'@r2"]
    raw = run("gaps", hostile_log, "--format", "csv", "--raw-csv").stdout
    assert pl.read_csv(io.StringIO(raw))["attempt_id"].to_list() == ['=HYPERLINK("http://evil")']


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_neutralised(start):
    assert formula_safe(f"{start}1") == f"'{start}1"
    frame = pl.DataFrame({"text": [f"{start}1", "plain"], "number": [-1.5, 2.0]})
    text = to_csv(frame)
    assert f"'{start}1" in text and "-1.5" in text  # numbers are numbers, not formulas


def test_reports_carry_no_control_characters(hostile_log, tmp_path):
    for fmt in ("html", "md", "json"):
        output = tmp_path / f"report.{fmt}"
        result = run("report", hostile_log, "--format", fmt, "-o", output)
        assert result.exit_code == 0, result.output
        for path in tmp_path.glob("report*"):
            text = path.read_text(encoding="utf-8")
            assert without_controls(text) == text or fmt == "json", path
            assert "\x1b" not in text
    svg = next(tmp_path.glob("report.timeline-*.svg")).read_text(encoding="utf-8")
    assert "RU�[31m" in svg  # the party's ESC replaced, the rest of its name kept
    ElementTree.fromstring(svg)  # well-formed XML


# ------------------------------------------------------------------ outputs that cannot be written


def _one_line_exit_2(result, path):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"deconf: {path}"), result.stderr


@pytest.mark.parametrize("fmt", ["json", "csv", "parquet", "table"])
def test_output_into_a_missing_directory_or_onto_a_directory(tmp_path, fmt):
    missing = tmp_path / "nowhere" / "out.x"
    _one_line_exit_2(run("gaps", KHASHAM, "--format", fmt, "-o", missing), missing)
    _one_line_exit_2(run("gaps", KHASHAM, "--format", fmt, "-o", tmp_path), tmp_path)
    assert not (tmp_path / "nowhere").exists()


def test_report_and_schema_and_store_that_cannot_be_written(tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("x")
    _one_line_exit_2(run("report", KHASHAM, "-o", tmp_path / "no" / "r.html"), tmp_path / "no")
    _one_line_exit_2(run("schema", "--write", a_file), a_file)
    _one_line_exit_2(run("ingest", KHASHAM, "--store", a_file), a_file)
    assert a_file.read_text() == "x"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_an_unwritable_directory(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    _one_line_exit_2(run("gaps", KHASHAM, "--format", "json", "-o", locked / "x"), locked / "x")


def test_a_full_disk_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "out.json"
    target.write_text("old")

    def full(_):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OutputError, match=f"{target}: cannot write: No space left on device"):
        write_bytes(target, b"new")
    with pytest.raises(OutputError):
        write_files({target: "new", tmp_path / "chart.svg": "<svg/>"})
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_a_full_disk_through_the_cli_is_one_line(tmp_path, monkeypatch):
    def full(_):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    output = tmp_path / "gaps.json"
    result = run("gaps", KHASHAM, "--format", "json", "-o", output)
    _one_line_exit_2(result, output)
    assert "No space left on device" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_stdout_on_a_full_device_is_one_line(tmp_path):
    import subprocess
    import sys

    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "deconf.cli", "validate", KHASHAM, "--format", "json"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            check=False,
        )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "deconf: standard output: No space left on device"
    ]


def test_a_written_output_is_complete(tmp_path):
    output = tmp_path / "gaps.json"
    assert run("gaps", KHASHAM, "--format", "json", "-o", output).exit_code == 0
    assert len(json.loads(output.read_text())) > 0


def test_a_special_file_is_written_through_never_replaced(tmp_path):
    import os
    import stat
    import threading
    from pathlib import Path

    from deconf.atomic import write_files, write_text, write_with

    write_text("/dev/null", "x")
    write_files({Path("/dev/null"): "y"})
    write_with("/dev/null", lambda path: path.write_bytes(b"z"))
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)  # still the device, not a file
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    write_text(pipe, "through the pipe")
    reader.join(timeout=10)
    assert received == [b"through the pipe"]
    assert stat.S_ISFIFO(os.stat(pipe).st_mode)
    assert not list(tmp_path.glob(".*"))  # no temporary left beside it
