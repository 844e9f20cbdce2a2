"""How often each value of a column occurs in the list behind (VisiData's frequency table),
counted by the analysis over the rows shown, so filters apply. Enter on a value of a filterable
column of the exchanges list filters the list to it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import polars as pl

from deconf.analysis.frequency import COUNT, SHARE, VALUE, frequency
from deconf.tui.components.frame_table import Column
from deconf.tui.screens.lists import ListScreen
from deconf.tui.state import Display
from deconf.tui.table_state import TableState

BAR = 30


def frequency_state(frame: pl.DataFrame, column: str) -> TableState:
    return TableState(
        frequency(frame, column),
        VALUE,
        sortable=(VALUE, COUNT),
        search_columns=(VALUE,),
        sort_column=COUNT,
        descending=True,
    )


def shown(value: Any, display: Display) -> str:
    if value is None:
        return "(missing)"
    if isinstance(value, datetime):
        return display.when(value)
    return str(value)


def frequency_columns(state: TableState, display: Display) -> tuple[Column, ...]:
    most = state.frame[SHARE].max() or 1.0
    return (
        Column("value", VALUE, 36, lambda r: shown(r[VALUE], display), 0, minimum=16),
        Column("count", COUNT, 9, lambda r: f"{r[COUNT]:,}", 0),
        Column("share", SHARE, 7, lambda r: f"{r[SHARE]:.1%}", 0),
        Column("", SHARE, BAR, lambda r: "█" * round(BAR * r[SHARE] / most), 1, minimum=10),
    )


class FrequencyScreen(ListScreen):
    def __init__(
        self, state: TableState, display: Display, column_title: str, of_what: str, drill=None
    ) -> None:
        super().__init__(state, lambda: frequency_columns(state, display))
        self.column_title, self.of_what, self.drill = column_title, of_what, drill

    def title_line(self) -> str:
        hint = " · Enter filters the list to a value" if self.drill else ""
        return (
            f"Frequency of {self.column_title} over the {self.of_what} shown · "
            f"{self.state.view.height} values{hint} · esc back"
        )
