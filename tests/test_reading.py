"""Reading: JSON Lines and CSV, encodings and line endings, and input that is not a log at all."""

from __future__ import annotations

import pytest

from deconf.errors import InputError
from deconf.loading import validate_logs


def test_bom_crlf_and_blank_lines_keep_physical_line_numbers(tmp_path):
    path = tmp_path / "log.jsonl"
    path.write_bytes(
        b'\xef\xbb\xbf{"id":"a","sent_at":"2018-02-07T22:31:00Z","from_party":"US",'
        b'"to_party":"RU","channel":"radio","kind":"query"}\r\n\r\n   \r\n'
        b'{"id":"b","sent_at":"bad","from_party":"US","to_party":"RU","channel":"radio",'
        b'"kind":"query"}\r\n'
    )
    result = validate_logs([path])
    assert (result.lines, result.accepted) == (2, 1)
    assert result.rejected[0].line == 4


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"\n  \n\n", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        ('{"id": "caf\u00e9"}\n'.encode("latin-1"), "not UTF-8 text"),
    ],
)
def test_input_that_is_not_a_log_is_one_clear_error(tmp_path, content, message):
    path = tmp_path / "log.jsonl"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        validate_logs([path])


def test_a_directory_or_missing_file_is_one_clear_error(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        validate_logs([tmp_path])
    with pytest.raises(InputError, match="no such file"):
        validate_logs([tmp_path / "missing.jsonl"])


def test_an_unknown_extension_asks_for_the_format(tmp_path):
    path = tmp_path / "log.txt"
    path.write_text("{}\n")
    with pytest.raises(InputError, match="pass input_format jsonl"):
        validate_logs([path])


def test_csv_reads_empty_cells_as_absent_and_tags_split_on_semicolons(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(
        "id,sent_at,from_party,to_party,channel,kind,tags,summary\r\n"
        'c1,2018-02-07T22:31:00+02:00,US,RU,radio,query,a; b,"line one\nline two"\r\n'
        "\r\n"
        "c2,2018-02-07T22:35:00+02:00,US,RU,radio,query,,\r\n"
        "c3,2018-02-07T22:36:00+02:00,US,US,radio,query,,\r\n",
        encoding="utf-8",
    )
    result = validate_logs([path])
    assert (result.lines, result.accepted) == (3, 2)
    assert result.records.contacts["tags"].to_list() == [["a", "b"], None]
    assert result.records.contacts["summary"][0] == "line one\nline two"
    assert result.records.contacts["origin_line"].to_list() == [2, 5]
    assert result.rejected[0].line == 6
    assert result.rejected[0].text == "c3,2018-02-07T22:36:00+02:00,US,US,radio,query,,"


def test_a_csv_row_with_the_wrong_number_of_cells_is_rejected(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(
        "id,sent_at,from_party,to_party,channel,kind\n"
        "c1,2018-02-07T22:31:00Z,US,RU,radio,query,surplus\n"
    )
    result = validate_logs([path])
    assert "row has 7 cells but the header has 6" in result.errors[0].message


def test_a_csv_whose_header_names_no_record_field_is_not_a_log(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("name,age\nbob,4\n")
    with pytest.raises(InputError, match="header names no record field"):
        validate_logs([path])


def test_csv_unknown_columns_reject_only_rows_that_fill_them(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(
        "id,sent_at,from_party,to_party,channel,kind,notes\n"
        "c1,2018-02-07T22:31:00Z,US,RU,radio,query,\n"
        "c2,2018-02-07T22:32:00Z,US,RU,radio,query,hello\n"
    )
    result = validate_logs([path])
    assert result.accepted == 1
    assert result.errors[0].field == "notes"
