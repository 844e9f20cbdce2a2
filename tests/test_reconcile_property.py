"""The vectorised one-to-one matching agrees with a brute-force greedy matching by distance."""

from __future__ import annotations

import polars as pl
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from deconf.reconcile.columns import GROUP, KEY, ROW, US
from deconf.reconcile.matching import LEFT, RIGHT, match, nudged


def brute_force(left, right, tolerance):
    """Every candidate pair (same key, within the tolerance) by increasing distance, taken when
    both records are still free."""
    candidates = []
    for group, left_key, left_time in left:
        for row, right_key, right_time in right:
            distance = abs(nudged(right_time, row, RIGHT) - nudged(left_time, group, LEFT))
            if left_key == right_key and distance <= nudged(tolerance, 0, LEFT):
                candidates.append((distance, group, row))
    taken_left, taken_right, pairs = set(), set(), set()
    for _, group, row in sorted(candidates):
        if group not in taken_left and row not in taken_right:
            taken_left.add(group)
            taken_right.add(row)
            pairs.add((group, row))
    return pairs


records = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 3_000)), min_size=0, max_size=25)


@settings(deadline=None)  # examples: the hypothesis profile (tests/conftest.py)
@given(records, records, st.integers(1, 400))
def test_matching_is_greedy_by_distance(left_records, right_records, tolerance):
    left = [(i, key, t * 1_000_000) for i, (key, t) in enumerate(left_records)]
    right = [(100 + i, key, t * 1_000_000) for i, (key, t) in enumerate(right_records)]
    frame = lambda rows, name: pl.DataFrame(  # noqa: E731
        rows, schema={name: pl.UInt32, KEY: pl.UInt64, US: pl.Int64}, orient="row"
    )
    distances = [
        abs(nudged(r, j, RIGHT) - nudged(t, i, LEFT)) for i, _, t in left for j, _, r in right
    ]
    assume(len(distances) == len(set(distances)))  # an exact tie may go either way
    found = match(frame(left, GROUP), frame(right, ROW), tolerance * 1_000_000)
    assert set(found.iter_rows()) == brute_force(left, right, tolerance * 1_000_000)
