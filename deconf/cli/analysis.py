"""Analysis commands: gaps, episodes, stats, exchanges, silences. Thin layers over the API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import polars as pl
import typer

from deconf.analysis import (
    CONTACT_COLUMNS,
    EVENT_COLUMNS,
    FIGURE_COLUMNS,
    GROUPINGS,
    Analysis,
    Filters,
)
from deconf.analysis.columns import A, S
from deconf.analysis.emptiness import why_empty
from deconf.analysis.readings import READINGS_HELP, Reading
from deconf.cli import layouts
from deconf.cli.common import (
    EXIT_DATA,
    EXIT_OK,
    TABLE_ROWS,
    AssumeTzOpt,
    ColumnsOpt,
    FieldsOpt,
    FrameFormat,
    InputFormatOpt,
    KeepExtraOpt,
    MapOpt,
    NoVerifyOpt,
    OptionalLogsArg,
    PresetOpt,
    RawCsvOpt,
    SourceOpt,
    StoreOpt,
    TzOpt,
    for_cli,
    handles_errors,
    names_of,
    people_console,
    say,
    selected,
    stderr,
    write_machine,
)
from deconf.cli.options import AnalysisOptions, DataOptions
from deconf.cli.progress import QuietOpt, progress_shown
from deconf.cli.stats_table import render_statistics
from deconf.cli.tables import Layout, moment_text, render
from deconf.engines import ENGINES_HELP, PAIRWISE, Engine, analyze_with
from deconf.errors import UsageError
from deconf.frames import Col
from deconf.policy import load_policy
from deconf.progress import Report, silent
from deconf.sources import Loaded, open_store
from deconf.store import Store
from deconf.times import TimeError, check_zone, parse_day_or_moment

PolicyOpt = Annotated[Path | None, typer.Option("--policy", help="Policy file (TOML).")]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="'now' or a timestamp; default: the latest time in the data."),
]
PartyOpt = Annotated[str | None, typer.Option("--party", help="Only exchanges involving PARTY.")]
ChannelOpt = Annotated[str | None, typer.Option("--channel", help="Only rows on CHANNEL.")]
SinceOpt = Annotated[
    str | None,
    typer.Option("--since", help="Only rows from this time on (a date alone: from its start)."),
]
UntilOpt = Annotated[
    str | None,
    typer.Option("--until", help="Only rows up to this time (a date alone: to its end)."),
]
FormatOpt = Annotated[FrameFormat, typer.Option("--format", help="table, json, csv or parquet.")]
OutputOpt = Annotated[Path | None, typer.Option("-o", "--output", help="Write to FILE.")]
ReadingOpt = Annotated[
    str | None,
    typer.Option("--reading", help=f"Of a merged log (deconf reconcile -o): {READINGS_HELP}."),
]
EngineOpt = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help=f"Where the per-pair work runs, over the store's files: {ENGINES_HELP}.",
    ),
]
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
    Col.TIME_PRECISION,
    Col.ATTEMPT_OUTCOME,
    A.STATUS,
    A.FIRST_RESPONSE_ID,
    A.FIRST_RESPONSE_AT,
    A.TTFR,
    A.TTFR_MIN,
    A.TTFR_MAX,
    A.LINK,
    A.TT_ACK,
    A.TT_SUBSTANTIVE,
    A.CLOCK_SKEW_SECONDS,
    A.OPEN_SECONDS,
    A.OPEN_MIN,
    A.OPEN_MAX,
    A.CENSORED_AT,
    A.WAIT_SECONDS,
    A.WAIT_MIN,
    A.WAIT_MAX,
    A.EPISODE_ID,
    A.ATTEMPT_NUMBER,
    A.RETRY_STREAK,
    A.TARGET_SECONDS,
    A.TARGET_FROM,
    Col.RESPOND_BY,
    A.BREACH,
    A.BREACH_CERTAINTY,
    A.CLOSING_RESPONSE_ID,
    A.RESTS_ON_CERTAINTY,
    A.RESTS_ON_PRECISION,
)


def note(text: str) -> None:
    """A line on stderr that a person should read but a script can ignore."""
    say(f"deconf: {for_cli(text)}", stderr)


@dataclass
class Run:
    """One analysis as a command made it: the result, what was loaded, the filters used."""

    analysis: Analysis
    loaded: Loaded
    filters: Filters

    def say_why_empty(self, what: str, frame: pl.DataFrame) -> None:
        """No silent emptiness: an empty result says on stderr what left nothing."""
        if frame.is_empty():
            extent = self.loaded.extent()
            note(why_empty(what, extent, self.analysis.as_of, self.filters))


def filters_of(options: AnalysisOptions) -> Filters:
    return Filters(
        party=options.party,
        channel=options.channel,
        since=window_edge(options.since, "since", options.zone),
        until=window_edge(options.until, "until", options.zone, end_of_day=True),
        reading=str(Reading.parse(options.reading)),
    )


def window_edge(value: str | None, setting: str, zone: str, end_of_day: bool = False):
    """--since/--until as the browser's filters take them: a date alone (that day in the
    display zone, --until to its end), 'now', or a time with its offset."""
    if value is None:
        return None
    try:
        return parse_day_or_moment(value, zone, end_of_day=end_of_day)
    except TimeError:
        raise UsageError(
            f"cannot read {value!r}: write a date alone (2018-02-07, that day in `tz`), 'now', "
            "or a time with its offset (2018-02-07T22:00:00+02:00)",
            setting=setting,
        ) from None


def run_analysis(
    options: AnalysisOptions,
    progress: Report = silent,
    contact_columns: tuple[str, ...] = CONTACT_COLUMNS,
) -> Run:
    """Load logs (or the store), analyze, and say on stderr what a person should know: lines
    rejected on the way, a file named twice. From the store only `contact_columns` are read."""
    runner = Engine.parse(options.engine)
    rules = load_policy(options.policy)
    filters = filters_of(options)
    loaded = options.data.load(
        as_of=options.as_of,
        contact_columns=contact_columns,
        event_columns=EVENT_COLUMNS,
        contacts_where=filters.contacts_where(),
        progress=progress,
    )
    for path in loaded.repeated:
        note(f"{path} is named more than once; read once")
    if loaded.rejected_now:
        note(
            f"{loaded.rejected_now} of {loaded.summary.lines} lines were rejected and "
            "left out; `deconf validate` lists why"
        )
    return Run(
        analysis=analyze_with(
            runner,
            loaded.records,
            rules,
            loaded.as_of,
            filters,
            store=loaded.store,
            source=loaded.source,
            progress=progress,
        ),
        loaded=loaded,
        filters=filters,
    )


def _finish(run: Run, fail_on_breach: bool) -> None:
    breached = fail_on_breach and bool(run.analysis.attempts[A.BREACH].any())
    raise typer.Exit(EXIT_DATA if run.loaded.rejected_now or breached else EXIT_OK)


def _title(what: str, run: Run, tz: str) -> str:
    return f"{what} as of {moment_text(run.analysis.as_of, tz)}"


def _frame_command(
    name: str,
    describe: str,
    select: Callable[[Analysis], pl.DataFrame],
    layout: Layout,
    title: str,
) -> Callable[..., None]:
    """A command that prints one result frame; every such command takes the same options."""

    @handles_errors
    def command(
        logs: OptionalLogsArg = None,
        store: StoreOpt = None,
        source: SourceOpt = None,
        policy: PolicyOpt = None,
        as_of: AsOfOpt = None,
        assume_tz: AssumeTzOpt = None,
        keep_extra: KeepExtraOpt = False,
        input_format: InputFormatOpt = None,
        map_path: MapOpt = None,
        preset: PresetOpt = None,
        party: PartyOpt = None,
        channel: ChannelOpt = None,
        since: SinceOpt = None,
        until: UntilOpt = None,
        reading: ReadingOpt = None,
        engine: EngineOpt = None,
        quiet: QuietOpt = False,
        fmt: FormatOpt = FrameFormat.TABLE,
        output: OutputOpt = None,
        tz: TzOpt = "UTC",
        columns: ColumnsOpt = None,
        fields: FieldsOpt = None,
        fail_on_breach: FailOnBreachOpt = False,
        raw_csv: RawCsvOpt = False,
        no_verify: NoVerifyOpt = False,
    ) -> None:
        check_zone(tz, "tz")
        options = AnalysisOptions(
            DataOptions(
                logs,
                store,
                source=source,
                input_format=input_format,
                assume_tz=assume_tz,
                keep_extra=keep_extra,
                map_path=map_path,
                preset=preset,
                verify=not no_verify,
            ),
            policy=policy,
            as_of=as_of,
            party=party,
            channel=channel,
            since=since,
            until=until,
            reading=reading,
            engine=engine,
            zone=tz,
        )
        with progress_shown(quiet) as progress:
            run = run_analysis(options, progress)
            frame = select(run.analysis)
        run.say_why_empty(title.lower(), frame)
        if fmt is FrameFormat.TABLE:
            with people_console(output) as console:
                render(
                    layouts.with_derived(frame.head(TABLE_ROWS)),
                    layout,
                    console,
                    title=_title(title, run, tz),
                    zone=tz,
                    names=names_of(columns),
                    total=frame.height,
                )
        else:
            write_machine(selected(frame, fields), fmt, output, raw_csv=raw_csv)
        _finish(run, fail_on_breach)

    command.__name__ = command.__qualname__ = name
    summary, _, example = describe.partition("\n\n")
    command.__doc__ = (
        f"{summary}\n\n    Table columns (--columns): {', '.join(layout.names())}.\n\n{example}"
    )
    return command


gaps = _frame_command(
    "gaps",
    """One row per attempt: first reply, how long it took, status, episode, breach.

    \b
    Example:
      deconf gaps logs/khasham-2018.jsonl --tz Asia/Damascus
    """,
    lambda analysis: analysis.attempts.select(GAPS_COLUMNS),
    layouts.GAPS,
    "Attempts",
)
episodes = _frame_command(
    "episodes",
    """One row per episode (a first attempt and its retries until an answer).

    \b
    Example:
      deconf episodes logs/khasham-2018.jsonl --columns episode_id,from_to,gap_seconds
    """,
    lambda analysis: analysis.episodes,
    layouts.EPISODES,
    "Episodes",
)
exchanges = _frame_command(
    "exchanges",
    """One row per exchange: records joined by reply links and shared threads.

    \b
    Example:
      deconf exchanges logs/khasham-2018.jsonl --format csv --fields exchange_id,status
    """,
    lambda analysis: analysis.exchanges,
    layouts.EXCHANGES,
    "Exchanges",
)


def _silences_with_events(analysis: Analysis) -> pl.DataFrame:
    """Owed silences, longest first, each with its events as records (JSON and Parquet): time,
    kind, summary, certainty, source and how long the silence had lasted when it happened."""
    keys = [A.PARTY, A.OWED_TO, A.START]
    inside = analysis.silence_events.group_by(keys, maintain_order=True).agg(
        pl.struct(
            pl.col(A.EVENT_ID).alias(Col.ID),
            Col.AT,
            pl.col(Col.KIND).cast(pl.String),
            Col.SUMMARY,
            A.SILENT_FOR,
            pl.col(Col.CERTAINTY).cast(pl.String),
            pl.col(Col.TIME_PRECISION).cast(pl.String),
            Col.SOURCE,
        ).alias(A.EVENTS_INSIDE)
    )
    frame = analysis.silences.drop(A.EVENT_COUNT).join(
        inside, on=keys, how="left", maintain_order="left"
    )
    empty = pl.lit([], dtype=frame.schema[A.EVENTS_INSIDE])
    return frame.with_columns(
        pl.when(pl.col(A.EVENTS_INSIDE).is_null())
        .then(empty)
        .otherwise(pl.col(A.EVENTS_INSIDE))
        .alias(A.EVENTS_INSIDE)
    ).sort(A.SECONDS, A.START, descending=[True, False])


silences = _frame_command(
    "silences",
    """Owed silences: while a party owed an answer and sent nothing, with events inside.

    \b
    Example:
      deconf silences logs/khasham-2018.jsonl --party RU
    """,
    _silences_with_events,
    layouts.SILENCES,
    "Owed silences",
)


@handles_errors
def stats(
    logs: OptionalLogsArg = None,
    by: Annotated[
        str,
        typer.Option(
            "--by",
            help=f"One of: {', '.join(GROUPINGS)}.",
            autocompletion=lambda incomplete: [g for g in GROUPINGS if g.startswith(incomplete)],
        ),
    ] = Col.TO_PARTY,
    store: StoreOpt = None,
    source: SourceOpt = None,
    policy: PolicyOpt = None,
    as_of: AsOfOpt = None,
    assume_tz: AssumeTzOpt = None,
    keep_extra: KeepExtraOpt = False,
    input_format: InputFormatOpt = None,
    map_path: MapOpt = None,
    preset: PresetOpt = None,
    party: PartyOpt = None,
    channel: ChannelOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    reading: ReadingOpt = None,
    engine: EngineOpt = None,
    quiet: QuietOpt = False,
    fmt: FormatOpt = FrameFormat.TABLE,
    output: OutputOpt = None,
    tz: TzOpt = "UTC",
    columns: Annotated[
        str | None,
        typer.Option("--columns", help="Figures to show, comma-separated (default: all)."),
    ] = None,
    fields: FieldsOpt = None,
    fail_on_breach: FailOnBreachOpt = False,
    raw_csv: RawCsvOpt = False,
    no_verify: NoVerifyOpt = False,
) -> None:
    """Statistics over episodes: Kaplan-Meier with unanswered censored, answered-only beside.

    \b
    Example:
      deconf stats --by to_party logs/khasham-2018.jsonl
    """
    if by not in GROUPINGS:
        raise typer.BadParameter(f"choose one of {', '.join(GROUPINGS)}", param_hint="--by")
    check_zone(tz, "tz")
    options = AnalysisOptions(
        DataOptions(
            logs,
            store,
            source=source,
            input_format=input_format,
            assume_tz=assume_tz,
            keep_extra=keep_extra,
            map_path=map_path,
            preset=preset,
            verify=not no_verify,
        ),
        policy=policy,
        as_of=as_of,
        party=party,
        channel=channel,
        since=since,
        until=until,
        reading=reading,
        engine=engine,
        zone=tz,
    )
    if _pairwise(options, quiet):  # statistics of a store too large to hold at once
        frame, moment = _pairwise_statistics(options, by, quiet)
        breached = fail_on_breach and bool(frame[S.BREACHES].sum())
        exit_code = EXIT_DATA if breached else EXIT_OK
    else:
        with progress_shown(quiet) as progress:
            # no summaries: statistics show no records
            run = run_analysis(options, progress, contact_columns=FIGURE_COLUMNS)
            frame = run.analysis.stats(by)
        # a row a group of episodes: none without episodes (asking for the episodes themselves
        # would link the records again, with the reply ids the statistics do without)
        run.say_why_empty("episodes", frame)
        moment = run.analysis.as_of
        exit_code = None
    if fmt is FrameFormat.TABLE:
        with people_console(output) as console:
            render_statistics(
                frame,
                by,
                console,
                title=f"Response statistics by {by} as of {moment_text(moment, tz)}"
                + " (Kaplan-Meier over episodes; unanswered censored)",
                names=names_of(columns),
            )
    else:
        write_machine(selected(frame, fields), fmt, output, raw_csv=raw_csv)
    if exit_code is not None:
        raise typer.Exit(exit_code)
    _finish(run, fail_on_breach)


def _pairwise(options: AnalysisOptions, quiet: bool) -> bool:
    """Whether `stats` goes one pair at a time: asked for, or (no engine named) a store too
    large to analyse whole within the memory a machine like ours has."""
    if options.engine is not None or options.data.logs:
        return Engine.parse(options.engine).kind == PAIRWISE
    from deconf.pairwise import too_large_to_hold

    contacts = too_large_to_hold(Store(options.data.store))
    if contacts is not None and not quiet:
        note(
            f"{contacts:,} contacts in the store: statistics one party pair at a time, to bound "
            "memory (--engine local analyses them all at once)"
        )
    return contacts is not None


def _pairwise_statistics(options: AnalysisOptions, by: str, quiet: bool):
    """`stats --engine pairs`: from the store, one party pair at a time (deconf.pairwise)."""
    from deconf.pairwise import store_statistics

    if options.data.logs:
        raise UsageError(
            "the pairs engine reads a store: ingest the logs first, or drop --engine",
            setting="engine",
        )
    target = open_store(options.data.store, verify=options.data.verify)
    with progress_shown(quiet) as progress:
        frame, moment = store_statistics(
            target,
            load_policy(options.policy),
            options.as_of,
            filters_of(options),
            by,
            source=options.data.source,
            progress=progress,
        )
    if frame.is_empty() or not frame[S.EPISODES].sum():
        note(f"no episodes in the store as of {moment_text(moment, 'UTC')} with these filters")
    return frame, moment
