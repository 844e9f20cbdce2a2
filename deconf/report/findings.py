"""Headline findings: plain sentences generated from the figures, never written by hand, each
with the ids of the records it rests on (the report shows their source, certainty and time
precision beside it)."""

from __future__ import annotations

import polars as pl

from deconf.analysis import Analysis
from deconf.analysis.columns import (
    NOT_REACHED,
    REPEATED_FAILURE_STREAK,
    A,
    BreachCertainty,
    Link,
    S,
    Status,
)
from deconf.analysis.stats import ALL
from deconf.analysis.tallies import certainty_counts, event_kind_counts
from deconf.frames import Col
from deconf.report.model import ValidationSummary
from deconf.times import humanize, to_the_minute
from deconf.vocabulary import Certainty


def _when(moment) -> str:
    return to_the_minute(moment)


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def _event_kinds(events: pl.DataFrame, ids: list[str]) -> str:
    return ", ".join(_plural(n, k) for k, n in event_kind_counts(events, ids))


#: How many records a finding names at most (the chronology lists them all).
MAX_EVIDENCE = 12


def _ids(frame: pl.DataFrame, column: str = A.ATTEMPT_ID) -> list[str]:
    return frame[column].to_list()[:MAX_EVIDENCE]


def findings(analysis: Analysis, validation: ValidationSummary) -> list[tuple[str, list[str]]]:
    """(sentence, ids of the records it rests on) in the order a reader should meet them."""
    attempts, episodes = analysis.attempts, analysis.episodes
    sentences: list[tuple[str, list[str]]] = []
    if attempts.is_empty():
        return [
            ("The log holds no attempt to reach another party, so there is no gap to measure.", [])
        ]
    # who left whom waiting
    for row in (
        analysis.stats(Col.TO_PARTY)
        .sort(S.UNANSWERED_EPISODES, S.GROUP, descending=[True, False])
        .iter_rows(named=True)
    ):
        if row[S.UNANSWERED_EPISODES] == 0:
            continue
        still_open = episodes.filter(
            (pl.col(Col.TO_PARTY) == row[S.GROUP]) & (pl.col(A.STATUS) == Status.UNANSWERED)
        ).sort(A.OPEN_SECONDS, A.EPISODE_ID, descending=[True, False])
        oldest = still_open.row(0, named=True)
        median = humanize(row[S.KM_MEDIAN]) if row[S.KM_MEDIAN_REACHED] else NOT_REACHED
        sentence = (
            f"{row[S.GROUP]} left {row[S.UNANSWERED_EPISODES]} of "
            f"{_plural(row[S.EPISODES], 'episode')} unanswered "
            f"({_plural(row[S.ATTEMPTS], 'attempt')} in all); the oldest unanswered episode "
            f"had been waiting {humanize(oldest[A.OPEN_SECONDS])} when it was last observed "
            f"({_when(oldest[A.CENSORED_AT])}). Median wait (Kaplan–Meier, unanswered episodes "
            f"counted as still waiting): {median}"
        )
        answered_only = row[S.ANSWERED_MEDIAN]
        if answered_only is not None and answered_only != row[S.KM_MEDIAN]:
            sentence += (
                f"; counting only the answered episodes would give "
                f"{humanize(answered_only)}, biased low by leaving the waiting out"
            )
        rests_on = attempts.filter(pl.col(A.EPISODE_ID).is_in(still_open[A.EPISODE_ID].implode()))
        sentences.append((sentence + ".", _ids(rests_on)))
    # the burst of calls in which most attempts went without an answer of their own
    burst = analysis.worst_burst
    if burst is not None:
        without = burst.filter(pl.col(A.STATUS) != Status.ANSWERED).height
        never = burst.filter(pl.col(A.STATUS) == Status.UNANSWERED).height
        first = burst.row(0, named=True)
        sentences.append(
            (
                f"{without} of {burst.height} attempts from {first[Col.FROM_PARTY]} to "
                f"{first[Col.TO_PARTY]} between {_when(burst[Col.SENT_AT].min())} and "
                f"{_when(burst[Col.SENT_AT].max())} got no answer of their own; {never} "
                f"{'was' if never == 1 else 'were'} never answered.",
                _ids(burst),
            )
        )
    # the longest owed silence and what happened inside it
    if not analysis.silences.is_empty():
        longest = analysis.silences.sort([A.SECONDS, A.START], descending=[True, False]).row(
            0, named=True
        )
        state = (
            f", still open when last observed ({_when(longest[A.END])})"
            if longest[A.ONGOING]
            else ""
        )
        inside = longest[A.EVENTS]
        what = (
            f"; {_plural(len(inside), 'event')} happened inside it "
            f"({_event_kinds(analysis.records.events, inside)})"
            if inside
            else ""
        )
        owed = attempts.filter(pl.col(A.EPISODE_ID) == longest[A.EPISODE_ID])
        sentences.append(
            (
                f"The longest owed silence: {longest[A.PARTY]} owed {longest[A.OWED_TO]} an "
                f"answer for {humanize(longest[A.SECONDS])} from {_when(longest[A.START])}"
                f"{state}{what}.",
                [*_ids(owed), *inside[:MAX_EVIDENCE]],
            )
        )
    # retries
    streaks = episodes.filter(pl.col(A.RETRY_STREAK) >= REPEATED_FAILURE_STREAK)
    if not streaks.is_empty():
        top = streaks.sort([A.RETRY_STREAK, A.OPENED_AT], descending=[True, False]).row(
            0, named=True
        )
        sentences.append(
            (
                f"{_plural(streaks.height, 'repeated-failure streak')} "
                f"({REPEATED_FAILURE_STREAK} or more attempts in one episode); "
                f"the longest had {top[A.RETRY_STREAK]} attempts "
                f"({top[Col.FROM_PARTY]} to {top[Col.TO_PARTY]} from "
                f"{_when(top[A.OPENED_AT])}, episode {top[A.STATUS]}).",
                _ids(attempts.filter(pl.col(A.EPISODE_ID) == top[A.EPISODE_ID])),
            )
        )
    sentences.append(_breaches(analysis))
    answered = attempts.filter(pl.col(A.LINK).is_not_null())
    inferred = answered.filter(pl.col(A.LINK) == Link.INFERRED)
    if not inferred.is_empty():
        sentences.append(
            (
                f"{inferred.height} of {_plural(answered.height, 'first response')} were linked "
                "by inference (the reply named nothing it answered); the appendix lists the "
                "exchanges to review.",
                _ids(inferred),
            )
        )
    sentences += _uncertain_records(analysis)
    if validation.rejected:
        sentences.append(
            (
                f"{validation.rejected} of {validation.lines} lines were rejected and are not "
                "in these figures (see the validation summary).",
                [],
            )
        )
    return sentences


