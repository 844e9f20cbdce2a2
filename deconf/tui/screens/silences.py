"""Owed silences, one row each: who owed whom, from, to, how long, the events inside. Enter opens
the timeline of the exchange where the silence's episode began."""

from __future__ import annotations

import polars as pl
from rich.style import Style

from deconf.analysis import Analysis
from deconf.analysis.columns import A
from deconf.times import humanize
from deconf.tui.components.frame_table import Column
from deconf.tui.screens.lists import ListScreen
from deconf.tui.state import Display
from deconf.tui.table_state import TableState

SILENCE_KEY = "_silence"
ALARM = Style(color="red", bold=True)


def silences_state(analysis: Analysis) -> TableState:
    frame = analysis.silences.with_row_index(SILENCE_KEY).with_columns(
        pl.col(A.EVENTS).list.join(", ").alias("_events_text")
    )
    return TableState(
        frame,
        SILENCE_KEY,
        sortable=(A.PARTY, A.OWED_TO, A.START, A.END, A.SECONDS, A.EVENT_COUNT),
        search_columns=(A.PARTY, A.OWED_TO, A.EPISODE_ID, "_events_text"),
        sort_column=A.SECONDS,
        descending=True,
    )


def silence_columns(display: Display) -> tuple[Column, ...]:
    return (
        # who owed is the point of the row: it keeps more room than whom it was owed to
        Column("owes", A.PARTY, 18, lambda r: r[A.PARTY], 0, minimum=14),
        Column("owed to", A.OWED_TO, 18, lambda r: r[A.OWED_TO], 0, minimum=10),
        Column("from", A.START, display.time_width, lambda r: display.when(r[A.START]), 1),
        Column("to", A.END, display.time_width, lambda r: display.when(r[A.END]), 3),
        Column(
            "length",
            A.SECONDS,
            12,  # "17d 21h 30m", "30m 00s owed"
            lambda r: humanize(r[A.SECONDS]) + (" owed" if r[A.ONGOING] else ""),
            0,
            style=lambda r: ALARM if r[A.ONGOING] else Style(),
        ),
        Column("events", A.EVENT_COUNT, 6, lambda r: str(r[A.EVENT_COUNT] or ""), 0),
        Column("event ids", "_events_text", 24, lambda r: r["_events_text"], 2, minimum=10),
        Column("episode", A.EPISODE_ID, 14, lambda r: r[A.EPISODE_ID], 4),
    )


class SilencesScreen(ListScreen):
    TITLE = "Owed silences (longest first; Enter opens the timeline)"
