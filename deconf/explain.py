"""Turn pydantic validation errors into plain, located problems a user can act on."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

VALUE_MAX = 80


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one record: which field, what, and the offending value."""

    field: str
    message: str
    value: str


def show_value(value: Any) -> str:
    """The offending value as a user typed it, cut to about 80 characters."""
    try:
        text = (
            value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        )
    except (ValueError, RecursionError):  # a huge integer, a structure nested too deep
        text = repr(type(value).__name__)
    text = text if len(text) <= VALUE_MAX else text[: VALUE_MAX - 1] + "…"
    # a lone surrogate cannot be written anywhere: show it as its escape
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _message(error: dict[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field; check its spelling, or pass `keep_extra` to keep it"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"longer than {ctx.get('max_length')} characters"
    if kind == "string_type":
        return "must be a string"
    if kind == "enum":
        return f"must be one of {ctx.get('expected')}"
    if kind in ("bool_parsing", "bool_type"):
        return "must be true or false"
    if kind == "string_pattern_mismatch" and field_is_logged_by(error):
        return 'each entry must be "SOURCE:ID" (a source name without a colon, then the id)'
    if kind == "list_type":
        return "must be a list of strings"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "a record must be a JSON object"
    return str(error["msg"]).removeprefix("Value error, ")


def field_is_logged_by(error: dict[str, Any]) -> bool:
    return "logged_by" in error.get("loc", ())


def _field(loc: tuple[Any, ...], kind: str) -> str:
    parts = [p for p in loc if isinstance(p, str)]
    if parts and parts[0] in ("contact", "event"):
        parts = parts[1:]
    if kind == "record_type" or (not parts and kind == "union_tag_invalid"):
        return "type"
    return parts[0] if parts else "record"


def explain(error: ValidationError) -> list[Problem]:
    """Plain-language problems, one per failing field, in field order."""
    problems = []
    for item in error.errors(include_url=False):
        field = _field(tuple(item["loc"]), item["type"])
        value = item.get("input")
        if field == "type" and isinstance(value, dict):
            value = value.get("type")
        value = "" if item["type"] == "missing" else show_value(value)
        problems.append(Problem(field, _message(item), value))
    return problems
