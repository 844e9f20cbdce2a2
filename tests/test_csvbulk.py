"""CSV in bulk: what Polars reads is what the csv module reads, or the file is read carefully.

The bulk route (deconf.csvbulk, Polars' reader) and the careful route (the csv module, row by
row) must give the same verdicts: records, rejected lines with their text and problems, and
warnings. These tests hold them to it on hostile and on random logs, and check that the bulk
route is the one taken for the ordinary shapes of a log (quoted cells, cells over several lines,
CRLF, blank and short rows), so that the comparison is not between the careful route and itself.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deconf import csvbulk, reading
from deconf.errors import InputError
from deconf.loading import validate_blocks, validate_logs
from deconf.reading import csvlog
from deconf.runningcheck import RunningCheck

HEADER = "id,sent_at,from_party,to_party,channel,kind,tags,summary"
GOOD = "c1,2018-02-07T20:31:00Z,US,RU,deconfliction_line,query,a;b,hello"


def _verdicts(path: Path, monkeypatch: pytest.MonkeyPatch, *, bulk: bool):
    with monkeypatch.context() as patch:
        if not bulk:
            patch.setattr(csvlog, "read_rows", lambda data, first_line=1: None)
        result = validate_logs(path)
    return (
        result.records.contacts.drop("origin_file").rows(),
        result.records.events.drop("origin_file").rows(),
        [
            (r.line, r.text, [(p.field, p.message, p.value) for p in r.problems])
            for r in result.rejected
        ],
        [str(w) for w in result.warnings],
    )


def _same_verdicts(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        careful = _verdicts(path, monkeypatch, bulk=False)
    except InputError as error:
        with pytest.raises(InputError) as raised:
            _verdicts(path, monkeypatch, bulk=True)
        assert str(raised.value) == str(error)
        return
    assert _verdicts(path, monkeypatch, bulk=True) == careful


ORDINARY = [
    (
        "quoted cells",
        HEADER + "\n" + GOOD + '\nc2,2018-02-07T20:32:00Z,US,RU,radio,query,,"a, ""b"""\n',
    ),
    (
        "a cell over lines",
        HEADER + "\n" + 'c2,2018-02-07T20:32:00Z,US,RU,radio,query,,"two\nlines"\n' + GOOD,
    ),
    (
        "CRLF",
        (
            HEADER + "\n" + GOOD + "\n" + 'c2,2018-02-07T20:32:00Z,US,RU,radio,query,,"x\ny"\n'
        ).replace("\n", "\r\n"),
    ),
    ("blank rows", HEADER + "\n\n" + GOOD + "\n  \n,,,\n" + GOOD.replace("c1", "c2") + "\n\n"),
    ("a short row", HEADER + "\n" + GOOD + "\nc2,2018\n"),
    ("an unknown column", HEADER + ",note\n" + GOOD + ",\n" + GOOD.replace("c1", "c2") + ",hi\n"),
    ("unicode blanks", HEADER + "\n" + GOOD.replace("hello", "\x1c\u3000") + "\n\x85,\x1f,\n"),
    ("a header only", HEADER + "\n"),
]


@pytest.mark.parametrize(("name", "text"), ORDINARY, ids=[n for n, _ in ORDINARY])
def test_ordinary_logs_are_read_in_bulk_with_the_careful_verdicts(
    tmp_path, monkeypatch, name, text
):
    path = tmp_path / "log.csv"
    path.write_bytes(text.encode())
    assert csvbulk.read_rows(reading.read_bytes(path)) is not None  # the bulk route reads it
    _same_verdicts(path, monkeypatch)


HOSTILE = [
    ("a stray quote", HEADER + "\n" + GOOD + '\nc2,2018-02-07T20:32:00Z,US,RU,radio,query,,a"b\n'),
    (
        "text after a closing quote",
        HEADER + "\n" + 'c2,2018-02-07T20:32:00Z,US,RU,radio,query,,"a"b\n',
    ),
    (
        "a quote never closed",
        HEADER + "\n" + GOOD + '\nc2,2018-02-07T20:32:00Z,US,RU,radio,query,,"ab\n',
    ),
    ("a lone CR", HEADER + "\r" + GOOD + "\r"),
    (
        "a lone CR in a quoted cell",
        HEADER + "\n" + GOOD + '\nc2,2018-02-07T20:32:00Z,US,RU,radio,query,,"a\rb"\n',
    ),
    ("a wide row", HEADER + "\n" + GOOD + ",,x\n" + GOOD.replace("c1", "c2") + "\n"),
    ("a wide blank row", HEADER + "\n" + GOOD + "\n,,,,,,,,,,,\n"),
    ("a NUL", HEADER + "\n" + GOOD + "\n" + "x" * 9000 + "\nc2\x00,\n"),
    (
        "a quoted header",
        '"id","sent_at",from_party,to_party,channel,kind\n' + GOOD.rsplit(",", 2)[0] + "\n",
    ),
    ("a header over lines", '"id\n",sent_at\nc1,2018\n'),
    ("a header naming nothing", "a,b\n1,2\n"),
    ("an empty header line", "\n" + HEADER + "\n" + GOOD + "\n"),
    ("a long cell", HEADER + "\n" + GOOD.replace("hello", "é" * (reading.CSV_CELL_MAX + 1)) + "\n"),
    (
        "a long cell in bytes only",
        HEADER + "\n" + GOOD.replace("hello", "é" * (reading.CSV_CELL_MAX - 5)) + "\n",
    ),
    ("repeated columns", HEADER + ",id\n" + GOOD + ",c9\n"),
]


