"""The record schema: pydantic models, the single source of truth for what a log line may say.

The vectorised validator (`deconf.validation`) checks the same rules in bulk with Polars; these
models describe the schema (JSON Schema in `schemas/`), explain every rejected line in plain words,
and validate single records for the Python API. Shared constants (length limits) are defined
here and imported by the fast path so the two cannot drift; time parsing is `deconf.times`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    TypeAdapter,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from deconf.times import TimeError, known_time_zones, parse_timestamp
from deconf.vocabulary import (
    EXPECTS_RESPONSE_KINDS,
    AttemptOutcome,
    Certainty,
    Channel,
    ContactKind,
    EventKind,
    Precedence,
    TimePrecision,
)

ID_MAX = 128
PARTY_MAX = 64
SUMMARY_MAX = 4000
TEXT_MAX = 1000

#: The context key under which validation receives the user's zone for naive times (`assume_tz`).
ASSUME_TZ = "assume_tz"


def _parse_timestamp(value: Any, info: ValidationInfo) -> datetime:
    """Parse an RFC 3339 timestamp to an aware UTC datetime; why-not in plain words otherwise."""
    try:
        return parse_timestamp(value, (info.context or {}).get(ASSUME_TZ))
    except TimeError as error:
        raise PydanticCustomError(error.code, error.message) from None


Timestamp = Annotated[
    datetime,
    BeforeValidator(_parse_timestamp),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
RecordId = Annotated[str, StringConstraints(min_length=1, max_length=ID_MAX)]
Party = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=PARTY_MAX)]
Text = Annotated[str, StringConstraints(max_length=TEXT_MAX)]
Summary = Annotated[str, StringConstraints(max_length=SUMMARY_MAX)]
TagText = Annotated[str, StringConstraints(min_length=1, max_length=PARTY_MAX)]
#: One entry of `logged_by`: "SOURCE:ID", a source (a log's name, no colon) and the record's id
#: in that source. Written by `deconf reconcile` into a merged log.
LOGGED_AS_PATTERN = r"^[^:\s][^:]{0,63}:\S.*$"
LOGGED_AS_MAX = PARTY_MAX + 1 + ID_MAX
LoggedAs = Annotated[str, StringConstraints(pattern=LOGGED_AS_PATTERN, max_length=LOGGED_AS_MAX)]


def _check_zone(value: str | None) -> str | None:
    if value is not None and value not in known_time_zones():
        raise PydanticCustomError("time_zone", "not a known IANA time zone name")
    return value


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)

    id: RecordId = Field(description="Unique within a log and within a store.")
    summary: Summary | None = Field(None, description="What was said or what happened.")
    source: Text | None = Field(None, description="Citation or provenance.")
    certainty: Certainty = Field(
        Certainty.REPORTED,
        description="reported by a source, inferred by the compiler, or disputed.",
    )
    time_precision: TimePrecision = Field(
        TimePrecision.SECOND, description="How precisely the time is known."
    )
    tags: list[TagText] | None = None
    logged_by: list[LoggedAs] | None = Field(
        None,
        description='Sources that logged this record, each as "SOURCE:ID" (its id there); '
        "written by `deconf reconcile`.",
    )


class ContactRecord(_Record):
    """One message or contact attempt from one party to another (SPEC §2.1)."""

    type: Literal["contact"] = "contact"
    sent_at: Timestamp = Field(description="RFC 3339 with offset or Z; stored as UTC.")
    from_party: Party
    to_party: Party
    channel: Channel
    kind: ContactKind
    attempt_outcome: AttemptOutcome = AttemptOutcome.DELIVERED
    in_reply_to: RecordId | None = Field(None, description="id of the record this one answers.")
    thread: RecordId | None = Field(None, description="Explicit exchange or incident key.")
    precedence: Precedence = Precedence.ROUTINE
    expects_response: bool | None = Field(
        None, description="Overrides the default that `kind` implies."
    )
    respond_by: Timestamp | None = Field(None, description="Deadline; not before sent_at.")
    operator: Text | None = None
    language: Text | None = None
    recorded_tz: str | None = Field(None, description="IANA zone of whoever recorded the time.")

    @field_validator("to_party")
    @classmethod
    def _differs_from_sender(cls, value: str, info: ValidationInfo) -> str:
        if value == info.data.get("from_party"):
            raise PydanticCustomError("same_party", "to_party must differ from from_party")
        return value

    @field_validator("respond_by")
    @classmethod
    def _deadline_after_sending(cls, value: datetime | None, info: ValidationInfo):
        sent_at = info.data.get("sent_at")
        if value is not None and sent_at is not None and value < sent_at:
            raise PydanticCustomError("deadline_early", "respond_by precedes sent_at")
        return value

    @field_validator("recorded_tz")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return _check_zone(value)

    @property
    def is_attempt(self) -> bool:
        """Whether this record expects a response (SPEC §3 "Attempt")."""
        if self.expects_response is not None:
            return self.expects_response
        return self.kind in EXPECTS_RESPONSE_KINDS


class EventRecord(_Record):
    """Something that happened, not a communication (SPEC §2.2)."""

    type: Literal["event"]
    at: Timestamp = Field(description="RFC 3339 with offset or Z; stored as UTC.")
    actor: Party | None = None
    kind: EventKind
    location: Text | None = None


def _record_type(value: Any) -> str:
    if isinstance(value, dict):
        return value.get("type", "contact")
    return getattr(value, "type", "contact")


Record = Annotated[
    Annotated[ContactRecord, Tag("contact")] | Annotated[EventRecord, Tag("event")],
    Discriminator(
        _record_type,
        custom_error_type="record_type",
        custom_error_message="type must be contact or event",
    ),
]
RECORD_ADAPTER: TypeAdapter[ContactRecord | EventRecord] = TypeAdapter(Record)

CONTACT_FIELDS = tuple(ContactRecord.model_fields)
EVENT_FIELDS = tuple(EventRecord.model_fields)
ALL_FIELDS = tuple(dict.fromkeys(CONTACT_FIELDS + EVENT_FIELDS))


def parse_record(data: Any, *, assume_tz: str | None = None) -> ContactRecord | EventRecord:
    """Validate one record (a mapping) and return its model; raises pydantic.ValidationError."""
    return RECORD_ADAPTER.validate_python(data, context={ASSUME_TZ: assume_tz})
