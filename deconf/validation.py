"""Validate raw lines into typed record frames, losing nothing.

Two paths, one verdict. The fast path checks every rule of the model as Polars expressions and
converts the lines it can vouch for in bulk. Every other line (suspect in reading, or failing a
bulk check) goes to the pydantic model, which accepts it or explains in plain words why not.
So the model stays the single source of truth, and only bad or unusual lines cost Python time.
Every non-blank line ends up accepted or rejected.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from pydantic import ValidationError

from deconf.errors import api_name, worded
from deconf.explain import Problem, explain, show_value
from deconf.frames import (
    CONTACT_SCHEMA,
    EVENT_SCHEMA,
    Col,
    Records,
)
from deconf.model import (
    ALL_FIELDS,
    CONTACT_FIELDS,
    EVENT_FIELDS,
    ID_MAX,
    LOGGED_AS_MAX,
    LOGGED_AS_PATTERN,
    PARTY_MAX,
    SUMMARY_MAX,
    TEXT_MAX,
    ContactRecord,
    parse_record,
)
from deconf.reading import (
    LINE,
    SUSPECT,
    TEXT,
    BytesLines,
    FrameLines,
    LineError,
    RawLog,
    parsed_column,
)
from deconf.times import known_time_zones
from deconf.timestamps import parse_utc
from deconf.vocabulary import (
    AttemptOutcome,
    Certainty,
    Channel,
    ContactKind,
    EventKind,
    Precedence,
    RecordType,
    TimePrecision,
    values,
)

_KNOWN = frozenset(ALL_FIELDS)
# where a line goes: taken in bulk as a contact or an event, or to the model
_ROUTE = "_route"
_CONTACT, _EVENT, _SLOW = 0, 1, 2
#: The most problems listed for one line; the rest are counted.
PROBLEMS_MAX = 20
_EDGE_SPACE = r"^[\s\x1c-\x1f\x85]|[\s\x1c-\x1f\x85]$"
_CONTACT_ONLY = tuple(f for f in CONTACT_FIELDS if f not in EVENT_FIELDS)
_EVENT_ONLY = tuple(f for f in EVENT_FIELDS if f not in CONTACT_FIELDS)


@dataclass(frozen=True, slots=True)
class Issue:
    """A located problem or warning: file, 1-based physical line, field, message, value."""

    file: str
    line: int
    field: str
    message: str
    value: str

    def __str__(self) -> str:
        return self.text()

    def text(self, name: Callable[[str], str] = api_name) -> str:
        """'file:line: field: message ("value")', the settings it names worded by `name`."""
        shown = f' ("{self.value}")' if self.value else ""
        return f"{self.file}:{self.line}: {self.field}: {worded(self.message, name)}{shown}"

    def as_dict(self, name: Callable[[str], str] = api_name) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "message": worded(self.message, name),
            "value": self.value,
        }


@dataclass(frozen=True, slots=True)
class RejectedLine:
    """A rejected line, verbatim, with every reason: what a user fixes and ingests again."""

    file: str
    line: int
    text: str
    problems: tuple[Problem, ...]

    def issues(self) -> list[Issue]:
        return [Issue(self.file, self.line, p.field, p.message, p.value) for p in self.problems]


@dataclass
class FileResult:
    """One source validated on its own (cross-record checks come later, over all sources)."""

    source: str
    lines: int
    records: Records
    rejected: list[RejectedLine]
    texts: BytesLines | FrameLines  # a line's text by number, to quote a line rejected later


@dataclass
class Validation:
    """What validating one or more sources found. accepted + rejected == lines."""

    records: Records
    lines: int
    rejected: list[RejectedLine]
    warnings: list[Issue] = field(default_factory=list)
    identical_duplicates: int = 0
    already_stored: int = 0

    @property
    def accepted(self) -> int:
        return self.lines - len(self.rejected)

    @property
    def errors(self) -> list[Issue]:
        return [issue for line in self.rejected for issue in line.issues()]

    def summary(self, name: Callable[[str], str] = api_name) -> dict[str, Any]:
        """The machine-readable summary (`deconf validate --format json` prints it)."""
        return {
            "lines": self.lines,
            "accepted": self.accepted,
            "rejected": len(self.rejected),
            "errors": [e.as_dict(name) for e in self.errors],
            "warnings": [w.as_dict(name) for w in self.warnings],
        }


def validate_raw(
    raw: RawLog, *, assume_tz: str | None = None, keep_extra: bool = False
) -> FileResult:
    """Validate one source's lines (no cross-record checks)."""
    frame = raw.frame.with_columns(
        (
            pl.col(_parsed(name))  # already parsed by an importer's own formats
            if _parsed(name) in raw.frame.columns
            else parse_utc(raw.frame, name, assume_tz)
        ).alias(_parsed(name))
        for name in (Col.SENT_AT, Col.RESPOND_BY, Col.AT)
    ).with_columns(_enum_columns())
    is_event = pl.col(Col.TYPE) == RecordType.EVENT.value
    is_contact = pl.col(Col.TYPE).is_null() | (pl.col(Col.TYPE) == RecordType.CONTACT.value)
    spaced = _edge_spaced(frame)
    contact_checks = [is_contact.fill_null(False), *_contact_checks(spaced)]
    event_checks = [is_event.fill_null(False), *_event_checks(spaced)]
    # each check its own column, so that Polars evaluates them in parallel; the checks both
    # kinds of record share once
    verdicts = frame.select(
        *(check.alias(f"_k{i}") for i, check in enumerate(_common_checks())),
        *(check.alias(f"_c{i}") for i, check in enumerate(contact_checks)),
        *(check.alias(f"_e{i}") for i, check in enumerate(event_checks)),
        pl.col(SUSPECT),
    ).select(
        pl.when(pl.col(SUSPECT) | ~pl.all_horizontal(pl.col("^_k\\d+$")).fill_null(False))
        .then(_SLOW)
        .when(pl.all_horizontal(pl.col("^_c\\d+$")))
        .then(_CONTACT)
        .when(pl.all_horizontal(pl.col("^_e\\d+$")))
        .then(_EVENT)
        .otherwise(_SLOW)
        .alias(_ROUTE)
    )
    origin = [pl.lit(raw.source).alias(Col.ORIGIN_FILE), pl.col(LINE).alias(Col.ORIGIN_LINE)]
    taken = _routed(frame, verdicts[_ROUTE])
    fast_contacts = taken(_CONTACT, _contact_columns() + origin)
    fast_events = taken(_EVENT, _event_columns() + origin)
    slow = raw.with_texts(taken(_SLOW, [pl.col(c) for c in raw.frame.columns]))
    slow_contacts, slow_events, rejected = _validate_slowly(raw, slow, assume_tz, keep_extra)
    records = Records(
        _merge(_finish(fast_contacts, CONTACT_SCHEMA), slow_contacts),
        _merge(_finish(fast_events, EVENT_SCHEMA), slow_events),
    )
    return FileResult(raw.source, raw.frame.height, records, rejected, raw.texts())


