"""One line of a log as the record it stands for: a JSON line decoded exactly, a CSV row read by
the csv module. The careful path of every reader (and the model's view of a suspect line) goes
through here; a line that cannot stand for any record raises LineError, saying why in plain words.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from deconf.frames import Col

#: Fields whose value is a list of strings (`;`-separated in a CSV cell).
LIST_FIELDS = (Col.TAGS, Col.LOGGED_BY)
CSV_TAG_SEPARATOR = ";"
#: The longest CSV cell read as a value (the csv module's own default limit); a longer cell
#: rejects its row, not the file.
CSV_CELL_MAX = 131_072
#: The most digits an integer in a JSON line may have (Python refuses to convert longer ones).
JSON_DIGITS_MAX = 4_000
#: How deep a JSON line may nest before it is rejected instead of decoded.
JSON_DEPTH_MAX = 64

# A \uD800-\uDFFF escape: half of a surrogate pair, which the bulk decoder bends (a lone high
# one becomes NUL), so such lines go to the exact decoder.
SURROGATE_ESCAPE_RE = r"\\u[dD][89a-fA-F]"
SURROGATE_RE = re.compile("[\ud800-\udfff]")


class LineError(ValueError):
    """A line that cannot stand for a record at all (not JSON, a ragged CSV row...): `field` is
    where the trouble is, "record" for the whole line."""

    def __init__(self, message: str, field: str = "record"):
        super().__init__(message)
        self.field = field


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > JSON_DIGITS_MAX:
        raise LineError(f"a number of {len(digits.lstrip('-'))} digits; no field takes one")
    return int(digits)


def json_line(text: str) -> Any:
    """One JSON value, decoded exactly, or a LineError saying in plain words why not: invalid
    JSON, nesting deeper than JSON_DEPTH_MAX, an integer of thousands of digits, or a lone
    surrogate (half of a UTF-16 pair, which is no text). Nothing here can raise anything else."""
    depth = _nesting(text)
    if depth > JSON_DEPTH_MAX:
        raise LineError(f"nested more than {JSON_DEPTH_MAX} levels deep; a record is not")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise LineError(f"not valid JSON ({error.msg}, column {error.colno})") from None
    except ValueError:  # an integer too long to convert: say how long
        value = json.loads(text, parse_int=_bounded_int)
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise LineError("nested too deeply") from None
    if re.search(SURROGATE_ESCAPE_RE, text) or SURROGATE_RE.search(text):
        _refuse_surrogates(value)
    return value


def _nesting(text: str) -> int:
    """How deep brackets nest, counted outside strings: cheap, and no recursion."""
    if text.count("[") + text.count("{") <= JSON_DEPTH_MAX:
        return 0
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > JSON_DEPTH_MAX:
                    return deepest
        elif char in "]}":
            depth -= 1
    return deepest


def _refuse_surrogates(value: Any) -> None:
    """A LineError naming the field that holds a lone surrogate, if any does."""
    stack = [("record", value)]
    while stack:
        field, item = stack.pop()
        if isinstance(item, str):
            found = SURROGATE_RE.search(item)
            if found:
                raise LineError(
                    f"holds a lone surrogate (\\u{ord(found.group()):04x}), half of a UTF-16 "
                    "pair and no character; the log was written by a faulty encoder",
                    field,
                )
        elif isinstance(item, dict):
            top = field == "record" and item is value
            for key, inner in item.items():
                stack.append((field, key))
                stack.append((key if top else field, inner))
        elif isinstance(item, list):
            stack.extend((field, inner) for inner in item)


@contextmanager
def unlimited_cells() -> Iterator[None]:
    """Let the csv module read a cell of any length (its own limit fails the whole file, and
    leaves it misaligned inside a quoted cell); CSV_CELL_MAX is checked per row instead."""
    limit = csv.field_size_limit()
    csv.field_size_limit(1 << 62)
    try:
        yield
    finally:
        csv.field_size_limit(limit)


def csv_physical_lines(text: str) -> list[str]:
    """The file's lines as the csv reader counts them (a line ends at LF, CR or CRLF, even
    inside a quoted cell), each with its ending: line numbers and row texts come from these."""
    return io.StringIO(text, newline="").readlines()


def without_ending(line: str) -> str:
    return line.removesuffix("\n").removesuffix("\r")


def split_tags(cell: str | None) -> list[str] | None:
    """A CSV list cell (``tags``, ``logged_by``): ``;``-separated, blanks around each ignored."""
    if cell is None:
        return None
    return [t.strip() for t in cell.split(CSV_TAG_SEPARATOR) if t.strip()]


def csv_mapping(header: tuple[str, ...], text: str) -> dict[str, Any]:
    try:
        with unlimited_cells():
            row = next(csv.reader(iter(csv_physical_lines(text))), [])
    except csv.Error as error:
        raise LineError(f"CSV row cannot be read ({error})") from None
    if len(row) != len(header):
        raise LineError(f"row has {len(row)} cells but the header has {len(header)}")
    record: dict[str, Any] = {}
    for name, value in zip(header, row, strict=True):
        if len(value) > CSV_CELL_MAX:
            raise LineError(
                f"cell of {len(value)} characters; the longest a cell may be is {CSV_CELL_MAX}",
                name,
            )
        if value.strip():
            record[name] = split_tags(value) if name in LIST_FIELDS else value
    return record
