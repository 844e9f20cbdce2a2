"""The `logged_by` field a merged log carries: validated in JSON Lines and CSV, stored, and read
back from stores written before it existed."""

from __future__ import annotations

import polars as pl

from deconf.frames import Col
from deconf.loading import validate_files, validate_logs
from deconf.store import Store
from tests.conftest import contact, event


def test_entries_are_source_colon_id_in_json_lines(write_log):
    path = write_log(
        [
            contact(id="a", logged_by=["US:kh-020", "RU:ru-03"]),
            contact(id="b", logged_by=["USkh"]),
            contact(id="c", logged_by="US:a"),
            contact(id="d", logged_by=[5]),
            event(id="e", logged_by=["RU:x:y"]),
        ]
    )
    validation = validate_logs(path)
    assert [i.line for i in validation.errors] == [2, 3, 4]
    assert validation.errors[0].field == "logged_by"
    assert "SOURCE:ID" in validation.errors[0].message
    assert validation.records.contacts[Col.LOGGED_BY].to_list() == [["US:kh-020", "RU:ru-03"]]
    assert validation.records.events[Col.LOGGED_BY].to_list() == [["RU:x:y"]]  # ids may have ':'


def test_csv_cells_are_semicolon_separated(tmp_path):
    path = tmp_path / "merged.csv"
    path.write_text(
        "id,sent_at,from_party,to_party,channel,kind,logged_by\n"
        "x,2018-02-07T22:32:00Z,US,RU,radio,query,US:x; RU:y\n"
        "y,2018-02-07T22:33:00Z,US,RU,radio,query,:y\n"
    )
    validation = validate_logs(path)
    assert [i.line for i in validation.errors] == [3]
    assert validation.records.contacts[Col.LOGGED_BY].to_list() == [["US:x", "RU:y"]]


def test_a_store_written_before_the_field_reads_it_as_null(tmp_path, write_log):
    store = Store(tmp_path / "store")
    store.ingest(validate_files([write_log([contact(id="a"), event(id="e")])]))
    for path in [*store.data_files("contacts"), *store.data_files("events")]:  # as an older
        # deconf wrote them (the id index beside them has no such column)
        pl.read_parquet(path).drop(Col.LOGGED_BY).write_parquet(path)
    records = store.load()
    assert records.contacts[Col.LOGGED_BY].to_list() == [None]
    assert records.events[Col.LOGGED_BY].to_list() == [None]