@pytest.mark.parametrize(("name", "text"), HOSTILE, ids=[n for n, _ in HOSTILE])
def test_hostile_logs_get_the_careful_verdicts(tmp_path, monkeypatch, name, text):
    path = tmp_path / "log.csv"
    path.write_bytes(text.encode())
    _same_verdicts(path, monkeypatch)


def test_a_row_over_lines_is_quoted_whole_with_its_line_ends(tmp_path):
    rows = [
        GOOD,
        'c2,2018-02-07T20:32:00Z,US,RU,radio,nonsense,,"one\r\ntwo"',
        GOOD.replace("c1", "c3"),
    ]
    path = tmp_path / "log.csv"
    path.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode())
    assert csvbulk.read_rows(reading.read_bytes(path)) is not None
    result = validate_logs(path)
    assert [(r.line, r.text) for r in result.rejected] == [(3, rows[1])]
    assert result.records.contacts["origin_line"].to_list() == [2, 5]


def test_bad_utf8_names_its_line_on_the_bulk_route(tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes((HEADER + "\n" + GOOD + "\n").encode() + b"c2,caf\xe9\n")
    with pytest.raises(InputError, match=r"log.csv:3: not UTF-8 text"):
        validate_logs(path)


@pytest.mark.parametrize("block_bytes", [10, 1 << 20])
def test_bad_utf8_names_its_line_in_blocks(tmp_path, monkeypatch, block_bytes):
    monkeypatch.setattr(csvlog, "CSV_BLOCK_BYTES", block_bytes)
    for number, rows in [
        (1, [HEADER.encode() + b"\xe9", GOOD.encode()]),
        (202, [HEADER.encode(), *[GOOD.encode()] * 200, b"c2,caf\xe9"]),
    ]:
        path = tmp_path / "log.csv"
        path.write_bytes(b"\n".join(rows) + b"\n")
        with pytest.raises(InputError, match=rf"log.csv:{number}: not UTF-8 text"):
            list(validate_blocks(path))


def test_python_whitespace_is_what_blank_means():
    assert set(csvlog.PY_WHITESPACE) == {chr(c) for c in range(0x110000) if chr(c).isspace()}


# ---------------------------------------------------------------- random logs

_BLANKS = [" ", "\t", "\x1c", "\x1f", "\x85", "\xa0", "\u2028", "\u3000", "\x0b"]
_TEXT = st.lists(
    st.sampled_from([*_BLANKS, ",", '"', "\n", "\r\n", "\r", ";", "a", "é", "Z", "1"]), max_size=6
).map("".join)
_VALUES = {
    "id": st.sampled_from(["c1", "c2", "c3", " c1", ""]),
    "sent_at": st.sampled_from(["2018-02-07T20:31:00Z", "2018-02-07T21:00:00Z", "soon", ""]),
    "from_party": st.sampled_from(["US", "RU", " US", "US\x1c", "\x85", ""]),
    "to_party": st.sampled_from(["RU", "US", "TR"]),
    "channel": st.sampled_from(["deconfliction_line", "radio", "pigeon"]),
    "kind": st.sampled_from(["query", "response", "note"]),
    "in_reply_to": st.sampled_from(["", "c1", "c2"]),
    "tags": _TEXT,
    "summary": _TEXT,
    "note": _TEXT,  # names no field
}


def _cell(value: str, style: str) -> str:
    special = any(c in value for c in ',"\r\n')
    if style == "quoted" or (special and style == "plain"):
        return '"' + value.replace('"', '""') + '"'
    return value  # "raw": as it is, special or not (a hostile writer)


@st.composite
def _logs(draw) -> bytes:
    columns = draw(st.lists(st.sampled_from(sorted(_VALUES)), min_size=1, max_size=8, unique=True))
    if "id" not in columns:
        columns.insert(0, "id")
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        shape = draw(st.sampled_from(["row"] * 6 + ["blank", "short", "wide", "raw"]))
        if shape == "blank":
            rows.append(draw(st.sampled_from(["", "  ", ",,", '""', "\u3000"])))
            continue
        style = "raw" if shape == "raw" else draw(st.sampled_from(["plain", "plain", "quoted"]))
        cells = [_cell(draw(_VALUES[c]), style) for c in columns]
        if shape == "short":
            cells = cells[: draw(st.integers(1, len(cells)))]
        elif shape == "wide":
            cells.append(draw(st.sampled_from(["", "x", " "])))
        rows.append(",".join(cells))
    bom = draw(st.sampled_from(["", "\ufeff"]))
    last = draw(st.sampled_from([ending, ""]))
    return (bom + ending.join([",".join(columns), *rows]) + last).encode()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_logs())