def _routed(frame: pl.DataFrame, route: pl.Series) -> Callable[[int, list[pl.Expr]], pl.DataFrame]:
    """`taken(which, columns)` -> the columns of the rows that go `which` way: the whole frame
    when every row does (the common case: no copy), else only the columns asked for filtered."""
    counts = dict(route.value_counts().iter_rows())

    def taken(which: int, columns: list[pl.Expr]) -> pl.DataFrame:
        if counts.get(which, 0) == frame.height:
            return frame.select(columns)
        if which not in counts:
            return frame.clear().select(columns)
        return frame.lazy().filter(route == which).select(columns).collect()

    return taken


def _merge(fast: pl.DataFrame, slow: pl.DataFrame) -> pl.DataFrame:
    """Both paths' records back in line order (the bulk one already is)."""
    if slow.is_empty():
        return fast
    return pl.concat([fast, slow]).sort(Col.ORIGIN_LINE)


_parsed = parsed_column


# ---------------------------------------------------------------- bulk checks (the model's rules)


def _length(name: str, low: int, high: int, *, required: bool) -> pl.Expr:
    fits = pl.col(name).str.len_chars().is_between(low, high)
    return fits.fill_null(not required)


#: The fields whose values an enum lists (`kind`: a contact's or an event's), each cast once
#: to its Polars Enum, null where the text is no member: the check and the record's column.
_ENUMS = (
    (Col.CHANNEL, Channel),
    (Col.KIND, ContactKind),
    (Col.KIND, EventKind),
    (Col.ATTEMPT_OUTCOME, AttemptOutcome),
    (Col.PRECEDENCE, Precedence),
    (Col.CERTAINTY, Certainty),
    (Col.TIME_PRECISION, TimePrecision),
)


