"""The controlled vocabulary of a deconfliction log, defined once.

Every enum value and every kind-derived rule (which kinds expect a response, which answer at
which level) lives here, so the model, the vectorised validator, the analysis and the front ends
cannot drift apart.
"""

from __future__ import annotations

from enum import StrEnum


class RecordType(StrEnum):
    CONTACT = "contact"
    EVENT = "event"


class Channel(StrEnum):
    DECONFLICTION_LINE = "deconfliction_line"
    SENIOR_MILITARY = "senior_military"
    LOCAL_LIAISON = "local_liaison"
    RADIO = "radio"
    EMAIL = "email"
    CHAT = "chat"
    VTC = "vtc"
    IN_PERSON = "in_person"
    DIPLOMATIC = "diplomatic"
    NOTIFICATION_SYSTEM = "notification_system"
    OTHER = "other"


class ContactKind(StrEnum):
    # expect a response
    NOTIFICATION = "notification"
    QUERY = "query"
    WARNING = "warning"
    REQUEST = "request"
    PROTEST = "protest"
    # answers
    ACKNOWLEDGEMENT = "acknowledgement"
    RESPONSE = "response"
    ASSURANCE = "assurance"
    DENIAL = "denial"
    REFUSAL = "refusal"
    # neither
    CHANNEL_STATUS = "channel_status"
    TEST = "test"
    NOTE = "note"


EXPECTS_RESPONSE_KINDS = frozenset(
    {
        ContactKind.NOTIFICATION,
        ContactKind.QUERY,
        ContactKind.WARNING,
        ContactKind.REQUEST,
        ContactKind.PROTEST,
    }
)
ACKNOWLEDGEMENT_KINDS = frozenset({ContactKind.ACKNOWLEDGEMENT})
SUBSTANTIVE_KINDS = frozenset(
    {
        ContactKind.RESPONSE,
        ContactKind.ASSURANCE,
        ContactKind.DENIAL,
        ContactKind.REFUSAL,
    }
)


class AttemptOutcome(StrEnum):
    DELIVERED = "delivered"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    REFUSED = "refused"
    CHANNEL_DOWN = "channel_down"


class Precedence(StrEnum):
    FLASH = "flash"
    IMMEDIATE = "immediate"
    PRIORITY = "priority"
    ROUTINE = "routine"


class Certainty(StrEnum):
    REPORTED = "reported"
    INFERRED = "inferred"
    DISPUTED = "disputed"


class TimePrecision(StrEnum):
    SECOND = "second"
    MINUTE = "minute"
    APPROXIMATE = "approximate"
    DAY = "day"


class EventKind(StrEnum):
    MOVEMENT = "movement"
    OBSERVATION = "observation"
    SHELLING = "shelling"
    STRIKE = "strike"
    INCIDENT = "incident"
    OTHER = "other"


def values(enum: type[StrEnum]) -> list[str]:
    """The enum's values in declaration order (the order of the Polars Enum dtype)."""
    return [member.value for member in enum]
