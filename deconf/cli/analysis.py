"""Analysis commands: gaps, episodes, stats, exchanges, silences. Thin layers over the API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from deconf.analysis import CONTACT_COLUMNS, EVENT_COLUMNS, GROUPINGS, Analysis, Filters, analyze
from deconf.analysis.asof import parse_as_of
from deconf.analysis.columns import A, S
from deconf.cli.common import (
    EXIT_DATA,
    EXIT_OK,
    AssumeTzOpt,
    FrameFormat,
    InputFormatOpt,
    OptionalLogsArg,
    StoreOpt,
    handles_errors,
    human_durations,
    stderr,
    transposed,
    write_frame,
)
from deconf.frames import Col
from deconf.policy import load_policy
from deconf.sources import load_data

PolicyOpt = Annotated[Path | None, typer.Option("--policy", help="Policy file (TOML).")]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="'now' or a timestamp; default: the latest time in the data."),
]
PartyOpt = Annotated[str | None, typer.Option("--party", help="Only exchanges involving PARTY.")]
ChannelOpt = Annotated[str | None, typer.Option("--channel", help="Only rows on CHANNEL.")]
SinceOpt = Annotated[str | None, typer.Option("--since", help="Only rows from this time on.")]
UntilOpt = Annotated[str | None, typer.Option("--until", help="Only rows up to this time.")]
FormatOpt = Annotated[FrameFormat, typer.Option("--format", help="table, json, csv or parquet.")]
OutputOpt = Annotated[Path | None, typer.Option("-o", "--output", help="Write to FILE.")]
FailOnBreachOpt = Annotated[
    bool, typer.Option("--fail-on-breach", help="Exit 1 when any attempt breached its target.")
]

GAPS_COLUMNS = (
    A.ATTEMPT_ID,
    Col.FROM_PARTY,
    Col.TO_PARTY,
    Col.CHANNEL,
    Col.KIND,
    Col.PRECEDENCE,
    Col.SENT_AT,
    Col.ATTEMPT_OUTCOME,
    A.STATUS,
    A.FIRST_RESPONSE_ID,
    A.FIRST_RESPONSE_AT,
    A.TTFR,
    A.LINK,
    A.TT_ACK,
    A.TT_SUBSTANTIVE,
    A.CLOCK_SKEW,
    A.OPEN_SECONDS,
    A.EPISODE_ID,
    A.ATTEMPT_NUMBER,
    A.RETRY_STREAK,
    A.TARGET_SECONDS,
    A.BREACH,
)


def _gaps_for_people(frame: pl.DataFrame) -> pl.DataFrame:
    return human_durations(
        frame.select(
            A.ATTEMPT_ID,
            pl.format("{} → {}", Col.FROM_PARTY, Col.TO_PARTY).alias("from → to"),
            Col.SENT_AT,
            Col.PRECEDENCE,
            Col.ATTEMPT_OUTCOME,
            A.STATUS,
            A.FIRST_RESPONSE_ID,
            A.LINK,
            A.TTFR,
            A.OPEN_SECONDS,
            A.EPISODE_ID,
            A.RETRY_STREAK,
            A.BREACH,
        )
    )


def _episodes_for_people(frame: pl.DataFrame) -> pl.DataFrame:
    return human_durations(
        frame.select(
            A.EPISODE_ID,
            pl.format("{} → {}", Col.FROM_PARTY, Col.TO_PARTY).alias("from → to"),
            Col.CHANNEL,
            Col.PRECEDENCE,
            A.OPENED_AT,
            A.CLOSED_AT,
            A.GAP_SECONDS,
            A.OPEN_SECONDS,
            A.RETRY_STREAK,
            A.STATUS,
            A.BREACHES,
        )
    )


def _exchanges_for_people(frame: pl.DataFrame) -> pl.DataFrame:
    return human_durations(
        frame.select(
            A.EXCHANGE_ID,
            A.START,
            pl.col(A.PARTIES).list.join(", "),
            pl.col(A.CHANNELS).list.join(", "),
            A.MESSAGES,
            A.ATTEMPTS,
            A.STATUS,
            A.FIRST_RESPONSE_SECONDS,
            A.LONGEST_GAP_SECONDS,
            A.BREACHES,
        )
    )


def _silences_for_people(frame: pl.DataFrame) -> pl.DataFrame:
    return human_durations(
        frame.select(
            pl.format("{} owed {}", A.PARTY, A.OWED_TO).alias("silence"),
            A.START,
            A.END,
            A.SECONDS,
            A.ONGOING,
            pl.col(A.EVENTS).list.join(", "),
            A.EPISODE_ID,
        )
    )


def run_analysis(
    logs: list[Path] | None,
    store: Path | None,
    *,
    policy: Path | None,
    as_of: str | None,
    assume_tz: str | None,
    input_format: str | None,
    party: str | None = None,
    channel: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> tuple[Analysis, int]:
    """Load logs (or the store), analyze, and say how many lines were rejected on the way."""
    rules = load_policy(policy)
    filters = Filters(
        party=party,
        channel=channel,
        since=parse_as_of(since, "since"),
        until=parse_as_of(until, "until"),
    )
    loaded = load_data(
        logs,
        store,
        as_of=as_of,
        input_format=input_format,
        assume_tz=assume_tz,
        contact_columns=CONTACT_COLUMNS,
        event_columns=EVENT_COLUMNS,
        contacts_where=filters.contacts_where(),
    )
    if loaded.rejected_now:
        stderr.print(
            f"deconf: {loaded.rejected_now} of {loaded.summary.lines} lines were rejected and "
            "left out; `deconf validate` lists why",
            markup=False,
        )
    return analyze(loaded.records, rules, loaded.as_of, filters), loaded.rejected_now


def _finish(analysis: Analysis, rejected: int, fail_on_breach: bool) -> None:
    breached = fail_on_breach and bool(analysis.attempts[A.BREACH].any())
    raise typer.Exit(EXIT_DATA if rejected or breached else EXIT_OK)


def _frame_command(
    name: str,
    describe: str,
    select: Callable[[Analysis], pl.DataFrame],
    people: Callable[[pl.DataFrame], pl.DataFrame],
    title: str,
) -> Callable[..., None]:
    """A command that prints one result frame; every such command takes the same options."""

    @handles_errors
    def command(
        logs: OptionalLogsArg = None,
        store: StoreOpt = None,
        policy: PolicyOpt = None,
        as_of: AsOfOpt = None,
        assume_tz: AssumeTzOpt = None,
        input_format: InputFormatOpt = None,
        party: PartyOpt = None,
        channel: ChannelOpt = None,
        since: SinceOpt = None,
        until: UntilOpt = None,
        fmt: FormatOpt = FrameFormat.TABLE,
        output: OutputOpt = None,
        fail_on_breach: FailOnBreachOpt = False,
    ) -> None:
        analysis, rejected = run_analysis(
            logs,
            store,
            policy=policy,
            as_of=as_of,
            assume_tz=assume_tz,
            input_format=input_format,
            party=party,
            channel=channel,
            since=since,
            until=until,
        )
        write_frame(
            select(analysis), fmt, output, f"{title} as of {analysis.as_of.isoformat()}", people
        )
        _finish(analysis, rejected, fail_on_breach)

    command.__name__ = command.__qualname__ = name
    command.__doc__ = describe
    return command


gaps = _frame_command(
    "gaps",
    "One row per attempt: first response, time to it, status, episode, breach.",
    lambda analysis: analysis.attempts.select(GAPS_COLUMNS),
    _gaps_for_people,
    "Attempts",
)
episodes = _frame_command(
    "episodes",
    "One row per episode (a first attempt and its retries until an answer).",
    lambda analysis: analysis.episodes,
    _episodes_for_people,
    "Episodes",
)
exchanges = _frame_command(
    "exchanges",
    "One row per exchange: records joined by reply links and shared threads.",
    lambda analysis: analysis.exchanges,
    _exchanges_for_people,
    "Exchanges",
)
silences = _frame_command(
    "silences",
    "Owed silences: while a party owed an answer and sent nothing, with events inside.",
    lambda analysis: analysis.silences.drop(A.EVENT_COUNT).sort(A.SECONDS, descending=True),
    _silences_for_people,
    "Owed silences",
)


@handles_errors
def stats(
    logs: OptionalLogsArg = None,
    by: Annotated[
        str, typer.Option("--by", help=f"One of: {', '.join(GROUPINGS)}.")
    ] = Col.TO_PARTY,
    store: StoreOpt = None,
    policy: PolicyOpt = None,
    as_of: AsOfOpt = None,
    assume_tz: AssumeTzOpt = None,
    input_format: InputFormatOpt = None,
    party: PartyOpt = None,
    channel: ChannelOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    fmt: FormatOpt = FrameFormat.TABLE,
    output: OutputOpt = None,
    fail_on_breach: FailOnBreachOpt = False,
) -> None:
    """Statistics over episodes: Kaplan-Meier with unanswered censored, answered-only beside."""
    if by not in GROUPINGS:
        raise typer.BadParameter(f"choose one of {', '.join(GROUPINGS)}", param_hint="--by")
    analysis, rejected = run_analysis(
        logs,
        store,
        policy=policy,
        as_of=as_of,
        assume_tz=assume_tz,
        input_format=input_format,
        party=party,
        channel=channel,
        since=since,
        until=until,
    )
    write_frame(
        analysis.stats(by),
        fmt,
        output,
        f"Response statistics by {by} as of {analysis.as_of.isoformat()} "
        "(Kaplan-Meier over episodes; unanswered censored)",
        lambda frame: transposed(frame, S.GROUP),
    )
    _finish(analysis, rejected, fail_on_breach)
