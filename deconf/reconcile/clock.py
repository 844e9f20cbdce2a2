"""Clock offset of one source against the first: what to add to its times to put them on the
first source's clock.

Two steps, both over whole frames. A coarse estimate finds the offset without knowing any match:
each record is paired with the few records of the same key nearest to it in the first source, and
the offset is where the differences pile up (true matches agree on it, chance pairs scatter). The
estimate is then refined on *unambiguous* matches only — records with no other record of their key
within twice the tolerance in their own log, so that at most one partner is in reach — as the
median difference, reported with its interquartile spread and the number of matches it rests on.
Only records timed to the second or the minute are used when any of them match: a time known to
the day, or "about", says nothing about a clock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from deconf.reconcile.columns import KEY, US

#: How many neighbours on each side of the nearest the coarse step pairs a record with: offsets up
#: to about this many same-key records' spacing are found.
NEIGHBOURS = 4
REFINEMENTS = 2
#: The coarse step looks at about this many records of the other source: where differences pile
#: up shows as well in a sample, and the refinement uses every unambiguous match.
SAMPLE = 50_000
_REF_US = "_ref_us"
_INDEX = "_i"


@dataclass(frozen=True)
class ClockOffset:
    """Seconds to add to a source's times; spread and matches are None for the first source, and
    matches is 0 (spread None) when no unambiguous match was found and the offset is a guess."""

    seconds: float
    spread: float | None
    matches: int | None


REFERENCE = ClockOffset(0.0, None, None)


def estimate_offset(
    reference: pl.DataFrame, other: pl.DataFrame, tolerance_us: int, max_offset_us: int
) -> ClockOffset:
    """The offset of `other` against `reference` (both with KEY and US columns)."""
    coarse = _coarse(reference, other, tolerance_us, max_offset_us)
    if coarse is None:
        return ClockOffset(0.0, None, 0)
    ref = _isolated(reference, 2 * tolerance_us)
    oth = _isolated(other, 2 * tolerance_us)
    shift = coarse
    residuals = pl.Series(dtype=pl.Int64)
    for _ in range(REFINEMENTS):
        residuals = _residuals(ref, oth, shift, tolerance_us)
        if residuals.is_empty():
            return ClockOffset(shift / 1e6, None, 0)
        shift = shift + float(residuals.median())
    residuals = _residuals(ref, oth, shift, tolerance_us)
    if residuals.is_empty():
        return ClockOffset(shift / 1e6, None, 0)
    spread = float(residuals.quantile(0.75, "linear") - residuals.quantile(0.25, "linear"))
    return ClockOffset(round(shift / 1e6, 6), round(spread / 1e6, 6), residuals.len())


def _coarse(reference: pl.DataFrame, other: pl.DataFrame, tolerance_us: int, max_us: int):
    """Where the differences to nearby same-key records pile up (µs), or None without any."""
    ordered = reference.select(KEY, US).sort(KEY, US).with_row_index(_INDEX)
    nearest = (
        other.select(KEY, US)
        .gather_every(max(1, other.height // SAMPLE))
        .sort(US)
        .join_asof(
            ordered.select(KEY, pl.col(US).alias(_REF_US), _INDEX).sort(_REF_US),
            left_on=US,
            right_on=_REF_US,
            by=KEY,
            strategy="nearest",
            tolerance=max_us,
            check_sortedness=False,
        )
        .drop_nulls(_INDEX)
    )
    if nearest.is_empty():
        return None
    last = ordered.height - 1
    candidates = pl.concat(  # a clipped index repeats a pair at the very ends: harmless here
        nearest.select(KEY, US, (pl.col(_INDEX).cast(pl.Int64) + step).clip(0, last).alias(_INDEX))
        for step in range(-NEIGHBOURS, NEIGHBOURS + 1)
    )
    index = candidates[_INDEX]
    same_key = candidates[KEY] == ordered[KEY].gather(index)
    differences = (ordered[US].gather(index) - candidates[US]).filter(same_key)
    differences = differences.filter(differences.abs() <= max_us).to_numpy()
    if differences.size == 0:
        return None
    width = max(tolerance_us / 10, 1_000_000)
    bins = max(1, int(np.ceil(2 * max_us / width)))
    counts, edges = np.histogram(differences, bins=bins, range=(-max_us, max_us))
    window = max(1, round(tolerance_us / width))
    piled = np.convolve(counts, np.ones(window), mode="same")
    best = np.flatnonzero(piled == piled.max())
    centres = (edges[best] + edges[best + 1]) / 2
    centre = centres[np.argmin(np.abs(centres))]  # ties: the smallest offset
    near = differences[np.abs(differences - centre) <= tolerance_us]
    return float(np.median(near)) if near.size else float(centre)


def _isolated(frame: pl.DataFrame, radius_us: int) -> pl.DataFrame:
    """Records with no other record of their key within `radius_us` in their own log."""
    ordered = frame.select(KEY, US).sort(KEY, US)
    before = pl.col(US).diff().over(KEY)
    after = (-pl.col(US).diff(-1)).over(KEY)
    return ordered.filter(
        (before.is_null() | (before > radius_us)) & (after.is_null() | (after > radius_us))
    ).sort(US)


def _residuals(ref: pl.DataFrame, other: pl.DataFrame, shift: float, tolerance_us: int):
    """Reference time minus corrected time (µs) of each unambiguous match under `shift`."""
    corrected = other.with_columns((pl.col(US) + round(shift)).alias(US)).sort(US)
    matched = corrected.join_asof(
        ref.select(KEY, pl.col(US).alias(_REF_US)),
        left_on=US,
        right_on=_REF_US,
        by=KEY,
        strategy="nearest",
        tolerance=tolerance_us,
        check_sortedness=False,
    ).drop_nulls(_REF_US)
    return matched[_REF_US] - matched[US]
