"""The store: append-only, idempotent, atomic, verifiable, and it gives back what went in."""

from __future__ import annotations

import json
import multiprocessing

import polars as pl
import pytest
from freezegun import freeze_time

from deconf.loading import validate_files, validate_logs
from deconf.store import MANIFEST, REJECTS, Store
from tests.conftest import KHASHAM, contact


def test_ingesting_the_same_file_twice_adds_nothing(tmp_path):
    store = Store(tmp_path / "store")
    first = store.ingest(validate_files([KHASHAM]))
    second = store.ingest(validate_files([KHASHAM]))
    assert first.new_records == 21
    assert second.new_records == 0
    assert second.validation.already_stored == 21
    assert len(store.load()) == 21
    assert store.verify() == []


def test_the_store_gives_back_the_frame_that_was_ingested(tmp_path):
    store = Store(tmp_path / "store")
    store.ingest(validate_files([KHASHAM]))
    expected = validate_logs([KHASHAM]).records
    loaded = store.load()
    for table in ("contacts", "events"):
        want = getattr(expected, table)
        got = getattr(loaded, table)
        time = "sent_at" if table == "contacts" else "at"
        assert got.schema == want.schema
        assert got.equals(want.sort(time, "id"))


def test_a_different_record_with_a_stored_id_is_rejected(tmp_path, write_log):
    store = Store(tmp_path / "store")
    store.ingest(validate_files([write_log([contact()], "a.jsonl")]))
    result = store.ingest(validate_files([write_log([contact(summary="changed")], "b.jsonl")]))
    assert result.new_records == 0
    assert "already in the store with other content" in result.validation.errors[0].message
    rejects = (tmp_path / "store" / REJECTS).read_text().splitlines()
    assert json.loads(rejects[0])["line"] == 1


def test_editing_a_stored_parquet_file_makes_verify_fail(tmp_path):
    store = Store(tmp_path / "store")
    store.ingest(validate_files([KHASHAM]))
    [path] = store.data_files("contacts")
    frame = pl.read_parquet(path).with_columns(pl.col("summary").str.replace("not", "indeed"))
    frame.write_parquet(path)
    problems = store.verify()
    assert problems and "content changed since ingest 1" in problems[0]


def test_editing_the_manifest_breaks_the_chain(tmp_path, write_log):
    store = Store(tmp_path / "store")
    store.ingest(validate_files([write_log([contact()], "a.jsonl")]))
    store.ingest(validate_files([write_log([contact(id="c2")], "b.jsonl")]))
    manifest = tmp_path / "store" / MANIFEST
    lines = manifest.read_text().splitlines()
    entry = json.loads(lines[0])
    entry["accepted"] = 99
    manifest.write_text(json.dumps(entry) + "\n" + lines[1] + "\n")
    assert any("edited after it was written" in p for p in store.verify())


def test_a_crash_mid_ingest_leaves_the_store_as_it_was(tmp_path, write_log, monkeypatch):
    store = Store(tmp_path / "store")
    store.ingest(validate_files([write_log([contact()], "a.jsonl")]))
    before = store.load()

    def crash(entries):
        raise RuntimeError("power cut")

    monkeypatch.setattr(store, "_commit", crash)
    with pytest.raises(RuntimeError):
        store.ingest(validate_files([write_log([contact(id="c2")], "b.jsonl")]))
    assert store.load().contacts.equals(before.contacts)
    # what the interrupted ingest wrote is a leftover, not tampering: verify passes
    assert store.verify() == []
    leftovers = store.leftovers()  # its data file and its id index file
    assert leftovers and all(p.name.startswith("ingest-000002-") for p in leftovers)
    monkeypatch.undo()
    again = store.ingest(validate_files([tmp_path / "b.jsonl"]))
    assert again.new_records == 1 and store.leftovers() == []


def test_the_manifest_records_source_hash_counts_and_time(tmp_path):
    store = Store(tmp_path / "store")
    with freeze_time("2026-01-02T03:04:05Z"):
        entry = store.ingest(validate_files([KHASHAM])).entry
    assert entry["ingested_at"] == "2026-01-02T03:04:05+00:00"
    assert entry["sources"][0]["path"] == str(KHASHAM)
    assert len(entry["sources"][0]["sha256"]) == 64
    assert (entry["lines"], entry["accepted"], entry["rejected"], entry["new"]) == (21, 21, 0, 21)


def test_files_are_plain_parquet_partitioned_by_month(tmp_path):
    store = Store(tmp_path / "store")
    store.ingest(validate_files([KHASHAM]))
    relative = sorted(
        p.relative_to(tmp_path / "store").parts[:2] for p in (tmp_path / "store").rglob("*.parquet")
    )
    assert relative[:2] == [("contacts", "month=2018-02"), ("events", "month=2018-02")]
    assert relative[2][0] == "ids"  # the id index of the ingest (deconf.idindex)
    scanned = pl.scan_parquet(tmp_path / "store" / "contacts", hive_partitioning=True).collect()
    assert scanned.height == 12


def _ingest_in_process(root, path, queue):
    queue.put(Store(root).ingest(validate_files([path])).new_records)


def test_two_ingests_at_once_do_not_corrupt_the_store(tmp_path, write_log):
    root = tmp_path / "store"
    paths = [
        write_log([contact(id=f"p{i}-{j}") for j in range(200)], f"{i}.jsonl") for i in range(2)
    ]
    queue = multiprocessing.get_context("spawn").Queue()
    workers = [
        multiprocessing.get_context("spawn").Process(
            target=_ingest_in_process, args=(root, p, queue)
        )
        for p in paths
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert sorted(queue.get() for _ in workers) == [200, 200]
    store = Store(root)
    assert store.verify() == []
    assert len(store.load()) == 400
    assert [e["sequence"] for e in store.manifest()] == [1, 2]
