"""deconf reconcile on small logs with exact expectations: matching, clock offsets, conflicts,
the merged log and its readings."""

from __future__ import annotations

import json
from datetime import timedelta

import polars as pl
import pytest

from deconf.analysis.readings import read_as, sources_of
from deconf.errors import UsageError
from deconf.frames import Col
from deconf.loading import validate_logs, validate_records
from deconf.policy import Reconcile
from deconf.reconcile import reconcile
from deconf.writing import write_jsonl
from tests.conftest import contact, event


def records(*rows):
    validation = validate_records(rows)
    assert not validation.rejected, validation.errors
    return validation.records


def at(minute: int, second: int = 0, hour: int = 20) -> str:
    return f"2018-02-07T{hour:02d}:{minute:02d}:{second:02d}Z"


US = records(
    contact(id="a1", sent_at=at(0), kind="query"),
    contact(id="a2", sent_at=at(30), kind="request", attempt_outcome="no_answer"),
    contact(id="a3", sent_at=at(33), kind="request"),
    contact(
        id="a4", sent_at=at(40), from_party="RU", to_party="US", kind="denial", in_reply_to="a3"
    ),
    contact(id="a5", sent_at=at(0, hour=22), kind="notification"),
    contact(id="a6", sent_at=at(0, hour=23), kind="warning"),
    event(id="e1", at=at(35)),
)
# RU's clock runs 90 s ahead; b2 says the call got through, b4 calls the answer a response, b6
# was logged 14 minutes after a6, b7 is RU's alone and a5 is the US's alone
RU = records(
    contact(id="b1", sent_at=at(1, 30), kind="query"),
    contact(id="b2", sent_at=at(31, 30), kind="request"),
    contact(id="b3", sent_at=at(34, 30), kind="request"),
    contact(
        id="b4",
        sent_at=at(41, 30),
        from_party="RU",
        to_party="US",
        kind="response",
        in_reply_to="b3",
    ),
    contact(id="b6", sent_at=at(15, 30, hour=23), kind="warning"),
    contact(
        id="b7",
        sent_at=at(0, hour=1).replace("07T01", "08T01"),
        from_party="RU",
        to_party="US",
        kind="query",
    ),
)


@pytest.fixture(scope="module")
def result():
    return reconcile([("US", US), ("RU", RU)])


def test_the_clock_offset_is_what_to_add_to_the_second_source(result):
    assert result.offsets[0].seconds == 0
    assert result.offsets[1].seconds == -90.0
    # a1/b1 and a4/b4 are alone in their kind class within twice the tolerance on both sides
    assert result.offsets[1].matches == 2
    assert result.offsets[1].spread == 0.0


def test_json_shape_matched_only_and_conflicts(result):
    data = result.as_dict()
    assert [s["name"] for s in data["sources"]] == ["US", "RU"]
    assert data["sources"][1] == {
        "name": "RU",
        "records": 6,
        "coverage_start": "2018-02-07T20:00:00Z",
        "coverage_end": "2018-02-08T00:58:30Z",
        "clock_offset_seconds": -90.0,
        "offset_spread_seconds": 0.0,
        "matches": 2,
    }
    assert data["matched"] == [
        {"ids": {"US": "a1", "RU": "b1"}, "time_difference_seconds": 0.0},
        {"ids": {"US": "a2", "RU": "b2"}, "time_difference_seconds": 0.0},
        {"ids": {"US": "a3", "RU": "b3"}, "time_difference_seconds": 0.0},
        {"ids": {"US": "a4", "RU": "b4"}, "time_difference_seconds": 0.0},
        {"ids": {"US": "a6", "RU": "b6"}, "time_difference_seconds": 840.0},
    ]
    assert data["only"] == [{"source": "US", "id": "a5"}, {"source": "RU", "id": "b7"}]
    assert data["conflicts"] == [
        {"type": "outcome", "ids": {"US": "a2", "RU": "b2"}},
        {"type": "kind", "ids": {"US": "a4", "RU": "b4"}},
        {"type": "time", "ids": {"US": "a6", "RU": "b6"}},
    ]


