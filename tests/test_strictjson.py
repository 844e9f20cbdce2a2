"""The strict decoding pass: what it takes is what the careful path and the model would take.

JSON Lines are decoded block by block by pyarrow with an explicit schema; a block it refuses (or
one with a line that is not an object) goes to the careful line-by-line path. These tests hold
the two routes to the same verdicts on hostile lines, check that a refused block costs only
itself, and that nothing reaches the strict reader that can crash it.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deconf import reading
from deconf.errors import InputError
from deconf.loading import validate_blocks, validate_logs
from deconf.reading import jsonl
from deconf.runningcheck import RunningCheck

GOOD = {
    "id": "c1",
    "sent_at": "2018-02-07T20:31:00Z",
    "from_party": "US",
    "to_party": "RU",
    "channel": "deconfliction_line",
    "kind": "query",
}

HOSTILE = [
    "null",
    " null",
    "[]",
    '"text"',
    "{}",
    '{"id": 5}',
    '{"id": "a", "id": "b"}',
    '{"tags": [null]}',
    '{"tags": ["a", null]}',
    '{"tags": [[]]}',
    '{"tags": {}}',
    '{"id": {}}',
    '{"expects_response": "true"}',
    '{"expects_response": 1}',
    '{"unknown": 1}',
    '{"unknown": null}',
    '{"id": "\\ud800"}',
    '{"id": "\\u0000"}',
    '{"id": "a"} {"id": "b"}',
    '{"id": "a"} null',
    '{"id": 1.5e400}',
    "{",
    "   ",
    "",
    '{"id": ' + "[" * 1500,  # nested deeper than Python's json can decode, cut short
    '{"id": ' + "[" * 1500 + "]" * 1500 + "}",
]


def _line(extra: dict | None = None, **fields) -> str:
    return json.dumps({**GOOD, **fields, **(extra or {})})


def _verdicts(path, monkeypatch, strict: bool):
    with monkeypatch.context() as patch:
        if not strict:
            patch.setattr(jsonl, "decode_strictly", lambda data, lines: None)
        result = validate_logs(path)
    return (
        result.records.contacts.drop("origin_file").rows(),
        result.records.events.drop("origin_file").rows(),
        [(r.line, r.text, [(p.field, p.message) for p in r.problems]) for r in result.rejected],
        [str(w) for w in result.warnings],
    )


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_hostile_line_gets_the_same_verdict_on_both_routes(tmp_path, monkeypatch, hostile):
    # the hostile line merged into a good record where it is an object, else on its own
    try:
        merged = json.loads(hostile) if hostile.strip() else None
    except (ValueError, RecursionError):
        merged = None
    lines = [_line(id="first"), hostile, _line(id="last", in_reply_to="first")]
    if isinstance(merged, dict):
        lines.append(_line(merged, id="merged"))
    path = tmp_path / "log.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _verdicts(path, monkeypatch, strict=True) == _verdicts(path, monkeypatch, strict=False)


def test_a_bare_null_first_line_is_rejected_not_a_crash(tmp_path):
    path = tmp_path / "log.jsonl"
    path.write_text("null\n" + _line() + "\n", encoding="utf-8")
    result = validate_logs(path)
    assert result.accepted == 1
    assert [(r.line, r.problems[0].message) for r in result.rejected] == [
        (1, "a record must be a JSON object")
    ]


def test_a_refused_block_costs_only_itself(tmp_path, monkeypatch):
    monkeypatch.setattr(jsonl, "JSONL_BLOCK_BYTES", 4 * len(_line(id="c10")))
    careful_calls = []
    careful = jsonl._read_jsonl_carefully

    def counting(data, first_line, source):
        careful_calls.append(first_line)
        return careful(data, first_line, source)

    monkeypatch.setattr(jsonl, "_read_jsonl_carefully", counting)
    lines = [_line(id=f"c{i}") for i in range(12)]
    lines[6] = '{"id": 6}'  # in the second block (lines 5-8)
    path = tmp_path / "log.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = validate_logs(path)
    assert len(careful_calls) == 1 and 2 < careful_calls[0] <= 7  # the bad line's block alone
    assert [r.line for r in result.rejected] == [7]
    assert result.records.contacts["origin_line"].to_list() == [1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12]


def test_bad_utf8_in_a_later_block_names_its_line(tmp_path, monkeypatch):
    monkeypatch.setattr(jsonl, "JSONL_BLOCK_BYTES", 2 * len(_line(id="c1")))
    lines = [_line(id=f"c{i}").encode() for i in range(5)]
    lines[3] = b'{"id": "caf\xe9"}'
    path = tmp_path / "log.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    with pytest.raises(InputError, match=r"log.jsonl:4: not UTF-8 text"):
        validate_logs(path)


def test_line_numbers_and_texts_survive_blocks_and_crlf(tmp_path, monkeypatch):
    monkeypatch.setattr(jsonl, "JSONL_BLOCK_BYTES", 3 * len(_line(id="c1")))
    lines = [_line(id=f"c{i}") for i in range(7)]
    lines[5] = _line(id="c1")  # a conflicting duplicate, quoted from a strict block
    lines[5] = lines[5].replace('"deconfliction_line"', '"radio"')
    path = tmp_path / "log.jsonl"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    result = validate_logs(path)
    assert [(r.line, r.text) for r in result.rejected] == [(6, lines[5])]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(HOSTILE),
            st.builds(lambda i: _line(id=f"c{i}"), st.integers(0, 5)),
            st.builds(
                lambda i, s: _line(id=f"s{i}", summary=s), st.integers(0, 5), st.text(max_size=8)
            ),
        ),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from(["\n", "\r\n"]),
    st.integers(1, 4),
)
def test_any_mix_of_lines_gets_the_same_verdicts_on_both_routes(lines, ending, block_lines):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        patch.setattr(jsonl, "JSONL_BLOCK_BYTES", block_lines * 40)
        path = Path(folder) / "log.jsonl"
        path.write_text(ending.join(lines) + ending, encoding="utf-8")
        try:
            strict = _verdicts(path, patch, strict=True)
        except InputError as error:
            with pytest.raises(InputError, match=str(error).split(":")[0]):
                _verdicts(path, patch, strict=False)
            return
        assert strict == _verdicts(path, patch, strict=False)


def test_a_field_the_sample_missed_is_read_with_the_whole_schema(monkeypatch):
    from deconf import strictjson

    lines = [_line(id=f"c{i}") for i in range(50)]
    lines[37] = _line(id="c37", thread="t1", tags=["x"], expects_response=True)
    data = ("\n".join(lines) + "\n").encode()
    monkeypatch.setattr(strictjson, "_SAMPLES", 1)  # the first line only: no thread, no tags
    assert strictjson._fields_named(memoryview(data)) == tuple(
        f for f in strictjson.ALL_FIELDS if f in GOOD
    )
    narrowed = strictjson.decode_strictly(data, len(lines))
    monkeypatch.setattr(strictjson, "_fields_named", lambda data: None)
    whole = strictjson.decode_strictly(data, len(lines))
    assert narrowed is not None and narrowed.equals(whole)
    assert (narrowed["thread"][37], narrowed["tags"][37].to_list()) == ("t1", ["x"])
    assert narrowed["expects_response"][37] == "true"


def test_a_line_longer_than_a_block_keeps_its_number(tmp_path, monkeypatch):
    monkeypatch.setattr(jsonl, "JSONL_BLOCK_BYTES", 64)
    lines = [_line(id="c0"), _line(id="c1", summary="s" * 500), _line(id="c2"), "null"]
    path = tmp_path / "log.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")  # (no newline at the end)
    blocks = list(reading.read_log_blocks(path))  # streamed: each block a buffer of its own
    assert len(blocks) > 1
    assert [n for b in blocks for n in b.frame["_line"].to_list()] == [1, 2, 3, 4]
    running = RunningCheck()
    kept = [running.add(block) for block in validate_blocks([path])]
    assert [n for k in kept for n in k.contacts["origin_line"].to_list()] == [1, 2, 3]
    assert [(r.line, r.text) for r in running.finish().rejected] == [(4, "null")]
