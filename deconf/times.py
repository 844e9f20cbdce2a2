"""Time, in one place: parsing timestamps and durations, RFC 3339 text, wall time in a zone, and
durations for people. Every layer (model, validation, analysis, policy, CLI, browser, report)
asks this module, so a time reads the same wherever it is shown.

Errors are plain `TimeError`s (a ValueError with a stable `code`): the model turns them into
validation errors with the same words, the CLI into one line naming the option.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from deconf.errors import UsageError

# ------------------------------------------------------------------ zones


@cache
def known_time_zones() -> frozenset[str]:
    """IANA zone names this installation knows (from the ``tzdata`` package if need be)."""
    return frozenset(zoneinfo.available_timezones())


def check_zone(zone: str | None, setting: str = "assume_tz") -> str | None:
    """The zone, when it is a known IANA name (or None); UsageError naming `setting` otherwise."""
    if zone is not None and zone not in known_time_zones():
        raise UsageError(
            f"{zone!r} is not a known IANA time zone (e.g. Asia/Damascus)", setting=setting
        )
    return zone


# ------------------------------------------------------------------ parsing timestamps

#: RFC 3339 date-time, seconds optional (logs kept to the minute are common). The offset group is
#: optional only so that a naive time can be recognised and explained; it is accepted only with an
#: explicit zone from the user (the `assume_tz` setting).
TIMESTAMP_PATTERN = (
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::([0-5]\d)(\.\d{1,6})?)?"
    r"(Z|z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?$"
)
#: Years the whole chain (Python's datetime, UTC shifts) handles without overflow.
YEARS = (2, 9998)
_TIMESTAMP_RE = re.compile(TIMESTAMP_PATTERN)
NOW = "now"


class TimeError(ValueError):
    """A time or duration that cannot be read; `code` names the kind, `message` says why."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def parse_timestamp(value: Any, assume_tz: str | None = None) -> datetime:
    """An RFC 3339 timestamp (or an aware datetime) as an aware UTC datetime. A naive one is read
    in `assume_tz` and refused without it; non-existent and ambiguous local times are refused."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return _localize(value, assume_tz)
        return value.astimezone(UTC)
    if not isinstance(value, str):
        raise TimeError("timestamp_type", "must be an RFC 3339 timestamp string")
    match = _TIMESTAMP_RE.match(value)
    if match is None:
        raise TimeError(
            "timestamp_format",
            "not an RFC 3339 timestamp (expected like 2018-02-07T22:31:00+02:00)",
        )
    year, month, day, hour, minute = (int(match.group(i)) for i in range(1, 6))
    second = int(match.group(6) or 0)
    fraction = match.group(7)
    micro = int(fraction[1:].ljust(6, "0")) if fraction else 0
    try:
        if not YEARS[0] <= year <= YEARS[1]:
            raise ValueError(year)
        naive = datetime(year, month, day, hour, minute, second, micro)
    except ValueError as error:
        raise TimeError("timestamp_range", "not a valid date or time") from error
    offset = match.group(8)
    if offset is None:
        return _localize(naive, assume_tz)
    if offset in ("Z", "z"):
        return naive.replace(tzinfo=UTC)
    sign = 1 if offset[0] == "+" else -1
    hours, minutes = int(offset[1:3]), int(offset[4:6])
    return (naive - sign * timedelta(hours=hours, minutes=minutes)).replace(tzinfo=UTC)


def _localize(naive: datetime, zone_name: str | None) -> datetime:
    if not zone_name:
        raise TimeError(
            "timestamp_naive", "timestamp has no time zone; add an offset or pass `assume_tz`"
        )
    zone = zoneinfo.ZoneInfo(zone_name)
    early = naive.replace(tzinfo=zone, fold=0)
    late = naive.replace(tzinfo=zone, fold=1)
    round_trip = early.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != naive:
        raise TimeError(
            "timestamp_nonexistent",
            f"local time does not exist in {zone_name} (clock change); add an explicit offset",
        )
    if early.utcoffset() != late.utcoffset():
        raise TimeError(
            "timestamp_ambiguous",
            f"local time is ambiguous in {zone_name} (clock change); add an explicit offset",
        )
    return early.astimezone(UTC)


def parse_moment(value: str | datetime | None) -> datetime | None:
    """A moment a user names (as-of, since, until, go to): None, 'now', an RFC 3339 timestamp
    with an offset, or a datetime (a naive one is taken as UTC, as a naive string is refused)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if value.strip().lower() == NOW:
        return datetime.now(UTC)
    try:
        return parse_timestamp(value)
    except TimeError as error:
        raise TimeError(
            error.code, f"{error.message} ({value!r}); use 'now' or e.g. 2018-02-08T00:00:00Z"
        ) from None


