"""One-to-one matching of records by key and corrected time, with as-of joins.

Each round pairs every record with its nearest same-key record on the other side within the
tolerance, in both directions, and keeps the pairs that chose each other (mutual nearest
neighbours); matched records leave, and the next round matches what is left. The closest pair of
any cluster always chooses itself, so every round makes progress until no pair within reach is
left, and a burst of retries a minute apart is matched in order rather than all onto one record.
With distinct distances the result is the greedy matching by increasing distance (a property test
holds it to a brute-force one). Ties in distance are broken by a sub-microsecond nudge from the
row number, so the result does not depend on sort stability.
"""

from __future__ import annotations

import polars as pl

from deconf.reconcile.columns import GROUP, KEY, ROW, US

_SCALE = 1024  # times in 1/1024 µs, so a row-based nudge below 1 µs can break ties
LEFT, RIGHT = 0, 1


def nudged(time_us, row, side: int):
    """Time in 1/1024 µs plus a nudge below 1 µs from the row number: on the left in steps of
    32 (0–960), on the right 1–31, so two pairs are rarely exactly as far apart."""
    if side == LEFT:
        return time_us * _SCALE + (row % 31) * 32
    return time_us * _SCALE + row % 31 + 1


_LEFT_T = "_left_t"
_RIGHT_T = "_right_t"


def match(
    left: pl.DataFrame,
    right: pl.DataFrame,
    tolerance_us: int,
    key: str | tuple[str, ...] = KEY,
) -> pl.DataFrame:
    """Pairs (GROUP, ROW) of `left` (GROUP, key, US) and `right` (ROW, key, US) records with
    equal `key` (one column or several), one-to-one, at most `tolerance_us` apart."""
    tolerance = tolerance_us * _SCALE
    key = [key] if isinstance(key, str) else list(key)
    lefts = left.select(GROUP, *key, nudged(pl.col(US), pl.col(GROUP), LEFT).alias(_LEFT_T))
    rights = right.select(ROW, *key, nudged(pl.col(US), pl.col(ROW), RIGHT).alias(_RIGHT_T))
    lefts, rights = lefts.sort(_LEFT_T), rights.sort(_RIGHT_T)
    found: list[pl.DataFrame] = []
    while not (lefts.is_empty() or rights.is_empty()):
        chosen_by_right = rights.join_asof(
            lefts,
            left_on=_RIGHT_T,
            right_on=_LEFT_T,
            by=key,
            strategy="nearest",
            tolerance=tolerance,
            check_sortedness=False,
        ).drop_nulls(GROUP)
        chosen_by_left = lefts.join_asof(
            rights,
            left_on=_LEFT_T,
            right_on=_RIGHT_T,
            by=key,
            strategy="nearest",
            tolerance=tolerance,
            check_sortedness=False,
        ).drop_nulls(ROW)
        mutual = chosen_by_right.join(chosen_by_left.select(GROUP, ROW), on=[GROUP, ROW])
        if mutual.is_empty():
            break
        found.append(mutual.select(GROUP, ROW))
        lefts = lefts.join(mutual.select(GROUP), on=GROUP, how="anti")
        rights = rights.join(mutual.select(ROW), on=ROW, how="anti")
    if not found:
        return pl.DataFrame(schema={GROUP: left.schema[GROUP], ROW: right.schema[ROW]})
    return pl.concat(found)