def _as_enum(name: str, enum) -> str:
    return f"_{name}_as_{enum.__name__}"


def _enum_columns() -> list[pl.Expr]:
    return [
        pl.col(name).cast(pl.Enum(values(enum)), strict=False).alias(_as_enum(name, enum))
        for name, enum in _ENUMS
    ]


def _member(name: str, enum, *, required: bool) -> pl.Expr:
    member = pl.col(_as_enum(name, enum)).is_not_null()
    return member if required else member | pl.col(name).is_null()


_PARTIES = (Col.FROM_PARTY, Col.TO_PARTY, Col.ACTOR)


def _edge_spaced(frame: pl.DataFrame) -> dict[str, list[str]]:
    """Each party column's distinct values that start or end with a blank (few parties name
    a million records: the pattern is matched once a party, not once a record)."""
    distinct = frame.select(pl.col(name).unique().implode() for name in _PARTIES).row(0)
    spaced = {}
    for name, parties in zip(_PARTIES, distinct, strict=True):
        parties = pl.Series(name, parties, dtype=pl.String)
        spaced[name] = parties.filter(parties.str.contains(_EDGE_SPACE)).to_list()
    return spaced


def _party(name: str, spaced: dict[str, list[str]], *, required: bool) -> pl.Expr:
    plain = ~pl.col(name).is_in(spaced[name]) if spaced[name] else pl.lit(True)
    return _length(name, 1, PARTY_MAX, required=required) & plain.fill_null(True)


def _timestamp(name: str, *, required: bool) -> pl.Expr:
    parsed = pl.col(_parsed(name)).is_not_null()
    return parsed if required else (pl.col(name).is_null() | parsed)


def _tags_ok() -> pl.Expr:
    each = pl.col(Col.TAGS).list.eval(pl.element().str.len_chars().is_between(1, PARTY_MAX))
    return each.list.all().fill_null(True)


def _logged_by_ok() -> pl.Expr:
    each = pl.col(Col.LOGGED_BY).list.eval(
        pl.element().str.contains(LOGGED_AS_PATTERN)
        & (pl.element().str.len_chars() <= LOGGED_AS_MAX)
    )
    return each.list.all().fill_null(True)


def _common_checks() -> list[pl.Expr]:
    """The model's rules for any record, as independent checks (all must hold)."""
    return [
        _length(Col.ID, 1, ID_MAX, required=True)
        & _length(Col.SUMMARY, 0, SUMMARY_MAX, required=False)
        & _length(Col.SOURCE, 0, TEXT_MAX, required=False),
        _member(Col.CERTAINTY, Certainty, required=False)
        & _member(Col.TIME_PRECISION, TimePrecision, required=False),
        _tags_ok() & _logged_by_ok(),
    ]


def _absent(names: tuple[str, ...]) -> pl.Expr:
    return pl.all_horizontal(pl.col(n).is_null() for n in names)


