"""Statistics: the per-responder table from the analysis and a histogram of episode gaps."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from deconf.analysis.columns import NOT_ESTIMABLE, S
from deconf.frames import Col
from deconf.times import humanize
from deconf.tui.state import BrowserState, plain

BAR = 40


class StatsScreen(Screen):
    BINDINGS = [Binding("escape,s,backspace", "app.pop_screen", "Back", id="back")]

    def __init__(self, state: BrowserState) -> None:
        super().__init__()
        self.state = state

    def compose(self) -> ComposeResult:
        yield Static(
            Text(
                "Per responder (episodes; Kaplan–Meier with unanswered counted as "
                "still waiting; answered-only figures are biased low)",
                style="bold",
            )
        )
        yield DataTable(id="responders", zebra_stripes=True)
        yield Static(id="histogram")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(
            "responder",
            "attempts",
            "episodes",
            "unanswered",
            "median (KM)",
            "p90 (KM)",
            "≤15 min",
            "≤1 h",
            "answered-only median",
            "breaches",
            "longest streak",
            "longest silence",
        )
        stats = self.state.analysis.stats(Col.TO_PARTY)
        for row in stats.iter_rows(named=True):
            table.add_row(
                Text(plain(row[S.GROUP])),  # log text as text, never as markup
                row[S.ATTEMPTS],
                row[S.EPISODES],
                row[S.UNANSWERED_EPISODES],
                humanize(row[S.KM_MEDIAN]) if row[S.KM_MEDIAN_REACHED] else "not reached",
                humanize(row[S.KM_P90]) if row[S.KM_P90] is not None else "not reached",
                *(
                    NOT_ESTIMABLE if row[share] is None else f"{row[share]:.0%}"
                    for share in (S.SHARE_15M, S.SHARE_1H)
                ),
                humanize(row[S.ANSWERED_MEDIAN]),
                row[S.BREACHES],
                row[S.LONGEST_RETRY_STREAK],
                humanize(row[S.LONGEST_OWED_SILENCE]),
            )
        bins = self.state.histogram()
        most = max((n for _, n in bins), default=1) or 1
        text = Text("\nTime to answer an episode (all responders)\n", style="bold")
        for label, count in bins:
            style = "red" if label == "unanswered" else "blue"
            text.append(f"{label:>12} ")
            text.append("█" * round(BAR * count / most), style=style)
            text.append(f" {count}\n")
        self.query_one("#histogram", Static).update(text)
