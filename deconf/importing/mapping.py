"""The mapping file (SPEC §6): how the columns of a foreign log become record fields.

A mapping is TOML that a user writes once per kind of source, so its keys are a stable interface.
It is parsed by pydantic models that forbid unknown keys, then checked against the record
vocabulary (a map value or constant that is not a field value), so a mistake in the file is one
clear error naming the file and the key, before any row is read. Whether a named column exists is
checked later, against each source's header (:func:`deconf.importing.fields.check_columns`).
"""

from __future__ import annotations

import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from deconf.errors import InputError
from deconf.frames import Col
from deconf.model import ALL_FIELDS
from deconf.reading import TIME_FIELDS
from deconf.times import known_time_zones
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

ANY_VALUE = "*"  # a map key standing for any other non-empty value
EPOCH_SECONDS = "epoch"
EPOCH_MILLISECONDS = "epoch_ms"
PARTY_FIELDS = (Col.FROM_PARTY, Col.TO_PARTY, Col.ACTOR)
# the values a field may take, where the vocabulary fixes them
FIELD_VALUES: dict[str, list[str]] = {
    Col.TYPE: values(RecordType),
    Col.CHANNEL: values(Channel),
    Col.KIND: values(ContactKind) + [k for k in values(EventKind) if k not in values(ContactKind)],
    Col.ATTEMPT_OUTCOME: values(AttemptOutcome),
    Col.PRECEDENCE: values(Precedence),
    Col.CERTAINTY: values(Certainty),
    Col.TIME_PRECISION: values(TimePrecision),
    Col.EXPECTS_RESPONSE: ["true", "false"],
}
MAPPABLE_FIELDS = tuple(ALL_FIELDS)


class MappingError(InputError):
    """A mapping file that cannot be used: names the file and the key (exit 2)."""


class SourceFormat(StrEnum):
    CSV = "csv"
    TSV = "tsv"
    XLSX = "xlsx"
    JSON = "json"
    JSONL = "jsonl"


class DateOrder(StrEnum):
    DMY = "dmy"
    MDY = "mdy"
    YMD = "ymd"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceSpec(_Strict):
    """[source]: how to read the file."""

    format: str | None = None  # a SourceFormat, or a preset's own format (mbox, slack, ...)
    sheet: str | None = None  # xlsx: the sheet's name (default: the first sheet)
    delimiter: str | None = None  # csv: "," or ";" (default: whichever the header uses)
    encoding: str = "utf-8"  # e.g. "cp1252" for a CSV saved by a Windows spreadsheet
    skip_rows: int = Field(default=0, ge=0)  # lines above the header (titles, notes)
    records: str | None = None  # json: the key of the list in an object (default: the only one)
    date_order: DateOrder | None = None  # whatsapp: order of day, month and year in its dates


class TimeSpec(_Strict):
    """[time]: how times are written."""

    zone: str | None = None
    formats: list[str] = Field(default_factory=list)
    precision: TimePrecision | None = None
    date: str | None = None  # a date (YYYY-MM-DD) for times written without one (ICS 309)
    rollover: bool = True  # with `date`: a time earlier than the one before is the next day


class FieldSpec(_Strict):
    """One field's source: a column, a constant, a map of raw values, a default."""

    column: str | None = None
    value: str | None = None
    map: dict[str, str] | None = None
    default: str | None = None
    integer: bool = False
    from_parent: bool = False
    from_reply: bool = False
    from_thread: bool = False
    date_column: str | None = None
    separator: str | None = None  # tags, logged_by: split the cell on this (default ";")

    @model_validator(mode="before")
    @classmethod
    def _texts(cls, data: Any) -> Any:
        """TOML booleans and numbers as constants (expects_response = { value = true })."""
        if isinstance(data, dict):
            data = dict(data)
            for key in ("value", "default"):
                if isinstance(data.get(key), bool):
                    data[key] = "true" if data[key] else "false"
                elif isinstance(data.get(key), int | float):
                    data[key] = str(data[key])
            if isinstance(data.get("map"), dict):
                data["map"] = {
                    k: ("true" if v else "false") if isinstance(v, bool) else v
                    for k, v in data["map"].items()
                }
        return data

    @property
    def infers(self) -> bool:
        return self.from_parent or self.from_reply or self.from_thread


class RecordSpec(_Strict):
    """One record made from each row: its fields, and for [[records]] its suffix and link."""

    fields: dict[str, FieldSpec]
    suffix: str = ""
    reply_to_suffix: str | None = None
    skip_when: dict[str, list[str]] | None = None  # column → raw values that yield no record


class Mapping(_Strict):
    """A whole mapping file."""

    source: SourceSpec = Field(default_factory=SourceSpec)
    time: TimeSpec = Field(default_factory=TimeSpec)
    fields: dict[str, FieldSpec | str] = Field(default_factory=dict)
    records: list[dict[str, Any]] = Field(default_factory=list)
    parties: dict[str, str] = Field(default_factory=dict)
    path: str = "<mapping>"

    def record_specs(self) -> list[RecordSpec]:
        """The records each row yields: the [[records]] tables, each over the [fields] ones."""
        base = {name: _field_spec(spec) for name, spec in self.fields.items()}
        if not self.records:
            return [RecordSpec(fields=base)]
        specs = []
        for number, table in enumerate(self.records, 1):
            own, key = {}, f"records[{number}]"
            try:
                for name, spec in table.items():
                    if name not in _RECORD_KEYS:
                        key = f"records[{number}].{name}"
                        own[name] = _field_spec(spec)
                key = f"records[{number}]"
                extra = {k: v for k, v in table.items() if k in _RECORD_KEYS}
                specs.append(RecordSpec(fields=base | own, **extra))
            except ValidationError as error:
                raise MappingError(_problem(self.path, error, key)) from None
        return specs


