"""What a read gives the browser, and the head start its first read gets.

At a million records the browser's first screen waits on three things: the read (the store's
files, or a log validated), the analysis of what that screen lists (`tui/held.py`: the
exchanges) and Textual itself (its import and start-up). The first two are Polars and NumPy work
that mostly runs without the interpreter's lock, the third is Python; so `head_start` reads and
analyses in a thread of its own from the moment the command line is understood, while the
command imports Textual and opens the screen on the other core. The read is still waited for
before the screen opens (input that is no log fails with a located error and exit 2, never on a
half-drawn screen); the analysis is waited for by the browser's loading worker.

No Textual here: this is imported before it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Generic, TypeVar

from deconf.progress import Report, silent

if TYPE_CHECKING:
    from deconf.analysis import Analysis
    from deconf.frames import Records
    from deconf.policy import Policy
    from deconf.prepared import Prepared

T = TypeVar("T")


class Pending(Generic[T]):
    """A value another thread is computing, taken once: `take()` waits for it and raises what
    the computation raised, in the thread that asks. Once taken it is no longer held here (at
    a million records it is hundreds of MB that the taker may soon let go)."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self._value: T | None = None
        self._error: BaseException | None = None

    def set(self, value: T) -> None:
        self._value = value
        self._done.set()

    def fail(self, error: BaseException) -> None:
        self._error = error
        self._done.set()

    def done(self) -> bool:
        return self._done.is_set()

    def take(self) -> T:
        self._done.wait()
        if self._error is not None:
            raise self._error
        value, self._value = self._value, None
        return value  # type: ignore[return-value]


@dataclass
class Loaded:
    """What a read of the logs or the store gives the browser."""

    records: Records
    rejected: int
    rejected_hint: str
    #: the as-of time when none is given: the latest time of all the data read, before a
    #: reading narrows it (as `deconf stats --reading` takes it); None: the records' latest
    as_of: datetime | None = None
    #: a record's every stored field by id (the store: the browser holds only some columns)
    lookup: Callable[[str], dict | None] | None = None
    #: what the data is, for messages ("the log", "the store")
    what: str = "the log"
    #: the first screen's analysis when it is already under way (`head_start`); None: the
    #: browser computes it
    analysing: Pending[Analysis] | None = None
    #: the first screen an ingest prepared for these records under a policy, if any
    #: (`deconf.prepared`; a store read whole, not a log or a reading of it)
    prepared: Callable[[Policy], Prepared | None] | None = None
    #: whether the first screen shown came from `prepared` (the browser then checks it
    #: against the analysis it computes behind it)
    from_prepared: bool = False


def head_start(
    read: Callable[[Report], Loaded],
    policy: Policy,
    as_of: datetime | None,
    progress: Report = silent,
) -> Pending[Loaded]:
    """Start reading (`read`, reporting to `progress`) and then analysing what the first screen
    lists, in a thread; returns the read, pending. The analysis under way is the read's
    `analysing`: the same figures the browser would compute (`held.first_screen` under this
    `policy`, as of `as_of` or else the read's own as-of time), started earlier.

    A daemon thread: a command that stops before the screen opens (a bad keymap) does not wait
    for an analysis nobody will look at."""
    read_pending: Pending[Loaded] = Pending()

    def run() -> None:
        try:
            loaded = read(progress)
        except BaseException as error:  # handed to the thread that waits for the read
            read_pending.fail(error)
            return
        analysing: Pending[Analysis] = Pending()
        loaded.analysing = analysing
        read_pending.set(loaded)
        try:
            analysis = _analysed(loaded, policy, as_of)
        except BaseException as error:
            analysing.fail(error)
            return
        loaded.records = analysis.records  # the read's own frames are not kept
        analysing.set(analysis)

    threading.Thread(target=run, name="deconf-head-start", daemon=True).start()
    return read_pending


def first_analysis(loaded: Loaded, policy: Policy, as_of: datetime | None) -> Analysis:
    """The first screen's analysis of a read: the one under way if `head_start` began it, else
    computed here (`_analysed`)."""
    if loaded.analysing is not None:
        analysis, loaded.analysing = loaded.analysing.take(), None
        return analysis
    return _analysed(loaded, policy, as_of)


def _analysed(loaded: Loaded, policy: Policy, as_of: datetime | None) -> Analysis:
    """The first screen's analysis: from the screen an ingest prepared when there is one for
    these records, this policy and the default as-of time, else computed
    (`held.first_screen`)."""
    from deconf.tui.held import first_screen, narrowed, shown_from

    loaded.records = narrowed(loaded.records)  # a log's other columns let go now
    prepared = loaded.prepared(policy) if loaded.prepared and as_of is None else None
    if prepared is not None:
        loaded.from_prepared = True
        return shown_from(prepared, loaded.records, policy, loaded.as_of)
    return first_screen(loaded.records, policy, as_of or loaded.as_of)
