"""The store after faults: interrupted ingests leave leftovers that verify tells from tampering and
the next ingest (or verify --repair) removes; a full disk adds nothing; the chain head can be
checked against one recorded elsewhere; analysis refuses a store whose files do not match."""

from __future__ import annotations

import errno
import json
import os

import polars as pl
import pytest
from typer.testing import CliRunner

from deconf.cli import app
from deconf.errors import StoreError, StoreMismatch
from deconf.integrity import quick_check, verify
from deconf.loading import validate_files
from deconf.sources import load_data
from deconf.store import MANIFEST, REJECTS, Store, entry_hash
from tests.conftest import KHASHAM, contact

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def store(tmp_path, write_log):
    """A store with one committed ingest that rejected one line."""
    target = Store(tmp_path / "store")
    target.ingest(validate_files([write_log([contact(), "{bad"], "a.jsonl")]))
    return target


def _interrupt(store, monkeypatch, path):
    """Run an ingest that dies just before its commit (as kill -9 would, minus the kill)."""

    def power_cut(entries):
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "_commit", power_cut)
    with pytest.raises(KeyboardInterrupt):
        store.ingest(validate_files([path]))
    monkeypatch.undo()


def test_an_interrupted_ingest_leaves_leftovers_not_damage(store, monkeypatch, write_log):
    before = (store.root / REJECTS).read_bytes()
    retry = write_log([contact(id="c2"), "{also bad"], "b.jsonl")
    _interrupt(store, monkeypatch, retry)
    assert (store.root / REJECTS).read_bytes() != before  # its rejected line was appended
    found = verify(store)
    assert found.ok, found.problems
    assert any("rejects.jsonl" in line for line in found.leftovers)
    assert any("ingest-000002-" in line for line in found.leftovers)
    assert len(store.rejects()) == 1  # readers see the committed part only
    # the retried ingest cleans up first, so its rejected line is kept once
    again = store.ingest(validate_files([retry]))
    assert again.new_records == 1
    texts = [r["text"] for r in store.rejects()]
    assert texts == ["{bad", "{also bad"]
    after = verify(store)
    assert after.ok and after.leftovers == []


def test_verify_repair_removes_leftovers_and_temporaries(store, monkeypatch, write_log, tmp_path):
    _interrupt(store, monkeypatch, write_log([contact(id="c2"), "{x"], "b.jsonl"))
    (store.root / ".manifest.jsonl.0badc0de.tmp").write_text("half")
    result = run("verify", "--store", store.root)
    assert result.exit_code == 0, result.output
    assert "intact (1 ingest)" in result.stdout and "leftover:" in result.stdout
    repaired = run("verify", "--store", store.root, "--repair", "--format", "json")
    report = json.loads(repaired.stdout)
    assert report["ok"] and report["leftovers"] == []
    removed = sorted(line.split(": ")[0].split("/")[0] for line in report["removed"])
    # the temporary manifest, the ingest's data file and id index file, the rejects tail
    assert removed == [".manifest.jsonl.0badc0de.tmp", "contacts", "ids", "rejects.jsonl"]
    assert sorted(p.name for p in store.root.iterdir()) == [
        ".lock",
        "contacts",
        "ids",
        "manifest.jsonl",
        "rejects.jsonl",
    ]


def test_verify_tells_tampering_from_leftovers(store):
    month = store.data_files("contacts")[0].parent
    frame = pl.read_parquet(store.data_files("contacts")[0])
    frame.write_parquet(month / "ingest-000001-feedface.parquet")  # under a committed name
    frame.write_parquet(month / "extra.parquet")
    frame.write_parquet(month / "ingest-000002-feedface.parquet")  # the next ingest's name
    found = verify(store)
    assert sorted(found.problems) == [
        f"{month.relative_to(store.root).as_posix()}/extra.parquet: "
        "not part of any ingest (added by hand)",
        f"{month.relative_to(store.root).as_posix()}/ingest-000001-feedface.parquet: "
        "not listed by ingest 1, whose name it bears (added by hand)",
    ]
    assert len(found.leftovers) == 1


def test_a_crash_in_the_first_ingest_leaves_an_empty_store_that_verifies(tmp_path, monkeypatch):
    store = Store(tmp_path / "store")
    _interrupt(store, monkeypatch, KHASHAM)
    found = verify(store)
    assert found.ok and found.ingests == 0 and found.leftovers
    assert store.ingest(validate_files([KHASHAM])).new_records == 21
    assert verify(store).leftovers == []