_RECORD_KEYS = ("suffix", "reply_to_suffix", "skip_when")


def _field_spec(spec: FieldSpec | str | dict[str, Any]) -> FieldSpec:
    if isinstance(spec, FieldSpec):
        return spec
    if isinstance(spec, str):
        return FieldSpec(column=spec)
    return FieldSpec.model_validate(spec)


# ---------------------------------------------------------------- loading and checking


def load_mapping(path: str | Path, base: dict[str, Any] | None = None) -> Mapping:
    """Read and check a mapping file (over `base`, a preset's mapping, when given); a
    MappingError names the file and the key."""
    return mapping_from(merge(base or {}, read_toml(path)), str(path))


def read_toml(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MappingError(f"{path}: no such mapping file") from None
    except IsADirectoryError:
        raise MappingError(f"{path}: is a directory, not a mapping file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise MappingError(f"{path}: the mapping file cannot be read ({error})") from None
    return toml_data(text, str(path))


def toml_data(text: str, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise MappingError(f"{where}: not valid TOML ({error})") from None


def parse_mapping(text: str, where: str, base: dict[str, Any] | None = None) -> Mapping:
    """A mapping from TOML text (over `base`, a preset's own mapping, when given)."""
    return mapping_from(merge(base or {}, toml_data(text, where)), where)


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """A user's mapping over a preset's: in each top-level table ([source], [time], [fields],
    [parties]) a key the user gives replaces the preset's (a field's whole table, not part of
    it); [[records]] given by the user replace the preset's."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merged[key] | value
        else:
            merged[key] = value
    return merged


def mapping_from(data: dict[str, Any], where: str) -> Mapping:
    try:
        mapping = Mapping.model_validate(data | {"path": where})
        specs = mapping.record_specs()
    except ValidationError as error:
        raise MappingError(_problem(where, error)) from None
    _check(mapping, specs, where)
    return mapping


def _problem(where: str, error: ValidationError, under: str = "") -> str:
    """The first problem pydantic found, as `file: dotted.key: what is wrong`."""
    item = error.errors(include_url=False)[0]
    loc = [str(p) for p in item["loc"] if str(p) not in ("FieldSpec", "str")]
    key = ".".join([under] * bool(under) + [p for p in loc if not p.startswith("function-")])
    key = key or "mapping"
    if item["type"] == "extra_forbidden":
        return f"{where}: {key}: unknown key (check its spelling; SPEC §6 lists the keys)"
    if item["type"] == "missing":
        return f"{where}: {key}: required key is missing"
    return f"{where}: {key}: {item['msg']}"


def _check(mapping: Mapping, specs: list[RecordSpec], where: str) -> None:
    def fail(key: str, problem: str) -> MappingError:
        return MappingError(f"{where}: {key}: {problem}")

    zone = mapping.time.zone
    if zone is not None and zone not in known_time_zones():
        raise fail("time.zone", f"{zone!r} is not a known IANA time zone (e.g. Asia/Damascus)")
    if mapping.time.date is not None:
        _check_date(mapping.time.date, fail)
    for number, spec in enumerate(specs, 1):
        prefix = f"records[{number}]." if mapping.records else "fields."
        for name, field in spec.fields.items():
            _check_field(prefix + name, name, field, fail)
        if mapping.records and number > 1 and not any(t in spec.fields for t in TIME_FIELDS):
            raise fail(f"records[{number}]", "a [[records]] table needs a time field (sent_at)")
        if spec.reply_to_suffix is not None and spec.reply_to_suffix not in {
            s.suffix for s in specs
        }:
            raise fail(
                f"records[{number}].reply_to_suffix",
                f"no [[records]] table has the suffix {spec.reply_to_suffix!r}",
            )
    suffixes = [s.suffix for s in specs]
    if len(set(suffixes)) != len(suffixes):
        raise fail("records", "two [[records]] tables have the same suffix; ids would clash")


def _check_date(date: str, fail) -> None:
    from datetime import date as Date

    try:
        Date.fromisoformat(date)
    except ValueError:
        raise fail("time.date", f"{date!r} is not a date written YYYY-MM-DD") from None


def _check_field(key: str, name: str, field: FieldSpec, fail) -> None:
    if name not in MAPPABLE_FIELDS:
        raise fail(key, f"not a record field (fields: {', '.join(MAPPABLE_FIELDS)})")
    if field.column is not None and field.value is not None:
        raise fail(key, "give either `column` or `value`, not both")
    if field.column is None and field.value is None and field.default is None and not field.infers:
        raise fail(key, "needs `column`, `value`, `default` or an addressee rule (from_parent)")
    if field.map is not None and field.column is None:
        raise fail(f"{key}.map", "a map translates a column's values; give `column` too")
    if field.infers and name != Col.TO_PARTY:
        raise fail(key, "from_parent / from_reply / from_thread apply to to_party only")
    if field.date_column is not None and name not in TIME_FIELDS:
        raise fail(f"{key}.date_column", "only a time field (sent_at, respond_by, at) has a date")
    allowed = FIELD_VALUES.get(name)
    if allowed is None:
        return
    for part, given in (("value", field.value), ("default", field.default)):
        if given is not None and given not in allowed:
            raise fail(f"{key}.{part}", _not_a_value(name, given, allowed))
    for raw, mapped in (field.map or {}).items():
        if mapped not in allowed:
            raise fail(f'{key}.map."{raw}"', _not_a_value(name, mapped, allowed))


def _not_a_value(name: str, given: str, allowed: list[str]) -> str:
    return f"{given!r} is not a {name} value (one of {', '.join(allowed)})"
