"""The report's "where the sources disagree" part, for a merged log of several sources: the
disputed accounts and the contacts only some sources logged, and findings that give a figure under
each reading when the readings differ ("RU's median wait: 12m 00s by the US log, 3m 00s by the RU
log"). Every figure comes from `deconf.analysis`; this module only words them."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from deconf.analysis.columns import S
from deconf.analysis.comparison import DIFFERS, FIGURE, VALUE, compare_readings
from deconf.analysis.readings import (
    COMPARED,
    CORROBORATED,
    DISAGREEMENT,
    LOGGED_BY_SOURCES,
    READING,
    SIDE_PREFIX,
    disagreements,
    sources_of,
)
from deconf.frames import Col, Records
from deconf.policy import Policy
from deconf.report.model import Disagreements
from deconf.times import humanize

MAX_ROWS = 200
LABEL = "label"  # the figure in words, for the table of figures by reading
RECORD_COLUMNS = [
    Col.ID,
    Col.SENT_AT,
    Col.FROM_PARTY,
    Col.TO_PARTY,
    Col.KIND,
    Col.ATTEMPT_OUTCOME,
    DISAGREEMENT,
    LOGGED_BY_SOURCES,
    Col.SOURCE,
    Col.SUMMARY,
]
_WORDS = dict(
    zip(COMPARED, ("median wait (Kaplan–Meier)", "unanswered episodes", "episodes"), strict=True)
)
_DURATIONS = {name for name in COMPARED if name.endswith("_seconds")}


def _by(reading: str) -> str:
    if reading == CORROBORATED:
        return "by what the sources corroborate"
    return f"by the {reading.removeprefix(SIDE_PREFIX)} log"


def _value(figure: str, value: float | None) -> str:
    if figure in _DURATIONS:
        return "not reached" if value is None else humanize(value)
    return "none" if value is None else str(int(value))


def reading_findings(figures: pl.DataFrame) -> list[str]:
    """One sentence per responder whose figures differ between the sources' readings."""
    sentences = []
    differing = figures.filter(pl.col(DIFFERS))
    for (group,), rows in differing.group_by(S.GROUP, maintain_order=True):
        parts = []
        for (figure,), per_reading in rows.group_by(FIGURE, maintain_order=True):
            said = ", ".join(
                f"{_value(figure, row[VALUE])} {_by(row[READING])}"
                for row in per_reading.iter_rows(named=True)
            )
            parts.append(f"{_WORDS.get(figure, figure)} {said}")
        sentences.append(f"The sources disagree about {group} as responder: {'; '.join(parts)}.")
    return sentences


def disagreements_of(
    records: Records, policy: Policy, as_of: datetime, table
) -> Disagreements | None:
    """The section's content, or None when the records do not name two or more sources.
    `table` turns a frame into a report Table (from `deconf.report.content`)."""
    names = sources_of(records)
    if len(names) < 2:
        return None
    figures = compare_readings(records, policy, as_of)
    rows = disagreements(records).with_columns(pl.col(LOGGED_BY_SOURCES).list.join(", "))
    return Disagreements(
        sources=names,
        findings=reading_findings(figures),
        figures=table(
            figures.with_columns(pl.col(FIGURE).replace_strict(_WORDS).alias(LABEL)),
            [*figures.columns, LABEL],
            MAX_ROWS * 5,
        ),
        records=table(rows, RECORD_COLUMNS, MAX_ROWS),
    )
