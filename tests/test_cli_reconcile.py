"""deconf reconcile, synth --sides and --reading through the real CLI, on the Feb 2018 logs."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from deconf.cli import app
from deconf.loading import validate_logs
from deconf.synth_sides import read_truth, score
from tests.conftest import KHASHAM, LOGS

runner = CliRunner()
KHASHAM_RU = LOGS / "khasham-2018-ru.jsonl"
SIDES = [f"US={KHASHAM}", f"RU={KHASHAM_RU}"]


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_reconcile_the_two_feb_2018_logs():
    result = run("reconcile", *SIDES, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["sources"][1] | {} == {
        "name": "RU",
        "records": 10,
        "coverage_start": "2018-02-03T09:59:00Z",
        "coverage_end": "2018-02-08T08:59:00Z",
        "clock_offset_seconds": -60.0,
        "offset_spread_seconds": 0.0,
        "matches": 2,
    }
    pairs = [(m["ids"]["US"], m["ids"]["RU"]) for m in data["matched"]]
    assert pairs == [
        ("kh-001", "ru-01"),
        ("kh-002", "ru-02"),
        ("kh-010", "ru-10"),
        ("kh-011", "ru-11"),
        ("kh-022", "ru-20"),
        ("kh-023", "ru-21"),
        ("kh-024", "ru-22"),
        ("kh-030", "ru-30"),
        ("kh-040", "ru-40"),
    ]
    # the calls nobody picked up are in the US log only; CNN's later notification too
    assert data["only"] == [
        {"source": "US", "id": "kh-020"},
        {"source": "US", "id": "kh-021"},
        {"source": "US", "id": "kh-031"},
    ]
    assert data["conflicts"] == [
        {"type": "kind", "ids": {"US": "kh-011", "RU": "ru-11"}},
        {"type": "time", "ids": {"US": "kh-030", "RU": "ru-30"}},
    ]


def test_sources_are_named_by_file_stem_and_tables_print(tmp_path):
    merged = tmp_path / "merged.jsonl"
    result = run("reconcile", KHASHAM, KHASHAM_RU, "-o", merged)
    assert result.exit_code == 0, result.output
    assert "khasham-2018-ru" in result.stdout and "Conflicts" in result.stdout
    assert "9 contacts logged by several sources, 3 by one only; 2 conflicts" in result.stdout
    validation = validate_logs([merged])
    assert not validation.rejected and validation.records.contacts.height == 14


def test_csv_has_one_row_per_record_with_accounts_side_by_side():
    result = run("reconcile", *SIDES, "--format", "csv")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("source,id,from_party,to_party,kind,sent_at,corrected_at,status")
    assert len(lines) == 1 + 12 + 9  # header, the contacts of both logs (events are not matched)
    assert lines[1].startswith("US,kh-001,") and lines[2].startswith("RU,ru-01,")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["reconcile", KHASHAM], "at least two logs"),
        (["reconcile", f"A={KHASHAM}", f"A={KHASHAM_RU}"], "given twice"),
        (["reconcile", KHASHAM, "missing.jsonl"], "no such file"),
        (["reconcile", *SIDES, "--tolerance", "soon"], "--tolerance: not a duration"),
        (["stats", KHASHAM, "--reading", "side:US"], "name no sources"),
        (["stats", KHASHAM, "--reading", "mine"], "--reading: choose"),
    ],
)
def test_usage_errors_exit_2_with_one_clear_line(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_readings_of_the_merged_night_give_each_sides_figure(tmp_path):
    merged = tmp_path / "night.jsonl"
    assert run("reconcile", *SIDES, "-o", merged, "--format", "json").exit_code == 0

    def median(reading: str) -> float:
        result = run("stats", merged, "--reading", reading, "--format", "json")
        assert result.exit_code == 0, result.output
        (row,) = json.loads(result.stdout)
        return row["km_median_seconds"]

    # the US log counts the wait from the first unanswered call (22:32), the RU log from the
    # call it took (22:38)
    assert median("side:US") == 540.0
    assert median("side:RU") == 360.0
    report = tmp_path / "night.md"
    result = run("report", merged, "--format", "md", "-o", report, "--reading", "side:RU")
    assert result.exit_code == 0, result.output
    text = report.read_text()
    assert "## Where the sources disagree" in text
    assert "under the reading **side:RU**" in text
    assert (
        "The sources disagree about RU as responder: median wait (Kaplan–Meier) 6m 00s by the RU "
        "log, 9m 00s by the US log, 3h 00m 00s by what the sources corroborate." in text
    )
    again = run("verify-report", report, merged)
    assert again.exit_code == 0, again.output


def test_synth_sides_writes_two_logs_and_the_truth_reconcile_recovers(tmp_path):
    base = tmp_path / "pair.jsonl"
    result = run(
        "synth",
        "--records",
        "4000",
        "--seed",
        "5",
        "-o",
        base,
        "--sides",
        "2",
        "--clock-offset",
        "-2m",
        "--drop",
        "0.05",
        "--conflict",
        "0.03",
    )
    assert result.exit_code == 0, result.output
    side_a, side_b, truth = (tmp_path / f"pair-{s}" for s in ("a.jsonl", "b.jsonl", "truth.json"))
    offset, contacts = read_truth(truth)
    assert offset == -120.0
    from deconf.reconcile import reconcile

    found = reconcile(
        [("a", validate_logs([side_a]).records), ("b", validate_logs([side_b]).records)]
    )
    figures = score(found, offset, contacts)
    assert figures["offset_error_seconds"] <= 5
    assert figures["precision"] >= 0.99 and figures["recall"] >= 0.99
    # every conflict the generator plants is one the logs can show (docs/reconcile.md)
    assert figures["planted_conflicts"] > 100
    assert figures["planted_conflicts_found"] == figures["planted_conflicts"]
    same = tmp_path / "same.jsonl"
    run(
        "synth",
        "--records",
        "4000",
        "--seed",
        "5",
        "-o",
        same,
        "--sides",
        "2",
        "--clock-offset",
        "-2m",
        "--drop",
        "0.05",
        "--conflict",
        "0.03",
    )
    assert (tmp_path / "same-b.jsonl").read_bytes() == side_b.read_bytes()


def test_rejected_lines_are_left_out_said_and_exit_1(write_log):
    from tests.conftest import contact

    bad = write_log([contact(id="r1"), contact(id="r2", kind="gossip")], "ru.jsonl")
    good = write_log([contact(id="u1")], "us.jsonl")
    result = run("reconcile", good, bad, "--format", "json")
    assert result.exit_code == 1
    assert "1 of 2 lines were rejected" in result.stderr
    assert json.loads(result.stdout)["matched"] == [
        {"ids": {"us": "u1", "ru": "r1"}, "time_difference_seconds": 0.0}
    ]


def test_a_reading_of_a_merged_log_in_the_store(tmp_path):
    merged, store = tmp_path / "night.jsonl", tmp_path / "store"
    assert run("reconcile", *SIDES, "-o", merged, "--format", "json").exit_code == 0
    assert run("ingest", merged, "--store", store).exit_code == 0
    result = run("stats", "--store", store, "--reading", "side:RU", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [row["km_median_seconds"] for row in json.loads(result.stdout)] == [360.0]
