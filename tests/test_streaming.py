"""Streaming: a log validated, checked and ingested block by block gives what the whole log gives.

Blocks are made tiny here (a few lines each) so that every cross-record case crosses a block
boundary: duplicates identical and conflicting, across files and record types, replies to
records in later blocks, clock skew, ids already in the store; and an ingest that writes its
records out in several parts stores exactly what one write would.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deconf import store as store_module
from deconf.crosscheck import cross_check
from deconf.loading import validate_blocks, validate_files
from deconf.reading import jsonl
from deconf.runningcheck import RunningCheck
from deconf.store import Store
from tests.conftest import contact, event


def _record(kind: int, number: int, variant: int) -> dict:
    ident = f"r{number}"
    if kind == 0:
        return contact(id=ident, summary=f"v{variant}")
    if kind == 1:  # a reply to an id that may come later, earlier, never, or is an event
        return contact(
            id=ident,
            from_party="RU",
            to_party="US",
            kind="response",
            in_reply_to=f"r{variant}",
            sent_at=f"2018-02-07T2{variant % 4}:00:00Z",
        )
    if kind == 2:
        return event(id=ident, summary=f"v{variant}")
    return {"id": ident, "sent_at": "not a time"}  # rejected on its own


records = st.lists(
    st.builds(_record, st.integers(0, 3), st.integers(0, 8), st.integers(0, 9)),
    min_size=1,
    max_size=25,
)


def _write(folder: Path, name: str, rows: list[dict]) -> Path:
    path = folder / name
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _summary(validation):
    return (
        validation.lines,
        [(r.file, r.line, r.text, r.problems) for r in validation.rejected],
        [str(w) for w in validation.warnings],
        validation.identical_duplicates,
        validation.already_stored,
    )


def _sorted_rows(frame):
    return sorted(frame.rows(), key=repr)


@settings(max_examples=60, deadline=None)
@given(records, records, st.integers(60, 400))
def test_blocks_give_the_verdicts_of_the_whole_log(first, second, block_bytes):
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        paths = [_write(Path(folder), "a.jsonl", first), _write(Path(folder), "b.jsonl", second)]
        whole = cross_check(validate_files(paths))
        patch.setattr(jsonl, "JSONL_BLOCK_BYTES", block_bytes)
        running = RunningCheck()
        kept = [running.add(block) for block in validate_blocks(paths)]
        streamed = running.finish()
        assert _summary(streamed) == _summary(whole)
        assert running.new == len(whole.records)
        streamed_contacts = [row for r in kept for row in r.contacts.rows()]
        assert sorted(streamed_contacts, key=repr) == _sorted_rows(whole.records.contacts)


@settings(max_examples=30, deadline=None)
@given(records, records, st.integers(60, 400), st.integers(1, 4))
def test_a_streamed_ingest_in_parts_stores_what_one_ingest_does(
    first, second, block_bytes, flush
):
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        older = _write(Path(folder), "a.jsonl", first)
        newer = _write(Path(folder), "b.jsonl", second)
        whole, streamed = Store(Path(folder) / "whole"), Store(Path(folder) / "streamed")
        whole.ingest(validate_files([older]))
        expected = whole.ingest(validate_files([newer]))
        patch.setattr(jsonl, "JSONL_BLOCK_BYTES", block_bytes)
        patch.setattr(store_module, "FLUSH_RECORDS", flush)
        streamed.ingest(validate_blocks([older]))
        got = streamed.ingest(validate_blocks([newer]))
        assert _summary(got.validation) == _summary(expected.validation)
        assert got.new_records == expected.new_records
        assert streamed.verify() == []
        for table in ("contacts", "events"):
            mine, theirs = streamed.load(), whole.load()
            assert _sorted_rows(getattr(mine, table)) == _sorted_rows(getattr(theirs, table))


def test_a_streamed_ingest_that_meets_no_log_leaves_nothing_behind(tmp_path, monkeypatch):
    from deconf.errors import InputError

    monkeypatch.setattr(jsonl, "JSONL_BLOCK_BYTES", 200)
    monkeypatch.setattr(store_module, "FLUSH_RECORDS", 1)
    rows = [contact(id=f"c{i}") for i in range(6)]
    path = tmp_path / "log.jsonl"
    path.write_bytes(
        "".join(json.dumps(r) + "\n" for r in rows).encode() + b'{"id": "caf\xe9"}\n'
    )
    target = Store(tmp_path / "store")
    with pytest.raises(InputError, match=r"log.jsonl:7: not UTF-8 text"):
        target.ingest(validate_blocks([path]))
    assert not list((tmp_path / "store").rglob("*.parquet"))  # earlier blocks' flushes undone
    assert target.manifest() == [] and target.verify() == []
