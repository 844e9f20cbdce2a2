"""Two sides' logs of the same synthetic traffic, with the ground truth, so that reconcile can be
measured: how close its clock offset is, how many matches it gets right, which conflicts it finds.

The traffic is `deconf.synth`'s. Each side keeps each contact with probability 1 − drop (the other
side's log may have it or not). Side A logs the true times; side B's clock is off by the offset
(the figure reconcile should report: what to add to B's times) and each of its times wanders by a
few seconds more. Among contacts both sides logged, a share `conflict` is given a conflicting
account on side B, of one of three types in turn: another outcome, another kind of the same class,
or a time beyond the tolerance — except where the conflicting account would be indistinguishable
from another contact's (see `indistinct`): that contact is left as both sides agree on it. Events
go to side A only. Same arguments, same bytes.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from deconf.atomic import write_files
from deconf.frames import Col
from deconf.reconcile.columns import ConflictType, R
from deconf.reconcile.keys import ANSWER, ATTEMPT, KIND_CLASS
from deconf.reconcile.result import Reconciliation
from deconf.synth import synthesize
from deconf.vocabulary import AttemptOutcome

JITTER_SECONDS = 10.0  # side B's clock wanders this much (standard deviation) around its offset
#: Two accounts this close are on one slot: clock wander alone (3 standard deviations of the
#: jitter) puts two accounts of one contact this far apart.
SLOT_SECONDS = 3 * JITTER_SECONDS
TIME_CONFLICT_MINUTES = (8.0, 20.0)
#: Contacts are compared with those in the same or a neighbouring bucket of this many seconds:
#: more than any move of a time conflict plus the wander of a clock.
_BUCKET_SECONDS = 1500  # a planted time conflict moves B's time this far, either way
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


def indistinct(
    contacts: pl.DataFrame,
    in_a: np.ndarray,
    in_b: np.ndarray,
    planted: np.ndarray,
    b_kinds: np.ndarray,
    b_outcomes: np.ndarray,
    b_apart: np.ndarray,
) -> np.ndarray:
    """Which planted conflicts no data could tell from another contact's record (a boolean per
    contact). `b_apart` is how far B's account of each contact lies from A's, in seconds on A's
    clock (its clock's wander, plus the move of a time conflict).

    A conflict planted in contact C is indistinct when another contact D between the same
    parties, in the same direction and of the same kind class, offers an account that pairs
    with one of C's at least as well as C's own other account does:

    - D logged by one side only, or given a conflicting account itself, and its account lies
      on the slot of C's account on the other side (within SLOT_SECONDS, as close as clock
      wander puts two accounts of one contact), or is identical to it (same kind, outcome and
      channel) and closer in time than C's two accounts are to each other: pair them instead
      and there are no more conflicts than before;
    - D logged by both sides, and one of its accounts is identical to C's account on the other
      side and on its slot: swap the partners and there is still one conflict.

    A reply is told apart from D by what it answers when it names a contact both sides logged
    and D does not name the same one. Planted there, the conflicting account *is* D's on every
    evidence the logs hold, so C is left as both sides agree on it (docs/reconcile.md)."""
    account = [Col.KIND, Col.ATTEMPT_OUTCOME, Col.CHANNEL]
    both = in_a & in_b
    logged_by_both = contacts.filter(pl.Series(both))[Col.ID].implode()
    t = contacts[Col.SENT_AT].str.to_datetime(_TIME_FORMAT, time_zone="UTC").dt.epoch("s")
    frame = contacts.select(
        Col.FROM_PARTY,
        Col.TO_PARTY,
        pl.col(Col.KIND).replace_strict(KIND_CLASS, return_dtype=pl.String).alias("_class"),
        pl.col(Col.IN_REPLY_TO),
        pl.col(Col.IN_REPLY_TO).is_in(logged_by_both).fill_null(False).alias("_linked"),
        pl.struct(*account).alias("_a"),
        pl.struct(
            pl.Series(Col.KIND, b_kinds),
            pl.Series(Col.ATTEMPT_OUTCOME, b_outcomes),
            Col.CHANNEL,
        ).alias("_b"),
        (t + 0.0).alias("_ta"),
        (t + pl.Series(b_apart)).alias("_tb"),
        pl.Series("_in_a", in_a),
        pl.Series("_in_b", in_b),
        pl.Series("_planted", planted),
    ).with_row_index("_i")
    pair = [Col.FROM_PARTY, Col.TO_PARTY, "_class"]
    bucket = [(pl.col(c) // _BUCKET_SECONDS).cast(pl.Int64) for c in ("_ta", "_tb")]
    candidates = frame.filter(pl.Series(planted)).with_columns(
        pl.concat_list(b + step for b in bucket for step in (-1, 0, 1)).alias("_bucket")
    )
    others = frame.with_columns(pl.concat_list(bucket).alias("_bucket"))
    near = (
        candidates.explode("_bucket")
        .join(others.explode("_bucket"), on=[*pair, "_bucket"], suffix="_d")
        .filter(pl.col("_i") != pl.col("_i_d"))
        .unique(["_i", "_i_d"])
        .filter(
            ~pl.col("_linked") | pl.col(Col.IN_REPLY_TO).eq_missing(pl.col(f"{Col.IN_REPLY_TO}_d")),
        )
    )
    own = (pl.col("_tb") - pl.col("_ta")).abs()
    on_a = (pl.col("_ta_d") - pl.col("_tb")).abs()  # D's A account to C's B account
    on_b = (pl.col("_tb_d") - pl.col("_ta")).abs()  # D's B account to C's A account
    same_a = pl.col("_a_d") == pl.col("_b")
    same_b = pl.col("_b_d") == pl.col("_a")
    only_a = pl.col("_in_a_d") & ~pl.col("_in_b_d")
    only_b = pl.col("_in_b_d") & ~pl.col("_in_a_d")
    in_both = pl.col("_in_a_d") & pl.col("_in_b_d")
    # D's own accounts pair as badly as they may with C's: D logged by one side only, or in
    # conflict itself (a swap leaves as many conflicts as there were)
    free_a = only_a | (in_both & pl.col("_planted_d"))
    free_b = only_b | (in_both & pl.col("_planted_d"))
    found = near.filter(
        (free_a & ((on_a <= SLOT_SECONDS) | (same_a & (on_a < own))))
        | (free_b & ((on_b <= SLOT_SECONDS) | (same_b & (on_b < own))))
        | (in_both & ((same_a & (on_a <= SLOT_SECONDS)) | (same_b & (on_b <= SLOT_SECONDS))))
    )
    out = np.zeros(contacts.height, dtype=bool)
    out[found["_i"].unique().to_numpy()] = True
    return out


def synthesize_sides(
    records: int,
    seed: int = 0,
    parties: int = 6,
    clock_offset: timedelta = timedelta(seconds=90),
    drop: float = 0.05,
    conflict: float = 0.02,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, int]:
    """(side A lines, side B lines, truth: one row per contact with its id on each side or null
    and the planted conflict type, how many drawn conflicts were left agreed as indistinct)."""
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
    jitter = rng.normal(0, JITTER_SECONDS, size)
    moved = rng.uniform(*TIME_CONFLICT_MINUTES, size) * 60 * rng.choice([-1, 1], size)
    is_time = conflict_of == ConflictType.TIME.value
    lost = indistinct(
        contacts,
        in_a,
        in_b,
        conflict_of != None,  # noqa: E711 (elementwise on an object array)
        b_kinds,
        b_outcomes,
        np.round(jitter + np.where(is_time, moved, 0)),  # whole seconds, as the log has it
    )
    left_agreed = int(lost.sum())
    conflict_of[lost] = None
    b_kinds = np.where(lost, kinds, b_kinds)
    b_outcomes = np.where(lost, outcomes, b_outcomes)
    is_time &= ~lost
    true_time = pl.col(Col.SENT_AT).str.to_datetime(_TIME_FORMAT, time_zone="UTC")
    shift = -clock_offset.total_seconds() + jitter
    shift = np.round(np.where(is_time, shift + moved, shift)).astype(np.int64)
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
    return side_a, side_b, truth, left_agreed


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
    side_a, side_b, truth, left_agreed = synthesize_sides(
        records, seed, parties, clock_offset, drop, conflict
    )
    stem = path.with_suffix("")
    paths = (
        stem.with_name(f"{stem.name}-a.jsonl"),
        stem.with_name(f"{stem.name}-b.jsonl"),
        stem.with_name(f"{stem.name}-truth.json"),
    )
    summary = {
        "clock_offset_seconds": clock_offset.total_seconds(),
        "drop": drop,
        "conflict": conflict,
        "seed": seed,
        "conflicts_left_agreed_as_indistinct": left_agreed,
        "contacts": truth.to_dicts(),
    }
    write_files(  # the three as one output: whole, or none of them
        {
            paths[0]: _ndjson(side_a),
            paths[1]: _ndjson(side_b),
            paths[2]: json.dumps(summary) + "\n",
        }
    )
    return paths


def _ndjson(frame: pl.DataFrame) -> str:
    return frame.write_ndjson()


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