def test_random_logs_get_the_same_verdicts_on_both_routes(data):
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        path = Path(folder) / "log.csv"
        path.write_bytes(data)
        _same_verdicts(path, patch)


def _streamed(path: Path):
    running = RunningCheck()
    kept = [running.add(block) for block in validate_blocks(path)]
    result = running.finish()
    contacts = sorted(
        (row for r in kept for row in r.contacts.drop("origin_file").rows()), key=repr
    )
    return result, contacts


def _summary(result):
    return (
        result.lines,
        [
            (r.line, r.text, [(p.field, p.message, p.value) for p in r.problems])
            for r in result.rejected
        ],
        [str(w) for w in result.warnings],
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_logs(), st.integers(1, 80))
def test_random_logs_streamed_in_blocks_get_the_careful_verdicts(data, block_bytes):
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        path = Path(folder) / "log.csv"
        path.write_bytes(data)
        with patch.context() as careful:
            careful.setattr(csvlog, "read_rows", lambda data, first_line=1: None)
            try:
                whole = validate_logs(path)
            except InputError as error:
                with pytest.raises(InputError) as raised:
                    _streamed(path)
                assert str(raised.value) == str(error)
                return
        patch.setattr(csvlog, "CSV_BLOCK_BYTES", block_bytes)
        patch.setattr(csvlog, "BINARY_PROBE", 1)  # (else the first block is 8 KiB at least)
        streamed, contacts = _streamed(path)
        assert _summary(streamed) == _summary(whole)
        assert contacts == sorted(whole.records.contacts.drop("origin_file").rows(), key=repr)


def test_a_log_in_blocks_is_read_in_bulk_until_a_block_is_not(tmp_path, monkeypatch):
    monkeypatch.setattr(csvlog, "CSV_BLOCK_BYTES", 1000)  # (the first block: 8 KiB at least)
    rows = [GOOD.replace("c1", f"c{i}") for i in range(300)]
    rows[150] = rows[150].replace("hello", '"two\nlines"')  # a cell over lines: still in bulk
    rows[250] = rows[250].replace("hello", 'a"b')  # a stray quote: from its block on, carefully
    path = tmp_path / "log.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    blocks = list(reading.read_log_blocks(path))
    bulk = [b.line_texts is not None for b in blocks]
    assert len(blocks) > 3 and all(bulk[:-1]) and not bulk[-1]
    lines = [*range(2, 153), *range(154, 303)]  # row 151 (line 152) spans two lines
    assert [n for b in blocks for n in b.frame[reading.LINE]] == lines
    result, _ = _streamed(path)
    assert result.lines == 300 and not result.rejected


def test_a_quote_never_closed_sends_the_rest_to_the_csv_module(tmp_path, monkeypatch):
    rows = [GOOD.replace("c1", f"c{i}") for i in range(40)]
    rows[3] = rows[3].replace("hello", '"never closed')
    path = tmp_path / "log.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    contacts, events, rejected, warnings = _verdicts(path, monkeypatch, bulk=False)
    assert len(contacts) + len(rejected) == 4  # the row with the quote swallows the rest
    monkeypatch.setattr(csvlog, "CSV_BLOCK_BYTES", 64)
    monkeypatch.setattr(csvlog, "BINARY_PROBE", 1)
    blocks = list(reading.read_log_blocks(path))
    assert sum(b.size for b in blocks) == path.stat().st_size  # every byte counted, once
    streamed, _ = _streamed(path)
    lines = len(contacts) + len(events) + len(rejected)
    assert _summary(streamed) == (lines, rejected, warnings)
