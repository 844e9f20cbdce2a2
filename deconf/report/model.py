"""The audit report as data: one pydantic model that the JSON format dumps as it is, the HTML and
Markdown formats render, and `schemas/report.schema.json` describes."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer

from deconf.schemas import titled


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Input(_Part):
    path: str
    sha256: str
    bytes: int


class StoreRef(_Part):
    path: str
    chain_hash: str
    ingests: int


class MappingRef(_Part):
    """How foreign logs were imported (`--preset`, `--map`): the preset's name, the mapping
    file as it was named and its SHA-256, for `verify-report` to import them the same way."""

    preset: str | None = None
    path: str | None = None
    sha256: str | None = None


class Parameters(_Part):
    as_of: str
    tz: str | None
    generated_at: str | None
    policy: dict[str, Any]
    policy_sha256: str
    reading: str | None = None
    mapping: MappingRef | None = None  # only for logs imported through a mapping

    @model_serializer(mode="wrap")
    def _mapping_only_when_used(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """A report of logs in deconf's own schema reads as it did before mappings existed."""
        data = handler(self)
        if data.get("mapping") is None:
            data.pop("mapping", None)
        return data


class ReasonGroup(_Part):
    field: str
    message: str
    count: int
    first: list[str]


class ValidationSummary(_Part):
    lines: int
    accepted: int
    rejected: int
    warnings: int
    reasons: list[ReasonGroup]


class Scope(_Part):
    first: str | None
    last: str | None
    contacts: int
    events: int
    parties: list[str]
    attempts: int
    episodes: int
    exchanges: int
    reported: int
    inferred: int
    disputed: int


class Table(_Part):
    """Rows of a result frame (times as RFC 3339 UTC, durations in seconds), capped in length;
    `total` says how many there are in all."""

    columns: list[str]
    rows: list[dict[str, Any]]
    total: int


class EventRef(_Part):
    id: str
    at: str
    kind: str
    summary: str | None
    silent_for_seconds: float
    certainty: str
    time_precision: str


class RecordRef(_Part):
    """A record a figure rests on: where it came from and how firm it is."""

    id: str
    type: str
    at: str
    time_precision: str
    certainty: str
    source: str | None
    origin_file: str | None


class Finding(_Part):
    """A headline sentence and the records it rests on."""

    text: str
    records: list[RecordRef]


class Coverage(_Part):
    """What one source observed: an open episode is followed no further than `last`."""

    source: str
    first: str
    last: str
    contacts: int
    events: int


class MarksFile(_Part):
    path: str
    sha256: str
    marks: int


class Silence(_Part):
    party: str
    owed_to: str
    start: str
    end: str
    seconds: float
    ongoing: bool
    episode_id: str
    events: list[EventRef]


class MarkRow(_Part):
    record_id: str
    comment: str
    marked_at: str
    summary: str | None


class Disagreements(_Part):
    """Where the sources of a merged log disagree, and the figures under each reading."""

    sources: list[str]
    findings: list[str]
    figures: Table  # responder, figure, reading, value, differs
    records: Table  # disputed accounts and contacts only some sources logged


class Report(_Part):
    title: str
    deconf_version: str
    parameters: Parameters
    inputs: list[Input]
    store: StoreRef | None
    marks_file: MarksFile | None
    validation: ValidationSummary
    scope: Scope
    coverage: list[Coverage]
    findings: list[Finding]
    responders: Table
    unanswered: Table
    breaches: Table
    streaks: Table
    silences: list[Silence]
    silences_total: int
    marks: list[MarkRow]
    chronology: Table
    exchanges: Table
    disagreements: Disagreements | None = None


def report_schema() -> dict[str, Any]:
    """`schemas/report.schema.json`: the JSON report's shape."""
    return titled(
        Report.model_json_schema(),
        "deconf audit report",
        "The JSON audit report (deconf report --format json).",
    )
