"""Where a report differs from the same report recomputed: the first differing line and the
section it is in, so `verify-report` can say what changed rather than only that something did."""

from __future__ import annotations

import json
import re

_HTML_SECTION = re.compile(r"<h2>(.*?)</h2>")
_CUT = 80


def _around(text: str, at: int) -> str:
    """About _CUT characters of a line around position `at` (where it first differs)."""
    start = max(0, at - _CUT // 3)
    piece = text[start : start + _CUT]
    return ("…" if start else "") + piece + ("…" if start + _CUT < len(text) else "")


def _section(lines: list[str], upto: int, fmt: str) -> str | None:
    """The heading of the section line `upto` (0-based) falls in."""
    for line in reversed(lines[: upto + 1]):
        if fmt == "md" and line.startswith("#"):
            return line.lstrip("#").strip()
        if fmt == "html":
            found = _HTML_SECTION.search(line)
            if found:
                return re.sub(r"<[^>]+>", "", found.group(1))
    return None


def _json_path(expected: str, found: str) -> str | None:
    """The first top-level key whose value differs, in a JSON report."""
    try:
        old, new = json.loads(expected), json.loads(found)
    except json.JSONDecodeError:
        return None
    if not isinstance(old, dict) or not isinstance(new, dict):
        return None
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            return key
    return None


def first_difference(report: str, recomputed: str, fmt: str) -> str | None:
    """None when the texts are equal; otherwise where they first differ, in words."""
    if report == recomputed:
        return None
    ours, theirs = report.splitlines(), recomputed.splitlines()
    number = next(
        (i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b),
        min(len(ours), len(theirs)),
    )
    where = f"line {number + 1}"
    section = _json_path(report, recomputed) if fmt == "json" else _section(theirs, number, fmt)
    if section:
        where += f", in {'key' if fmt == 'json' else 'section'} “{section}”"
    mine = ours[number] if number < len(ours) else None
    data = theirs[number] if number < len(theirs) else None
    at = next(
        (i for i, (a, b) in enumerate(zip(mine or "", data or "", strict=False)) if a != b),
        min(len(mine or ""), len(data or "")),
    )
    has = _around(mine, at) if mine is not None else "(nothing: the file ends)"
    gives = _around(data, at) if data is not None else "(nothing: it ends here)"
    return f"{where}: the report has “{has}”, the data gives “{gives}”"
