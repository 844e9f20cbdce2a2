"""The record commands, run through the real CLI: exit codes, JSON output, clear errors."""

from __future__ import annotations

import json

import polars as pl
from typer.testing import CliRunner

from deconf.cli import app
from tests.conftest import HUMANITARIAN, KHASHAM, contact

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_validate_the_sample_logs_exits_0():
    result = run("validate", KHASHAM, HUMANITARIAN)
    assert result.exit_code == 0, result.output
    assert "57 lines: 57 accepted, 0 rejected" in result.output


def test_validate_json_reports_every_error_with_its_location(write_log):
    path = write_log([contact(), contact(id="c2", channel="pigeon"), "{bad"])
    result = run("validate", path, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["lines"], report["accepted"], report["rejected"]) == (3, 1, 2)
    assert report["errors"][0] == {
        "file": str(path),
        "line": 2,
        "field": "channel",
        "message": report["errors"][0]["message"],
        "value": "pigeon",
    }
    assert set(report["warnings"]) == set()


def test_validate_table_counts_errors_beyond_the_first_twenty(write_log):
    path = write_log([contact(id=f"c{i}", kind="nope") for i in range(25)])
    result = run("validate", path)
    assert result.exit_code == 1
    assert "and 5 more errors" in result.output


def test_unusable_input_exits_2_without_a_traceback(tmp_path):
    binary = tmp_path / "x.jsonl"
    binary.write_bytes(b"\x00\x01\x02")
    for args in (
        ["validate", tmp_path / "missing.jsonl"],
        ["validate", binary],
        ["validate", tmp_path],
        ["validate", binary, "--assume-tz", "Nowhere/City"],
    ):
        result = run(*args)
        assert result.exit_code == 2
        assert "Traceback" not in result.output
        assert result.stderr.startswith("deconf: ") or "Error" in result.output


def test_ingest_then_verify_then_tamper(tmp_path):
    store = tmp_path / "store"
    first = run("ingest", KHASHAM, "--store", store, "--format", "json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["new"] == 21
    again = run("ingest", KHASHAM, "--store", store, "--format", "json")
    assert json.loads(again.stdout)["new"] == 0
    assert run("verify", "--store", store).exit_code == 0
    [part] = sorted((store / "events").rglob("*.parquet"))
    pl.read_parquet(part).head(3).write_parquet(part)
    tampered = run("verify", "--store", store)
    assert tampered.exit_code == 1
    assert "content changed since ingest 1" in tampered.output


def test_the_store_defaults_to_deconf_store(tmp_path, monkeypatch):
    monkeypatch.setenv("DECONF_STORE", str(tmp_path / "env-store"))
    assert run("ingest", KHASHAM).exit_code == 0
    assert (tmp_path / "env-store" / "manifest.jsonl").exists()


def test_verify_on_a_directory_that_is_no_store_exits_2(tmp_path):
    result = run("verify", "--store", tmp_path)
    assert result.exit_code == 2
    assert "not a deconf store" in result.stderr


def test_schema_prints_the_record_schema():
    result = run("schema", "contact")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["title"] == "deconf contact record"
