"""Synthetic logs for scale tests and benchmarks: valid, realistic, reproducible from a seed.

A log is built from contact sessions. In each, one party tries to reach another: a first attempt,
sometimes retries (a call nobody picked up is still an attempt), then perhaps an acknowledgement
and a substantive answer, with heavy-tailed (log-normal) delays whose typical size differs by
responder, some never answered at all. Replies name what they answer (`in_reply_to`) or, as in
real logs, do not and must be linked by inference. Events are sprinkled over the same span.
Everything is drawn with numpy from one seed, so the same arguments give the same bytes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

from deconf.atomic import write_with
from deconf.errors import UsageError
from deconf.frames import Col
from deconf.vocabulary import Channel, EventKind, Precedence

KNOWN_PARTIES = ["US", "RU", "SDF", "TR", "SY", "IL", "UN-OCHA", "NGO-A", "JO", "IQ", "IR", "UK"]
START = datetime(2018, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 365 * 86400.0  # a log covers about a year, whatever its size
EVENT_SHARE = 0.02
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
#: The record fields a synthetic log line carries (absent ones written as null).
FIELDS = (
    Col.TYPE,
    Col.ID,
    Col.SENT_AT,
    Col.AT,
    Col.FROM_PARTY,
    Col.TO_PARTY,
    Col.CHANNEL,
    Col.KIND,
    Col.ATTEMPT_OUTCOME,
    Col.IN_REPLY_TO,
    Col.PRECEDENCE,
    Col.SUMMARY,
)


def party_names(count: int) -> list[str]:
    names = KNOWN_PARTIES[:count]
    return names + [f"PARTY-{i:02d}" for i in range(len(names) + 1, count + 1)]


def _sessions(rng: np.random.Generator, sessions: int, parties: int) -> dict[str, np.ndarray]:
    initiator = rng.integers(0, parties, sessions)
    responder = (initiator + rng.integers(1, parties, sessions)) % parties
    start = np.cumsum(rng.exponential(SPAN_SECONDS / sessions, sessions))
    return {
        "initiator": initiator,
        "responder": responder,
        "start": start,
        "retries": np.minimum(rng.geometric(0.55, sessions) - 1, 6),
        "retry_gap": rng.uniform(60, 600, sessions),
        "answered": rng.random(sessions),
        "ack": rng.random(sessions) < 0.35,
        "explicit": rng.random(sessions) < 0.7,
        "channel": rng.integers(0, len(Channel), sessions),
        "precedence": rng.choice(len(Precedence), sessions, p=[0.05, 0.15, 0.3, 0.5]),
    }


def synthesize(
    records: int, seed: int = 0, parties: int = 6, *, part: int = 0, start: float = 0.0
) -> pl.DataFrame:
    """A frame of `records` log lines (contacts and events) as JSON-ready text columns.
    Part `part` > 0 of a longer log begins `start` seconds in and suffixes its ids with the
    part's number, so that parts written one after another make one log (`write_log`)."""
    if parties < 2:
        raise ValueError("a log needs at least two parties")
    rng = np.random.default_rng(seed)
    names = np.array(party_names(parties))
    # responders differ: typical delay from 2 min to 6 h, and how often they answer at all
    typical_delay = np.exp(rng.uniform(np.log(120), np.log(6 * 3600), parties))
    answer_rate = rng.uniform(0.55, 0.97, parties)
    sessions = max(1, int(records / 2.4) + 16)  # ~2.8 lines a session; trimmed to size below
    s = _sessions(rng, sessions, parties)
    # attempts: the first attempt and its retries
    per_session = s["retries"] + 1
    session_of = np.repeat(np.arange(sessions), per_session)
    number = np.arange(len(session_of)) - np.repeat(
        np.cumsum(per_session) - per_session, per_session
    )
    attempt_time = s["start"][session_of] + number * s["retry_gap"][session_of]
    last_attempt = s["start"] + s["retries"] * s["retry_gap"]
    outcome = np.where(
        number < s["retries"][session_of],
        rng.choice(["no_answer", "busy", "channel_down"], len(session_of), p=[0.7, 0.2, 0.1]),
        "delivered",
    )
    # replies to the last attempt: maybe an acknowledgement, then maybe a substantive answer
    answered = s["answered"] < answer_rate[s["responder"]]
    delay = rng.lognormal(np.log(typical_delay[s["responder"]]), 1.1)
    has_ack = answered & s["ack"]
    ack_time = last_attempt + np.where(has_ack, delay * rng.uniform(0.05, 0.3, sessions), 0)
    answer_time = last_attempt + delay
    kinds = np.array(["query", "request", "notification", "warning", "protest"])
    answer_kinds = np.array(["response", "assurance", "denial", "refusal"])
    attempt_ids = np.char.add("s", np.char.zfill(np.arange(len(session_of)).astype(str), 9))
    last_id = attempt_ids[np.cumsum(per_session) - 1]
    frames = [
        _contacts(
            ids=attempt_ids,
            time=attempt_time,
            sender=names[s["initiator"][session_of]],
            receiver=names[s["responder"][session_of]],
            kind=kinds[rng.choice(len(kinds), len(session_of), p=[0.4, 0.25, 0.25, 0.05, 0.05])],
            outcome=outcome,
            reply_to=None,
            channel=s["channel"][session_of],
            precedence=s["precedence"][session_of],
        ),
        _contacts(
            ids=np.char.add("k", np.arange(sessions).astype(str))[has_ack],
            time=ack_time[has_ack],
            sender=names[s["responder"]][has_ack],
            receiver=names[s["initiator"]][has_ack],
            kind=np.full(int(has_ack.sum()), "acknowledgement"),
            outcome=None,
            reply_to=np.where(s["explicit"], last_id, None)[has_ack],
            channel=s["channel"][has_ack],
            precedence=s["precedence"][has_ack],
        ),
        _contacts(
            ids=np.char.add("a", np.arange(sessions).astype(str))[answered],
            time=answer_time[answered],
            sender=names[s["responder"]][answered],
            receiver=names[s["initiator"]][answered],
            kind=answer_kinds[rng.choice(4, sessions, p=[0.7, 0.1, 0.1, 0.1])][answered],
            outcome=None,
            reply_to=np.where(s["explicit"], last_id, None)[answered],
            channel=s["channel"][answered],
            precedence=s["precedence"][answered],
        ),
    ]
    contacts = pl.concat(frames, how="diagonal")
    span = float(contacts["_t"].max())
    event_count = max(1, int(records * EVENT_SHARE))
    events = pl.DataFrame(
        {
            "type": ["event"] * event_count,
            "id": [f"e{i:08d}" for i in range(event_count)],
            "_t": rng.uniform(0, span, event_count),
            "kind": rng.choice([k.value for k in EventKind], event_count),
            "summary": ["synthetic event"] * event_count,
        }
    )
    log = pl.concat([contacts, events], how="diagonal").sort("_t").head(records)
    if part:
        suffix = f"-{part}"
        log = log.with_columns(
            pl.col("_t") + start,
            pl.col("id") + suffix,
            pl.col("in_reply_to") + suffix,
        )
    stamp = pl.lit(START) + pl.duration(microseconds=(pl.col("_t") * 1e6).cast(pl.Int64))
    stamp = stamp.dt.strftime(_TIME_FORMAT)
    is_event = pl.col("type") == "event"
    return log.with_columns(
        pl.when(is_event).then(None).otherwise(stamp).alias("sent_at"),
        pl.when(is_event).then(stamp).alias("at"),
    ).select(FIELDS)


