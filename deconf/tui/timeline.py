"""One exchange as the lines of its timeline: messages with their gaps, the owed silences of its
episodes with their length, and the events that happened meanwhile, in time order.

The timeline runs from the first message to the last one or to the end of the last silence it
owes, whichever is later; a silence still owed ends where the record ends (the as-of time, or the
end of its source's coverage), and while an attempt is unanswered the timeline continues to the
as-of time. An event inside a silence says whose silence it fell in and how long it had lasted
then (from the analysis): that is what an investigator looks for (a notified site struck while
its notification went unanswered). A silence its episode's answer ended names that answer.

Times are kept as datetimes, never written into the text, so the display zone applies to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from deconf.analysis import Analysis
from deconf.analysis.columns import A, BreachCertainty, Status
from deconf.analysis.silences import silence_events
from deconf.frames import Col
from deconf.times import humanize
from deconf.tui.text import plain

MESSAGE, EVENT, SILENCE, SILENCE_END = "message", "event", "silence", "silence_end"


@dataclass
class TimelineItem:
    """One line of an exchange's timeline: a message, an event, or a silence starting/ending."""

    at: datetime
    record_id: str  # the message's or event's id; the episode's id for a silence
    is_event: bool
    text: str
    status: str | None = None  # an attempt's status
    breach: bool = False
    #: how firm the breach is (§3.2): certain, possible, or None (no reading of the times
    #: exceeds the target)
    breach_certainty: str | None = None
    recorded_tz: str | None = None
    kind: str = MESSAGE
    ongoing: bool = False  # a silence still owed where the record ends

    @property
    def is_record(self) -> bool:
        return self.kind in (MESSAGE, EVENT)


def exchange_silences(analysis: Analysis, exchange_id: str) -> pl.DataFrame:
    """The owed silences of the episodes that have an attempt in the exchange."""
    members = analysis.membership.filter(pl.col(A.EXCHANGE_ID) == exchange_id)[Col.ID]
    episodes = analysis.attempts.filter(pl.col(A.ATTEMPT_ID).is_in(members.implode()))[
        A.EPISODE_ID
    ].unique()
    return analysis.silences.filter(pl.col(A.EPISODE_ID).is_in(episodes.implode()))


def timeline(analysis: Analysis, exchange_id: str) -> list[TimelineItem]:
    """The exchange's messages in order, each reply with the gap since what it answers,
    unanswered attempts with their open age, its owed silences, and the events meanwhile."""
    members = analysis.membership.filter(pl.col(A.EXCHANGE_ID) == exchange_id)[Col.ID]
    contacts = analysis.records.contacts.filter(pl.col(Col.ID).is_in(members.implode())).sort(
        Col.SENT_AT, Col.ID
    )
    attempts = {
        r[A.ATTEMPT_ID]: r
        for r in analysis.attempts.filter(pl.col(A.ATTEMPT_ID).is_in(members.implode())).iter_rows(
            named=True
        )
    }
    answers = {
        r[A.FIRST_RESPONSE_ID]: r for r in attempts.values() if r[A.FIRST_RESPONSE_ID] is not None
    }
    items = [
        _message(row, attempts.get(row[Col.ID]), answers.get(row[Col.ID]))
        for row in contacts.iter_rows(named=True)
    ]
    if not items:
        return []
    silences = exchange_silences(analysis, exchange_id)
    answers = _answers(analysis, silences, set(members.to_list()))
    elsewhere = _elsewhere(analysis, silences, members)
    for row in silences.iter_rows(named=True):
        items.extend(
            _silence(
                row,
                answers.get((row[A.EPISODE_ID], row[A.END])),
                elsewhere.get(row[A.EPISODE_ID], ""),
            )
        )
    first, last = min(i.at for i in items), max(i.at for i in items)
    if any(i.status == Status.UNANSWERED for i in items):
        last = max(last, analysis.as_of)
    events = analysis.records.events.filter(pl.col(Col.AT).is_between(first, last)).sort(
        Col.AT, Col.ID
    )
    inside: dict[str, list[dict]] = {}
    for hit in silence_events(silences, events).iter_rows(named=True):
        inside.setdefault(hit[A.EVENT_ID], []).append(hit)
    for row in events.iter_rows(named=True):
        within = "".join(
            f"  ⚠ inside {plain(s[A.PARTY])}'s silence to {plain(s[A.OWED_TO])}"
            f" (silent for {humanize(s[A.SILENT_FOR])} by then)"
            for s in inside.get(row[Col.ID], [])
        )
        items.append(
            TimelineItem(
                at=row[Col.AT],
                record_id=row[Col.ID],
                is_event=True,
                kind=EVENT,
                text=(
                    f"▲ event: {plain(row[Col.KIND])} — {plain(row[Col.SUMMARY])} "
                    f"({plain(row[Col.CERTAINTY])}; source: {plain(row[Col.SOURCE]) or '—'}"
                    f"{_logged_by(row)})"
                    f"{within}"
                ),
            )
        )
    order = {MESSAGE: 0, SILENCE: 1, EVENT: 2, SILENCE_END: 3}
    return sorted(items, key=lambda i: (i.at, order[i.kind], i.record_id))


