"""The store's id index: an ingest checks ids and replies against it without loading the store,
and finds what a check against the whole stored data finds."""

from __future__ import annotations

import pytest
from polars.testing import assert_frame_equal

import deconf.store
from deconf.crosscheck import cross_check
from deconf.frames import Col
from deconf.idindex import index_of
from deconf.loading import validate_files
from deconf.store import Store
from tests.conftest import KHASHAM, contact, event


def _second_log(write_log):
    return write_log(
        [
            contact(id="s1", sent_at="2018-02-07T20:00:00Z"),  # as stored: already there
            contact(id="s2", summary="told differently"),  # a stored id, other content
            contact(id="n1", in_reply_to="s1", sent_at="2018-02-07T19:00:00Z"),  # skewed
            contact(id="n2", in_reply_to="nowhere"),  # dangling
            contact(id="n3", in_reply_to="e1", from_party="RU", to_party="US"),  # to an event
        ],
        "second.jsonl",
    )


@pytest.fixture
def store(tmp_path, write_log):
    target = Store(tmp_path / "store")
    first = write_log(
        [contact(id="s1", sent_at="2018-02-07T20:00:00Z"), contact(id="s2"), event(id="e1")],
        "first.jsonl",
    )
    target.ingest(validate_files([first]))
    target.ingest(validate_files([KHASHAM]))
    return target


def test_the_index_lists_what_the_store_holds(store):
    by_id = [Col.ID, Col.ORIGIN_FILE]
    assert_frame_equal(store.id_index().sort(by_id), index_of(store.load()).sort(by_id))


def test_an_ingest_checks_against_the_index_without_loading_the_store(
    store, write_log, monkeypatch
):
    files = validate_files([_second_log(write_log)])
    expected = cross_check(files, stored=index_of(store.load()))

    def no_load(*args, **kwargs):
        raise AssertionError("the ingest loaded the whole store")

    monkeypatch.setattr(Store, "load", no_load)
    result = store.ingest(files)
    got = result.validation
    assert got.already_stored == expected.already_stored == 1
    assert [(r.line, r.problems) for r in got.rejected] == [
        (r.line, r.problems) for r in expected.rejected
    ]
    assert "id already in the store with other content (ingested from" in str(got.rejected)
    assert [(w.line, w.field, w.message) for w in got.warnings] == [
        (w.line, w.field, w.message) for w in expected.warnings
    ]
    messages = {w.line: w.message for w in got.warnings}
    assert "clock skew" in messages[3] and "dangling" in messages[4] and 5 not in messages
    assert result.new_records == 3


def test_an_index_hashed_by_another_polars_is_rebuilt_from_the_data(
    store, write_log, monkeypatch
):
    files = validate_files([_second_log(write_log)])
    expected = cross_check(files, stored=index_of(store.load()))
    monkeypatch.setattr(deconf.store, "HASHED_BY", "polars 0.0")
    loads = []
    original = Store.load
    monkeypatch.setattr(Store, "load", lambda self, *a, **k: loads.append(1) or original(self))
    got = store.ingest(files).validation
    assert loads  # the data was read, since the index cannot be trusted
    assert got.already_stored == expected.already_stored
    assert [r.line for r in got.rejected] == [r.line for r in expected.rejected]
    assert store.verify() == []
