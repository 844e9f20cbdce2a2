"""Cross-record checks: duplicate ids, identical duplicates, dangling replies, clock skew."""

from __future__ import annotations

from deconf.loading import validate_logs
from tests.conftest import contact, event


def test_a_duplicate_id_rejects_the_later_record_and_names_the_first_line(write_log):
    path = write_log([contact(), contact(id="c2"), contact(summary="different")])
    result = validate_logs([path])
    [rejected] = result.rejected
    assert rejected.line == 3
    assert rejected.problems[0].message == f"duplicate id; first used at {path}:1"
    assert result.records.contacts["id"].to_list() == ["c1", "c2"]


def test_duplicates_are_found_across_files_and_record_types(write_log):
    first = write_log([contact()], "a.jsonl")
    second = write_log([event(id="c1")], "b.jsonl")
    result = validate_logs([first, second])
    assert result.rejected[0].file == str(second)
    assert f"{first}:1" in result.rejected[0].problems[0].message


def test_an_identical_duplicate_is_kept_once_with_a_warning(write_log):
    path = write_log([contact(), contact()])
    result = validate_logs([path])
    assert (result.accepted, len(result.rejected), result.identical_duplicates) == (2, 0, 1)
    assert len(result.records) == 1
    assert "identical duplicate" in result.warnings[0].message


def test_a_dangling_reply_is_a_warning_not_a_rejection(write_log):
    path = write_log(
        [contact(id="r1", from_party="RU", to_party="US", kind="response", in_reply_to="nowhere")]
    )
    result = validate_logs([path])
    assert result.accepted == 1
    assert result.warnings[0].field == "in_reply_to"
    assert "dangling" in result.warnings[0].message


def test_a_reply_timed_before_its_parent_is_kept_and_flagged(write_log):
    path = write_log(
        [
            contact(),
            contact(
                id="r1",
                from_party="RU",
                to_party="US",
                kind="response",
                in_reply_to="c1",
                sent_at="2018-02-07T22:00:00+02:00",
            ),
        ]
    )
    result = validate_logs([path])
    assert result.accepted == 2
    assert "clock skew" in result.warnings[0].message
