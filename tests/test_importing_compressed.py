"""Foreign sources compressed as deconf logs may be (gzip, bzip2, xz, zstd) import as they would
uncompressed: the format from the extension under the compression's, rows at the same lines,
the same default ids, rejections located in the file as it was named."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import sys
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from typer.testing import CliRunner

from deconf.cli import app
from deconf.frames import Col
from deconf.importing import resolve_mapping, validate_import

if sys.version_info >= (3, 14):  # pragma: no cover
    from compression import zstd
else:
    from backports import zstd

CODECS = {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress, ".zst": zstd.compress}
MAPPING = """
[time]
zone = "Europe/Paris"
formats = ["%d/%m/%Y %H:%M"]
[fields]
sent_at = "when"
from_party = "from"
to_party = "to"
channel = { value = "deconfliction_line" }
kind = { column = "what", map = { "Q" = "query", "A" = "response" } }
"""
ROWS = [
    {"when": "02/06/2024 09:00", "from": "NGO", "to": "CIV", "what": "Q"},
    {"when": "02/06/2024 09:30", "from": "CIV", "to": "NGO", "what": "A"},
    {"when": "sometime", "from": "NGO", "to": "CIV", "what": "Q"},
]


def _sources() -> dict[str, bytes]:
    """The same three rows as CSV, TSV, JSON and JSON Lines."""
    header = list(ROWS[0])

    def table(separator: str) -> bytes:
        lines = [separator.join(header)] + [separator.join(r.values()) for r in ROWS]
        return ("\n".join(lines) + "\n").encode()

    return {
        ".csv": table(","),
        ".tsv": table("\t"),
        ".json": json.dumps(ROWS, indent=1).encode(),
        ".jsonl": "".join(json.dumps(r) + "\n" for r in ROWS).encode(),
    }


def _imported(path: Path, tmp_path: Path):
    mapping_file = tmp_path / "map.toml"
    mapping_file.write_text(MAPPING, encoding="utf-8")
    validation, _ = validate_import([path], resolve_mapping(mapping_file, None))
    return validation


def _figures(validation) -> list[tuple]:
    contacts = validation.records.contacts
    rows = contacts.select(Col.ID, Col.SENT_AT, Col.KIND, Col.ORIGIN_LINE).rows()
    rejected = [(r.line, r.problems[0].field, r.problems[0].value) for r in validation.rejected]
    return [*rows, *rejected]


@pytest.mark.parametrize("extension", [".csv", ".tsv", ".json", ".jsonl"])
@pytest.mark.parametrize("compression", sorted(CODECS))
def test_a_compressed_source_imports_as_it_would_uncompressed(tmp_path, extension, compression):
    data = _sources()[extension]
    plain = tmp_path / "plain" / f"desk{extension}"
    plain.parent.mkdir()
    plain.write_bytes(data)
    packed = tmp_path / f"desk{extension}{compression}"
    packed.write_bytes(CODECS[compression](data))
    expected, got = _imported(plain, tmp_path), _imported(packed, tmp_path)
    assert _figures(got) == _figures(expected)
    first_line = expected.records.contacts[Col.ORIGIN_LINE][0]
    assert got.records.contacts[Col.ID][0] == f"desk:{first_line}"  # not desk.csv:…
    assert len(got.records.contacts) == 2
    [rejected] = got.rejected
    assert (rejected.file, rejected.problems[0].field) == (str(packed), Col.SENT_AT)
    source = got.records.contacts[Col.SOURCE][0]
    assert source.startswith(f"{packed}:")


def test_a_compressed_workbook_imports(tmp_path):
    book = tmp_path / "desk.xlsx"
    workbook = xlsxwriter.Workbook(book)
    sheet = workbook.add_worksheet("Log")
    for number, row in enumerate([dict.fromkeys(ROWS[0]), *ROWS]):
        for column, (name, value) in enumerate(row.items()):
            sheet.write_string(number, column, name if number == 0 else value)
    workbook.close()
    packed = tmp_path / "desk.xlsx.gz"
    packed.write_bytes(gzip.compress(book.read_bytes()))
    assert _figures(_imported(packed, tmp_path)) == _figures(_imported(book, tmp_path))


def test_the_cli_imports_a_gzipped_csv(tmp_path):
    packed = tmp_path / "desk.csv.gz"
    packed.write_bytes(gzip.compress(_sources()[".csv"]))
    (tmp_path / "map.toml").write_text(MAPPING, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    done = CliRunner().invoke(
        app, ["import", str(packed), "--map", str(tmp_path / "map.toml"), "-o", str(out)]
    )
    assert done.exit_code == 1  # one row rejected
    assert f"{packed}:4: sent_at:" in done.output
    written = pl.read_ndjson(out)
    assert written[Col.ID].to_list() == ["desk:2", "desk:3"]


def test_an_extension_that_promises_compression_the_bytes_lack_is_an_error(tmp_path):
    fake = tmp_path / "desk.csv.gz"
    fake.write_bytes(_sources()[".csv"])
    (tmp_path / "map.toml").write_text(MAPPING, encoding="utf-8")
    done = CliRunner().invoke(
        app, ["import", str(fake), "--map", str(tmp_path / "map.toml"), "-o", str(tmp_path / "o")]
    )
    assert done.exit_code == 2
    assert "named .gz but is not gzip data" in done.output
