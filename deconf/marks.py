"""Marks: a reader's note on a record ("check this call against the radio log"), kept beside the
data — `<log>.marks.jsonl` next to a log file, `marks.jsonl` in a store — so that the browser
writes them and audit reports list them.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from deconf.times import now_rfc3339

MARKS_SUFFIX = ".marks.jsonl"
STORE_MARKS = "marks.jsonl"


@dataclass(frozen=True)
class Mark:
    record_id: str
    comment: str
    marked_at: str  # RFC 3339, UTC


def marks_path(logs: list[Path] | None, store: Path | None) -> Path:
    """Where marks live: beside the first log file, or in the store."""
    if logs:
        first = Path(logs[0])
        return first.with_name(first.name + MARKS_SUFFIX)
    if store is None:
        raise ValueError("marks need a log file or a store")
    return Path(store) / STORE_MARKS


def load_marks(path: Path) -> list[Mark]:
    """Every mark in the file, oldest first; a missing file has none. Unreadable lines are
    skipped only if they are blank; anything else is an error worth seeing."""
    if not path.exists():
        return []
    marks = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            marks.append(Mark(str(data["record_id"]), str(data["comment"]), str(data["marked_at"])))
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise ValueError(f"{path}:{number}: not a mark ({error})") from None
    return marks


def save_marks(path: Path, marks: list[Mark]) -> None:
    """Write all marks atomically (temp file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    text = "".join(json.dumps(asdict(m), ensure_ascii=False, sort_keys=True) + "\n" for m in marks)
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def add_mark(path: Path, record_id: str, comment: str) -> Mark:
    """Mark a record (a second mark on the same record replaces the first)."""
    mark = Mark(record_id, comment, now_rfc3339())
    marks = [m for m in load_marks(path) if m.record_id != record_id]
    save_marks(path, [*marks, mark])
    return mark


def remove_mark(path: Path, record_id: str) -> None:
    save_marks(path, [m for m in load_marks(path) if m.record_id != record_id])
