"""Statistics of what the list shows: the per-responder table from the analysis and a histogram
of episode gaps. With filters on, both are the analysis's figures for the episodes of the
exchanges shown (computed in a worker: at a million records it takes a moment)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from deconf.analysis.columns import NOT_ESTIMABLE, S
from deconf.analysis.tallies import UNANSWERED_BAR
from deconf.frames import Col
from deconf.times import humanize
from deconf.tui.state import BrowserState
from deconf.tui.text import plain

BAR = 40
HEADINGS = (
    "responder",
    "attempts",
    "episodes",
    "unanswered",
    "median (KM)",
    "p90 (KM)",
    "≤15 min",
    "≤1 h",
    "≤24 h",
    "answered-only median",
    "breaches",
    "longest streak",
    "longest silence",
)


def counted(value: int | None) -> Text:
    """A count as the CLI's tables write it: thousands separated, right-aligned."""
    return Text("" if value is None else f"{value:,}", justify="right")


class StatsScreen(Screen):
    BINDINGS = [Binding("escape,s,backspace", "app.pop_screen", "Back", id="back")]

    def __init__(self, state: BrowserState) -> None:
        super().__init__()
        self.state = state

    def compose(self) -> ComposeResult:
        yield Static(id="stats-title")
        yield DataTable(id="responders", zebra_stripes=True)
        yield Static(id="histogram")
        yield Footer()

    def on_mount(self) -> None:
        scope = self.state.filter_scope() or "all exchanges"
        self.query_one("#stats-title", Static).update(
            Text(
                f"Per responder, {scope} (episodes; Kaplan–Meier with unanswered counted as "
                "still waiting; answered-only figures are biased low)",
                style="bold",
            )
        )
        self.query_one("#histogram", Static).update(Text("computing…"))
        self.run_worker(self._compute, thread=True, exclusive=True, group="stats")

    def _compute(self) -> None:
        analysis = self.state.view_analysis()
        stats = analysis.stats(Col.TO_PARTY)
        bins = self.state.histogram()
        self.app.call_from_thread(self._show, stats, bins)

    def _show(self, stats, bins) -> None:
        # columns and rows in one step: a table drawn with its headings alone keeps the first
        # row's drawing at the headings' widths when the rows then widen the columns
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_columns(*HEADINGS)
        for row in stats.iter_rows(named=True):
            table.add_row(
                Text(plain(row[S.GROUP])),  # log text as text, never as markup
                counted(row[S.ATTEMPTS]),
                counted(row[S.EPISODES]),
                counted(row[S.UNANSWERED_EPISODES]),
                humanize(row[S.KM_MEDIAN]) if row[S.KM_MEDIAN_REACHED] else "not reached",
                humanize(row[S.KM_P90]) if row[S.KM_P90] is not None else "not reached",
                *(
                    NOT_ESTIMABLE if row[share] is None else f"{row[share]:.0%}"
                    for share in (S.SHARE_15M, S.SHARE_1H, S.SHARE_24H)
                ),
                humanize(row[S.ANSWERED_MEDIAN]),
                counted(row[S.BREACHES]),
                counted(row[S.LONGEST_RETRY_STREAK]),
                humanize(row[S.LONGEST_OWED_SILENCE]),
            )
        most = max((n for _, n in bins), default=1) or 1
        text = Text("\nTime to answer an episode (all responders)\n", style="bold")
        for label, count in bins:
            style = "red" if label == UNANSWERED_BAR else "blue"
            text.append(f"{label:>12} ")
            text.append("█" * round(BAR * count / most), style=style)
            text.append(f" {count:,}\n")
        self.query_one("#histogram", Static).update(text)
