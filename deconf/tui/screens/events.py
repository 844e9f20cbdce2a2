"""Events (shelling, strikes, movements) one row each, with the owed silences they fell in and
how long the silence had lasted then. Enter opens the timeline of the first silence an event
fell in."""

from __future__ import annotations

import polars as pl
from rich.style import Style

from deconf.analysis import Analysis
from deconf.analysis.columns import A
from deconf.frames import Col
from deconf.times import humanize
from deconf.tui.components.frame_table import Column
from deconf.tui.screens.lists import ListScreen
from deconf.tui.state import Display
from deconf.tui.table_state import TableState

IN_SILENCE = "_in_silence"
FIRST_EPISODE = "_episode"
SILENT_FOR = "_silent_for"
WARN = Style(color="yellow", bold=True)


def events_state(analysis: Analysis) -> TableState:
    """Every event with the silences that contain it ('RU owed US', as `deconf silences` says
    it) and how long the first of them had lasted when it happened, both from the analysis
    (`Analysis.silence_events`): "the clinic struck 11 days into ARMED-GROUP-N's silence"."""
    inside = (
        analysis.silence_events.select(
            pl.col(A.EVENT_ID).alias(Col.ID),
            pl.concat_str(A.PARTY, pl.lit(" owed "), A.OWED_TO).alias(IN_SILENCE),
            A.EPISODE_ID,
            A.SILENT_FOR,
        )
        .group_by(Col.ID, maintain_order=True)
        .agg(
            pl.col(IN_SILENCE).unique(maintain_order=True).str.join("; "),
            pl.col(A.EPISODE_ID).first().alias(FIRST_EPISODE),
            pl.col(A.SILENT_FOR).first().alias(SILENT_FOR),
        )
    )
    frame = analysis.records.events.join(inside, on=Col.ID, how="left").with_columns(
        pl.col(Col.KIND).cast(pl.String), pl.col(IN_SILENCE).fill_null("")
    )
    return TableState(
        frame,
        Col.ID,
        sortable=(Col.AT, Col.KIND, Col.ACTOR, Col.LOCATION, IN_SILENCE, SILENT_FOR, Col.ID),
        search_columns=(Col.ID, Col.KIND, Col.SUMMARY, Col.ACTOR, Col.LOCATION, IN_SILENCE),
        sort_column=Col.AT,
    )


def event_columns(display: Display) -> tuple[Column, ...]:
    return (
        Column("at", Col.AT, display.time_width, lambda r: display.when(r[Col.AT])),
        Column("kind", Col.KIND, 12, lambda r: r[Col.KIND], 0, minimum=8),
        Column(
            "in silence of",
            IN_SILENCE,
            30,
            lambda r: r[IN_SILENCE],
            0,
            minimum=14,
            style=lambda r: WARN if r[IN_SILENCE] else Style(),
        ),
        Column(
            "silent for",
            SILENT_FOR,
            12,
            lambda r: humanize(r[SILENT_FOR]) if r[SILENT_FOR] is not None else "",
            0,
        ),
        Column("summary", Col.SUMMARY, 60, lambda r: r[Col.SUMMARY], 1, minimum=16),
        Column("actor", Col.ACTOR, 16, lambda r: r[Col.ACTOR], 3),
        Column("location", Col.LOCATION, 18, lambda r: r[Col.LOCATION], 4),
        Column("id", Col.ID, 12, lambda r: r[Col.ID], 2),
    )


class EventsScreen(ListScreen):
    TITLE = "Events (Enter opens the timeline of the silence an event fell in)"
