"""Build the report's content from an analysis: every figure comes from `deconf.analysis`.

Lists are capped (a million-record log must still give a report a browser opens); each capped
list says how many rows there are in all, and the CLI commands give the full lists.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from deconf.analysis import Analysis
from deconf.analysis.chronology import COLUMNS as CHRONOLOGY
from deconf.analysis.chronology import evidence
from deconf.analysis.columns import REPEATED_FAILURE_STREAK, A, Status
from deconf.analysis.coverage import coverage_of
from deconf.analysis.readings import ALL
from deconf.analysis.silences import silence_events
from deconf.analysis.tallies import certainty_counts
from deconf.errors import flag_name, worded
from deconf.frames import Col, Records
from deconf.marks import Mark
from deconf.report.disagreements import disagreements_of
from deconf.report.findings import findings
from deconf.report.model import (
    Coverage,
    EventRef,
    Finding,
    Input,
    MarkRow,
    MarksFile,
    Parameters,
    ReasonGroup,
    RecordRef,
    Report,
    Scope,
    Silence,
    StoreRef,
    Table,
    ValidationSummary,
)
from deconf.sources import Problem, Provenance, Summary
from deconf.times import rfc3339
from deconf.version import __version__
from deconf.vocabulary import Certainty, TimePrecision

MAX_ROWS = 200
MAX_EXCHANGES = 500
MAX_EVENTS_PER_SILENCE = 50
MAX_CHRONOLOGY = 1000
CHRONOLOGY_COLUMNS = list(CHRONOLOGY)
FIRST_LOCATIONS = 3

ATTEMPT_COLUMNS = [
    A.ATTEMPT_ID,
    Col.FROM_PARTY,
    Col.TO_PARTY,
    Col.CHANNEL,
    Col.PRECEDENCE,
    Col.SENT_AT,
    Col.ATTEMPT_OUTCOME,
    A.STATUS,
    A.FIRST_RESPONSE_ID,
    A.LINK,
    A.TTFR,
    A.OPEN_SECONDS,
    A.WAIT_SECONDS,
    A.WAIT_MIN,
    A.WAIT_MAX,
    A.TARGET_SECONDS,
    A.TARGET_FROM,
    A.EPISODE_ID,
    A.RETRY_STREAK,
    A.BREACH,
    A.BREACH_CERTAINTY,
    A.CENSORED_AT,
    A.RESTS_ON_CERTAINTY,
    A.RESTS_ON_PRECISION,
]
EPISODE_COLUMNS = [
    A.EPISODE_ID,
    Col.FROM_PARTY,
    Col.TO_PARTY,
    Col.CHANNEL,
    A.OPENED_AT,
    A.CLOSED_AT,
    A.GAP_SECONDS,
    A.OPEN_SECONDS,
    A.RETRY_STREAK,
    A.STATUS,
    A.BREACHES,
    A.BREACH_CERTAINTY,
    A.RESTS_ON_CERTAINTY,
    A.RESTS_ON_PRECISION,
]
EXCHANGE_COLUMNS = [
    A.EXCHANGE_ID,
    A.START,
    A.END,
    A.PARTIES,
    A.CHANNELS,
    A.MESSAGES,
    A.ATTEMPTS,
    A.UNANSWERED_ATTEMPTS,
    A.STATUS,
    A.FIRST_RESPONSE_SECONDS,
    A.LONGEST_GAP_SECONDS,
    A.BREACHES,
    Col.SUMMARY,
    A.RESTS_ON_CERTAINTY,
    A.RESTS_ON_PRECISION,
]


def table(
    frame: pl.DataFrame,
    columns: list[str],
    limit: int = MAX_ROWS,
    worst_first: list[str] | None = None,
    shown_by: list[str] | None = None,
) -> Table:
    """The first `limit` rows; when the frame is longer and `worst_first` names columns, the
    most severe rows by them (descending) are kept instead, then shown in `shown_by` order."""
    kept = frame
    if worst_first and frame.height > limit:
        kept = frame.sort(worst_first, descending=True, nulls_last=True).head(limit)
        if shown_by:
            kept = kept.sort(shown_by)
    shown = kept.select(columns).head(limit)
    stamped = shown.with_columns(
        pl.col(name).map_elements(rfc3339, return_dtype=pl.String)
        for name, dtype in shown.schema.items()
        if isinstance(dtype, pl.Datetime)
    ).with_columns(pl.col(pl.Enum).cast(pl.String), pl.col(pl.Categorical).cast(pl.String))
    return Table(columns=columns, rows=stamped.to_dicts(), total=frame.height)


def reason_groups(problems: list[Problem]) -> list[ReasonGroup]:
    """Rejection reasons grouped, most frequent first, with the first few places of each. The
    messages name settings as the CLI's flags: a report records a run of the CLI."""
    groups: dict[tuple[str, str], list[str]] = {}
    for problem in problems:
        key = (problem.field, worded(problem.message, flag_name))
        groups.setdefault(key, []).append(problem.where)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    return [
        ReasonGroup(field=field, message=message, count=len(where), first=where[:FIRST_LOCATIONS])
        for (field, message), where in ordered
    ]