_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_day_or_moment(text: str, zone: str = "UTC", end_of_day: bool = False) -> datetime:
    """What a person types in a time field: a date alone (its first moment in `zone`, or its
    last with `end_of_day`, so that "until 2018-02-07" includes that day), 'now', or an RFC 3339
    timestamp with an offset."""
    text = text.strip()
    if _DAY_RE.match(text):
        try:
            day = datetime.strptime(text, "%Y-%m-%d").date()
        except ValueError:
            raise TimeError("date_invalid", f"{text!r} is not a date") from None
        first = datetime.combine(day, datetime.min.time(), zoneinfo.ZoneInfo(zone))
        moment = first + timedelta(days=1, microseconds=-1) if end_of_day else first
        return moment.astimezone(UTC)
    moment = parse_moment(text)
    if moment is None:
        raise TimeError("time_missing", "a time is needed")
    return moment


# ------------------------------------------------------------------ RFC 3339 text

#: Polars format of machine output: RFC 3339 in UTC with microseconds.
EXPORT_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%.6fZ"
#: Polars format of times in tables for people: UTC to the second.
PEOPLE_TIME_FORMAT = "%Y-%m-%d %H:%M:%SZ"


def rfc3339(moment: datetime | None) -> str | None:
    """'2018-02-07T20:43:00Z' (microseconds only when there are any)."""
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}"
    return text + "Z"


def parse_rfc3339(text: str) -> datetime:
    """Read back what `rfc3339` wrote."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def to_the_minute(moment: datetime) -> str:
    """'2018-02-07 20:43Z': what a reader of a sentence wants."""
    return rfc3339(moment).replace("T", " ")[:16] + "Z"


def now_rfc3339() -> str:
    """The present moment as RFC 3339 UTC (what a mark records)."""
    return rfc3339(datetime.now(UTC)) or ""


# ------------------------------------------------------------------ wall time in a zone


def local(text: str | None, zone: str | None) -> str:
    """The same moment as wall time in `zone`, e.g. '2018-02-07 22:43:00 +02:00'."""
    if not text or not zone:
        return ""
    moment = parse_rfc3339(text).astimezone(zoneinfo.ZoneInfo(zone))
    return moment.strftime("%Y-%m-%d %H:%M:%S %z")[:-2] + ":" + moment.strftime("%z")[-2:]


def wall_time(moment: datetime | None, zone: str) -> str:
    """A moment on the clock of `zone`, to the second: '… Z' in UTC, '… +0200' elsewhere."""
    if moment is None:
        return ""
    shown = moment.astimezone(zoneinfo.ZoneInfo(zone))
    suffix = "Z" if zone == "UTC" else shown.strftime(" %z")
    return shown.strftime("%Y-%m-%d %H:%M:%S") + suffix


# ------------------------------------------------------------------ durations

DURATION_RE = re.compile(r"^\s*(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+(?:\.\d+)?)s)?\s*$")
_NOT_A_DURATION = 'not a duration (use e.g. "15m", "1h30m", 900)'


def parse_duration(value: Any) -> timedelta:
    """'1h30m', '90s', '2d' or seconds (int/float) to a timedelta; TimeError otherwise."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise TimeError("duration", _NOT_A_DURATION)
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and value.strip() and (match := DURATION_RE.match(value)):
        days, hours, minutes, secs = (float(g) if g else 0.0 for g in match.groups())
        seconds = days * 86400 + hours * 3600 + minutes * 60 + secs
    else:
        raise TimeError("duration", _NOT_A_DURATION)
    if seconds < 0:
        raise TimeError("duration", "a duration cannot be negative")
    return timedelta(seconds=seconds)


def format_duration(value: timedelta) -> str:
    """A duration as a policy file writes it: '900s'."""
    total = value.total_seconds()
    if total == int(total):
        return f"{int(total)}s"
    return f"{total}s"


def humanize(seconds: float | None) -> str:
    """'2h 14m 00s': exact to the second for people (machine output keeps µs); '' for none."""
    if seconds is None:
        return ""
    sign = "-" if seconds < 0 else ""
    whole = round(abs(seconds))
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours:02d}h {minutes:02d}m"
    if hours:
        return f"{sign}{hours}h {minutes:02d}m {secs:02d}s"
    if minutes:
        return f"{sign}{minutes}m {secs:02d}s"
    return f"{sign}{secs}s"
