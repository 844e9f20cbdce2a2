"""Which reader a table source needs (by `[source] format`, else the extension), and its text.

A source compressed as deconf logs may be (gzip, bzip2, xz, zstd) is read through the same
opening layer: its format is told by the extension under the compression's."""

from __future__ import annotations

from pathlib import Path

from deconf.errors import InputError
from deconf.importing.delimited import read_delimited
from deconf.importing.jsonrows import read_json, read_jsonl
from deconf.importing.mapping import SourceFormat, SourceSpec
from deconf.importing.spreadsheet import read_xlsx
from deconf.importing.tables import SourceTable
from deconf.opening import log_suffix
from deconf.reading import read_bytes

_FORMATS_BY_SUFFIX = {
    ".csv": SourceFormat.CSV,
    ".tsv": SourceFormat.TSV,
    ".tab": SourceFormat.TSV,
    ".xlsx": SourceFormat.XLSX,
    ".json": SourceFormat.JSON,
    ".jsonl": SourceFormat.JSONL,
    ".ndjson": SourceFormat.JSONL,
}


def table_format(path: Path, spec: SourceSpec) -> SourceFormat:
    if spec.format:
        try:
            return SourceFormat(spec.format)
        except ValueError:
            names = ", ".join(f.value for f in SourceFormat)
            raise InputError(
                f"[source] format = {spec.format!r} is not a table format ({names}); "
                "mail, chat and form exports are read with --preset"
            ) from None
    suffix = log_suffix(path)  # under a compression's: tracker.csv.gz → .csv
    found = _FORMATS_BY_SUFFIX.get(suffix)
    if found is None:
        raise InputError(
            f"{path}: cannot tell the format from the extension {suffix!r}; "
            "set [source] format in the mapping"
        )
    return found


def read_table(path: Path, spec: SourceSpec) -> SourceTable:
    fmt = table_format(path, spec)
    if fmt is SourceFormat.XLSX:
        return read_xlsx(path, spec)
    if fmt in (SourceFormat.JSON, SourceFormat.JSONL):
        text = _text(path, spec.encoding)
        if fmt is SourceFormat.JSON:
            return read_json(text, str(path), spec.records)
        return read_jsonl(text, str(path))
    data = read_bytes(path)
    if not _is_utf8(spec.encoding):  # Polars reads UTF-8 only: decode and re-encode first
        data = _text(path, spec.encoding, data).encode()
    delimiter = "\t" if fmt is SourceFormat.TSV else spec.delimiter
    return read_delimited(data, str(path), delimiter, spec.skip_rows)


def _is_utf8(encoding: str) -> bool:
    return encoding.replace("-", "").replace("_", "").lower() in ("utf8", "utf8sig")


def _text(path: Path, encoding: str, data: bytes | None = None) -> str:
    """The file's text decoded from `encoding`, or an InputError saying where it is not."""
    data = read_bytes(path) if data is None else data
    try:
        text = data.decode(encoding)
    except LookupError:
        raise InputError(f"[source] encoding = {encoding!r} is not a known encoding") from None
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            f"{path}:{line}: not {encoding} text (byte 0x{data[error.start]:02x}); "
            "set [source] encoding in the mapping (e.g. cp1252)"
        ) from None
    return text
