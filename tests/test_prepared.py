"""The browser's first screen prepared by the ingest (`deconf.prepared`): the same frames the
browser computes, for that data, policy and code only, never in the way of the ingest, and never
trusted blindly by the browser."""

from __future__ import annotations

import errno
import json
import os
from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

import deconf.prepared as prepared_module
from deconf.cli import app as cli
from deconf.cli.browse import reader
from deconf.cli.options import DataOptions
from deconf.errors import OutputError
from deconf.loading import validate_logs
from deconf.policy import Policy
from deconf.prepared import EXCHANGES_FILE, PREPARED, load_prepared, prepare
from deconf.store import Store
from deconf.synth import write_log
from deconf.tui.held import first_screen
from deconf.tui.loaded import first_analysis
from tests.conftest import HUMANITARIAN, KHASHAM, contact

runner = CliRunner()


def ingest(*arguments: str) -> dict:
    result = runner.invoke(cli, ["ingest", *arguments, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def prepared_dirs(root: Path) -> list[str]:
    return sorted(p.name for p in (root / PREPARED).iterdir())


@pytest.fixture
def synthetic(tmp_path: Path) -> Path:
    """Two thousand records among five parties: retries, replies, threads, unanswered ones."""
    path = tmp_path / "synthetic.jsonl"
    write_log(path, 2000, seed=7, parties=5)
    return path


@pytest.mark.parametrize(
    "logs", [[KHASHAM], [HUMANITARIAN], [KHASHAM, HUMANITARIAN]], ids=["khasham", "hum", "both"]
)
def test_the_prepared_first_screen_is_the_one_the_browser_computes(tmp_path, logs):
    store = tmp_path / "store"
    summary = ingest(*map(str, logs), "--store", str(store))
    assert summary["browser_first_screen_prepared"] is True
    read = reader(DataOptions(store=store))()
    computed = first_screen(read.records, Policy(), read.as_of)
    prepared = load_prepared(Store(store), Policy())
    assert prepared is not None
    assert_frame_equal(prepared.exchanges, computed.exchanges)
    assert_frame_equal(prepared.membership, computed.membership)


def test_a_larger_log_gives_the_same_first_screen_prepared_or_computed(tmp_path, synthetic):
    store = tmp_path / "store"
    ingest(str(synthetic), "--store", str(store))
    computed = first_screen(validate_logs([synthetic]).records, Policy(), None)
    prepared = load_prepared(Store(store), Policy())
    assert prepared is not None and computed.exchanges.height > 100
    assert_frame_equal(prepared.exchanges, computed.exchanges)
    assert_frame_equal(prepared.membership, computed.membership)


def test_the_browser_starts_from_it_only_for_the_whole_store_by_the_default_rules(
    tmp_path, write_log
):
    store = tmp_path / "store"
    merged = write_log(
        [
            contact(id="a1", sent_at="2018-02-07T10:00:00Z", logged_by=["A:a1"]),
            contact(id="a2", sent_at="2018-02-07T18:00:00Z", logged_by=["A:a2", "B:b2"]),
        ],
        "merged.jsonl",
    )
    ingest(str(KHASHAM), str(merged), "--store", str(store))
    whole = reader(DataOptions(store=store))()
    first_analysis(whole, Policy(), None)
    assert whole.from_prepared
    # another policy or an as-of time: the analysis is computed
    for policy, as_of in (
        (Policy(inference_window=timedelta(hours=2)), None),
        (Policy(), whole.as_of - timedelta(hours=1)),
    ):
        loaded = reader(DataOptions(store=store))()
        first_analysis(loaded, policy, as_of)
        assert not loaded.from_prepared
    # a reading of the merged log, or one source of the store: other records, no prepared one
    assert reader(DataOptions(store=store), "side:B")().prepared is None
    assert reader(DataOptions(store=store, source=str(merged)))().prepared is None


def test_another_ingest_prepares_the_new_data_and_removes_the_old(tmp_path):
    store = tmp_path / "store"
    ingest(str(KHASHAM), "--store", str(store))
    before = prepared_dirs(store)
    ingest(str(KHASHAM), "--store", str(store))  # nothing new: the same data, the same screen
    assert prepared_dirs(store) == before
    ingest(str(HUMANITARIAN), "--store", str(store))
    after = prepared_dirs(store)
    assert len(after) == 1 and after != before
    read = reader(DataOptions(store=store))()
    computed = first_screen(read.records, Policy(), read.as_of)
    assert_frame_equal(load_prepared(Store(store), Policy()).exchanges, computed.exchanges)


def test_import_into_a_store_prepares_it_too(tmp_path):
    store = tmp_path / "store"
    result = runner.invoke(
        cli,
        [
            "import",
            "logs/notification-tracker.csv",
            "--map",
            "logs/notification-tracker.toml",
            "--store",
            str(store),
            "--format",
            "json",
        ],
    )
    assert result.exit_code in (0, 1), result.output
    assert json.loads(result.stdout)["browser_first_screen_prepared"] is True
    assert load_prepared(Store(store), Policy()) is not None


def test_a_store_above_the_bound_is_not_prepared(tmp_path, monkeypatch):
    monkeypatch.setattr(prepared_module, "PREPARED_UP_TO", 5)
    store = tmp_path / "store"
    assert ingest(str(KHASHAM), "--store", str(store))["browser_first_screen_prepared"] is False
    assert not (store / PREPARED).exists()
    assert load_prepared(Store(store), Policy()) is None


def test_a_full_disk_while_preparing_leaves_no_half_written_screen(tmp_path, monkeypatch):
    store = tmp_path / "store"
    ingest(str(HUMANITARIAN), "--store", str(store))
    monkeypatch.setattr(prepared_module, "PREPARED_UP_TO", 5)
    ingest(str(KHASHAM), "--store", str(store))  # stored, not prepared
    monkeypatch.undo()
    write_parquet = pl.DataFrame.write_parquet

    def full_for_prepared(self, path, *args, **kwargs):  # the disk fills after the data
        if PREPARED in Path(path).parts:
            (Path(path).parent / "half").write_bytes(b"half a file")
            raise OSError(errno.ENOSPC, "No space left on device")
        return write_parquet(self, path, *args, **kwargs)

    monkeypatch.setattr(pl.DataFrame, "write_parquet", full_for_prepared)
    with pytest.raises(OutputError, match=r"prepared first screen \(No space left on device\)"):
        prepare(Store(store))
    assert list((store / PREPARED).iterdir()) == []  # no half-written screen, no stale one
    assert Store(store).verify() == []
    assert load_prepared(Store(store), Policy()) is None


def test_an_ingest_whose_preparing_fails_is_done_and_says_so(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    (store / PREPARED).write_text("in the way")  # where the prepared screens go: unwritable
    result = runner.invoke(cli, ["ingest", str(KHASHAM), "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert "21 new" in result.stdout
    note = result.stderr.strip()
    assert note.startswith("deconf: note: the browser's first screen was not prepared (")
    assert "cannot write the prepared first screen" in note
    assert "Traceback" not in result.output
    assert Store(store).verify() == []
    assert runner.invoke(cli, ["stats", "--store", str(store)]).exit_code == 0


def test_verify_ignores_it_and_an_unreadable_one_is_not_used(tmp_path):
    store = tmp_path / "store"
    ingest(str(KHASHAM), "--store", str(store))
    (folder,) = (store / PREPARED).iterdir()
    assert runner.invoke(cli, ["verify", "--store", str(store)]).exit_code == 0
    (folder / EXCHANGES_FILE).write_bytes(b"not parquet")
    assert load_prepared(Store(store), Policy()) is None
    loaded = reader(DataOptions(store=store))()
    first_analysis(loaded, Policy(), None)
    assert not loaded.from_prepared


def test_leftover_scratch_directories_of_an_interrupted_prepare_go(tmp_path, monkeypatch):
    store = tmp_path / "store"
    ingest(str(KHASHAM), "--store", str(store))
    stale = store / PREPARED / ".abc.1.tmp"
    fresh = store / PREPARED / ".def.2.tmp"
    stale.mkdir()
    fresh.mkdir()
    old = stale.stat().st_mtime - 2 * 3600
    os.utime(stale, (old, old))
    assert prepare(Store(store))
    names = prepared_dirs(store)
    assert ".abc.1.tmp" not in names  # abandoned: removed
    assert ".def.2.tmp" in names  # maybe another ingest's, being written: kept


def test_no_prepare_leaves_it_to_a_later_ingest(tmp_path):
    store = tmp_path / "store"
    summary = ingest(str(KHASHAM), "--store", str(store), "--no-prepare")
    assert summary["browser_first_screen_prepared"] is False
    assert not (store / PREPARED).exists()
    assert ingest(str(HUMANITARIAN), "--store", str(store))["browser_first_screen_prepared"]
    assert load_prepared(Store(store), Policy()) is not None
