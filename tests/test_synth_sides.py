"""The synthetic pair plants only conflicts the logs can show: `indistinct` on small cases."""

from __future__ import annotations

import numpy as np
import polars as pl

from deconf.frames import Col
from deconf.synth_sides import indistinct


def line(id, minute, *, sender="US", kind="query", outcome="no_answer", reply=None):
    return {
        Col.ID: id,
        Col.SENT_AT: f"2018-02-07T20:{minute:02d}:00Z",
        Col.FROM_PARTY: sender,
        Col.TO_PARTY: "RU",
        Col.CHANNEL: "deconfliction_line",
        Col.KIND: kind,
        Col.ATTEMPT_OUTCOME: outcome,
        Col.IN_REPLY_TO: reply,
    }


def test_a_conflict_that_lands_on_another_contacts_record_is_not_planted():
    lines = [
        # US: c0's time moved +4 min, past d0 (3 min later, an identical retry only A logged)
        line("c0", 0),
        line("d0", 3),
        # SDF: c1's time moved +10 min; d1, identical but 10 min *before*, is further away
        line("c1", 20, sender="SDF"),
        line("d1", 10, sender="SDF"),
        # TR: c2 told as a protest by B, on the slot of d2, a protest both logged
        line("c2", 30, sender="TR"),
        line("d2", 30, sender="TR", kind="protest"),
        # RU→US replies: c3 moved +4 min past d3 (identical, only A logged), but c3 answers
        # t3, which both logged, and d3 answers something else
        line("t3", 40),
        line("c3", 45, sender="RU", kind="response", outcome="delivered", reply="t3"),
        line("d3", 48, sender="RU", kind="response", outcome="delivered", reply="x"),
    ]
    frame = pl.DataFrame(lines)
    frame = frame.with_columns(
        pl.when(pl.col(Col.FROM_PARTY) == "RU")
        .then(pl.lit("US"))
        .otherwise(pl.col(Col.TO_PARTY))
        .alias(Col.TO_PARTY)
    )
    ids = frame[Col.ID].to_list()
    in_b = np.array([i not in ("d0", "d1", "d3") for i in ids])
    planted = np.array([i in ("c0", "c1", "c2", "c3") for i in ids])
    b_kinds = np.array(
        ["protest" if i == "c2" else k for i, k in zip(ids, frame[Col.KIND], strict=True)]
    )
    apart = np.fromiter(({"c0": 240, "c1": 600, "c2": 5, "c3": 240}.get(i, 0) for i in ids), int)
    found = indistinct(
        frame,
        np.ones(len(ids), dtype=bool),
        in_b,
        planted,
        b_kinds,
        frame[Col.ATTEMPT_OUTCOME].to_numpy(),
        apart.astype(float),
    )
    assert [i for i, lost in zip(ids, found, strict=True) if lost] == ["c0", "c2"]