def summary_of(summary: Summary) -> ValidationSummary:
    """The report's validation summary."""
    return ValidationSummary(
        lines=summary.lines,
        accepted=summary.accepted,
        rejected=summary.rejected,
        warnings=summary.warnings,
        reasons=reason_groups(summary.problems),
    )


def _scope(records: Records, analysis: Analysis) -> Scope:
    times = [
        t
        for t in (
            records.contacts[Col.SENT_AT].min(),
            records.events[Col.AT].min(),
            records.contacts[Col.SENT_AT].max(),
            records.events[Col.AT].max(),
        )
        if t is not None
    ]
    certainty = certainty_counts(records)
    parties = sorted(
        set(records.contacts[Col.FROM_PARTY].unique().to_list())
        | set(records.contacts[Col.TO_PARTY].unique().to_list())
    )
    return Scope(
        first=rfc3339(min(times)) if times else None,
        last=rfc3339(max(times)) if times else None,
        contacts=records.contacts.height,
        events=records.events.height,
        parties=parties,
        attempts=analysis.attempts.height,
        episodes=analysis.episodes.height,
        exchanges=analysis.exchanges.height,
        reported=certainty[Certainty.REPORTED],
        inferred=certainty[Certainty.INFERRED],
        disputed=certainty[Certainty.DISPUTED],
    )


def _silences(analysis: Analysis) -> list[Silence]:
    longest = analysis.silences.sort(
        [A.SECONDS, A.START, A.PARTY], descending=[True, False, False]
    ).head(MAX_ROWS)
    inside_all = silence_events(longest, analysis.records.events)  # of the rows shown only
    silences = []
    for row in longest.iter_rows(named=True):
        inside = inside_all.filter(
            (pl.col(A.PARTY) == row[A.PARTY])
            & (pl.col(A.OWED_TO) == row[A.OWED_TO])
            & (pl.col(A.START) == row[A.START])
        ).head(MAX_EVENTS_PER_SILENCE)
        silences.append(
            Silence(
                party=row[A.PARTY],
                owed_to=row[A.OWED_TO],
                start=rfc3339(row[A.START]),
                end=rfc3339(row[A.END]),
                seconds=row[A.SECONDS],
                ongoing=row[A.ONGOING],
                episode_id=row[A.EPISODE_ID],
                events=[
                    EventRef(
                        id=e[A.EVENT_ID],
                        at=rfc3339(e[Col.AT]),
                        kind=str(e[Col.KIND]),
                        summary=e[Col.SUMMARY],
                        silent_for_seconds=e[A.SILENT_FOR],
                        certainty=str(e[Col.CERTAINTY] or Certainty.REPORTED.value),
                        time_precision=str(e[Col.TIME_PRECISION] or TimePrecision.SECOND.value),
                    )
                    for e in inside.iter_rows(named=True)
                ],
            )
        )
    return silences


def _marks(marks: list[Mark], records: Records) -> list[MarkRow]:
    ids = [m.record_id for m in marks]
    summaries = {
        row[Col.ID]: row[Col.SUMMARY]
        for frame in (records.contacts, records.events)
        for row in frame.filter(pl.col(Col.ID).is_in(ids))
        .select(Col.ID, Col.SUMMARY)
        .iter_rows(named=True)
    }
    return [
        MarkRow(
            record_id=m.record_id,
            comment=m.comment,
            marked_at=m.marked_at,
            summary=summaries.get(m.record_id),
        )
        for m in sorted(marks, key=lambda m: (m.marked_at, m.record_id))
    ]


def _record_refs(chronology: pl.DataFrame, ids: list[str]) -> list[RecordRef]:
    found = {row[Col.ID]: row for row in evidence(chronology, ids).iter_rows(named=True)}
    return [
        RecordRef(
            id=row[Col.ID],
            type=row[Col.TYPE],
            at=rfc3339(row[Col.AT]),
            time_precision=row[Col.TIME_PRECISION],
            certainty=row[Col.CERTAINTY],
            source=row[Col.SOURCE],
            origin_file=row[Col.ORIGIN_FILE],
        )
        for row in (found[i] for i in dict.fromkeys(ids) if i in found)
    ]


