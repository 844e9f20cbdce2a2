"""Preset `slack`: a Slack export folder, one row per message, located in its day file.

Slack keeps a message's id in ``ts``; a reply carries ``thread_ts``, the id of the thread's root
(not of the message it answers directly), so replies point at the root. Replies may sit in a
later day's file: every file of the export is imported together so the links resolve. Join,
leave, topic and similar lines are Slack's own and are skipped and counted. When a root says it
has more replies (``reply_count``) than the export holds, the import says so.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from deconf.errors import InputError
from deconf.importing.jsonrows import read_json
from deconf.importing.mapping import Mapping
from deconf.importing.presets.base import Preset
from deconf.importing.presets.chat import KIND, chat_kind
from deconf.importing.tables import ROW_PROBLEM, SourceTable
from deconf.reading import LINE, TEXT, decode_text, read_bytes

COLUMNS = ("id", "ts", "sender", "text", "in_reply_to", "thread", KIND)
SYSTEM_SUBTYPES = (
    "channel_join",
    "channel_leave",
    "channel_topic",
    "channel_purpose",
    "channel_name",
    "channel_archive",
    "channel_unarchive",
    "group_join",
    "group_leave",
    "pinned_item",
    "unpinned_item",
)
SKIPPED = "Slack's own lines (joins, topics, pins)"


def read(path: Path, mapping: Mapping) -> list[SourceTable]:
    if not path.is_dir():
        raise InputError(f"{path}: the slack preset reads an export folder (with users.json)")
    names = _user_names(path)
    days = sorted(p for p in path.glob("*/*.json") if p.parent.name != "__MACOSX")
    if not days:
        raise InputError(f"{path}: no channel folders with day files (*.json) in this export")
    tables = [_day(day, names) for day in days]
    _warn_missing_replies(tables)
    return tables


def _user_names(path: Path) -> dict[str, str]:
    users = path / "users.json"
    if not users.exists():
        return {}
    try:
        listed = json.loads(decode_text(read_bytes(users), str(users)))
    except json.JSONDecodeError as error:
        raise InputError(f"{users}:{error.lineno}: not valid JSON ({error.msg})") from None
    names = {}
    for user in listed if isinstance(listed, list) else []:
        profile = user.get("profile") or {}
        name = profile.get("display_name") or user.get("real_name") or user.get("name")
        if user.get("id") and name:
            names[user["id"]] = name
    return names


def _day(day: Path, names: dict[str, str]) -> SourceTable:
    channel = day.parent.name
    table = read_json(decode_text(read_bytes(day), str(day)), str(day), None)
    frame = table.frame
    for column in (
        "ts",
        "user",
        "text",
        "thread_ts",
        "subtype",
        "reply_count",
        "user_name",
        "user_profile.display_name",
        "user_profile.real_name",
        "username",
    ):
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(column))
    system = pl.col("subtype").is_in(SYSTEM_SUBTYPES).fill_null(False)
    skipped = int(frame.select(system.sum()).item())
    frame = frame.filter(~system)
    prefix = pl.lit(f"{channel}/")
    is_reply = pl.col("thread_ts").is_not_null() & (pl.col("thread_ts") != pl.col("ts"))
    in_reply_to = pl.when(is_reply).then(prefix + pl.col("thread_ts"))
    sender = pl.coalesce(
        pl.col("user").replace_strict(names, default=None, return_dtype=pl.String),
        pl.col("user_profile.display_name"),
        pl.col("user_profile.real_name"),
        pl.col("username"),
        pl.col("user"),
    )
    frame = frame.select(
        LINE,
        TEXT,
        ROW_PROBLEM,
        (prefix + pl.col("ts")).alias("id"),
        "ts",
        sender.alias("sender"),
        "text",
        in_reply_to.alias("in_reply_to"),
        pl.when(pl.col("thread_ts").is_not_null())
        .then(prefix + pl.col("thread_ts"))
        .alias("thread"),
        chat_kind(pl.col("text"), in_reply_to).alias(KIND),
        pl.col("reply_count").cast(pl.Int64, strict=False).alias("_reply_count"),
    )
    return SourceTable(str(day), frame, COLUMNS, {SKIPPED: skipped} if skipped else {})


def _warn_missing_replies(tables: list[SourceTable]) -> None:
    """Roots whose reply_count exceeds the replies the export holds: said, not hidden."""
    every = pl.concat([t.frame.select("id", "in_reply_to", "_reply_count", LINE) for t in tables])
    found = every.group_by("in_reply_to").len("_found")
    short = every.join(found, left_on="id", right_on="in_reply_to", how="left").filter(
        pl.col("_reply_count") > pl.col("_found").fill_null(0)
    )
    for table in tables:
        table.frame = table.frame.drop("_reply_count")
    for root, count, have in short.select("id", "_reply_count", "_found").iter_rows():
        tables[0].notes.append(
            f"{root}: Slack counts {count} replies, the export holds {have or 0}; "
            "the missing ones are not in these files"
        )


PRESET = Preset("slack", "a Slack export folder: channel/day JSON files, users.json", read)
