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
    closer: str | None = None  # the reply that closed it


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
                    episode.closed, episode.closer = r["sent_at"], r["id"]
        # r as an explicit reply closes its attempt's episode if that is open
        target = by_id.get(r.get("in_reply_to"))
        if target is not None and target["id"] in processed:
            episode = outcomes[target["id"]].episode
            if (
                any(rid == r["id"] for _, rid, _ in replies[target["id"]])
                and episode.closed is None
            ):
                episode.closed, episode.closer = r["sent_at"], r["id"]
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
            early = sorted(
                (key, rid)
                for key, rid, link in replies[r["id"]]
                if link == "explicit" and key < (r["sent_at"], r["id"])
            )
            if early and episode.closed is None:
                episode.closed, episode.closer = r["sent_at"], early[0][1]
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


# ---------------------------------------------------------------- how firm (SPEC §3.2)

TARGETS = {"flash": 300, "immediate": 900, "priority": 3600, "routine": 86400}


@dataclass
class Firmness:
    ttfr: float | None
    clock_skew: float | None
    ttfr_bounds: tuple[float, float] | None
    open_seconds: float | None
    open_bounds: tuple[float, float] | None
    target: float
    target_from: str
    breach: bool
    breach_certainty: str | None


def interval(record: dict[str, Any], approximate: timedelta) -> tuple[datetime, datetime]:
    """The span a recorded time stands for, from §3.2's words."""
    t = record["sent_at"]
    precision = record.get("time_precision", "second")
    if precision == "minute":
        return t, t + timedelta(minutes=1)
    if precision == "day":
        midnight = datetime(t.year, t.month, t.day, tzinfo=t.tzinfo)
        return midnight, midnight + timedelta(days=1)
    if precision == "approximate":
        return t - approximate, t + approximate
    return t, t


def firmness(
    records: list[dict[str, Any]],
    outcomes: dict[str, Outcome],
    as_of: datetime,
    approximate: timedelta = timedelta(minutes=15),
) -> dict[str, Firmness]:
    """Per attempt: waits with their bounds, skew, censoring at the end of coverage, target
    and breach with its certainty. Records may carry `source_file` (their origin)."""
    known = [r for r in records if r["sent_at"] <= as_of]
    by_id = {r["id"]: r for r in known}
    coverage: dict[str | None, datetime] = {}
    for r in known:
        source = r.get("source_file")
        coverage[source] = max(coverage.get(source, r["sent_at"]), r["sent_at"])

    def seconds(later: datetime, earlier: datetime) -> float:
        return (later - earlier).total_seconds()

    found = {}
    for attempt_id, outcome in outcomes.items():
        attempt = by_id[attempt_id]
        sent = attempt["sent_at"]
        sent_lo, sent_hi = interval(attempt, approximate)
        episode = outcome.episode
        followed = min(as_of, max(coverage[m.get("source_file")] for m in episode.members))
        ttfr = skew = ttfr_bounds = open_seconds = open_bounds = None
        if outcome.status == "answered":
            raw = seconds(outcome.first_response_at, sent)
            ttfr, skew = max(raw, 0.0), (raw if raw < 0 else None)
            until = max(outcome.first_response_at, sent)
            lo, hi = interval(by_id[outcome.first_response_id], approximate)
        elif outcome.status == "superseded":
            until = episode.closed
            c_lo, c_hi = interval(by_id[episode.closer], approximate)
            lo, hi = min(c_lo, until), max(c_hi, until)
        else:
            until = lo = hi = followed
            open_seconds = seconds(followed, sent)
        bounds = (max(seconds(lo, sent_hi), 0.0), max(seconds(hi, sent_lo), 0.0))
        if outcome.status == "answered":
            ttfr_bounds = bounds
        if outcome.status == "unanswered":
            open_bounds = bounds
        if attempt.get("respond_by") is not None:
            target, target_from = seconds(attempt["respond_by"], sent), "respond_by"
            deadline = deadline_lo = deadline_hi = attempt["respond_by"]
        else:
            target = TARGETS[attempt.get("precedence", "routine")]
            target_from = "policy"
            deadline = sent + timedelta(seconds=target)
            deadline_lo = sent_lo + timedelta(seconds=target)
            deadline_hi = sent_hi + timedelta(seconds=target)
        certainty = "certain" if lo > deadline_hi else "possible" if hi > deadline_lo else None
        found[attempt_id] = Firmness(
            ttfr,
            skew,
            ttfr_bounds,
            open_seconds,
            open_bounds,
            float(target),
            target_from,
            until > deadline,
            certainty,
        )
    return found
