"""JSON Schemas generated from the models: what `schemas/` holds and `deconf schema` prints."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from deconf.model import RECORD_ADAPTER, ContactRecord, EventRecord
from deconf.policy import Policy
from deconf.report.model import Report

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _titled(schema: dict[str, Any], title: str, description: str) -> dict[str, Any]:
    return {"$schema": SCHEMA_DIALECT, "title": title, "description": description} | {
        k: v for k, v in schema.items() if k not in ("title", "description")
    }


def _contact() -> dict[str, Any]:
    return _titled(
        ContactRecord.model_json_schema(),
        "deconf contact record",
        "One message or contact attempt from one party to another.",
    )


def _event() -> dict[str, Any]:
    return _titled(
        EventRecord.model_json_schema(),
        "deconf event record",
        "Something that happened, not a communication.",
    )


def _record() -> dict[str, Any]:
    return _titled(
        RECORD_ADAPTER.json_schema(),
        "deconf log line",
        "One line of a deconf log: a contact (type absent or 'contact') or an event.",
    )


def _policy() -> dict[str, Any]:
    return _titled(
        Policy.model_json_schema(mode="serialization"),
        "deconf policy",
        "Response targets and linking settings (a TOML file, --policy).",
    )


def _report() -> dict[str, Any]:
    return _titled(
        Report.model_json_schema(),
        "deconf audit report",
        "The JSON audit report (deconf report --format json).",
    )


GENERATORS: dict[str, Callable[[], dict[str, Any]]] = {
    "contact": _contact,
    "event": _event,
    "record": _record,
    "policy": _policy,
    "report": _report,
}


def register(name: str, generator: Callable[[], dict[str, Any]]) -> None:
    """Let a later module (policy, report) add its own schema to `schemas/`."""
    GENERATORS[name] = generator


def schema_text(name: str) -> str:
    return json.dumps(GENERATORS[name](), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def file_name(name: str) -> str:
    return f"{name}.schema.json"


def write_all(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in GENERATORS:
        path = directory / file_name(name)
        path.write_text(schema_text(name), encoding="utf-8")
        written.append(path)
    return written
