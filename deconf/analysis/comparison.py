"""The same figures under each reading of a merged log, side by side, so that a finding can say
"RU's median wait: 12 min by the US log, 3 min by the RU log".
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from deconf.analysis import analyze
from deconf.analysis.columns import S
from deconf.analysis.filters import Filters
from deconf.analysis.readings import COMPARED, READING, readings_of
from deconf.frames import Col, Records
from deconf.policy import Policy

FIGURE = "figure"
VALUE = "value"
DIFFERS = "differs"


def compare_readings(records: Records, policy: Policy, as_of: datetime) -> pl.DataFrame:
    """Long frame (group = responder, figure, reading, value, differs): each compared figure per
    responder under each source's reading and the corroborated one; `differs` when the sides'
    readings do not agree on it. Empty unless the records name two or more sources."""
    parts = []
    for reading in readings_of(records):
        stats = analyze(records, policy, as_of, Filters(reading=str(reading))).stats(Col.TO_PARTY)
        parts.append(
            stats.select(S.GROUP, *(pl.col(f).cast(pl.Float64) for f in COMPARED))
            .unpivot(index=S.GROUP, variable_name=FIGURE, value_name=VALUE)
            .with_columns(pl.lit(str(reading)).alias(READING))
        )
    if not parts:
        return pl.DataFrame(
            schema={
                S.GROUP: pl.String,
                FIGURE: pl.String,
                READING: pl.String,
                VALUE: pl.Float64,
                DIFFERS: pl.Boolean,
            }
        )
    frame = pl.concat(parts).select(S.GROUP, FIGURE, READING, VALUE)
    sides = pl.col(READING).str.starts_with("side:")
    # a figure a side does not have at all (no episode with that responder) counts as differing
    per_side = frame.filter(sides)
    side_count = per_side[READING].n_unique()
    spread = per_side.group_by(S.GROUP, FIGURE).agg(
        ((pl.col(VALUE).n_unique() > 1) | (pl.len() < side_count)).alias(DIFFERS)
    )
    order = {str(r): i for i, r in enumerate(readings_of(records))}
    return (
        frame.join(spread, on=[S.GROUP, FIGURE], how="left")
        .with_columns(pl.col(DIFFERS).fill_null(True))
        .sort(S.GROUP, FIGURE, pl.col(READING).replace_strict(order, return_dtype=pl.Int32))
    )