def test_the_merged_log_names_who_logged_what_and_keeps_disputes_side_by_side(result):
    merged = result.merged.contacts.select(
        Col.ID, Col.CERTAINTY, Col.LOGGED_BY, Col.IN_REPLY_TO, Col.ATTEMPT_OUTCOME
    ).with_columns(
        pl.col(Col.CERTAINTY).cast(pl.String), pl.col(Col.ATTEMPT_OUTCOME).cast(pl.String)
    )
    rows = {row[Col.ID]: row for row in merged.iter_rows(named=True)}
    assert sorted(rows) == sorted(
        ["US:a1", "US:a2", "RU:b2", "US:a3", "US:a4", "RU:b4", "US:a5", "US:a6", "RU:b6", "RU:b7"]
    )
    assert rows["US:a1"][Col.LOGGED_BY] == ["US:a1", "RU:b1"]
    assert rows["US:a1"][Col.CERTAINTY] == "reported"
    assert rows["US:a2"][Col.CERTAINTY] == rows["RU:b2"][Col.CERTAINTY] == "disputed"
    assert rows["US:a2"][Col.ATTEMPT_OUTCOME] == "no_answer"
    assert rows["RU:b2"][Col.ATTEMPT_OUTCOME] == "delivered"
    assert rows["RU:b2"][Col.LOGGED_BY] == ["RU:b2"]
    # each account of the answer names the merged record of what it answered in its own log
    assert rows["US:a4"][Col.IN_REPLY_TO] == rows["RU:b4"][Col.IN_REPLY_TO] == "US:a3"
    assert rows["RU:b7"][Col.LOGGED_BY] == ["RU:b7"]
    said = result.merged.contacts.filter(pl.col(Col.ID) == "RU:b2")[Col.SOURCE].item()
    assert said == "RU:b2's account; outcome disputed by US:a2"
    # times on the first source's clock
    b7 = result.merged.contacts.filter(pl.col(Col.ID) == "RU:b7")[Col.SENT_AT].item()
    assert b7.isoformat() == "2018-02-08T00:58:30+00:00"
    assert result.merged.events[Col.ID].to_list() == ["US:e1"]


def test_the_merged_log_is_a_valid_log(result, tmp_path):
    path = tmp_path / "merged.jsonl"
    assert write_jsonl(result.merged, path) == 11
    again = validate_logs([path])
    assert not again.rejected and not again.warnings
    assert again.records.contacts.height == 10
    assert sources_of(again.records) == ["RU", "US"]
    first = json.loads(path.read_text().splitlines()[0])
    assert first["id"] == "US:a1" and first["logged_by"] == ["US:a1", "RU:b1"]
    assert "in_reply_to" not in first  # absent fields are left out


def test_readings_select_what_each_source_says(result):
    def ids(reading):
        return sorted(read_as(result.merged, reading).contacts[Col.ID].to_list())

    assert ids("side:US") == ["US:a1", "US:a2", "US:a3", "US:a4", "US:a5", "US:a6"]
    assert ids("side:RU") == ["RU:b2", "RU:b4", "RU:b6", "RU:b7", "US:a1", "US:a3"]
    assert ids("corroborated") == ["US:a1", "US:a3"]
    assert len(ids("all")) == 10
    with pytest.raises(UsageError, match=r"no source 'UK'.*RU, US"):
        read_as(result.merged, "side:UK")
    with pytest.raises(UsageError, match="name no sources"):
        read_as(US, "side:US")
    with pytest.raises(UsageError, match="reading: choose"):
        read_as(result.merged, "both")


def test_a_burst_of_retries_is_matched_in_order_one_to_one():
    times = [0, 1, 2, 3, 5]
    a = records(*(contact(id=f"a{m}", sent_at=at(m), attempt_outcome="no_answer") for m in times))
    b = records(
        *(contact(id=f"b{m}", sent_at=at(m, 40), attempt_outcome="no_answer") for m in times)
    )
    found = reconcile([("A", a), ("B", b)]).as_dict()["matched"]
    assert [m["ids"] for m in found] == [{"A": f"a{m}", "B": f"b{m}"} for m in times]