def _message(row: dict, attempt: dict | None, answered: dict | None) -> TimelineItem:
    head = (
        f"{plain(row[Col.FROM_PARTY])} → {plain(row[Col.TO_PARTY])}  {plain(row[Col.KIND])}"
        f" [{plain(row[Col.ATTEMPT_OUTCOME])}]  via {plain(row[Col.CHANNEL])}"
    )
    notes = []
    if attempt is not None:
        if attempt[A.STATUS] == Status.UNANSWERED:
            notes.append(f"UNANSWERED, open {humanize(attempt[A.OPEN_SECONDS])}")
        else:
            notes.append(attempt[A.STATUS])
        notes.extend(_breach(attempt))
        if attempt[A.RETRY_STREAK] > 1:
            notes.append(f"attempt {attempt[A.ATTEMPT_NUMBER]} of {attempt[A.RETRY_STREAK]}")
    if answered is not None:
        notes.append(
            f"answers {plain(answered[A.ATTEMPT_ID])} after "
            f"{humanize(answered[A.TTFR])} ({answered[A.LINK]})"
        )
    notes.append(f"certainty: {plain(row[Col.CERTAINTY])}")
    text = (
        f"{head}  — {'; '.join(notes)}\n    {plain(row[Col.SUMMARY])}"
        f"\n    source: {plain(row[Col.SOURCE]) or '—'}{_logged_by(row)}"
    )
    return TimelineItem(
        at=row[Col.SENT_AT],
        record_id=row[Col.ID],
        is_event=False,
        text=text,
        status=attempt[A.STATUS] if attempt else None,
        breach=bool(attempt and attempt[A.BREACH]),
        breach_certainty=attempt.get(A.BREACH_CERTAINTY) if attempt else None,
        recorded_tz=row[Col.RECORDED_TZ],
    )


def _breach(attempt: dict) -> list[str]:
    """The breach as firm as the recorded times make it (SPEC §3.2): certain when even the
    shortest possible wait exceeds the target, possible when only some reading of the times
    does — also where the times as written stay within the target."""
    certainty = attempt.get(A.BREACH_CERTAINTY)
    if certainty == BreachCertainty.CERTAIN:
        return ["BREACH of target (certain)"]
    if certainty == BreachCertainty.POSSIBLE:
        if attempt[A.BREACH]:
            return ["BREACH of target (possible: not on every reading of the recorded times)"]
        return ["possible breach of target (on some reading of the recorded times)"]
    return ["BREACH of target"] if attempt[A.BREACH] else []


def _logged_by(row: dict) -> str:
    """Which sources logged a record of a merged log (`deconf reconcile`), and as what."""
    logged_by = row.get(Col.LOGGED_BY)
    return f" · logged by {plain(', '.join(logged_by))}" if logged_by else ""


