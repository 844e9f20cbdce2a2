"""Every rejection rule of SPEC §2.3: line, field and plain message, through both paths."""

from __future__ import annotations

import pytest

from deconf.errors import flag_name
from deconf.loading import validate_logs, validate_records
from tests.conftest import contact, event

REJECTIONS = [
    (contact(id=None), "id", "required field is missing"),
    (contact(id=""), "id", "must not be empty"),
    (contact(id="x" * 129), "id", "longer than 128"),
    (contact(id=5), "id", "must be a string"),
    (contact(sent_at=None), "sent_at", "required field is missing"),
    (contact(sent_at="2018-02-07 22:31"), "sent_at", "timestamp has no time zone"),
    (contact(sent_at="07/02/2018 22:31"), "sent_at", "not an RFC 3339 timestamp"),
    (contact(sent_at="2018-02-30T10:00:00Z"), "sent_at", "not a valid date"),
    (contact(sent_at="2018-02-07T22:31:60Z"), "sent_at", "not an RFC 3339 timestamp"),
    (contact(sent_at="2018-02-07T22:31:00+25:00"), "sent_at", "not an RFC 3339 timestamp"),
    (contact(sent_at="0000-01-01T00:00:00Z"), "sent_at", "not a valid date"),
    (contact(sent_at=1518035460), "sent_at", "must be an RFC 3339 timestamp string"),
    (contact(from_party=None), "from_party", "required field is missing"),
    (contact(from_party="   "), "from_party", "must not be empty"),
    (contact(from_party="P" * 65), "from_party", "longer than 64"),
    (contact(to_party="US"), "to_party", "must differ from from_party"),
    (contact(to_party=" US "), "to_party", "must differ from from_party"),
    (contact(channel="telepathy"), "channel", "must be one of"),
    (contact(channel=None), "channel", "required field is missing"),
    (contact(kind="chit-chat"), "kind", "must be one of"),
    (contact(attempt_outcome="maybe"), "attempt_outcome", "must be one of"),
    (contact(precedence="urgent"), "precedence", "must be one of"),
    (contact(certainty="sure"), "certainty", "must be one of"),
    (contact(time_precision="hour"), "time_precision", "must be one of"),
    (contact(expects_response="perhaps"), "expects_response", "must be true or false"),
    (contact(respond_by="2018-02-07T20:00:00Z"), "respond_by", "respond_by precedes sent_at"),
    (contact(summary="s" * 4001), "summary", "longer than 4000"),
    (contact(in_reply_to=""), "in_reply_to", "must not be empty"),
    (contact(recorded_tz="Mars/Olympus"), "recorded_tz", "not a known IANA time zone"),
    (contact(tags="a;b"), "tags", "must be a list of strings"),
    (contact(tags=["ok", ""]), "tags", "must not be empty"),
    (contact(tags=["ok", 3]), "tags", "must be a string"),
    (contact(sent_by="US"), "sent_by", "unknown field"),
    (contact(at="2018-02-07T20:30:00Z"), "at", "unknown field"),
    (contact(type="message"), "type", "type must be contact or event"),
    (event(at=None), "at", "required field is missing"),
    (event(kind="riot"), "kind", "must be one of"),
    (event(from_party="US"), "from_party", "unknown field"),
    (event(at="2018-02-07T20:30:00"), "at", "timestamp has no time zone"),
]


@pytest.mark.parametrize(("record", "field", "message"), REJECTIONS)
def test_a_broken_record_is_rejected_with_its_field_named(write_log, record, field, message):
    path = write_log([contact(id="ok-before"), record, contact(id="ok-after")])
    result = validate_logs([path])
    assert (result.lines, result.accepted, len(result.rejected)) == (3, 2, 1)
    [rejected] = result.rejected
    assert rejected.line == 2
    assert rejected.file == str(path)
    assert field in [p.field for p in rejected.problems]
    assert any(message in p.message for p in rejected.problems if p.field == field)


@pytest.mark.parametrize(("record", "field", "message"), REJECTIONS)
def test_the_python_api_rejects_the_same_records(record, field, message):
    result = validate_records([record])
    assert result.accepted == 0
    assert field in [p.field for p in result.rejected[0].problems]


def test_the_error_line_reads_file_line_field_message_value(write_log):
    path = write_log([contact(), contact(id="c2", sent_at="2018-02-07 22:31")])
    [issue] = validate_logs([path]).errors
    assert str(issue) == (
        f"{path}:2: sent_at: timestamp has no time zone; add an offset or pass assume_tz "
        '("2018-02-07 22:31")'
    )
    assert issue.text(flag_name) == (
        f"{path}:2: sent_at: timestamp has no time zone; add an offset or pass --assume-tz "
        '("2018-02-07 22:31")'
    )


def test_the_offending_value_is_cut_to_about_80_characters(write_log):
    path = write_log([contact(channel="x" * 500)])
    [issue] = validate_logs([path]).errors
    assert len(issue.value) <= 80


def test_a_line_that_is_not_json_or_not_an_object_is_one_rejected_line(write_log):
    path = write_log([contact(), "{not json", "[1, 2]", '"text"', "42", contact(id="c2")])
    result = validate_logs([path])
    assert [r.line for r in result.rejected] == [2, 3, 4, 5]
    assert result.accepted == 2
    assert "not valid JSON" in result.rejected[0].problems[0].message
    assert "must be a JSON object" in result.rejected[1].problems[0].message


def test_assume_tz_places_naive_times_in_the_given_zone(write_log):
    path = write_log([contact(sent_at="2018-02-07 22:31")])
    result = validate_logs([path], assume_tz="Asia/Damascus")
    assert result.accepted == 1
    sent = result.records.contacts["sent_at"][0]
    assert sent.isoformat() == "2018-02-07T20:31:00+00:00"


def test_assume_tz_rejects_a_local_time_that_never_existed(write_log):
    path = write_log([contact(sent_at="2018-03-25T02:30:00")])
    result = validate_logs([path], assume_tz="Europe/Berlin")
    assert "does not exist in Europe/Berlin" in result.errors[0].message


def test_keep_extra_keeps_unknown_fields_as_given(write_log):
    path = write_log([contact(sent_by="watch officer", priority_note=3)])
    result = validate_logs([path], keep_extra=True)
    assert result.accepted == 1
    assert result.records.contacts["extra"][0] == '{"priority_note": 3, "sent_by": "watch officer"}'


def test_json_null_means_absent(write_log):
    path = write_log([contact(summary=None) | {"summary": None, "thread": None}])
    assert validate_logs([path]).accepted == 1


def test_defaults_are_filled_in(write_log):
    frame = validate_logs([write_log([contact()])]).records.contacts
    row = frame.row(0, named=True)
    assert (row["attempt_outcome"], row["precedence"], row["certainty"], row["time_precision"]) == (
        "delivered",
        "routine",
        "reported",
        "second",
    )
    assert row["expects_response"] is None


def test_microseconds_are_kept(write_log):
    frame = validate_logs([write_log([contact(sent_at="2018-02-07T22:31:00.123456+02:00")])])
    assert frame.records.contacts["sent_at"][0].microsecond == 123456
