"""JSON (an array of objects, or an object holding one) and JSON Lines, each row at its line.

Nested objects become dotted columns (`from.user.displayName`). A JSON array is walked element
by element with the standard decoder so each object keeps the line it starts on; that is a loop
in Python, fine for exports of chat and mail, which are not millions of rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from deconf.errors import InputError
from deconf.importing.tables import ROW_PROBLEM, SourceTable, rows_table
from deconf.reading import LINE, TEXT, LineError, json_line


def read_json(text: str, source: str, records_key: str | None) -> SourceTable:
    """A JSON array of objects, or an object holding one (its `records_key`, or the only list)."""
    text = text.removeprefix("\ufeff")
    try:
        whole = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"{source}:{error.lineno}: not valid JSON ({error.msg})") from None
    except (ValueError, RecursionError):  # an integer of thousands of digits, deep nesting
        raise InputError(
            f"{source}: JSON nested too deeply or holding a number of thousands of digits; "
            "not an export of records"
        ) from None
    start = _list_start(text, whole, source, records_key)
    rows = []
    for line, raw, _ in _elements(text, start):
        try:  # decoded again, exactly: nesting, long numbers and lone surrogates refused per row
            value = json_line(raw)
        except LineError as error:
            rows.append({LINE: line, TEXT: raw, ROW_PROBLEM: str(error)})
            continue
        rows.append(_object_row(value, line, raw))
    return rows_table(source, rows)


def _list_start(text: str, whole: Any, source: str, key: str | None) -> int:
    """Where the list of records starts in the text."""
    if isinstance(whole, list):
        return text.index("[")
    if not isinstance(whole, dict):
        raise InputError(f"{source}: JSON is neither a list of records nor an object holding one")
    lists = [k for k, v in whole.items() if isinstance(v, list)]
    if key is None:
        if len(lists) != 1:
            raise InputError(
                f"{source}: the JSON object holds {len(lists)} lists "
                f"({', '.join(lists) or 'none'}); name the one with the records in [source] records"
            )
        key = lists[0]
    elif key not in lists:
        raise InputError(f"{source}: the JSON object has no list {key!r} ([source] records)")
    decoder = json.JSONDecoder()
    position = text.index("{") + 1
    while True:  # walk the top-level keys to the list's own "["
        position = _skip(text, position, ",")
        name, position = decoder.raw_decode(text, position)
        position = _skip(text, position, ":")
        if name == key:
            return position
        _, position = decoder.raw_decode(text, position)


def _skip(text: str, position: int, separators: str) -> int:
    while text[position] in " \t\r\n" + separators:
        position += 1
    return position


def _elements(text: str, start: int) -> Iterator[tuple[int, str, Any]]:
    """Each element of the list starting at `start`: its line, its text, its value."""
    decoder = json.JSONDecoder()
    position = start + 1
    line = text.count("\n", 0, position) + 1
    last = position
    while True:
        position = _skip(text, position, ",")
        if text[position] == "]":
            return
        line += text.count("\n", last, position)
        value, end = decoder.raw_decode(text, position)
        yield line, text[position:end], value
        last = position
        position = end


def read_jsonl(text: str, source: str) -> SourceTable:
    rows = []
    for number, raw in enumerate(text.removeprefix("\ufeff").split("\n"), 1):
        raw = raw.removesuffix("\r")
        if not raw.strip():
            continue
        try:
            value = json_line(raw)
        except LineError as error:
            rows.append({LINE: number, TEXT: raw, ROW_PROBLEM: str(error)})
            continue
        rows.append(_object_row(value, number, raw))
    return rows_table(source, rows)


def _object_row(value: Any, line: int, raw: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        return {LINE: line, TEXT: raw, ROW_PROBLEM: "a row must be a JSON object"}
    return dict(flatten(value)) | {LINE: line, TEXT: raw, ROW_PROBLEM: None}


def flatten(value: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, str | None]]:
    """Nested objects as dotted columns (`from.user.displayName`), every value as text."""
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            yield from flatten(item, f"{name}.")
        else:
            yield name, cell_text(item)


def cell_text(item: Any) -> str | None:
    """A JSON value as a cell: strings as they are, lists of strings `;`-joined, else JSON."""
    if item is None or isinstance(item, str):
        return item
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, list) and all(isinstance(i, str) for i in item):
        return ";".join(item)
    return json.dumps(item, ensure_ascii=False)
