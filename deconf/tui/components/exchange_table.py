"""The exchanges list: one row per exchange, status in colour, the gaps that matter in view.

On a narrow terminal the channel, counts and first-reply columns go first; start, parties,
status and the longest gap stay (see `FrameTable`'s priorities).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.style import Style

from deconf.analysis.columns import A, Status
from deconf.frames import Col
from deconf.times import humanize
from deconf.tui.components.frame_table import Column, FrameTable
from deconf.tui.state import EXCHANGE_TITLES, BrowserState

ALARM = Style(color="red", bold=True)
WARN = Style(color="yellow")
MARKER = {
    Status.UNANSWERED: "✗ ",
    Status.PARTLY_ANSWERED: "◐ ",
    Status.SUPERSEDED: "↪ ",  # answered only through another exchange (its timeline says which)
    Status.ANSWERED: "✓ ",
}


def _status(row: dict) -> str:
    breach = " !breach" if row[A.BREACHES] else ""
    return f"{MARKER.get(row[A.STATUS], '· ')}{row[A.STATUS]}{breach}"


def _status_style(row: dict) -> Style:
    if row[A.STATUS] == Status.UNANSWERED:
        return ALARM
    if row[A.STATUS] in (Status.PARTLY_ANSWERED, Status.SUPERSEDED) or row[A.BREACHES]:
        return WARN
    return Style()


def exchange_columns(state: BrowserState) -> tuple[Column, ...]:
    title = EXCHANGE_TITLES
    return (
        Column(title[A.START], A.START, state.display.time_width, lambda r: state.when(r[A.START])),
        Column(title[A.PARTIES], A.PARTIES, 28, lambda r: ", ".join(r[A.PARTIES]), 0, minimum=12),
        Column(title[A.CHANNELS], A.CHANNELS, 18, lambda r: ", ".join(r[A.CHANNELS]), priority=4),
        Column(title[A.MESSAGES], A.MESSAGES, 5, lambda r: str(r[A.MESSAGES]), priority=5),
        Column(title[A.ATTEMPTS], A.ATTEMPTS, 4, lambda r: str(r[A.ATTEMPTS]), priority=3),
        Column(title[A.STATUS], A.STATUS, 25, _status, 0, minimum=18, style=_status_style),
        Column(
            title[A.FIRST_RESPONSE_SECONDS],
            A.FIRST_RESPONSE_SECONDS,
            13,  # "17d 21h 30m" and a sort arrow after the title
            lambda r: humanize(r[A.FIRST_RESPONSE_SECONDS]),
            priority=2,
        ),
        Column(
            title[A.LONGEST_GAP_SECONDS],
            A.LONGEST_GAP_SECONDS,
            13,
            lambda r: humanize(r[A.LONGEST_GAP_SECONDS]),
            priority=1,
        ),
        Column(
            title[Col.SUMMARY], Col.SUMMARY, 60, lambda r: r[Col.SUMMARY], priority=6, minimum=20
        ),
    )


class ExchangeTable(FrameTable):
    """Rows of `state.view` (exchanges); ★ on exchanges with a marked record."""

    def __init__(
        self, state: BrowserState, marked: Callable[[], set[str]] | None = None, **kwargs
    ) -> None:
        super().__init__(state, lambda: exchange_columns(self.state), marked, **kwargs)
