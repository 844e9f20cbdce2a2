"""A slow, obvious implementation of SPEC §3 for tests: one record at a time, in time order.

Written from the SPEC's words, not from deconf's code, so that the property tests compare two
independent readings of the same definitions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

EXPECTS = {"notification", "query", "warning", "request", "protest"}


@dataclass
class Episode:
    ident: str
    opened: datetime
    members: list[dict[str, Any]] = field(default_factory=list)
    closed: datetime | None = None


@dataclass
class Outcome:
    first_response_id: str | None = None
    first_response_at: datetime | None = None
    link: str | None = None
    episode: Episode | None = None
    status: str = ""


def is_attempt(record: dict[str, Any]) -> bool:
    if record.get("expects_response") is not None:
        return record["expects_response"]
    return record["kind"] in EXPECTS


def reference(
    records: list[dict[str, Any]],
    as_of: datetime,
    window=timedelta(hours=24),
    min_latency=timedelta(0),
) -> dict[str, Outcome]:
    """Per attempt id: its first response, link, episode and status at `as_of`."""
    known = sorted(
        (r for r in records if r["sent_at"] <= as_of), key=lambda r: (r["sent_at"], r["id"])
    )
    by_id = {r["id"]: r for r in known}
    outcomes = {r["id"]: Outcome() for r in known if is_attempt(r)}
    replies: dict[str, list[tuple[tuple, str, str]]] = {a: [] for a in outcomes}
    open_episode: dict[tuple[str, str], Episode] = {}

    def counts(reply, attempt) -> bool:
        return (
            reply["from_party"] == attempt["to_party"]
            and reply["to_party"] == attempt["from_party"]
            and reply.get("attempt_outcome", "delivered") == "delivered"
        )

    # explicit links are fixed by the data: collect them first
    for r in known:
        target = by_id.get(r.get("in_reply_to"))
        if target is not None and target["id"] in outcomes and counts(r, target):
            latency = r["sent_at"] - target["sent_at"]
            if latency >= min_latency or latency < timedelta(0):
                replies[target["id"]].append(((r["sent_at"], r["id"]), r["id"], "explicit"))
    processed: set[str] = set()
    for r in known:
        # r as an unlinked reply to the open episode of the pair it answers
        if r.get("in_reply_to") is None and r.get("attempt_outcome", "delivered") == "delivered":
            episode = open_episode.get((r["to_party"], r["from_party"]))
            if episode is not None and episode.closed is None:
                answered = False
                for a in episode.members:
                    latency = r["sent_at"] - a["sent_at"]
                    same_thread = (
                        a.get("thread") is None
                        or r.get("thread") is None
                        or a["thread"] == r["thread"]
                    )
                    if timedelta(0) < latency <= window and latency >= min_latency and same_thread:
                        replies[a["id"]].append(((r["sent_at"], r["id"]), r["id"], "inferred"))
                        answered = True
                if answered:
                    episode.closed = r["sent_at"]
        # r as an explicit reply closes its attempt's episode if that is open
        target = by_id.get(r.get("in_reply_to"))
        if target is not None and target["id"] in processed:
            episode = outcomes[target["id"]].episode
            if (
                any(rid == r["id"] for _, rid, _ in replies[target["id"]])
                and episode.closed is None
            ):
                episode.closed = r["sent_at"]
        # r as an attempt
        if r["id"] in outcomes:
            pair = (r["from_party"], r["to_party"])
            episode = open_episode.get(pair)
            if episode is None or episode.closed is not None:
                episode = Episode("ep:" + r["id"], r["sent_at"])
                open_episode[pair] = episode
            episode.members.append(r)
            outcomes[r["id"]].episode = episode
            processed.add(r["id"])
            # an explicit reply already seen (logged before its attempt) closes at once
            if (
                any(
                    key < (r["sent_at"], r["id"])
                    for key, _, link in replies[r["id"]]
                    if link == "explicit"
                )
                and episode.closed is None
            ):
                episode.closed = r["sent_at"]
    for attempt_id, outcome in outcomes.items():
        found = sorted(replies[attempt_id])
        if found:
            (at, _), rid, link = found[0]
            outcome.first_response_id, outcome.first_response_at, outcome.link = rid, at, link
            outcome.status = "answered"
        elif outcome.episode.closed is not None:
            outcome.status = "superseded"
        else:
            outcome.status = "unanswered"
    return outcomes


def km_median(durations: list[tuple[float, bool]]) -> float | None:
    """Kaplan–Meier median with exact fractions: first t with S(t) ≤ 1/2; None if not reached."""
    survival = Fraction(1)
    for t in sorted({d for d, _ in durations}):
        at_risk = sum(1 for d, _ in durations if d >= t)
        answered = sum(1 for d, seen in durations if d == t and seen)
        if answered:
            survival *= 1 - Fraction(answered, at_risk)
            if survival <= Fraction(1, 2):
                return t
    return None
