"""Progress on stderr for operations that take over a second: what is being done, how much of it
(bytes, records or party pairs), the rate and the time elapsed. Drawn only when stderr is a
terminal and `--quiet` is not given; nothing at all otherwise, so pipes and scripts see no change.
The core reports steps (`deconf.progress`); this module only draws them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from deconf.progress import Report, Step, done_text, rate_text, silent

#: Operations quicker than this never show a bar.
DELAY_SECONDS = 1.0

QuietOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress on stderr (none is shown when piped).")
]


class _Amount(ProgressColumn):
    """Done (of total) in the step's unit, and the rate."""

    def render(self, task: Task) -> Text:
        unit = task.fields.get("unit", "")
        if task.total is None and not task.completed:  # a step whose size is not known
            return Text("")
        text = done_text(task.completed, task.total, unit)
        if task.speed and task.completed:
            text += f" · {rate_text(task.speed, unit)}"
        return Text(text, style="progress.download")


@contextmanager
def progress_shown(
    quiet: bool = False, console: Console | None = None, delay: float = DELAY_SECONDS
) -> Iterator[Report]:
    """A report that draws a progress bar on stderr once an operation has run `delay` seconds,
    or a silent one when stderr is no terminal or `quiet` is set."""
    console = console or Console(stderr=True)
    if quiet or not console.is_terminal:
        yield silent
        return
    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        _Amount(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    tasks = [bar.add_task("starting", total=None, unit="")]
    timer = threading.Timer(delay, bar.start)
    timer.daemon = True

    def report(step: Step) -> None:
        if step.what != bar.tasks[-1].description:
            # a new step: a task of its own (its rate, elapsed time, and a total that may be
            # unknown: resetting a task would keep the last step's total and count against it)
            bar.remove_task(tasks.pop())
            tasks.append(bar.add_task(step.what, total=step.total, unit=step.unit))
        bar.update(tasks[-1], completed=step.done, total=step.total)

    if delay > 0:
        timer.start()
    else:
        bar.start()
    try:
        yield report
    finally:
        timer.cancel()
        bar.stop()
