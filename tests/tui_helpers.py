"""What the browser tests share: a browser on a log file, waiting for its workers, and the text
that reaches the terminal (every segment the screen is drawn with)."""

from __future__ import annotations

from pathlib import Path

from deconf.loading import validate_logs
from deconf.marks import marks_path
from deconf.tui.app import DeconfBrowser, Loaded


def browser(log: Path, **options) -> DeconfBrowser:
    def load() -> Loaded:
        validation = validate_logs([log])
        return Loaded(validation.records, len(validation.rejected), "see deconf validate")

    options.setdefault("inputs", [log])
    return DeconfBrowser(load, marks_path([log], None), **options)


async def loaded(pilot, rounds: int = 4) -> None:
    """Wait for the browser's workers and what they post back. A screen starts its worker when
    it mounts, which on a loaded machine can come after a first wait has returned, so wait in a
    few rounds, each letting the screen settle."""
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.02)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def drawn(app) -> str:
    """The screen as the terminal receives it: the text of every segment, line by line."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def exchange(app) -> str:
    return app.state.current["exchange_id"]
