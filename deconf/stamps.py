"""Timestamps as text: RFC 3339 in UTC, and local wall time beside it for people."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime


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
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def local(text: str | None, zone: str | None) -> str:
    """The same moment as wall time in `zone`, e.g. '22:43 +02:00 (2018-02-07)'."""
    if not text or not zone:
        return ""
    moment = parse_rfc3339(text).astimezone(zoneinfo.ZoneInfo(zone))
    return moment.strftime("%Y-%m-%d %H:%M:%S %z")[:-2] + ":" + moment.strftime("%z")[-2:]
