"""How the browser looks at 80×24 and 160×45: the exchanges, a timeline with a silence and the
events in it, the silences and events lists, statistics and help. Regenerate with
`pytest tests/test_tui_snapshots.py --snapshot-update` only for a screen changed on purpose,
and look at the SVGs."""

from __future__ import annotations

import pytest

from tests.conftest import HUMANITARIAN, KHASHAM
from tests.tui_helpers import browser, loaded

SIZES = {"80x24": (80, 24), "160x45": (160, 45)}


def keys(*pressed: str):
    async def run(pilot) -> None:
        await loaded(pilot)
        for key in pressed:
            await pilot.press(key)
            await loaded(pilot)

    return run


SCREENS = {
    "exchanges": (KHASHAM, ()),
    "timeline": (KHASHAM, ("down", "down", "enter")),
    "strike-in-silence": (HUMANITARIAN, ("w", "enter")),
    "silences": (HUMANITARIAN, ("w",)),
    "events": (HUMANITARIAN, ("v",)),
    "statistics": (HUMANITARIAN, ("s",)),
    "help": (KHASHAM, ("question_mark",)),
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", SCREENS)
def test_snapshot(snap_compare, screen, size):
    log, pressed = SCREENS[screen]
    assert snap_compare(browser(log), terminal_size=SIZES[size], run_before=keys(*pressed))
