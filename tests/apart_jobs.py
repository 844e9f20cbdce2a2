"""Jobs for `deconf.apart`'s tests: module-level functions, which the child imports by name."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime

import polars as pl

from deconf.errors import InputError
from deconf.progress import Report, Step


def frames(rows: int, progress: Report) -> dict:
    """Two frames of the dtypes the records hold, and plain values beside them."""
    contacts = pl.DataFrame(
        {
            "id": [f"c{i}" for i in range(rows)],
            "sent_at": [datetime(2018, 2, 7, 10, i % 60, tzinfo=UTC) for i in range(rows)],
            "channel": pl.Series(
                ["radio", "email", None] * (rows // 3), dtype=pl.Enum(["radio", "email"])
            ),
            "party": pl.Series(["RU", "US"] * (rows // 2), dtype=pl.Categorical),
            "logged_by": [["A:1", "B:2"], None, []] * (rows // 3),
            "line": list(range(rows)),
        }
    )
    as_of = datetime(2018, 2, 8, tzinfo=UTC)
    return {"contacts": contacts, "events": contacts.head(0), "rejected": 3, "as_of": as_of}


def steps(count: int, progress: Report) -> int:
    for done in range(count):
        progress(Step("counting", done, count))
    return count


def fails_located(message: str, setting: str | None, progress: Report) -> None:
    for done in (0, 5):  # steps before: each message unpickled on its own
        progress(Step("reading", done, 10))
    raise InputError(message, setting=setting)


def dies(signal_number: int, progress: Report) -> None:
    os.kill(os.getpid(), signal_number)


def says_and_exits(words: str, progress: Report) -> None:
    sys.stderr.write(words + "\n")
    sys.stderr.flush()
    os._exit(1)


class Unbuildable(Exception):
    """An error pickle cannot rebuild (its constructor wants more than its message)."""

    def __init__(self, what: str, where: int):
        super().__init__(f"{what} at {where}")


def fails_unbuildable(progress: Report) -> None:
    raise Unbuildable("a parser's own error", 7)


def hands_back_into_nothing(progress: Report) -> pl.DataFrame:
    """Its work done, the folder its frames go to is gone (as a full temporary directory)."""
    import shutil

    shutil.rmtree(sys.argv[2])  # the child's folder (`apart._START`'s arguments)
    return pl.DataFrame({"id": ["a", "b"]})
