"""Frequency of a column's values: list columns count each element, nulls are counted too."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from deconf.analysis.frequency import frequency


def test_each_value_counted_most_frequent_first():
    frame = pl.DataFrame({"party": ["RU", "US", "RU", None]})
    result = frequency(frame, "party")
    assert result.rows() == [("RU", 2, 0.5), ("US", 1, 0.25), (None, 1, 0.25)]


def test_list_columns_count_every_element_against_the_rows():
    frame = pl.DataFrame({"parties": [["RU", "US"], ["RU", "SDF"], ["RU"]]})
    rows = {value: (count, share) for value, count, share in frequency(frame, "parties").rows()}
    assert rows["RU"] == (3, 1.0) and rows["US"] == (1, 1 / 3)


def test_times_stay_times_for_the_readers_zone():
    moment = datetime(2018, 2, 7, 20, 30, tzinfo=UTC)
    frame = pl.DataFrame({"at": [moment, moment]})
    assert frequency(frame, "at").rows() == [(moment, 2, 1.0)]