def _contact_checks(spaced: dict[str, list[str]]) -> list[pl.Expr]:
    """The model's rules for a contact beyond the common ones, as independent checks (all
    must hold); `spaced`: the parties that start or end with a blank."""
    return [
        _timestamp(Col.SENT_AT, required=True)
        & _timestamp(Col.RESPOND_BY, required=False)
        & (pl.col(_parsed(Col.RESPOND_BY)) >= pl.col(_parsed(Col.SENT_AT))).fill_null(True),
        _party(Col.FROM_PARTY, spaced, required=True),
        _party(Col.TO_PARTY, spaced, required=True),
        (pl.col(Col.FROM_PARTY) != pl.col(Col.TO_PARTY)).fill_null(False),
        _member(Col.CHANNEL, Channel, required=True)
        & _member(Col.KIND, ContactKind, required=True),
        _member(Col.ATTEMPT_OUTCOME, AttemptOutcome, required=False)
        & _member(Col.PRECEDENCE, Precedence, required=False)
        & pl.col(Col.EXPECTS_RESPONSE).is_in(["true", "false"]).fill_null(True),
        _length(Col.IN_REPLY_TO, 1, ID_MAX, required=False)
        & _length(Col.THREAD, 1, ID_MAX, required=False)
        & _length(Col.OPERATOR, 0, TEXT_MAX, required=False)
        & _length(Col.LANGUAGE, 0, TEXT_MAX, required=False),
        pl.col(Col.RECORDED_TZ).is_in(sorted(known_time_zones())).fill_null(True)
        & _absent(_EVENT_ONLY),
    ]


def _event_checks(spaced: dict[str, list[str]]) -> list[pl.Expr]:
    """The model's rules for an event beyond the common ones, as independent checks (all
    must hold)."""
    return [
        _timestamp(Col.AT, required=True) & _party(Col.ACTOR, spaced, required=False),
        _member(Col.KIND, EventKind, required=True)
        & _length(Col.LOCATION, 0, TEXT_MAX, required=False)
        & _absent(_CONTACT_ONLY),
    ]


def _enum_value(name: str, enum, default: str | None = None) -> pl.Expr:
    """The field as its Enum (a fast row's text is a member or absent), `default` if absent."""
    value = pl.col(_as_enum(name, enum))
    if default is not None:
        value = value.fill_null(pl.lit(default, dtype=pl.Enum(values(enum))))
    return value.alias(name)


def _contact_columns() -> list[pl.Expr]:
    return [
        pl.col(Col.ID),
        pl.col(_parsed(Col.SENT_AT)).alias(Col.SENT_AT),
        pl.col(Col.FROM_PARTY),
        pl.col(Col.TO_PARTY),
        _enum_value(Col.CHANNEL, Channel),
        _enum_value(Col.KIND, ContactKind),
        _enum_value(Col.ATTEMPT_OUTCOME, AttemptOutcome, AttemptOutcome.DELIVERED),
        pl.col(Col.IN_REPLY_TO),
        pl.col(Col.THREAD),
        _enum_value(Col.PRECEDENCE, Precedence, Precedence.ROUTINE),
        (pl.col(Col.EXPECTS_RESPONSE) == "true").alias(Col.EXPECTS_RESPONSE),
        pl.col(_parsed(Col.RESPOND_BY)).alias(Col.RESPOND_BY),
        pl.col(Col.SUMMARY),
        pl.col(Col.OPERATOR),
        pl.col(Col.LANGUAGE),
        pl.col(Col.SOURCE),
        _enum_value(Col.CERTAINTY, Certainty, Certainty.REPORTED),
        _enum_value(Col.TIME_PRECISION, TimePrecision, TimePrecision.SECOND),
        pl.col(Col.RECORDED_TZ),
        pl.col(Col.TAGS),
        pl.col(Col.LOGGED_BY),
    ]


