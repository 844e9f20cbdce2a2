"""What a trial of the CLI by hand found: time options that refused what the browser takes."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from deconf.cli import app
from tests.conftest import KHASHAM

runner = CliRunner()


def attempts(*args: str) -> list[str]:
    result = runner.invoke(app, ["gaps", str(KHASHAM), "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return [row["attempt_id"] for row in json.loads(result.stdout or "[]")]


def test_since_and_until_take_a_date_alone_as_the_browser_does():
    night = ["kh-010", "kh-020", "kh-021", "kh-022", "kh-024", "kh-030", "kh-031"]
    assert attempts("--since", "2018-02-07", "--until", "2018-02-07") == night
    assert attempts("--until", "2018-02-03") == ["kh-001"]  # the whole day, to its end
    # the day is the display zone's: 7 Feb in Tokyo ended at 14:59Z, before the first call
    assert attempts("--since", "2018-02-07", "--until", "2018-02-07", "--tz", "Asia/Tokyo") == []


def test_a_time_option_that_cannot_be_read_says_which_and_how_to_write_it():
    result = runner.invoke(app, ["gaps", str(KHASHAM), "--since", "2018-02-07 22:00"])
    assert result.exit_code == 2
    assert "--since" in result.output and "2018-02-07" in result.output
    assert "--assume-tz" not in result.output  # that option reads logs, not this value
    assert "Traceback" not in result.output


def test_an_unknown_command_points_at_the_one_meant(monkeypatch, capsys):
    import sys

    import pytest

    from deconf.cli import main

    for typed, meant in (("attempts", "gaps"), ("silence", "silences"), ("stat", "stats")):
        monkeypatch.setattr(sys, "argv", ["deconf", typed, str(KHASHAM)])
        with pytest.raises(SystemExit) as done:
            main()
        assert done.value.code == 2
        err = capsys.readouterr().err
        assert f"no command '{typed}'" in err and f"deconf {meant}" in err, err
        assert err.count("\n") == 1  # one line


def test_the_breach_rows_of_stats_say_what_each_counts():
    # 6 breaches as the times are written, 3 of them on every reading; 5 attempts breach on
    # some reading only (two of them not as written): the rows must not read as parts of 6
    result = runner.invoke(app, ["stats", str(KHASHAM)], terminal_width=160)
    assert result.exit_code == 0
    rows = {
        line.split("│")[1].strip(): line.split("│")[2].strip()
        for line in result.stdout.splitlines()
        if line.startswith("│")
    }
    assert rows["breaches (times as written)"] == "6"
    assert rows["breaches certain (every reading)"] == "3"
    assert rows["breach on some reading only"] == "5"
