"""Malformed input is a located rejection, never a traceback: deep nesting, huge integers, lone
surrogates (fast path and slow path), millions of unknown keys, CSV line ends and huge cells."""

from __future__ import annotations

import json

import pytest

import deconf
from deconf.loading import validate_logs
from deconf.reading import CSV_CELL_MAX, JSON_DEPTH_MAX
from deconf.validation import PROBLEMS_MAX
from tests.conftest import contact

HEADER = "id,sent_at,from_party,to_party,channel,kind,summary"


def _line(record: dict, **raw: str) -> str:
    """A record as a JSON line with some values given as raw JSON text."""
    text = json.dumps(record)[:-1]
    return text + "".join(f', "{k}": {v}' for k, v in raw.items()) + "}"


def _only_problem(result):
    [rejected] = result.rejected
    return rejected, rejected.problems


@pytest.mark.parametrize("depth", [JSON_DEPTH_MAX + 1, 5_000, 200_000])
def test_deep_nesting_is_a_located_rejection(write_log, depth):
    path = write_log([contact(id="ok"), _line(contact(), summary="[" * depth + "]" * depth)])
    result = validate_logs([path])
    rejected, problems = _only_problem(result)
    assert rejected.line == 2
    assert "nested more than 64 levels" in problems[0].message
    assert result.accepted == 1


def test_an_integer_of_thousands_of_digits_is_a_located_rejection(write_log):
    path = write_log([contact(id="ok"), '{"id": ' + "9" * 5_000 + "}"])
    result = validate_logs([path])
    rejected, problems = _only_problem(result)
    assert (rejected.line, problems[0].field) == (2, "record")
    assert "a number of 5000 digits" in problems[0].message


@pytest.mark.parametrize("escape", ["\\ud800", "\\udc00", "\\uDBFF x"])
@pytest.mark.parametrize("slow", [False, True])
def test_a_lone_surrogate_is_rejected_on_both_paths(write_log, escape, slow):
    # slow=True adds an unknown key, so the line goes to the model whatever the summary says
    extra = {"zz": "1"} if slow else {}
    path = write_log([_line(contact(), summary=f'"x{escape}y"', **extra)])
    result = validate_logs([path])
    _, problems = _only_problem(result)
    assert any(p.field == "summary" and "lone surrogate" in p.message for p in problems)
    assert not result.records.contacts.height


def test_a_surrogate_pair_is_a_character_and_accepted(write_log):
    path = write_log([_line(contact(), summary='"smile \\ud83d\\ude00"')])
    result = validate_logs([path])
    assert result.records.contacts["summary"].to_list() == ["smile \U0001f600"]


def test_a_lone_surrogate_given_to_the_api_is_rejected_and_printable():
    result = deconf.validate_records([contact(summary="x\udc00"), {"id": 10**5000}])
    assert result.accepted == 0
    for issue in result.errors:
        str(issue).encode("utf-8")  # nothing unprintable in a message


def test_millions_of_unknown_keys_give_a_bounded_report(write_log):
    keys = ", ".join(f'"k{i}": 1' for i in range(1_000_000))
    path = write_log([json.dumps(contact())[:-1] + ", " + keys + "}"])
    result = validate_logs([path])
    _, problems = _only_problem(result)
    assert len(problems) == PROBLEMS_MAX + 1
    assert problems[-1].message == f"and {1_000_000 - PROBLEMS_MAX} more problems on this line"


def test_csv_line_numbers_follow_the_csv_reader_across_a_lone_cr(tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(
        (
            f"{HEADER}\r\n"
            'a,2018-02-07T22:31:00Z,US,RU,radio,query,"one\rtwo"\r\n'
            "b,bad,US,RU,radio,query,z\r\n"
        ).encode()
    )
    result = validate_logs([path])
    assert result.records.contacts["summary"].to_list() == ["one\rtwo"]
    rejected, problems = _only_problem(result)
    # the reader counts the CR inside the quoted cell as a line end: header 1, a 2-3, b 4
    assert rejected.line == 4
    assert rejected.text == "b,bad,US,RU,radio,query,z"
    assert problems[0].field == "sent_at"


def test_a_rejected_multiline_csv_row_keeps_its_text(tmp_path):
    path = tmp_path / "log.csv"
    row = 'a,2018-02-07T22:31:00Z,US,US,radio,query,"one\rtwo\nthree"'
    path.write_text(f"{HEADER}\n{row}\n", newline="")
    result = validate_logs([path])
    rejected, _ = _only_problem(result)
    assert (rejected.line, rejected.text) == (2, row)


def test_an_oversized_csv_cell_rejects_its_row_not_the_file(tmp_path):
    path = tmp_path / "log.csv"
    huge = "x" * (CSV_CELL_MAX + 1)
    path.write_text(
        f"{HEADER}\n"
        f'a,2018-02-07T22:31:00Z,US,RU,radio,query,"{huge}\nstill the cell"\n'
        "b,2018-02-07T22:32:00Z,US,RU,radio,query,fine\n"
    )
    result = validate_logs([path])
    rejected, problems = _only_problem(result)
    assert (rejected.line, problems[0].field) == (2, "summary")
    assert f"the longest a cell may be is {CSV_CELL_MAX}" in problems[0].message
    assert result.records.contacts["id"].to_list() == ["b"]


IMPORT_MAP = """
[source]
format = "{fmt}"
[fields]
id = "i"
sent_at = "t"
from_party = "f"
to_party = {{ value = "RU" }}
channel = {{ value = "radio" }}
kind = {{ value = "query" }}
summary = "s"
"""


def test_imported_rows_with_hostile_json_are_located_rejections(tmp_path):
    from deconf.errors import InputError
    from deconf.importing import validate_files_or_import

    good = '{"i": "a", "t": "2018-02-07T22:31:00Z", "f": "US", "s": "fine"}'
    lines = [
        good,
        '{"i": "b", "t": "2018-02-07T22:31:00Z", "f": "US", "s": ' + "9" * 5000 + "}",
        '{"i": "c", "s": ' + "[" * 5000 + "]" * 5000 + "}",
        '{"i": "d", "t": "2018-02-07T22:31:00Z", "f": "US", "s": "\\udc00"}',
    ]
    log = tmp_path / "export.jsonl"
    log.write_text("\n".join(lines) + "\n")
    mapping = tmp_path / "map.toml"
    mapping.write_text(IMPORT_MAP.format(fmt="jsonl"))
    [result] = validate_files_or_import([log], map_path=mapping)
    assert result.records.contacts["id"].to_list() == ["a"]
    assert sorted({r.line for r in result.rejected}) == [2, 3, 4]
    whole = tmp_path / "export.json"
    whole.write_text('[{"i": ' + "9" * 5000 + "}]")
    mapping.write_text(IMPORT_MAP.format(fmt="json"))
    with pytest.raises(InputError, match="thousands of digits"):
        validate_files_or_import([whole], map_path=mapping)