def replies_to_two_calls(linked: bool):
    """Two calls both sides logged, answered by two responses six seconds apart; RU logged the
    answer to the first call ten minutes early. Time alone pairs RU's answer to the second call
    with the nearer US answer, which is the one to the first."""
    to = (lambda call: call) if linked else (lambda call: None)
    reply = dict(from_party="RU", to_party="US", kind="response")
    us = records(
        contact(id="q1", sent_at=at(0, hour=19), kind="query"),
        contact(id="q2", sent_at=at(10), kind="request"),
        contact(id="r2", sent_at=at(30, 0), in_reply_to=to("q2"), **reply),
        contact(id="r1", sent_at=at(30, 6), in_reply_to=to("q1"), **reply),
    )
    ru = records(
        contact(id="p1", sent_at=at(0, hour=19), kind="query"),
        contact(id="p2", sent_at=at(10), kind="request"),
        contact(id="s1", sent_at=at(20, 0), in_reply_to=to("p1"), **reply),
        contact(id="s2", sent_at=at(30, 5), in_reply_to=to("p2"), **reply),
    )
    return reconcile([("US", us), ("RU", ru)]).as_dict()


def test_replies_are_matched_by_what_they_answer_before_time_decides():
    data = replies_to_two_calls(linked=True)
    assert data["sources"][1]["clock_offset_seconds"] == 0.0
    assert [m["ids"] for m in data["matched"]] == [
        {"US": "q1", "RU": "p1"},
        {"US": "q2", "RU": "p2"},
        {"US": "r2", "RU": "s2"},
        {"US": "r1", "RU": "s1"},
    ]
    assert data["conflicts"] == [{"type": "time", "ids": {"US": "r1", "RU": "s1"}}]


def test_without_reply_links_time_decides():
    data = replies_to_two_calls(linked=False)
    assert {"US": "r1", "RU": "s2"} in [m["ids"] for m in data["matched"]]
    assert data["conflicts"] == [{"type": "time", "ids": {"US": "r2", "RU": "s1"}}]


def test_an_offset_larger_than_the_tolerance_is_found():
    hours = range(0, 20, 2)
    a = records(*(contact(id=f"a{h}", sent_at=at(0, hour=h)) for h in hours))
    b = records(*(contact(id=f"b{h}", sent_at=at(20, 5, hour=h)) for h in hours))
    result = reconcile([("A", a), ("B", b)], Reconcile(tolerance=timedelta(minutes=2)))
    assert result.offsets[1].seconds == -(20 * 60 + 5)
    assert result.offsets[1].matches == 10
    assert len(result.as_dict()["matched"]) == 10


def test_a_contact_only_the_second_and_third_source_logged_is_matched():
    a = records(contact(id="a1", sent_at=at(0)))
    b = records(contact(id="b1", sent_at=at(0)), contact(id="b2", sent_at=at(0, hour=21)))
    c = records(contact(id="c1", sent_at=at(0)), contact(id="c2", sent_at=at(1, hour=21)))
    data = reconcile([("A", a), ("B", b), ("C", c)]).as_dict()
    assert [m["ids"] for m in data["matched"]] == [
        {"A": "a1", "B": "b1", "C": "c1"},
        {"B": "b2", "C": "c2"},
    ]
    assert data["matched"][1]["time_difference_seconds"] == 60.0
    assert data["only"] == []


def test_an_attempt_is_never_matched_with_an_answer():
    a = records(contact(id="a1", sent_at=at(0), kind="query"))
    b = records(contact(id="b1", sent_at=at(0), kind="acknowledgement"))
    data = reconcile([("A", a), ("B", b)]).as_dict()
    assert data["matched"] == [] and len(data["only"]) == 2


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["A", "A"], "given twice"),
        (["A:1", "B"], "without ':'"),
        (["A"], "at least two"),
        ([" A", "B"], "spaces at the ends"),
    ],
)
def test_bad_source_names_are_usage_errors(names, message):
    with pytest.raises(UsageError, match=message):
        reconcile([(name, US) for name in names])


def test_corroboration_takes_the_firmest_account_and_never_invents_certainty():
    a = records(
        contact(id="a1", sent_at=at(0), certainty="inferred"),
        contact(id="a2", sent_at=at(0, hour=21), certainty="inferred"),
        contact(id="a3", sent_at=at(0, hour=22), certainty="disputed"),
    )
    b = records(
        contact(id="b1", sent_at=at(0), certainty="inferred"),
        contact(id="b2", sent_at=at(0, hour=21)),
        contact(id="b3", sent_at=at(0, hour=22), certainty="inferred"),
    )
    merged = reconcile([("A", a), ("B", b)]).merged.contacts
    assert merged[Col.CERTAINTY].cast(pl.String).to_list() == ["inferred", "reported", "inferred"]