def _listed(frame: pl.DataFrame) -> str:
    """Ids for a sentence: the first few, and how many more."""
    named = ", ".join(_ids(frame)) or "none"
    more = frame.height - MAX_EVIDENCE
    return f"{named} and {more} more" if more > 0 else named


def _breaches(analysis: Analysis) -> tuple[str, list[str]]:
    """How many attempts breached their target, and how many of those certainly (§3.2)."""
    attempts = analysis.attempts
    overall = analysis.stats(ALL).row(0, named=True)
    breached = attempts.filter(pl.col(A.BREACH))
    certain = attempts.filter(pl.col(A.BREACH_CERTAINTY) == BreachCertainty.CERTAIN)
    text = (
        f"{overall[S.BREACHES]} of {_plural(attempts.height, 'attempt')} breached their "
        "response target under the policy in force, reading the times as written"
    )
    if breached.is_empty() and overall[S.BREACHES_POSSIBLE] == 0:
        return text + ".", []
    text += (
        f"; {overall[S.BREACHES_CERTAIN]} of them "
        f"{'is' if overall[S.BREACHES_CERTAIN] == 1 else 'are'} certain on every reading of "
        f"the recorded times ({_listed(certain)})"
    )
    possible = overall[S.BREACHES_POSSIBLE]
    if possible:
        text += (
            f"; for {_plural(possible, 'attempt')} a breach is only possible: the recorded "
            "times (to the minute, approximate or only the day) are too coarse to tell"
        )
    return text + ".", _ids(
        pl.concat([certain, breached]).unique(A.ATTEMPT_ID, maintain_order=True)
    )


def _uncertain_records(analysis: Analysis) -> list[tuple[str, list[str]]]:
    """Which figures rest on inferred or disputed records: they are no firmer than those."""
    records = analysis.records
    uncertain = certainty_counts(records)
    inferred_records, disputed = uncertain[Certainty.INFERRED], uncertain[Certainty.DISPUTED]
    if not (inferred_records or disputed):
        return []
    weak = analysis.attempts.filter(pl.col(A.RESTS_ON_CERTAINTY) != Certainty.REPORTED.value)
    verb = "is" if inferred_records == 1 else "are"
    text = (
        f"{_plural(inferred_records, 'record')} {verb} marked inferred and {disputed} disputed. "
        f"The figures of {_plural(weak.height, 'attempt')} out of {analysis.attempts.height} "
        "rest on such a record (the attempt or the reply that answered it) and are no firmer "
        "than it: they are marked in the tables below, and the chronology gives each record's "
        "source."
    )
    return [(text, _ids(weak))]
