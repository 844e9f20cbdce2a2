"""Property: the bulk read of imported times (one expression for the first format, placed in the
zone; only the cells it leaves go format by format) gives exactly what reading every cell format
by format gives: the same instants, the same text, the same problem for each cell.

The cells are drawn around the days the clocks change (Paris, Damascus), in several layouts —
naive and with an offset, epoch seconds, padded with spaces, empty, not a time at all — and the
mapping's formats in any order, with or without a zone, so that the rare paths (a later format,
a local time that never happened or happened twice, no zone) are taken as often as the common.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from deconf.importing.mapping import TimeSpec
from deconf.importing.timefields import bulk_instants, read_times

LAYOUTS = ("%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M", "%a %b %d %H:%M:%S %z %Y", "epoch")
ZONES = (None, "UTC", "Europe/Paris", "Asia/Damascus")
CHANGES = (  # around a change of the clocks: local times that never happened or happened twice
    datetime(2024, 3, 31, 1, 0, tzinfo=UTC),
    datetime(2024, 10, 27, 0, 0, tzinfo=UTC),
    datetime(2018, 10, 25, 20, 0, tzinfo=UTC),
)


@st.composite
def cell(draw) -> str | None:
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return None
    if kind == 1:
        return draw(st.sampled_from(["", "   ", "yesterday", "31/02/2024 10:00:00", "1e9"]))
    moment = draw(st.sampled_from(CHANGES)) + timedelta(minutes=draw(st.integers(-180, 180)))
    zone = ZoneInfo(draw(st.sampled_from(["Europe/Paris", "Asia/Damascus", "UTC"])))
    layout = draw(st.sampled_from(LAYOUTS))
    if layout == "epoch":
        text = str(int(moment.timestamp()))
    else:
        text = moment.astimezone(zone).strftime(layout)
    return draw(st.sampled_from(["", " "])) + text + draw(st.sampled_from(["", " "]))


@settings(max_examples=150, deadline=None)
@given(
    cells=st.lists(cell(), min_size=1, max_size=30),
    formats=st.lists(st.sampled_from(LAYOUTS), min_size=1, max_size=4, unique=True),
    zone=st.sampled_from(ZONES),
)
def test_the_bulk_read_agrees_with_reading_format_by_format(cells, formats, zone):
    time = TimeSpec(zone=zone, formats=formats)
    series = pl.Series("cell", cells, dtype=pl.String)
    formats = tuple(formats)
    expression = bulk_instants(pl.col("cell"), time, formats)
    bulk = None if expression is None else series.to_frame().select(expression).to_series()
    fast = read_times(series, time, formats, bulk=bulk)
    slow = read_times(series, time, formats)
    assert fast.text.to_list() == slow.text.to_list()
    assert fast.utc.to_list() == slow.utc.to_list()
    assert fast.problem.to_list() == slow.problem.to_list()
    # every filled cell is read or has a reason, never both
    for text, utc, problem in zip(slow.text, slow.utc, slow.problem, strict=True):
        assert text is None or (utc is None) != (problem is None)
