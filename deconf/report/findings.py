"""Headline findings: plain sentences generated from the figures, never written by hand."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import polars as pl

from deconf.analysis import Analysis
from deconf.analysis.columns import A, Link, Status
from deconf.durations import humanize
from deconf.frames import Col
from deconf.report.model import ValidationSummary
from deconf.stamps import rfc3339

REPEATED_FAILURE = 3
BURST_GAP = timedelta(hours=1)


def _when(moment) -> str:
    return rfc3339(moment).replace("T", " ")[:-4] + "Z"  # minutes are what a reader wants


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def _event_kinds(events: pl.DataFrame, ids: list[str]) -> str:
    kinds = Counter(events.filter(pl.col(Col.ID).is_in(ids))[Col.KIND].cast(pl.String).to_list())
    return ", ".join(_plural(n, k) for k, n in sorted(kinds.items(), key=lambda i: (-i[1], i[0])))


def worst_burst(attempts: pl.DataFrame) -> pl.DataFrame | None:
    """The burst of attempts (same pair, less than BURST_GAP apart) with the most attempts that
    got no answer of their own; None when every attempt was answered."""
    bursts = attempts.sort(Col.FROM_PARTY, Col.TO_PARTY, Col.SENT_AT, A.ATTEMPT_ID).with_columns(
        (
            (pl.col(Col.SENT_AT).diff().over(Col.FROM_PARTY, Col.TO_PARTY) > BURST_GAP)
            .fill_null(True)
            .cum_sum()
        ).alias("_burst")
    )
    ranked = (
        bursts.group_by("_burst")
        .agg(
            (pl.col(A.STATUS) != Status.ANSWERED).sum().alias("_without"),
            pl.col(Col.SENT_AT).min().alias("_first"),
        )
        .filter(pl.col("_without") > 0)
        .sort(["_without", "_first"], descending=[True, False])
    )
    if ranked.is_empty():
        return None
    return bursts.filter(pl.col("_burst") == ranked["_burst"][0]).sort(Col.SENT_AT, A.ATTEMPT_ID)


def findings(analysis: Analysis, validation: ValidationSummary) -> list[str]:
    attempts, episodes = analysis.attempts, analysis.episodes
    sentences: list[str] = []
    if attempts.is_empty():
        return ["The log holds no attempt to reach another party, so there is no gap to measure."]
    # who left whom waiting
    for row in (
        analysis.stats(Col.TO_PARTY)
        .sort("unanswered_episodes", "group", descending=[True, False])
        .iter_rows(named=True)
    ):
        if row["unanswered_episodes"] == 0:
            continue
        oldest = episodes.filter(
            (pl.col(Col.TO_PARTY) == row["group"]) & (pl.col(A.STATUS) == Status.UNANSWERED)
        )[A.OPEN_SECONDS].max()
        median = humanize(row["km_median_seconds"]) if row["km_median_reached"] else "not reached"
        sentence = (
            f"{row['group']} left {row['unanswered_episodes']} of "
            f"{_plural(row['episodes'], 'episode')} unanswered at the as-of time "
            f"({_plural(row['attempts'], 'attempt')} in all); the oldest had been waiting "
            f"{humanize(oldest)}. Median wait (Kaplan–Meier, unanswered counted as still "
            f"waiting): {median}"
        )
        answered_only = row["answered_median_seconds"]
        if answered_only is not None and answered_only != row["km_median_seconds"]:
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
    streaks = episodes.filter(pl.col(A.RETRY_STREAK) >= REPEATED_FAILURE)
    if not streaks.is_empty():
        top = streaks.sort([A.RETRY_STREAK, A.OPENED_AT], descending=[True, False]).row(
            0, named=True
        )
        sentences.append(
            f"{_plural(streaks.height, 'repeated-failure streak')} ({REPEATED_FAILURE} or more "
            f"attempts in one episode); the longest had {top[A.RETRY_STREAK]} attempts "
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
    uncertain = Counter(
        records.contacts[Col.CERTAINTY].cast(pl.String).to_list()
        + records.events[Col.CERTAINTY].cast(pl.String).to_list()
    )
    if uncertain["inferred"] or uncertain["disputed"]:
        verb = "is" if uncertain["inferred"] == 1 else "are"
        sentences.append(
            f"{_plural(uncertain['inferred'], 'record')} {verb} "
            f"marked inferred and {uncertain['disputed']} disputed: figures resting on them are "
            "no firmer than they are."
        )
    if validation.rejected:
        sentences.append(
            f"{validation.rejected} of {validation.lines} lines were rejected and are not in "
            "these figures (see the validation summary)."
        )
    return sentences
