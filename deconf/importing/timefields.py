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

import polars as pl

from deconf.frames import UTC_TIME
from deconf.importing.mapping import EPOCH_MILLISECONDS, EPOCH_SECONDS, TimeSpec

_NAIVE = pl.Datetime("us")
RFC3339 = "%Y-%m-%dT%H:%M:%S%.fZ"  # 2018-02-07T20:31:00Z; .905399 only when there is a fraction
RFC3339_SECONDS = "%Y-%m-%dT%H:%M:%SZ"


def rfc3339(utc: pl.Expr, *, fractions: bool = True) -> pl.Expr:
    """A UTC instant as the RFC 3339 text a deconf log carries (a fraction only when there is
    one; `fractions=False` when no value has one, which formats a third faster)."""
    return utc.dt.strftime(RFC3339 if fractions else RFC3339_SECONDS)


def add_time(
    frame: pl.DataFrame, raw: pl.Expr, time: TimeSpec, formats: tuple[str, ...], prefix: str
) -> pl.DataFrame:
    """`frame` with three columns for one time field: `prefix + "text"` (the cell as written),
    `prefix + "utc"` (the instant read, null when it cannot be) and `prefix + "problem"` (null
    when the cell is fine, or empty: emptiness is the model's to judge). With formats, the
    instant goes to validation as the field's parsed column (`reading.parsed_column`), so it is
    not written out as text and read again. Built in stages, each column once, so a million
    rows cost a handful of vectorised passes."""
    text, utc, problem = prefix + "text", prefix + "utc", prefix + "problem"
    cell = prefix + "cell"
    if time.date is not None:
        raw = pl.when(raw.is_not_null()).then(pl.concat_str(pl.lit(time.date), pl.lit(" "), raw))
    frame = frame.with_columns(raw.cast(pl.String).alias(cell))
    padded = pl.col(cell).str.starts_with(" ") | pl.col(cell).str.ends_with(" ")
    if frame.select(padded.any()).item():  # trimming a million cells costs: only when needed
        trimmed = pl.col(cell).str.strip_chars()
        frame = frame.with_columns(pl.when(trimmed != "").then(trimmed).alias(cell))
    if not formats:  # RFC 3339, read by validation exactly as `deconf validate` reads it
        return frame.with_columns(
            pl.col(cell).alias(text),
            _rfc3339_for_ordering(pl.col(cell), time.zone).alias(utc),
            pl.lit(None, dtype=pl.String).alias(problem),
        ).drop(cell)
    tries = [f"{prefix}try{i}" for i in range(len(formats))]
    aware = [_is_aware(f) for f in formats]
    frame = frame.with_columns(
        _one_format(pl.col(cell), f).alias(name) for f, name in zip(formats, tries, strict=True)
    )
    wall, is_aware = prefix + "wall", prefix + "aware"
    frame = frame.with_columns(
        pl.coalesce(tries).alias(wall),
        pl.coalesce(
            pl.when(pl.col(name).is_not_null()).then(pl.lit(a))
            for name, a in zip(tries, aware, strict=True)
        ).alias(is_aware),
    ).drop(tries)
    if time.date is not None and time.rollover:
        frame = frame.with_columns(_roll_over(pl.col(wall)).alias(wall))
    zone = time.zone
    local, unclear = prefix + "local", prefix + "unclear"
    if zone and not all(aware):
        # one conversion for every row; the rare times it cannot place are told apart after
        frame = frame.with_columns(
            pl.col(wall)
            .dt.replace_time_zone(zone, ambiguous="null", non_existent="null")
            .dt.convert_time_zone("UTC")
            .alias(local)
        )
        needs = ~pl.col(is_aware) & pl.col(wall).is_not_null() & pl.col(local).is_null()
        if frame.select(needs.fill_null(False).any()).item():
            happened_twice = (
                pl.col(wall)
                .dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
                .is_not_null()
            )
            frame = frame.with_columns(pl.when(needs).then(happened_twice).alias(unclear))
        else:
            frame = frame.with_columns(pl.lit(None, pl.Boolean).alias(unclear))
        ambiguous = pl.col(unclear).fill_null(False)  # True: happened twice
        missing = (~pl.col(unclear)).fill_null(False)  # False: never happened
    else:
        frame = frame.with_columns(
            pl.lit(None, dtype=UTC_TIME).alias(local), pl.lit(None, pl.Boolean).alias(unclear)
        )
        ambiguous = missing = pl.lit(False)
    shown = ", ".join(formats)
    found = (
        pl.when(pl.col(cell).is_null())
        .then(pl.lit(None, pl.String))
        .when(pl.col(wall).is_null())
        .then(pl.lit(f"not a time in any of the mapping's formats ({shown})"))
        .when(pl.col(is_aware))
        .then(pl.lit(None, pl.String))
        .when(pl.lit(not zone))
        .then(pl.lit("time has no zone; set [time] zone in the mapping"))
        .when(missing)
        .then(pl.lit(f"this local time does not exist in {zone} (the clocks jumped over it)"))
        .when(ambiguous)
        .then(
            pl.lit(
                f"this local time happened twice in {zone} (the clocks went back); "
                "write it with an offset"
            )
        )
    )
    instant = (
        pl.when(pl.col(is_aware))
        .then(pl.col(wall).dt.replace_time_zone("UTC"))
        .otherwise(pl.col(local))
    )
    frame = frame.with_columns(found.alias(problem), instant.cast(UTC_TIME).alias(utc))
    frame = frame.with_columns(
        pl.when(pl.col(problem).is_null()).then(pl.col(utc)).alias(utc), pl.col(cell).alias(text)
    )
    return frame.drop(cell, wall, is_aware, local, unclear)


def _is_aware(fmt: str) -> bool:
    return fmt in (EPOCH_SECONDS, EPOCH_MILLISECONDS) or any(z in fmt for z in ("%z", "%:z", "%#z"))


def _one_format(raw: pl.Expr, fmt: str) -> pl.Expr:
    """The cell read by one format, as a naive datetime (UTC when the format is aware)."""
    if fmt in (EPOCH_SECONDS, EPOCH_MILLISECONDS):
        return _epoch(raw, 6 if fmt == EPOCH_SECONDS else 3).cast(_NAIVE)
    parsed = raw.str.to_datetime(fmt, strict=False, time_unit="us")
    if _is_aware(fmt):
        return parsed.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    return parsed


def _epoch(raw: pl.Expr, digits: int) -> pl.Expr:
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
