"""No silent emptiness: an as-of time, a window, a filter or a source that leaves nothing says so
on stderr, naming the option at fault and what the data holds; a result that has rows says
nothing of the kind."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from deconf.cli import app
from tests.conftest import HUMANITARIAN, KHASHAM, event

SPAN = "the data spans 2018-02-03 10:00Z to 2018-02-08 09:00Z"


def run(args: list[str]):
    return CliRunner().invoke(app, args, env={"COLUMNS": "100"})


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--as-of", "2018-01-01T00:00:00Z"],
            f"no attempts: --as-of 2018-01-01 00:00Z is before the first record; {SPAN}",
        ),
        (
            ["--since", "2019-01-01T00:00:00Z"],
            f"no attempts: --since 2019-01-01 00:00Z is after the last record; {SPAN}",
        ),
        (
            ["--until", "2017-06-01T00:00:00Z"],
            f"no attempts: --until 2017-06-01 00:00Z is before the first record; {SPAN}",
        ),
        (
            ["--since", "2018-02-07T00:00:00Z", "--until", "2018-02-06T00:00:00Z"],
            "no attempts: --since 2018-02-07 00:00Z is after --until",
        ),
        (
            ["--since", "2018-02-08T00:00:00Z", "--as-of", "2018-02-07T21:00:00Z"],
            "no attempts: --since 2018-02-08 00:00Z is after --as-of 2018-02-07 21:00Z",
        ),
        (
            ["--party", "UK"],
            "no attempts: no contact involves --party 'UK'; "
            "parties in the data: RU, SDF, US, public",
        ),
        (
            ["--channel", "radio"],
            "no attempts: nothing was sent on --channel 'radio'; channels in the data: "
            "deconfliction_line, local_liaison, other",
        ),
        (
            ["--party", "SDF", "--since", "2018-02-07T20:00:00Z"],
            "no attempts match --party SDF, --since 2018-02-07 20:00Z "
            f"as of 2018-02-08 09:00Z; {SPAN}",
        ),
    ],
)
def test_what_leaves_nothing_is_said_on_stderr(options, message):
    result = run(["gaps", str(KHASHAM), *options])
    assert result.exit_code == 0, result.output
    assert f"deconf: {message}" in result.stderr
    assert "(no rows)" in result.stdout


@pytest.mark.parametrize("command", ["gaps", "episodes", "exchanges", "silences", "stats"])
def test_every_analysis_command_says_it(command):
    result = run([command, str(KHASHAM), "--as-of", "2018-01-01T00:00:00Z", "--format", "json"])
    assert "is before the first record; the data spans" in result.stderr
    assert result.stdout.strip() == "[]"


def test_a_store_source_that_leaves_nothing_says_so_with_its_span(tmp_path):
    store = str(tmp_path / "store")
    assert run(["ingest", str(KHASHAM), str(HUMANITARIAN), "--store", store]).exit_code == 0
    result = run(
        [
            "gaps",
            "--store",
            store,
            "--source",
            "humanitarian-notifications.jsonl",
            "--as-of",
            "2018-03-01T00:00:00Z",
        ]
    )
    assert (
        "no attempts: --as-of 2018-03-01 00:00Z is before the first record; "
        "the data spans 2019-05-01 06:00Z to 2019-05-21 10:30Z"
    ) in result.stderr


def test_a_result_with_rows_says_nothing_about_emptiness():
    result = run(["gaps", str(KHASHAM), "--party", "SDF"])
    assert result.stderr == ""
    assert "kh-010" in result.stdout


def test_data_without_attempts_says_so(write_log):
    log = write_log([event()])
    result = run(["gaps", str(log), "--format", "json"])
    assert (
        "no attempts in the data as of 2018-02-07 20:30Z; "
        "the data spans 2018-02-07 20:30Z to 2018-02-07 20:30Z"
    ) in result.stderr
