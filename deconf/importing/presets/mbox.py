"""Preset `mbox`: a Unix mailbox, one row per message, located at its ``From `` line.

Headers are read with the standard library's e-mail parser. In-Reply-To often carries a comment
after the id (``<id> (Name's message of "...")``): the first ``<...>`` is the id; without it, the
last entry of References is the parent. Date headers with any offset are written as RFC 3339
with that offset; a Date the parser cannot read is passed on as written, so validation rejects
that message with its line and the value instead of inventing a time.
"""

from __future__ import annotations

import email
import email.header
import email.policy
import email.utils
import re
from pathlib import Path

import polars as pl

from deconf.errors import InputError
from deconf.importing.mapping import Mapping
from deconf.importing.presets.base import Preset
from deconf.importing.presets.chat import KIND, chat_kind
from deconf.importing.tables import SourceTable, rows_table
from deconf.reading import read_bytes

COLUMNS = ("message_id", "in_reply_to", "date", "from", "to", "subject", "body", KIND)
_ANGLE = re.compile(r"<([^<>\s]+)>")
_FROM_LINE = re.compile(rb"^From \S")


def read(path: Path, mapping: Mapping) -> SourceTable:
    data = read_bytes(path)
    lines = data.split(b"\n")
    starts = [
        i
        for i, line in enumerate(lines)
        if _FROM_LINE.match(line) and (i == 0 or not lines[i - 1].strip())
    ]
    if not starts:
        raise InputError(f"{path}: not a mailbox (no line starts with 'From ')")
    rows = []
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(lines)
        raw = b"\n".join(lines[start + 1 : end])
        rows.append(_row(raw, start + 1, lines[start].decode("utf-8", "replace")))
    table = rows_table(str(path), rows, COLUMNS)
    frame = table.frame.with_columns(chat_kind(pl.col("body"), pl.col("in_reply_to")).alias(KIND))
    return SourceTable(table.source, frame, COLUMNS)


def _row(raw: bytes, line: int, from_line: str) -> dict[str, str | int | None]:
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    return {
        "_line": line,
        "_text": from_line + "\n" + _headers_text(message),
        "message_id": _first_id(message.get("Message-ID")),
        "in_reply_to": _first_id(message.get("In-Reply-To")) or _last_id(message.get("References")),
        "date": _date(message.get("Date")),
        "from": _address(message.get("From")),
        "to": _address(message.get("To")),
        "subject": _header_text(message.get("Subject")),
        "body": _own_text(message),
    }


def _headers_text(message) -> str:
    return "\n".join(f"{k}: {v}" for k, v in message.items() if k.lower() in _SHOWN)


_SHOWN = {"message-id", "in-reply-to", "references", "date", "from", "to", "subject"}


def _first_id(header: str | None) -> str | None:
    if not header:
        return None
    found = _ANGLE.search(str(header))
    return found.group(1) if found else (str(header).strip() or None)


def _last_id(header: str | None) -> str | None:
    ids = _ANGLE.findall(str(header or ""))
    return ids[-1] if ids else None


def _date(header: str | None) -> str | None:
    if not header:
        return None
    try:
        when = email.utils.parsedate_to_datetime(str(header))
    except (TypeError, ValueError, IndexError):
        return str(header).strip()
    return when.isoformat()  # "-0000" (zone unknown) gives a naive time: [time] zone decides


def _address(header: str | None) -> str | None:
    if not header:
        return None
    found = [a for _, a in email.utils.getaddresses([_header_text(header)]) if a]
    return found[0].lower() if found else None


def _header_text(header) -> str | None:
    if header is None:
        return None
    parts = email.header.decode_header(str(header))
    text = "".join(
        p.decode(c or "utf-8", "replace") if isinstance(p, bytes) else p for p, c in parts
    )
    return " ".join(text.split()) or None


def _own_text(message) -> str | None:
    """The message's own words: the first text/plain part without quoted lines."""
    part = next((p for p in message.walk() if p.get_content_type() == "text/plain"), None)
    if part is None:
        return None
    payload = part.get_payload(decode=True) or b""
    text = payload.decode(part.get_content_charset() or "utf-8", "replace")
    own = []
    for line in text.splitlines():
        if line.startswith(">") or re.match(r"^On .+ wrote:$", line.strip()):
            break
        own.append(line)
    return "\n".join(own).strip() or None


PRESET = Preset("mbox", "a Unix mailbox: Message-ID, In-Reply-To / References, Date", read)
