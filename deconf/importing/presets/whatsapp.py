"""Preset `whatsapp`: the text of WhatsApp's "Export chat", in its locale variants.

The layout depends on the phone: ``12/24/19, 11:23 - Name: text`` (Android),
``[10.24.21, 15:21:43] Name: text`` (iPhone), ``9/24/2019 11:30 p.m. - Name: text``, 12- or 24-hour
clocks, U+202F or U+00A0 before AM/PM, U+200E marks in front. A message runs on over the lines
that do not start with a date. Lines from WhatsApp itself ("Messages and calls are end-to-end
encrypted", "Alice added Bob") have no sender, or (the encryption notice of an iPhone export)
the chat's name as if it were one: they are skipped and counted, never mistaken for messages.
The export carries no zone and no day/month order: both come from the mapping.
All line matching is done by Polars over the whole file.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from deconf.errors import InputError
from deconf.importing.mapping import Mapping, MappingError
from deconf.importing.presets.base import Preset
from deconf.importing.presets.chat import KIND, chat_kind
from deconf.importing.tables import ROW_PROBLEM, SourceTable
from deconf.reading import LINE, TEXT, decode_text, read_bytes

COLUMNS = ("sent", "sender", "to", "text", KIND)
_SPACE = r"[\s\u202f\u00a0]"
_HEADER = (
    r"^\[?(?<date>\d{1,4}[./-]\d{1,2}[./-]\d{1,4}),?" + _SPACE + r"+"
    r"(?<time>\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)" + _SPACE + r"*"
    r"(?<ampm>[AaPp]\.?" + _SPACE + r"?[Mm]\.?)?\]?" + _SPACE + r"*(?:-" + _SPACE + r"+)?"
    r"(?<rest>.*)$"
)
_SENDER = r"^(?<sender>[^:]{1,80}?): (?<text>.*)$"
# WhatsApp's own notice that iPhone exports put under the chat's name as if it were a message
_NOTICE = (
    r"^(?:Messages and calls are end-to-end encrypted"
    r"|Messages to this group are now secured with end-to-end encryption)"
)
SYSTEM_LINES = "system messages (no sender)"


def check(mapping: Mapping) -> None:
    if mapping.source.date_order is None:
        raise MappingError(
            f"{mapping.path}: source.date_order: the whatsapp preset needs the order of day and "
            'month in the export\'s dates: set [source] date_order = "dmy", "mdy" or "ymd"'
        )


def read(path: Path, mapping: Mapping) -> SourceTable:
    text = decode_text(read_bytes(path), str(path)).replace("\u200e", "").replace("\u200f", "")
    lines = pl.DataFrame({TEXT: text.split("\n")}).with_columns(
        pl.col(TEXT).str.strip_suffix("\r"),
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(LINE),
    )
    parts = lines.with_columns(pl.col(TEXT).str.extract_groups(_HEADER).alias("_h"))
    parts = parts.unnest("_h").with_columns(pl.col("date").is_not_null().alias("_starts"))
    if not parts["_starts"].any():
        raise InputError(f"{path}: not a WhatsApp chat export (no line starts with a date)")
    parts = parts.with_columns(pl.col("_starts").cum_sum().alias("_message")).filter(
        pl.col("_message") > 0
    )
    messages = parts.group_by("_message", maintain_order=True).agg(
        pl.col(LINE).first(),
        pl.col("date").first(),
        pl.col("time").first(),
        pl.col("ampm").first(),
        pl.col("rest").first(),
        pl.col(TEXT).str.join("\n"),
        pl.col(TEXT).slice(1).str.join("\n").alias("_more"),
    )
    said = messages.with_columns(pl.col("rest").str.extract_groups(_SENDER).alias("_s")).unnest(
        "_s"
    )
    system = said["sender"].is_null() | said["text"].str.contains(_NOTICE).fill_null(False)
    said = said.filter(~system)
    order = mapping.source.date_order.value if mapping.source.date_order else "dmy"
    said = said.with_columns(
        _stamp(order).alias("sent"),
        pl.concat_str(
            pl.col("text"),
            pl.when(pl.col("_more") != "").then(pl.lit("\n") + pl.col("_more")),
            ignore_nulls=True,
        ).alias("text"),
    )
    senders = said["sender"].unique().drop_nulls().to_list()
    other = {senders[0]: senders[1], senders[1]: senders[0]} if len(senders) == 2 else {}
    frame = said.select(
        LINE,
        TEXT,
        "sent",
        pl.col("sender").str.strip_chars(),
        pl.col("sender").replace_strict(other, default=None, return_dtype=pl.String).alias("to"),
        "text",
        chat_kind(pl.col("text"), pl.lit(None, pl.String)).alias(KIND),
        pl.lit(None, dtype=pl.String).alias(ROW_PROBLEM),
    )
    skipped = int(system.sum())
    return SourceTable(str(path), frame, COLUMNS, {SYSTEM_LINES: skipped} if skipped else {})


def _stamp(order: str) -> pl.Expr:
    """Date and time cells as `YYYY-MM-DD HH:MM:SS` (local), by the mapping's day/month order."""
    pieces = pl.col("date").str.replace_all(r"[.-]", "/").str.split("/")
    first, second, third = (pieces.list.get(i, null_on_oob=True) for i in range(3))
    year, month, day = {
        "dmy": (third, second, first),
        "mdy": (third, first, second),
        "ymd": (first, second, third),
    }[order]
    year = pl.when(year.str.len_chars() == 2).then(pl.lit("20") + year).otherwise(year)
    clock = pl.col("time").str.replace_all(r"\.", ":").str.split(":")
    hour = clock.list.get(0).cast(pl.Int32, strict=False)
    minute = clock.list.get(1)
    second = clock.list.get(2, null_on_oob=True).fill_null("00")
    meridiem = pl.col("ampm").str.replace_all(r"[.\s\u202f\u00a0]", "").str.to_lowercase()
    hour = (
        pl.when(meridiem == "pm")
        .then(pl.when(hour == 12).then(12).otherwise(hour + 12))
        .when(meridiem == "am")
        .then(pl.when(hour == 12).then(0).otherwise(hour))
        .otherwise(hour)
    )
    return pl.format(
        "{}-{}-{} {}:{}:{}",
        year,
        month.str.zfill(2),
        day.str.zfill(2),
        hour.cast(pl.String).str.zfill(2),
        minute,
        second,
    )


PRESET = Preset(
    "whatsapp", "a WhatsApp chat export (text), Android and iPhone layouts", read, check
)
