"""Standard input streams as a file does: a piped log is read in blocks (memory holds a block,
not the log), compressed or not, JSON Lines or CSV; its hash is taken on the way, and when its
hash or bytes are asked for before it is read it is kept whole, so nothing is lost either way."""

from __future__ import annotations

import gzip
import hashlib
import io
import json

import pytest
from typer.testing import CliRunner

from deconf import stdin as stdin_module
from deconf.cli import app
from deconf.errors import InputError
from deconf.opening import digest, stdin_bytes
from deconf.reading import LINE, csvlog, jsonl, read_log, read_log_blocks
from tests.conftest import contact

CSV = b"id,sent_at,from_party,to_party,channel,kind\n" + b"".join(
    b"c%d,2018-02-07T20:%02d:00Z,US,RU,radio,query\n" % (i, i) for i in range(40)
)


def _jsonl(count: int = 40) -> bytes:
    lines = [
        json.dumps(contact(id=f"c{i}", sent_at=f"2018-02-07T20:{i:02d}:00Z")) for i in range(count)
    ]
    return ("\n".join(lines) + "\n").encode()


class _Pipe:
    """What `sys.stdin` is to a command whose input is piped: a text stream over bytes."""

    def __init__(self, data: bytes) -> None:
        self.buffer = io.BufferedReader(io.BytesIO(data))


@pytest.fixture
def piped(monkeypatch):
    def pipe(data: bytes) -> None:
        monkeypatch.setattr("sys.stdin", _Pipe(data))

    return pipe


def _lines(blocks) -> list[int]:
    return [n for block in blocks for n in block.frame[LINE]]


@pytest.mark.parametrize("pack", [lambda data: data, gzip.compress], ids=["plain", "gzip"])
def test_piped_json_lines_are_read_in_blocks_and_hashed_on_the_way(piped, monkeypatch, pack):
    data = pack(_jsonl())
    monkeypatch.setattr(jsonl, "JSONL_BLOCK_BYTES", 600)
    piped(data)
    blocks = list(read_log_blocks("-"))
    assert len(blocks) > 3  # streamed, not read whole
    assert _lines(blocks) == list(range(1, 41))
    assert stdin_module.standard_input()._kept is None  # the bytes were not kept
    assert digest("-") == (hashlib.sha256(data).hexdigest(), len(data))


def test_piped_csv_is_read_in_blocks_with_the_same_rows_as_a_whole_read(piped, monkeypatch):
    monkeypatch.setattr(csvlog, "CSV_BLOCK_BYTES", 200)
    monkeypatch.setattr(csvlog, "BINARY_PROBE", 1)  # (else the first block is 8 KiB at least)
    piped(CSV)
    blocks = list(read_log_blocks("-"))
    assert len(blocks) > 3
    assert _lines(blocks) == list(range(2, 42))
    assert digest("-") == (hashlib.sha256(CSV).hexdigest(), len(CSV))


def test_a_hash_asked_for_first_keeps_the_input_and_the_read_still_gets_every_line(piped):
    data = _jsonl()
    piped(data)
    assert digest("-")[0] == hashlib.sha256(data).hexdigest()
    assert _lines(read_log_blocks("-")) == list(range(1, 41))
    assert stdin_bytes() == data


def test_the_whole_input_read_first_is_what_the_blocks_read(piped):
    piped(_jsonl())
    assert read_log("-").frame.height == 40
    assert _lines(read_log_blocks("-")) == list(range(1, 41))


@pytest.mark.parametrize("data", [b"", b"  \n\n", b"\xef\xbb\xbf\n"])
def test_empty_standard_input_is_one_clear_error(piped, data):
    piped(data)
    with pytest.raises(InputError, match="<stdin>: is empty; a log has at least one record"):
        list(read_log_blocks("-"))


def test_binary_standard_input_is_refused(piped):
    piped(b"\x00\x01binary")
    with pytest.raises(InputError, match="<stdin>: looks like binary data"):
        list(read_log_blocks("-"))


def test_a_log_piped_to_ingest_is_recorded_with_the_hash_of_what_was_piped(tmp_path):
    data = gzip.compress(_jsonl())
    store = tmp_path / "store"
    result = CliRunner().invoke(app, ["ingest", "-", "--store", str(store)], input=data)
    assert result.exit_code == 0, result.output
    manifest = [json.loads(line) for line in (store / "manifest.jsonl").read_text().splitlines()]
    (source,) = [s for entry in manifest for s in entry.get("sources", [])]
    assert source == {
        "path": "<stdin>",
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
    }