def test_a_full_disk_mid_ingest_adds_nothing(store, monkeypatch, write_log):
    original = pl.DataFrame.write_parquet

    def half_then_full(self, path, *args, **kwargs):
        original(self.head(1), path)  # a partial file on disk, then the device fills
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(pl.DataFrame, "write_parquet", half_then_full)
    before = store.manifest()
    with pytest.raises(StoreError, match=r"ingest failed, nothing was added.*No space left"):
        store.ingest(validate_files([write_log([contact(id="c9")], "b.jsonl")]))
    assert store.manifest() == before
    found = verify(store)
    assert found.ok and found.leftovers == []


def test_ingest_and_verify_print_the_chain_head(store, tmp_path, write_log):
    result = run("ingest", write_log([contact(id="c3")], "c.jsonl"), "--store", store.root)
    head = store.chain_hash()
    assert f"chain hash: {head}" in result.stdout
    assert f"chain hash: {head}" in run("verify", "--store", store.root).stdout


def test_verify_expect_detects_a_rewritten_chain(store, write_log):
    first = store.chain_hash()
    store.ingest(validate_files([write_log([contact(id="c3")], "c.jsonl")]))
    later = run("verify", "--store", store.root, "--expect", first)
    assert later.exit_code == 0 and "ingest 1; 1 ingests since" in later.stdout
    # rewrite history: change the first entry and re-chain everything after it
    manifest = store.root / MANIFEST
    entries = [json.loads(line) for line in manifest.read_text().splitlines()]
    entries[0]["accepted"] = 99
    previous = "0" * 64
    for entry in entries:
        entry["previous_hash"] = previous
        entry["hash"] = previous = entry_hash(entry)
    manifest.write_text("".join(json.dumps(e) + "\n" for e in entries))
    assert run("verify", "--store", store.root).exit_code == 0  # consistent in itself
    rewritten = run("verify", "--store", store.root, "--expect", first)
    assert rewritten.exit_code == 1
    assert "is not in this store's chain" in rewritten.stdout


@pytest.mark.parametrize("damage", ["manifest", "truncate", "remove", "rejects"])
def test_analysis_refuses_a_store_whose_files_do_not_match(store, damage):
    listed = store.data_files("contacts")[0]
    if damage == "manifest":
        manifest = store.root / MANIFEST
        manifest.write_text(manifest.read_text().replace('"accepted": 1', '"accepted": 2'))
    elif damage == "truncate":
        listed.write_bytes(listed.read_bytes()[:-10])
    elif damage == "remove":
        listed.unlink()
    else:
        (store.root / REJECTS).write_text("")
    assert quick_check(store)
    with pytest.raises(StoreMismatch):
        load_data(store=store.root)
    for command in ("gaps", "stats", "exchanges"):
        result = run(command, "--store", store.root)
        assert result.exit_code == 1, result.output
        assert "manifest and files do not match" in result.stderr
        assert "--no-verify" in result.stderr
    report = run("report", "--store", store.root, "-o", store.root.parent / "r.html")
    assert report.exit_code == 1
    if damage in ("manifest", "rejects"):  # the data itself is still readable
        assert run("gaps", "--store", store.root, "--no-verify").exit_code == 0


def test_ingest_refuses_to_extend_a_store_that_does_not_match(store, write_log):
    store.data_files("contacts")[0].unlink()
    with pytest.raises(StoreMismatch, match="not ingesting into it"):
        store.ingest(validate_files([write_log([contact(id="c4")], "d.jsonl")]))


def test_a_store_that_is_a_file_is_one_line(tmp_path):
    path = tmp_path / "store"
    path.write_text("")
    for args in (("ingest", KHASHAM, "--store", path), ("verify", "--store", path)):
        result = run(*args)
        assert result.exit_code == 2
        assert result.stderr.startswith(f"deconf: {path}")


@pytest.mark.parametrize(
    "edit",
    [
        lambda e: e["files"][0].update(path="../../outside.parquet"),
        lambda e: e["files"][0].pop("table"),
        lambda e: e.update(files="not a list"),
        lambda e: e.update(lines="many"),
    ],
)
def test_a_hand_edited_manifest_is_refused_in_one_line(store, edit):
    manifest = store.root / MANIFEST
    entry = json.loads(manifest.read_text())
    edit(entry)
    manifest.write_text(json.dumps(entry) + "\n")
    for args in (("verify",), ("gaps", "--no-verify"), ("stats",)):
        result = run(*args, "--store", store.root)
        assert result.exit_code == 1, result.output
        assert "not a manifest entry" in result.stderr
        assert "Traceback" not in result.output
