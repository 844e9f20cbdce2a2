"""Several sources' logs of one channel, reconciled (SPEC §7): matched one-to-one, each source's
clock offset estimated against the first, conflicts found, and one merged log written.

    from deconf.reconcile import reconcile
    result = reconcile([("US", us_records), ("RU", ru_records)], policy.reconcile)
    result.sources, result.records, result.conflicts, result.merged, result.as_dict()

Steps, one module each: `keys` (what is comparable), `clock` (offset per source), `matching`
(one-to-one as-of matching), `grouping` (the passes that decide which records are accounts of one
contact), `conflicts`, `merge`; `result` holds the outcome and its JSON shape. Sources are taken
in the order given: each is matched against every contact the sources before it logged, so a
contact only the second and third logged is still matched.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta

import polars as pl

from deconf.errors import UsageError
from deconf.frames import Col, Records
from deconf.model import PARTY_MAX
from deconf.policy import Reconcile
from deconf.reconcile.clock import REFERENCE, ClockOffset, estimate_offset
from deconf.reconcile.columns import KEY, ROW, SRC, US
from deconf.reconcile.conflicts import conflicts_of
from deconf.reconcile.grouping import accounts_of
from deconf.reconcile.keys import all_contacts
from deconf.reconcile.merge import merged_records
from deconf.reconcile.result import Reconciliation
from deconf.vocabulary import TimePrecision

_NAME_RE = re.compile(rf"^[^:;\s](?:[^:;]{{0,{PARTY_MAX - 2}}}[^:;\s])?$")


def check_names(names: Sequence[str]) -> None:
    """Source names become id prefixes ("US:kh-020"): no colon or semicolon, unique."""
    for name in names:
        if not _NAME_RE.match(name):
            raise UsageError(
                f"source name {name!r}: use 1-{PARTY_MAX} characters without ':' or ';' "
                "and without spaces at the ends"
            )
    seen = [n for i, n in enumerate(names) if n in names[:i]]
    if seen:
        raise UsageError(f"source name {seen[0]!r} is given twice; give each source its own name")
    if len(names) < 2:
        raise UsageError("reconcile needs at least two logs")


def reconcile(
    sources: Sequence[tuple[str, Records]], settings: Reconcile | None = None
) -> Reconciliation:
    """Match the sources' contacts, estimate clock offsets, find conflicts, merge."""
    settings = settings or Reconcile()
    names = [name for name, _ in sources]
    check_names(names)
    tolerance = _us(settings.tolerance)
    contacts = all_contacts([records for _, records in sources])
    offsets: list[ClockOffset] = [REFERENCE] + [
        _offset(contacts, k, tolerance, _us(settings.max_clock_offset))
        for k in range(1, len(sources))
    ]
    shift_us = [round(o.seconds * 1_000_000) for o in offsets]
    contacts = _corrected(contacts, shift_us)
    members = accounts_of(contacts, len(sources), tolerance, _us(settings.time_conflict_window))
    described = members.join(contacts.select(ROW, Col.KIND, Col.ATTEMPT_OUTCOME), on=ROW)
    conflicts = conflicts_of(described)
    events = [
        records.events.with_columns(pl.col(Col.AT) + pl.duration(microseconds=shift_us[k]))
        for k, (_, records) in enumerate(sources)
    ]
    merged = merged_records(contacts, members, conflicts, events, names)
    return Reconciliation(
        names=names,
        offsets=offsets,
        contacts=contacts,
        members=members,
        conflict_rows=conflicts,
        events=events,
        merged=merged,
    )


#: Times that can tell a clock offset: a time known to the day or "about" cannot.
_PRECISE = pl.col(Col.TIME_PRECISION).is_in([TimePrecision.SECOND, TimePrecision.MINUTE])


def _offset(contacts: pl.DataFrame, k: int, tolerance: int, max_offset: int) -> ClockOffset:
    """Source k's offset against the first, from precisely timed records; from all records when
    no precisely timed ones match."""
    for usable in (_PRECISE, pl.lit(True)):
        chosen = contacts.filter(usable)
        offset = estimate_offset(
            chosen.filter(pl.col(SRC) == 0).select(KEY, US),
            chosen.filter(pl.col(SRC) == k).select(KEY, US),
            tolerance,
            max_offset,
        )
        if offset.matches:
            return offset
    return offset


def _us(duration: timedelta) -> int:
    return round(duration.total_seconds() * 1_000_000)


def _corrected(contacts: pl.DataFrame, shift_us: list[int]) -> pl.DataFrame:
    """Times on the first source's clock (the logged time is kept for the record table)."""
    shift = pl.col(SRC).replace_strict(dict(enumerate(shift_us)), return_dtype=pl.Int64)
    return contacts.with_columns(
        pl.col(Col.SENT_AT).alias("_logged_at"),
        pl.col(Col.SENT_AT) + pl.duration(microseconds=shift),
        pl.col(Col.RESPOND_BY) + pl.duration(microseconds=shift),
        pl.col(US) + shift,
    )


__all__ = ["ClockOffset", "Reconciliation", "check_names", "reconcile"]
