"""Fuzzing `deconf validate`: malformed bytes, JSON and CSV never escape as an exception; the
exit is 0, 1 or 2; accepted + rejected = non-blank lines; every rejection names a line that
exists. Examples per run follow the hypothesis profile (tests/conftest.py)."""

from __future__ import annotations

import csv
import io
import json
import string
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from deconf.cli import app
from deconf.model import ALL_FIELDS
from tests.conftest import contact

runner = CliRunner()

#: How far into a file deconf looks for a NUL to call it binary (documented in reading).
BINARY_PROBE = 8192
# Unicode White_Space: what a blank line may hold (the oracle's own list, not the reader's).
WHITE_SPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
field_values = st.one_of(
    st.sampled_from(["US", "RU", "radio", "query", "2018-02-07T22:31:00Z", "", " US ", "event"]),
    json_values,
)


@st.composite
def records(draw) -> str:
    """A record: valid, with fields changed to anything, or unknown keys added."""
    record = contact(id=draw(st.text(min_size=0, max_size=12)))
    for name in draw(st.lists(st.sampled_from(ALL_FIELDS), max_size=4)):
        record[name] = draw(field_values)
    for name in draw(st.lists(st.text(max_size=6), max_size=3)):
        record[name] = draw(json_scalars)
    return json.dumps(record, ensure_ascii=draw(st.booleans()))


hostile_fragments = st.sampled_from(
    [
        "[" * 3000 + "]" * 3000,
        "9" * 5000,
        '"\\ud800"',
        '"\\udc00x"',
        '"\\ud83d\\ude00"',
        "\x1b]0;t\x07",
        '"\\u0000"',
        "NaN",
        "1e999999",
        "{",
        '"',
        "\r",
        "\x1c",
    ]
)


@st.composite
def mangled(draw) -> str:
    """A record with a hostile fragment spliced in, or cut short."""
    text = draw(records())
    where = draw(st.integers(0, len(text)))
    if draw(st.booleans()):
        return text[:where]
    return text[:where] + draw(hostile_fragments) + text[where:]


jsonl_lines = st.one_of(
    records(),
    mangled(),
    st.text(max_size=40),
    st.sampled_from(["", "   ", "\t", "{}", "[]", "null", "1", '"text"']),
    json_values.map(json.dumps),
)


@st.composite
def jsonl_files(draw) -> bytes:
    lines = draw(st.lists(jsonl_lines, min_size=1, max_size=12))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    data = ending.join(lines).encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 9)) == 0:  # now and then, bytes that are no text at all
        where = draw(st.integers(0, len(data)))
        data = data[:where] + draw(st.binary(max_size=8)) + data[where:]
    return data


csv_cells = st.one_of(
    st.sampled_from(["c1", "2018-02-07T22:31:00Z", "US", "RU", "radio", "query", "", "=1+1"]),
    st.text(alphabet=string.printable + "\u00e9\u05e9", max_size=15),
    st.sampled_from(['"quoted, cell"', '"open', 'a"b', '"x\ry"', '"multi\nline"', "\x1c"]),
)


@st.composite
def csv_files(draw) -> bytes:
    header = draw(
        st.lists(
            st.sampled_from([*ALL_FIELDS[:8], "bogus"]), min_size=1, max_size=8, unique=True
        )
    )
    rows = draw(st.lists(st.lists(csv_cells, max_size=len(header) + 1), max_size=8))
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = ",".join(header) + ending + ending.join(",".join(r) for r in rows) + ending
    return text.encode("utf-8")


def _blank(line: str) -> bool:
    return not line.strip(WHITE_SPACE)


def _expected_jsonl(data: bytes) -> tuple[int, int] | None:
    """(non-blank lines, physical lines), or None when the input is no text log (not UTF-8,
    blank, or binary: a NUL in its first BINARY_PROBE bytes; a NUL later is a bad line)."""
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None
    if b"\x00" in data[:BINARY_PROBE] or _blank(text):
        return None
    lines = text.split("\n")
    return sum(not _blank(line) for line in lines), len(lines)


def _expected_csv(data: bytes) -> tuple[int, int] | None:
    """(non-blank rows, physical lines as the csv module counts them), or None."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    physical = io.StringIO(text, newline="").readlines()
    limit = csv.field_size_limit(1 << 30)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return None
    finally:
        csv.field_size_limit(limit)
    if not rows or not {h.strip() for h in rows[0]} & set(ALL_FIELDS):
        return None
    return sum(any(c.strip() for c in row) for row in rows[1:]), len(physical)


def _check(path: Path, expected: tuple[int, int] | None) -> None:
    result = runner.invoke(app, ["validate", str(path), "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception
    )
    assert result.exit_code in (0, 1, 2)
    if result.exit_code == 2:
        assert result.stderr.startswith("deconf: ") and result.stderr.count("\n") == 1
        return
    summary = json.loads(result.stdout)
    assert summary["accepted"] + summary["rejected"] == summary["lines"]
    assert (summary["rejected"] > 0) == (result.exit_code == 1)
    assert expected is not None, "the input was taken for a log"
    lines, physical = expected
    assert summary["lines"] == lines
    for error in summary["errors"]:
        assert 1 <= error["line"] <= physical


FUZZ = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@FUZZ
@given(data=jsonl_files())
def test_fuzzed_jsonl_never_breaks_validate(tmp_path, data):
    path = tmp_path / "fuzz.jsonl"
    path.write_bytes(data)
    _check(path, _expected_jsonl(data))


@FUZZ
@given(data=csv_files())
def test_fuzzed_csv_never_breaks_validate(tmp_path, data):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    _check(path, _expected_csv(data))


@FUZZ
@given(data=st.binary(max_size=200))
def test_fuzzed_bytes_never_break_validate(tmp_path, data):
    path = tmp_path / "fuzz.jsonl"
    path.write_bytes(data)
    _check(path, _expected_jsonl(data))
