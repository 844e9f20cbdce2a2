"""The fixed Polars schemas of validated records, and the names of their columns.

A validated log is two frames: contacts and events. Their schemas are fixed here (timestamps
``Datetime("us", "UTC")``, enums as ``pl.Enum``) so every step, the store and every front end agree
on the same columns. Column names are attributes of :class:`Col`; code refers to ``Col.SENT_AT``,
never to a retyped string.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from deconf.vocabulary import (
    AttemptOutcome,
    Certainty,
    Channel,
    ContactKind,
    EventKind,
    Precedence,
    TimePrecision,
    values,
)

UTC_TIME = pl.Datetime("us", "UTC")


class Col:
    """Column names of the record frames (record fields plus provenance)."""

    TYPE = "type"
    ID = "id"
    SENT_AT = "sent_at"
    FROM_PARTY = "from_party"
    TO_PARTY = "to_party"
    CHANNEL = "channel"
    KIND = "kind"
    ATTEMPT_OUTCOME = "attempt_outcome"
    IN_REPLY_TO = "in_reply_to"
    THREAD = "thread"
    PRECEDENCE = "precedence"
    EXPECTS_RESPONSE = "expects_response"
    RESPOND_BY = "respond_by"
    SUMMARY = "summary"
    OPERATOR = "operator"
    LANGUAGE = "language"
    SOURCE = "source"
    CERTAINTY = "certainty"
    TIME_PRECISION = "time_precision"
    RECORDED_TZ = "recorded_tz"
    TAGS = "tags"
    LOGGED_BY = "logged_by"
    AT = "at"
    ACTOR = "actor"
    LOCATION = "location"
    # provenance, added by reading
    ORIGIN_FILE = "origin_file"
    ORIGIN_LINE = "origin_line"
    EXTRA = "extra"


CHANNEL_DTYPE = pl.Enum(values(Channel))
CONTACT_KIND_DTYPE = pl.Enum(values(ContactKind))
EVENT_KIND_DTYPE = pl.Enum(values(EventKind))
OUTCOME_DTYPE = pl.Enum(values(AttemptOutcome))
PRECEDENCE_DTYPE = pl.Enum(values(Precedence))
CERTAINTY_DTYPE = pl.Enum(values(Certainty))
TIME_PRECISION_DTYPE = pl.Enum(values(TimePrecision))

_PROVENANCE = {
    Col.ORIGIN_FILE: pl.String,
    Col.ORIGIN_LINE: pl.Int64,
    Col.EXTRA: pl.String,
}

CONTACT_SCHEMA = pl.Schema(
    {
        Col.ID: pl.String,
        Col.SENT_AT: UTC_TIME,
        Col.FROM_PARTY: pl.String,
        Col.TO_PARTY: pl.String,
        Col.CHANNEL: CHANNEL_DTYPE,
        Col.KIND: CONTACT_KIND_DTYPE,
        Col.ATTEMPT_OUTCOME: OUTCOME_DTYPE,
        Col.IN_REPLY_TO: pl.String,
        Col.THREAD: pl.String,
        Col.PRECEDENCE: PRECEDENCE_DTYPE,
        Col.EXPECTS_RESPONSE: pl.Boolean,
        Col.RESPOND_BY: UTC_TIME,
        Col.SUMMARY: pl.String,
        Col.OPERATOR: pl.String,
        Col.LANGUAGE: pl.String,
        Col.SOURCE: pl.String,
        Col.CERTAINTY: CERTAINTY_DTYPE,
        Col.TIME_PRECISION: TIME_PRECISION_DTYPE,
        Col.RECORDED_TZ: pl.String,
        Col.TAGS: pl.List(pl.String),
        Col.LOGGED_BY: pl.List(pl.String),
        **_PROVENANCE,
    }
)

EVENT_SCHEMA = pl.Schema(
    {
        Col.ID: pl.String,
        Col.AT: UTC_TIME,
        Col.ACTOR: pl.String,
        Col.KIND: EVENT_KIND_DTYPE,
        Col.SUMMARY: pl.String,
        Col.LOCATION: pl.String,
        Col.SOURCE: pl.String,
        Col.CERTAINTY: CERTAINTY_DTYPE,
        Col.TIME_PRECISION: TIME_PRECISION_DTYPE,
        Col.TAGS: pl.List(pl.String),
        Col.LOGGED_BY: pl.List(pl.String),
        **_PROVENANCE,
    }
)


def in_record_order(frame: pl.DataFrame, time_column: str, id_column: str = Col.ID) -> bool:
    """Whether rows come in record order: by time, ties by id. Checking costs one pass; sorting
    a frame that already is in order (as the store writes it) costs many. Ids are compared only
    where times tie: comparing a million ids takes longer than the check of the times."""
    times = frame[time_column]
    if times.null_count():
        time, record = pl.col(time_column), pl.col(id_column)
        later = time > time.shift(1)
        tie_ordered = (time == time.shift(1)) & (record > record.shift(1))
        return bool(frame.select((later | tie_ordered).slice(1).all()).item())
    if not times.is_sorted():
        return False
    ties = (times == times.shift(1)).fill_null(False).arg_true()
    ids = frame[id_column]
    return bool((ids.gather(ties) > ids.gather(ties - 1)).all())


def in_record_order_sorted(
    frame: pl.DataFrame, time_column: str, id_column: str = Col.ID
) -> pl.DataFrame:
    """The frame in record order (time, ties by id), sorted only if it is not already."""
    if in_record_order(frame, time_column, id_column):
        return frame
    return frame.sort(time_column, id_column)


def empty_contacts() -> pl.DataFrame:
    return pl.DataFrame(schema=CONTACT_SCHEMA)


def empty_events() -> pl.DataFrame:
    return pl.DataFrame(schema=EVENT_SCHEMA)


@dataclass(frozen=True)
class Records:
    """A validated log: contacts and events, each in its fixed schema."""

    contacts: pl.DataFrame
    events: pl.DataFrame

    @classmethod
    def empty(cls) -> Records:
        return cls(empty_contacts(), empty_events())

    def __len__(self) -> int:
        return self.contacts.height + self.events.height

    @classmethod
    def concat(cls, parts: list[Records], *, rechunk: bool = False) -> Records:
        """`parts` one after the other (`rechunk`: each column in one piece, for the analysis
        of records read in blocks)."""
        if not parts:
            return cls.empty()
        return cls(
            pl.concat([p.contacts for p in parts], how="vertical", rechunk=rechunk),
            pl.concat([p.events for p in parts], how="vertical", rechunk=rechunk),
        )
