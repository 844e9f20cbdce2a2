"""Headline findings: plain sentences generated from the figures, never written by hand."""

from __future__ import annotations

import polars as pl

from deconf.analysis import Analysis
from deconf.analysis.bursts import worst_burst
from deconf.analysis.columns import REPEATED_FAILURE_STREAK, A, Link, S, Status
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


def findings(analysis: Analysis, validation: ValidationSummary) -> list[str]:
    attempts, episodes = analysis.attempts, analysis.episodes
    sentences: list[str] = []
    if attempts.is_empty():
        return ["The log holds no attempt to reach another party, so there is no gap to measure."]
    # who left whom waiting
    for row in (
        analysis.stats(Col.TO_PARTY)
        .sort(S.UNANSWERED_EPISODES, S.GROUP, descending=[True, False])
        .iter_rows(named=True)
    ):
        if row[S.UNANSWERED_EPISODES] == 0:
            continue
        oldest = episodes.filter(
            (pl.col(Col.TO_PARTY) == row[S.GROUP]) & (pl.col(A.STATUS) == Status.UNANSWERED)
        )[A.OPEN_SECONDS].max()
        median = humanize(row[S.KM_MEDIAN]) if row[S.KM_MEDIAN_REACHED] else "not reached"
        sentence = (
            f"{row[S.GROUP]} left {row[S.UNANSWERED_EPISODES]} of "
            f"{_plural(row[S.EPISODES], 'episode')} unanswered at the as-of time "
            f"({_plural(row[S.ATTEMPTS], 'attempt')} in all); the oldest had been waiting "
            f"{humanize(oldest)}. Median wait (Kaplan–Meier, unanswered counted as still "
            f"waiting): {median}"
        )
        answered_only = row[S.ANSWERED_MEDIAN]
        if answered_only is not None and answered_only != row[S.KM_MEDIAN]:
            sentence += (
                f"; counting only the answered episodes would give "
                f"{humanize(answered_only)}, biased low by leaving the waiting out"
            )
        sentences.append(sentence + ".")
    # the burst of calls in which most attempts went without an answer of their own
    burst = worst_burst(attempts)
    if burst is not None:
        without = burst.filter(pl.col(A.STATUS) != Status.ANSWERED).height
        never = burst.filter(pl.col(A.STATUS) == Status.UNANSWERED).height
        first = burst.row(0, named=True)
        sentences.append(
            f"{without} of {burst.height} attempts from {first[Col.FROM_PARTY]} to "
            f"{first[Col.TO_PARTY]} between {_when(burst[Col.SENT_AT].min())} and "
            f"{_when(burst[Col.SENT_AT].max())} got no answer of their own; {never} "
            f"{'was' if never == 1 else 'were'} never answered."
        )
    # the longest owed silence and what happened inside it
    if not analysis.silences.is_empty():
        longest = analysis.silences.sort([A.SECONDS, A.START], descending=[True, False]).row(
            0, named=True
        )
        state = ", still open at the as-of time" if longest[A.ONGOING] else ""
        inside = longest[A.EVENTS]
        what = (
            f"; {_plural(len(inside), 'event')} happened inside it "
            f"({_event_kinds(analysis.records.events, inside)})"
            if inside
            else ""
        )
        sentences.append(
            f"The longest owed silence: {longest[A.PARTY]} owed {longest[A.OWED_TO]} an answer "
            f"for {humanize(longest[A.SECONDS])} from {_when(longest[A.START])}{state}{what}."
        )
    # retries
    streaks = episodes.filter(pl.col(A.RETRY_STREAK) >= REPEATED_FAILURE_STREAK)
    if not streaks.is_empty():
        top = streaks.sort([A.RETRY_STREAK, A.OPENED_AT], descending=[True, False]).row(
            0, named=True
        )
        sentences.append(
            f"{_plural(streaks.height, 'repeated-failure streak')} "
            f"({REPEATED_FAILURE_STREAK} or more attempts in one episode); "
            f"the longest had {top[A.RETRY_STREAK]} attempts "
            f"({top[Col.FROM_PARTY]} to {top[Col.TO_PARTY]} from {_when(top[A.OPENED_AT])}, "
            f"{top[A.STATUS]})."
        )
    breaches = int(attempts[A.BREACH].sum())
    sentences.append(
        f"{breaches} of {_plural(attempts.height, 'attempt')} breached their response target "
        f"under the policy in force."
    )
    answered = attempts.filter(pl.col(A.LINK).is_not_null())
    inferred = answered.filter(pl.col(A.LINK) == Link.INFERRED).height
    if inferred:
        sentences.append(
            f"{inferred} of {_plural(answered.height, 'first response')} were linked by inference "
            "(the reply named nothing it answered); the appendix lists the exchanges to review."
        )
    records = analysis.records
    uncertain = certainty_counts(records)
    inferred_records, disputed = uncertain[Certainty.INFERRED], uncertain[Certainty.DISPUTED]
    if inferred_records or disputed:
        verb = "is" if inferred_records == 1 else "are"
        sentences.append(
            f"{_plural(inferred_records, 'record')} {verb} "
            f"marked inferred and {disputed} disputed: figures resting on them are "
            "no firmer than they are."
        )
    if validation.rejected:
        sentences.append(
            f"{validation.rejected} of {validation.lines} lines were rejected and are not in "
            "these figures (see the validation summary)."
        )
    return sentences