def _answers(
    analysis: Analysis, silences: pl.DataFrame, members: set[str]
) -> dict[tuple[str, datetime], str]:
    """What ended each silence that its episode's answer ended, keyed by (episode, time): the
    answer's id, and its exchange when that is not this one (a reminder answered elsewhere)."""
    closed = analysis.episodes.filter(
        pl.col(A.EPISODE_ID).is_in(silences[A.EPISODE_ID].implode())
        & pl.col(A.CLOSING_RESPONSE_ID).is_not_null()
    )
    found = {}
    for row in closed.iter_rows(named=True):
        answer = row[A.CLOSING_RESPONSE_ID]
        where = "" if answer in members else exchange_of_record(analysis, answer)
        found[(row[A.EPISODE_ID], row[A.CLOSED_AT])] = plain(answer) + (
            f" (in {plain(where)})" if where else ""
        )
    return found


def _elsewhere(analysis: Analysis, silences: pl.DataFrame, members: pl.Series) -> dict[str, str]:
    """Where the rest of each silence's episode is: the attempts sent in other exchanges (a
    reminder with a thread of its own), so "attempt 4 of 8" does not leave the reader looking
    for the other four."""
    episodes = silences[A.EPISODE_ID].cast(pl.String).unique().implode()
    others = (
        analysis.attempts.lazy()
        .filter(
            pl.col(A.EPISODE_ID).cast(pl.String).is_in(episodes)
            & ~pl.col(A.ATTEMPT_ID).is_in(members.implode())
        )
        .select(pl.col(A.EPISODE_ID).cast(pl.String), A.ATTEMPT_ID)
        .join(
            analysis.membership.lazy().rename({Col.ID: A.ATTEMPT_ID}), on=A.ATTEMPT_ID, how="left"
        )
        .group_by(A.EPISODE_ID)
        .agg(pl.len().alias("count"), pl.col(A.EXCHANGE_ID).cast(pl.String).unique().sort())
        .collect()
    )
    found = {}
    for row in others.iter_rows(named=True):
        names = [plain(n) for n in row[A.EXCHANGE_ID] if n is not None]
        shown = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
        count = row["count"]
        found[row[A.EPISODE_ID]] = f"; {count} more attempt{'s' if count != 1 else ''} in {shown}"
    return found


def _silence(row: dict, answered_by: str | None = None, elsewhere: str = "") -> list[TimelineItem]:
    who = f"{plain(row[A.PARTY])} owes {plain(row[A.OWED_TO])} an answer"
    length = humanize(row[A.SECONDS])
    events = row[A.EVENT_COUNT]
    inside = f"; {events} event{'s' if events != 1 else ''} inside" if events else ""
    start = TimelineItem(
        at=row[A.START],
        record_id=row[A.EPISODE_ID],
        is_event=False,
        kind=SILENCE,
        ongoing=row[A.ONGOING],
        text=f"⏸ silence begins: {who} ({'still owed, ' if row[A.ONGOING] else ''}"
        f"{length}{inside}){elsewhere}",
    )
    end = TimelineItem(
        at=row[A.END],
        record_id=row[A.EPISODE_ID],
        is_event=False,
        kind=SILENCE_END,
        ongoing=row[A.ONGOING],
        text=(
            f"⏸ still owed where the record ends (as-of time or end of coverage): {who}, "
            f"silent for {length}"
            if row[A.ONGOING]
            else f"⏵ silence ends: {plain(row[A.PARTY])} was silent for {length}"
            + (f"; answered by {answered_by}" if answered_by else "")
        ),
    )
    return [start, end]


def exchange_of_episode(analysis: Analysis, episode_id: str) -> str | None:
    """The exchange holding the episode's first attempt (where its timeline starts)."""
    first = analysis.episodes.filter(pl.col(A.EPISODE_ID) == episode_id)[A.FIRST_ATTEMPT_ID]
    if first.is_empty():
        return None
    found = analysis.membership.filter(pl.col(Col.ID) == first[0])[A.EXCHANGE_ID]
    return None if found.is_empty() else found[0]


def exchange_of_record(analysis: Analysis, record_id: str) -> str | None:
    found = analysis.membership.filter(pl.col(Col.ID) == record_id)[A.EXCHANGE_ID]
    return None if found.is_empty() else found[0]
