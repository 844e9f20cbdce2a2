"""Times as foreign logs write them, parsed in bulk to UTC, with the reason when they cannot be.

Formats are strptime patterns tried in order (the first that reads a cell wins), or ``epoch`` /
``epoch_ms`` for Unix times. A date may come from another column (``date_column``) or, for forms
that write only HHMM under an operational period (ICS 309), from ``[time] date``, with the day
rolling over when a time is earlier than the one before it. Times without an offset are read in
``[time] zone``; a local time that does not exist (clocks jumped over it) or happened twice
(clocks went back) is rejected with that reason instead of being guessed.

Without formats the cell is passed through untouched: validation then reads it exactly as
``deconf validate`` does (RFC 3339, with the zone as ``--assume-tz``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import polars as pl

from deconf.frames import UTC_TIME
from deconf.importing.cells import trimmed_cells
from deconf.importing.mapping import EPOCH_MILLISECONDS, EPOCH_SECONDS, TimeSpec

_NAIVE = pl.Datetime("us")
Cells = TypeVar("Cells", pl.Expr, pl.Series)  # read in bulk (an expression) or a few rows


@dataclass(frozen=True)
class ReadTimes:
    """One time field of every row, read."""

    text: pl.Series  # the cell as written (trimmed; a cell of blanks only is empty)
    utc: pl.Series  # the instant read, in UTC; null when it cannot be (or is not asked for)
    problem: pl.Series  # why it cannot be; null when fine or empty (emptiness is the model's)


def bulk_instants(cell: pl.Expr, time: TimeSpec, formats: tuple[str, ...]) -> pl.Expr | None:
    """The cells the first format reads, as UTC instants (placed in the zone when naive): one
    expression for the bulk of the rows, evaluated beside the mapping's other columns. A cell it
    leaves unread (another format's, a padded one, a local time the zone cannot place) is read
    by `read_times` on its own. None when there is nothing to read in bulk: no formats, times
    that must be read in row order (rollover), or a first format without an offset and no zone
    to place its times in (`read_times` then reads every cell format by format)."""
    if not formats or (time.date is not None and time.rollover):
        return None
    if time.date is not None:
        cell = pl.concat_str(pl.lit(time.date), pl.lit(" "), cell)
    parsed = _one_format(cell.cast(pl.String), formats[0])
    if _is_aware(formats[0]):
        return parsed.dt.replace_time_zone("UTC")
    if not time.zone:
        return None
    placed = parsed.dt.replace_time_zone(time.zone, ambiguous="null", non_existent="null")
    return placed.dt.convert_time_zone("UTC")


def read_times(
    cell: pl.Series,
    time: TimeSpec,
    formats: tuple[str, ...],
    *,
    order: bool = True,
    bulk: pl.Series | None = None,
) -> ReadTimes:
    """A time field's cells read to UTC instants, with the reason where they cannot be.

    With formats, the instants go to validation as the field's parsed column
    (`reading.parsed_column`), so they are not written out as text and read again; `bulk` is
    what `bulk_instants` read, and only the cells it left unread are read here, format by
    format. Without formats, the text is left for validation to read exactly as `deconf
    validate` does, and the instant is read leniently only when `order` asks for it (to order
    records for addressee inference)."""
    cell = cell.cast(pl.String)
    if time.date is not None:
        cell = pl.select(pl.concat_str(pl.lit(time.date), pl.lit(" "), cell)).to_series()
    cell = trimmed_cells(cell)
    height = cell.len()
    problem = pl.repeat(None, height, dtype=pl.String, eager=True)
    if not formats:  # RFC 3339, read by validation exactly as `deconf validate` reads it
        utc = (
            pl.select(_rfc3339_for_ordering(pl.lit(cell), time.zone)).to_series()
            if order
            else pl.repeat(None, height, dtype=UTC_TIME, eager=True)
        )
        return ReadTimes(cell, utc.cast(UTC_TIME), problem)
    if bulk is None:
        utc = _read_each(cell, time, formats, problem)
        return ReadTimes(cell, utc.cast(UTC_TIME), problem)
    unread = cell.is_not_null() & bulk.is_null()
    utc = bulk.cast(UTC_TIME)
    if unread.any():
        rows = unread.arg_true()
        found = pl.repeat(None, rows.len(), dtype=pl.String, eager=True)
        utc = utc.scatter(rows, _read_each(cell.gather(rows), time, formats, found).cast(UTC_TIME))
        problem = problem.scatter(rows, found)
    return ReadTimes(cell, utc, problem)


def _read_each(
    cell: pl.Series, time: TimeSpec, formats: tuple[str, ...], problem: pl.Series
) -> pl.Series:
    """The cells read format by format and placed in the zone; why a cell cannot be is
    written into `problem` (in place)."""
    height = cell.len()
    wall, aware = _parse(cell, formats)
    if time.date is not None and time.rollover:
        wall = pl.select(_roll_over(pl.lit(wall))).to_series()
    naive = ~aware if isinstance(aware, pl.Series) else pl.repeat(not aware, height, eager=True)
    unread = cell.is_not_null() & wall.is_null()
    if unread.any():
        shown = ", ".join(formats)
        problem.scatter(unread.arg_true(), f"not a time in any of the mapping's formats ({shown})")
    zone = time.zone
    if zone and aware is not True:
        return _in_zone(wall, zone, aware, naive, problem)
    unzoned = naive & wall.is_not_null()
    if unzoned.any():
        problem.scatter(unzoned.arg_true(), "time has no zone; set [time] zone in the mapping")
    return _where_aware(aware, wall.dt.replace_time_zone("UTC"))


def _parse(cell: pl.Series, formats: tuple[str, ...]) -> tuple[pl.Series, bool | pl.Series]:
    """Each cell read by the first format that reads it whole, as a naive datetime (UTC when
    that format is aware), and whether it was aware: one flag when every format agrees, else
    one per row. A later format reads only the cells the ones before it could not."""
    awareness = [_is_aware(f) for f in formats]
    wall = _one_format(cell, formats[0])
    aware: bool | pl.Series = awareness[0]
    if len(set(awareness)) > 1:
        aware = pl.repeat(awareness[0], cell.len(), eager=True)
    for fmt, is_aware in zip(formats[1:], awareness[1:], strict=True):
        unread = cell.is_not_null() & wall.is_null()
        if not unread.any():
            break
        rows = unread.arg_true()
        wall = wall.scatter(rows, _one_format(cell.gather(rows), fmt))
        if isinstance(aware, pl.Series) and is_aware != awareness[0]:
            aware = aware.scatter(rows, is_aware)
    return wall, aware


def _in_zone(
    wall: pl.Series, zone: str, aware: bool | pl.Series, naive: pl.Series, problem: pl.Series
) -> pl.Series:
    """Naive times placed in `zone`, to UTC, in one conversion for every row; the rare times
    it cannot place (they never happened, or happened twice) are told apart on their own."""
    local = wall.dt.replace_time_zone(zone, ambiguous="null", non_existent="null")
    local = local.dt.convert_time_zone("UTC")
    unplaced = naive & wall.is_not_null() & local.is_null()
    if unplaced.any():
        rows = unplaced.arg_true()
        earliest = wall.gather(rows).dt.replace_time_zone(
            zone, ambiguous="earliest", non_existent="null"
        )
        twice, never = rows.filter(earliest.is_not_null()), rows.filter(earliest.is_null())
        if never.len():
            problem.scatter(
                never, f"this local time does not exist in {zone} (the clocks jumped over it)"
            )
        if twice.len():
            problem.scatter(
                twice,
                f"this local time happened twice in {zone} (the clocks went back); "
                "write it with an offset",
            )
    return _where_aware(aware, wall.dt.replace_time_zone("UTC"), local)


def _where_aware(aware: bool | pl.Series, utc: pl.Series, otherwise: pl.Series | None = None):
    """`utc` where the cell was read by an aware format, else `otherwise` (null)."""
    if aware is True:
        return utc
    if aware is False:
        if otherwise is None:
            return pl.repeat(None, utc.len(), dtype=UTC_TIME, eager=True)
        return otherwise
    rest = pl.lit(otherwise) if otherwise is not None else None
    return pl.select(pl.when(pl.lit(aware)).then(pl.lit(utc)).otherwise(rest)).to_series()


def _is_aware(fmt: str) -> bool:
    return fmt in (EPOCH_SECONDS, EPOCH_MILLISECONDS) or any(z in fmt for z in ("%z", "%:z", "%#z"))


def _one_format(raw: Cells, fmt: str) -> Cells:
    """The cells read by one format, as naive datetimes (UTC when the format is aware). No
    cache: times are nearly all distinct, and hashing them costs as much as reading them."""
    if fmt in (EPOCH_SECONDS, EPOCH_MILLISECONDS):
        return _epoch(raw, 6 if fmt == EPOCH_SECONDS else 3).cast(_NAIVE)
    parsed = raw.str.to_datetime(fmt, strict=False, time_unit="us", cache=False)
    if _is_aware(fmt):
        return parsed.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    return parsed


def _epoch(raw: Cells, digits: int) -> Cells:
    """Unix time in microseconds, exactly (no float): whole seconds (`digits` = 6) or
    milliseconds (3) and their decimals, so Slack's 1736478630.905399 keeps its microseconds."""
    parts = raw.str.extract_groups(r"^(\d{1,16})(?:\.(\d*))?$")
    whole = parts.struct.field("1").cast(pl.Int64, strict=False)
    fraction = parts.struct.field("2").fill_null("").str.pad_end(digits, "0").str.slice(0, digits)
    return whole * 10**digits + fraction.cast(pl.Int64, strict=False)


def _roll_over(wall: pl.Expr) -> pl.Expr:
    """Times of one operational period written without their date: each time earlier than the
    one before it is on the next day (in the order the rows were written)."""
    previous = wall.forward_fill().shift(1)
    days = (wall < previous).fill_null(False).cast(pl.Int64).cum_sum()
    return wall + pl.duration(days=days)


def _rfc3339_for_ordering(raw: pl.Expr, zone: str | None) -> pl.Expr:
    """RFC 3339 text read leniently, only to order rows for addressee inference."""
    text = raw.str.strip_chars().str.replace(" ", "T", literal=True).str.replace("Z$", "+00:00")
    aware = text.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%:z", strict=False, time_unit="us")
    utc = aware.dt.convert_time_zone("UTC")
    if zone:
        naive = text.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", strict=False, time_unit="us")
        local = naive.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
        utc = pl.coalesce(utc, local.dt.convert_time_zone("UTC"))
    return utc
