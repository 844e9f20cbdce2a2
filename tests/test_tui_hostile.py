"""Hostile log text: escape sequences, OSC titles, bells, C1 controls and Rich markup in every
free-text field, ids included. Nothing of it may reach the terminal as a control sequence or be
read as markup, on any screen; the text itself stays visible."""

from __future__ import annotations

import pytest

from deconf.marks import add_mark, marks_path
from deconf.tui.text import fit, plain
from tests.conftest import contact, event
from tests.tui_helpers import browser, drawn, loaded

EVIL = "\x1b]0;pwned\x07\x1b[2J[/][bold]x[/bold]\x9b31m"
CONTROLS = ("\x1b", "\x07", "\x9b", "\x9d")


@pytest.fixture
def hostile(write_log):
    return write_log(
        [
            contact(
                id="c" + EVIL,
                from_party="US" + EVIL,
                to_party="RU" + EVIL,
                summary="s" + EVIL,
                source="src" + EVIL,
                thread="t" + EVIL,
                operator="op" + EVIL,
                tags=["tag" + EVIL],
            ),
            event(
                id="e" + EVIL,
                at="2018-02-07T21:00:00Z",
                summary="ev" + EVIL,
                actor="ac" + EVIL,
                location="loc" + EVIL,
                source="es" + EVIL,
            ),
        ]
    )


def clean(app) -> str:
    text = drawn(app)
    for control in CONTROLS:
        assert control not in text, f"{control!r} reached the terminal on {app.screen!r}"
    return text


async def test_no_screen_lets_a_control_sequence_or_markup_through(hostile):
    add_mark(marks_path([hostile], None), "c" + EVIL, "note" + EVIL)
    app = browser(hostile, as_of="2018-02-08T00:00:00Z")
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(pilot)
        text = clean(app)
        assert "RU\ufffd]0;pwned\ufffd\ufffd[2J[/]" in text  # shown as text, not obeyed
        await pilot.press("slash", *"pwned", "enter")
        await loaded(pilot)
        clean(app)
        await pilot.press("enter")  # the timeline: ids, summaries, sources, the event
        await loaded(pilot)
        text = clean(app)
        assert "[c\ufffd]0;pwned" in text and "ev\ufffd]0;pwned" in text
        await pilot.press("p")  # the raw record, with the line as read
        await loaded(pilot)
        assert "id: c\ufffd]0;pwned" in clean(app)
        record = str(app.screen.query_one("#record").render())  # all of it, scrolled or not
        assert "source: src\ufffd]0;pwned" in record and '"tag\\u001b]0;pwned' in record
        assert not any(control in record for control in CONTROLS)
        await pilot.press("escape", "m")  # a prompt naming the id: `[/]` must not crash it
        await loaded(pilot)
        assert "Comment on c\ufffd]0;pwned" in clean(app)
        await pilot.press(*"fine", "enter", "escape")
        await loaded(pilot)
        for key in ("M", "w", "v", "s"):
            await pilot.press(key)
            await loaded(pilot)
            clean(app)
            await pilot.press("escape")
            await loaded(pilot)
        await pilot.press("v", "enter")  # the event's silence, from the events list
        await loaded(pilot)
        clean(app)
        await pilot.press("escape", "escape", "right", "F")  # frequency of the parties
        await loaded(pilot)
        assert "US\ufffd]0;pwned" in clean(app)


def test_wide_characters_are_padded_by_terminal_cells_and_joiners_kept():
    assert fit("日本語", 8) == "日本語  "  # six cells of letters, two of padding
    assert fit("日本語です", 6) == "日本 …"  # cut by cells, never half a character
    family = "👩\u200d👩\u200d👧"
    assert plain(family) == family  # zero-width joiners kept: one family, not three people
    assert plain("a\u202eb") == "a\ufffdb"  # a bidi override is not
