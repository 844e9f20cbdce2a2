"""Two sides' logs of the same synthetic traffic, with the ground truth, so that reconcile can be
measured: how close its clock offset is, how many matches it gets right, which conflicts it finds.

The traffic is `deconf.synth`'s. Each side keeps each contact with probability 1 − drop (the other
side's log may have it or not). Side A logs the true times; side B's clock is off by the offset
(the figure reconcile should report: what to add to B's times) and each of its times wanders by a
few seconds more. Among contacts both sides logged, a share `conflict` is given a conflicting
account on side B, of one of three types in turn: another outcome, another kind of the same class,
or a time beyond the tolerance. Events go to side A only. Same arguments, same bytes.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from deconf.frames import Col
from deconf.reconcile.columns import ConflictType, R
from deconf.reconcile.keys import ANSWER, ATTEMPT, KIND_CLASS
from deconf.reconcile.result import Reconciliation
from deconf.synth import synthesize
from deconf.vocabulary import AttemptOutcome

JITTER_SECONDS = 10.0  # side B's clock wanders this much (standard deviation) around its offset
TIME_CONFLICT_MINUTES = (8.0, 20.0)  # a planted time conflict moves B's time this far, either way
SIDE_B_PREFIX = "b-"
TRUTH_A, TRUTH_B, TRUTH_CONFLICT = "a", "b", "conflict"
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def _other_kind(kinds: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Another kind of the same class (an acknowledgement for a denial, a query for a request)."""
    out = kinds.copy()
    for kind_class in (ATTEMPT, ANSWER):
        members = np.array(sorted(k for k, c in KIND_CLASS.items() if c == kind_class))
        rows = np.flatnonzero(np.isin(kinds, members))
        if rows.size:
            position = np.searchsorted(members, kinds[rows])
            step = rng.integers(1, len(members), rows.size)
            out[rows] = members[(position + step) % len(members)]
    return out


def synthesize_sides(
    records: int,
    seed: int = 0,
    parties: int = 6,
    clock_offset: timedelta = timedelta(seconds=90),
    drop: float = 0.05,
    conflict: float = 0.02,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(side A lines, side B lines, truth: one row per contact with its id on each side or null
    and the planted conflict type)."""
    if not (0 <= drop < 1 and 0 <= conflict <= 1):
        raise ValueError("drop must be in [0, 1) and conflict in [0, 1]")
    traffic = synthesize(records, seed, parties)
    events = traffic.filter(pl.col(Col.TYPE) == "event")
    contacts = traffic.filter(pl.col(Col.TYPE).is_null())
    rng = np.random.default_rng([seed, 2])
    size = contacts.height
    in_a = rng.random(size) >= drop
    in_b = rng.random(size) >= drop
    both = np.flatnonzero(in_a & in_b)
    planted = both[rng.random(both.size) < conflict]
    types = np.array([t.value for t in ConflictType])[np.arange(planted.size) % len(ConflictType)]
    conflict_of = np.full(size, None, dtype=object)
    conflict_of[planted] = types
    kinds = contacts[Col.KIND].to_numpy().astype(str)
    outcomes = contacts[Col.ATTEMPT_OUTCOME].to_numpy().astype(str)
    is_outcome = conflict_of == ConflictType.OUTCOME.value
    flipped = np.where(
        outcomes == AttemptOutcome.DELIVERED.value,
        AttemptOutcome.NO_ANSWER.value,
        AttemptOutcome.DELIVERED.value,
    )
    b_outcomes = np.where(is_outcome, flipped, outcomes)
    is_kind = conflict_of == ConflictType.KIND.value
    b_kinds = np.where(is_kind, _other_kind(kinds, rng), kinds)
    shift = -clock_offset.total_seconds() + rng.normal(0, JITTER_SECONDS, size)
    is_time = conflict_of == ConflictType.TIME.value
    moved = rng.uniform(*TIME_CONFLICT_MINUTES, size) * 60 * rng.choice([-1, 1], size)
    shift = np.round(np.where(is_time, shift + moved, shift)).astype(np.int64)
    true_time = pl.col(Col.SENT_AT).str.to_datetime(_TIME_FORMAT, time_zone="UTC")
    side_b = (
        contacts.with_columns(
            pl.format("{}{}", pl.lit(SIDE_B_PREFIX), Col.ID).alias(Col.ID),
            pl.when(pl.col(Col.IN_REPLY_TO).is_not_null())
            .then(pl.format("{}{}", pl.lit(SIDE_B_PREFIX), Col.IN_REPLY_TO))
            .alias(Col.IN_REPLY_TO),
            (true_time + pl.duration(seconds=pl.Series(shift)))
            .dt.strftime(_TIME_FORMAT)
            .alias(Col.SENT_AT),
            pl.Series(Col.KIND, b_kinds),
            pl.Series(Col.ATTEMPT_OUTCOME, b_outcomes),
        )
        .filter(pl.Series(in_b))
        .sort(Col.SENT_AT, Col.ID)
    )
    side_a = pl.concat([contacts.filter(pl.Series(in_a)), events]).sort(
        pl.coalesce(Col.SENT_AT, Col.AT), Col.ID
    )
    ids = contacts[Col.ID]
    truth = pl.DataFrame(
        {
            TRUTH_A: ids.zip_with(pl.Series(in_a), pl.Series([None] * size, dtype=pl.String)),
            TRUTH_B: (SIDE_B_PREFIX + ids).zip_with(
                pl.Series(in_b), pl.Series([None] * size, dtype=pl.String)
            ),
            TRUTH_CONFLICT: pl.Series(conflict_of.tolist(), dtype=pl.String),
        }
    ).filter(pl.col(TRUTH_A).is_not_null() | pl.col(TRUTH_B).is_not_null())
    return side_a, side_b, truth


def write_sides(
    path: str | Path,
    records: int,
    seed: int = 0,
    parties: int = 6,
    clock_offset: timedelta = timedelta(seconds=90),
    drop: float = 0.05,
    conflict: float = 0.02,
) -> tuple[Path, Path, Path]:
    """Write PATH-a.jsonl, PATH-b.jsonl and PATH-truth.json (stem of PATH); returns the paths."""
    path = Path(path)
    side_a, side_b, truth = synthesize_sides(records, seed, parties, clock_offset, drop, conflict)
    stem = path.with_suffix("")
    paths = (
        stem.with_name(f"{stem.name}-a.jsonl"),
        stem.with_name(f"{stem.name}-b.jsonl"),
        stem.with_name(f"{stem.name}-truth.json"),
    )
    side_a.write_ndjson(paths[0])
    side_b.write_ndjson(paths[1])
    summary = {
        "clock_offset_seconds": clock_offset.total_seconds(),
        "drop": drop,
        "conflict": conflict,
        "seed": seed,
        "contacts": truth.to_dicts(),
    }
    paths[2].write_text(json.dumps(summary) + "\n", encoding="utf-8")
    return paths


def read_truth(path: str | Path) -> tuple[float, pl.DataFrame]:
    """The clock offset and the contacts of a truth file written by `write_sides`."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    frame = pl.DataFrame(
        data["contacts"],
        schema={TRUTH_A: pl.String, TRUTH_B: pl.String, TRUTH_CONFLICT: pl.String},
        orient="row",
    )
    return data["clock_offset_seconds"], frame


