"""JSON Schemas generated from the models: what `schemas/` holds and `deconf schema` prints.

The core's schemas are listed here; a front end with a model of its own (the report) adds its
schema where the catalogue is put together (`deconf schema`), so this module imports no front end.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from deconf.atomic import make_directory, write_files
from deconf.model import RECORD_ADAPTER, ContactRecord, EventRecord
from deconf.policy import Policy

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def titled(schema: dict[str, Any], title: str, description: str) -> dict[str, Any]:
    """A model's schema as a document: dialect, title and description first."""
    return {"$schema": SCHEMA_DIALECT, "title": title, "description": description} | {
        k: v for k, v in schema.items() if k not in ("title", "description")
    }


def _contact() -> dict[str, Any]:
    return titled(
        ContactRecord.model_json_schema(),
        "deconf contact record",
        "One message or contact attempt from one party to another.",
    )


def _event() -> dict[str, Any]:
    return titled(
        EventRecord.model_json_schema(),
        "deconf event record",
        "Something that happened, not a communication.",
    )


def _record() -> dict[str, Any]:
    return titled(
        RECORD_ADAPTER.json_schema(),
        "deconf log line",
        "One line of a deconf log: a contact (type absent or 'contact') or an event.",
    )


def _policy() -> dict[str, Any]:
    return titled(
        Policy.model_json_schema(mode="serialization"),
        "deconf policy",
        "Response targets and linking settings (a TOML file, --policy).",
    )


Generator = Callable[[], dict[str, Any]]

CORE_SCHEMAS: dict[str, Generator] = {
    "contact": _contact,
    "event": _event,
    "record": _record,
    "policy": _policy,
}


def schema_text(generator: Generator) -> str:
    return json.dumps(generator(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def file_name(name: str) -> str:
    return f"{name}.schema.json"


def write_all(directory: Path, schemas: dict[str, Generator]) -> list[Path]:
    make_directory(directory)
    contents = {directory / file_name(name): schema_text(g) for name, g in schemas.items()}
    write_files(contents)
    return list(contents)