def _coverage(analysis: Analysis) -> list[Coverage]:
    frame = analysis.coverage if analysis.coverage is not None else coverage_of(analysis.records)
    return [
        Coverage(
            source=row[Col.ORIGIN_FILE],
            first=rfc3339(row[A.COVERS_FROM]),
            last=rfc3339(row[A.COVERS_UNTIL]),
            contacts=row[A.CONTACTS],
            events=row[A.EVENT_RECORDS],
        )
        for row in frame.iter_rows(named=True)
    ]


def build_report(
    analysis: Analysis,
    summary: Summary,
    provenance: Provenance,
    *,
    tz: str | None = None,
    generated_at: datetime | None = None,
    marks: list[Mark] | None = None,
    marks_file: MarksFile | None = None,
    title: str = "Deconfliction communications: response-gap audit",
    whole: Records | None = None,
) -> Report:
    """The whole report's content; the same inputs give the same Report. `whole`: the records
    before a reading was taken (the analysis holds only the reading's), for the part on where
    the sources of a merged log disagree."""
    validation = summary_of(summary)
    records = analysis.records
    attempts = analysis.attempts
    chronology = analysis.chronology
    unanswered = attempts.filter(pl.col(A.STATUS) == Status.UNANSWERED).sort(
        A.OPEN_SECONDS, A.ATTEMPT_ID, descending=[True, False]
    )
    # the worst breaches first: certain before possible, then by how far past the target
    overshoot = (pl.col(A.WAIT_SECONDS) - pl.col(A.TARGET_SECONDS)).alias("_overshoot")
    breached = (
        attempts.filter(pl.col(A.BREACH))
        .with_columns(overshoot, (pl.col(A.BREACH_CERTAINTY) == "certain").alias("_certain"))
        .sort(["_certain", "_overshoot", A.ATTEMPT_ID], descending=[True, True, False])
    )
    streaks = analysis.episodes.filter(pl.col(A.RETRY_STREAK) >= REPEATED_FAILURE_STREAK).sort(
        A.RETRY_STREAK, A.OPENED_AT, descending=[True, False]
    )
    exchanges = analysis.exchanges.with_columns(
        pl.col(A.PARTIES).list.join(", "), pl.col(A.CHANNELS).list.join(", ")
    )
    responders = analysis.stats(Col.TO_PARTY)
    policy = analysis.policy
    disagreement = disagreements_of(
        whole if whole is not None else records, policy, analysis.as_of, table
    )
    return Report(
        title=title,
        deconf_version=__version__,
        parameters=Parameters(
            as_of=rfc3339(analysis.as_of),
            tz=tz,
            generated_at=rfc3339(generated_at) if generated_at else None,
            policy=policy.model_dump(mode="json"),
            policy_sha256=policy.digest(),
            reading=None if analysis.filters.reading in (None, ALL) else analysis.filters.reading,
        ),
        inputs=[Input(path=i.path, sha256=i.sha256, bytes=i.bytes) for i in provenance.inputs],
        marks_file=marks_file,
        store=StoreRef(
            path=provenance.store.path,
            chain_hash=provenance.store.chain_hash,
            ingests=provenance.store.ingests,
        )
        if provenance.store
        else None,
        validation=validation,
        scope=_scope(records, analysis),
        coverage=_coverage(analysis),
        findings=[
            Finding(text=text, records=_record_refs(chronology, ids))
            for text, ids in findings(analysis, validation)
        ]
        + [
            Finding(text=text, records=[])
            for text in (disagreement.findings if disagreement else [])
        ],
        responders=table(responders, responders.columns),
        unanswered=table(unanswered, ATTEMPT_COLUMNS),
        breaches=table(breached, ATTEMPT_COLUMNS),
        streaks=table(streaks, EPISODE_COLUMNS),
        silences=_silences(analysis),
        silences_total=analysis.silences.height,
        marks=_marks(marks or [], records),
        chronology=table(chronology, CHRONOLOGY_COLUMNS, MAX_CHRONOLOGY),
        exchanges=table(
            exchanges,
            EXCHANGE_COLUMNS,
            MAX_EXCHANGES,
            worst_first=[A.UNANSWERED_ATTEMPTS, A.LONGEST_GAP_SECONDS],
            shown_by=[A.START, A.EXCHANGE_ID],
        ),
        disagreements=disagreement,
    )