def _event_columns() -> list[pl.Expr]:
    return [
        pl.col(Col.ID),
        pl.col(_parsed(Col.AT)).alias(Col.AT),
        pl.col(Col.ACTOR),
        _enum_value(Col.KIND, EventKind),
        pl.col(Col.SUMMARY),
        pl.col(Col.LOCATION),
        pl.col(Col.SOURCE),
        _enum_value(Col.CERTAINTY, Certainty, Certainty.REPORTED),
        _enum_value(Col.TIME_PRECISION, TimePrecision, TimePrecision.SECOND),
        pl.col(Col.TAGS),
        pl.col(Col.LOGGED_BY),
    ]


def _finish(frame: pl.DataFrame, schema: pl.Schema) -> pl.DataFrame:
    return frame.with_columns(pl.lit(None, dtype=pl.String).alias(Col.EXTRA)).select(
        pl.col(name).cast(dtype) for name, dtype in schema.items()
    )


# ---------------------------------------------------------------- the model's verdict, line by line


def _validate_slowly(
    raw: RawLog, slow: pl.DataFrame, assume_tz: str | None, keep_extra: bool
) -> tuple[pl.DataFrame, pl.DataFrame, list[RejectedLine]]:
    contacts: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    rejected: list[RejectedLine] = []
    for row in slow.iter_rows(named=True):
        line, text = row[LINE], row[TEXT]
        outcome = _judge(raw, row, assume_tz, keep_extra)
        if isinstance(outcome, list):
            rejected.append(RejectedLine(raw.source, line, text, tuple(outcome)))
            continue
        record, extra = outcome
        dumped = record.model_dump(exclude={"type"})
        dumped |= {Col.ORIGIN_FILE: raw.source, Col.ORIGIN_LINE: line, Col.EXTRA: extra}
        (contacts if isinstance(record, ContactRecord) else events).append(dumped)
    return (
        pl.DataFrame(contacts, schema=CONTACT_SCHEMA, orient="row"),
        pl.DataFrame(events, schema=EVENT_SCHEMA, orient="row"),
        rejected,
    )


def _judge(raw: RawLog, row: dict[str, Any], assume_tz: str | None, keep_extra: bool):
    """The record and its kept extra fields, or the list of problems with the line."""
    try:
        data = raw.mapping(row)
    except LineError as error:
        return [Problem(error.field, str(error), show_value(row[TEXT]))]
    if not isinstance(data, dict):
        return [Problem("record", "a record must be a JSON object", show_value(row[TEXT]))]
    data = {k: v for k, v in data.items() if v is not None}  # null means absent, as in CSV
    unlisted = 0
    if not keep_extra and len(data) > len(ALL_FIELDS) + PROBLEMS_MAX:
        # a line with millions of unknown keys: name the first few, count the rest
        unknown = [k for k in data if k not in _KNOWN]
        for key in unknown[PROBLEMS_MAX:]:
            del data[key]
        unlisted = len(unknown) - PROBLEMS_MAX
    extra = None
    if keep_extra:
        known = EVENT_FIELDS if data.get(Col.TYPE) == RecordType.EVENT else CONTACT_FIELDS
        kept = {k: data.pop(k) for k in list(data) if k not in known}
        extra = json.dumps(kept, ensure_ascii=False, sort_keys=True) if kept else None
    found = raw.found_problems(row)
    try:
        record = parse_record(data, assume_tz=assume_tz)
    except ValidationError as error:
        if not found:
            return _bounded(explain(error), unlisted)
        named = {p.field for p in found}  # a field the mapping could not fill is missing here
        return _bounded(found + [p for p in explain(error) if p.field not in named], unlisted)
    return found or (record, extra)


def _bounded(problems: list[Problem], unlisted: int) -> list[Problem]:
    """At most PROBLEMS_MAX problems per line, then one that counts the rest: a line with a
    million mistakes gets a report a person can read, not gigabytes."""
    unlisted += max(0, len(problems) - PROBLEMS_MAX)
    problems = problems[:PROBLEMS_MAX]
    if unlisted:
        problems.append(Problem("record", f"and {unlisted} more problems on this line", ""))
    return problems