def _contacts(*, ids, time, sender, receiver, kind, outcome, reply_to, channel, precedence):
    size = len(ids)
    return pl.DataFrame(
        {
            "id": ids.astype(str),
            "_t": time,
            "from_party": sender,
            "to_party": receiver,
            "channel": np.array([c.value for c in Channel])[channel],
            "kind": kind,
            "attempt_outcome": outcome if outcome is not None else np.full(size, "delivered"),
            "in_reply_to": pl.Series(reply_to.tolist(), dtype=pl.String)
            if reply_to is not None
            else pl.Series([None] * size, dtype=pl.String),
            "precedence": np.array([p.value for p in Precedence])[precedence],
            "summary": np.full(size, "synthetic message"),
        }
    )


#: What `write_log` writes, by the file's extension.
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
CSV_SUFFIX = ".csv"


def write_log(path: str | Path, records: int, seed: int = 0, parties: int = 6) -> int:
    """Write a synthetic log, JSON Lines or CSV as the extension says (.jsonl or .csv; any other
    is refused rather than guessed); returns the number of lines written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (*JSONL_SUFFIXES, CSV_SUFFIX):
        raise UsageError(
            f"{path}: cannot tell which log to write from the extension {suffix!r}; "
            "name it .jsonl or .csv"
        )
    # whole or not at all, like every output (a temporary file renamed into place); a long log
    # is made and written in parts, so that memory holds a part, not the log
    written: list[int] = []
    write_with(
        path, lambda target: written.append(_write_parts(target, suffix, records, seed, parties))
    )
    return written[0]


#: `write_log` makes a log longer than this in parts of this many lines.
PART_RECORDS = 2_000_000


def _write_parts(target: Path, suffix: str, records: int, seed: int, parties: int) -> int:
    start, part, lines = 0.0, 0, 0
    with target.open("wb") as handle:
        for first in range(0, records, PART_RECORDS):
            size = min(PART_RECORDS, records - first)
            part_seed = seed if part == 0 else seed * 1_000_003 + part
            frame = synthesize(size, part_seed, parties, part=part, start=start)
            if suffix == CSV_SUFFIX:  # a null is an empty cell: absent, as CSV reads it
                frame.write_csv(handle, include_header=part == 0)
            else:
                frame.write_ndjson(handle)  # null means absent (SPEC §2)
            lines += frame.height
            last = frame.select(
                pl.coalesce("sent_at", "at").str.to_datetime(_TIME_FORMAT, time_zone="UTC").max()
            ).item()
            start = (last - START).total_seconds() + 60
            part += 1
    return lines