def score(result: Reconciliation, clock_offset: float, truth: pl.DataFrame) -> dict[str, Any]:
    """How well a reconciliation of sides A and B recovered the truth: the offset's error, match
    precision and recall, planted conflicts found (by type) and conflicts found that were not
    planted."""
    first, second = result.names[:2]
    true_pairs = truth.filter(pl.col(TRUTH_A).is_not_null() & pl.col(TRUTH_B).is_not_null())
    found = result.matched.select(pl.col(first).alias(TRUTH_A), pl.col(second).alias(TRUTH_B))
    right = found.join(true_pairs.select(TRUTH_A, TRUTH_B), on=[TRUTH_A, TRUTH_B]).height
    planted = true_pairs.filter(pl.col(TRUTH_CONFLICT).is_not_null()).select(
        TRUTH_A, TRUTH_B, pl.col(TRUTH_CONFLICT).alias(R.TYPE)
    )
    reported = result.conflicts.select(
        pl.col(first).alias(TRUTH_A), pl.col(second).alias(TRUTH_B), R.TYPE
    )
    hits = planted.join(reported, on=[TRUTH_A, TRUTH_B, R.TYPE])
    by_type = {
        t.value: {
            "planted": planted.filter(pl.col(R.TYPE) == t.value).height,
            "found": hits.filter(pl.col(R.TYPE) == t.value).height,
        }
        for t in ConflictType
    }
    return {
        "clock_offset_seconds": result.offsets[1].seconds,
        "offset_error_seconds": abs(result.offsets[1].seconds - clock_offset),
        "true_matches": true_pairs.height,
        "found_matches": found.height,
        "right_matches": right,
        "precision": right / found.height if found.height else 1.0,
        "recall": right / true_pairs.height if true_pairs.height else 1.0,
        "conflicts": by_type,
        "planted_conflicts_found": hits.height,
        "planted_conflicts": planted.height,
        "unplanted_conflicts": reported.join(
            planted, on=[TRUTH_A, TRUTH_B, R.TYPE], how="anti"
        ).height,
    }
