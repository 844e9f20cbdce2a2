"""Integer keys for the per-pair searches of the analysis, and the one search they serve.

Linking, episodes and silences all ask "within this party pair (and thread), what is the first
record at or after this position?". Asked with party names and ids, every question is a hash join
on strings; asked with small integers it is one `numpy.searchsorted` over a sorted key. A record's
*position* is its place in (sent_at, id) order; a *group* is a dense integer per pair (or per pair
and thread), and `group * (positions + 1) + position` sorts records by group, then time.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from deconf.frames import Col

_INT64_LIMIT = np.iinfo(np.int64).max


def codes(*columns: pl.Series) -> list[np.ndarray]:
    """The values of several text columns as integers in one numbering (sorted), nulls as -1."""
    values = pl.concat([c.rename("_") for c in columns]).drop_nulls().unique().sort()
    enum = pl.Enum(values)
    return [c.cast(enum).to_physical().fill_null(-1).to_numpy().astype(np.int64) for c in columns]


def dense(*columns: np.ndarray) -> np.ndarray:
    """One integer per distinct combination of the columns' values (0, 1, 2, … in sorted order)."""
    frame = pl.DataFrame({f"c{i}": column for i, column in enumerate(columns)})
    ranked = frame.select(pl.struct(frame.columns).rank("dense").cast(pl.Int64) - 1)
    return ranked.to_series().to_numpy()


def pair_codes(contacts: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per contact, its directed pair (from, to) and the reverse pair (to, from) as integers in
    one numbering: a message from B to A has as `reverse` the `forward` code of A's messages to B.
    Numbers stay small enough that `Sorted` keys (code × positions) never overflow."""
    source, target = codes(contacts[Col.FROM_PARTY], contacts[Col.TO_PARTY])
    parties = int(max(source.max(initial=0), target.max(initial=0))) + 1
    if parties * parties * (contacts.height + 1) < _INT64_LIMIT:
        return source * parties + target, target * parties + source
    numbered = dense(np.concatenate([source, target]), np.concatenate([target, source]))
    return numbered[: contacts.height], numbered[contacts.height :]


class Queries:
    """Searches "first record of group g at or after position p", put in (group, position)
    order once (`order`, when given, does that): a search of sorted queries walks the keys once
    instead of jumping about them, several times faster; the answers go back through `order`."""

    def __init__(
        self, groups: np.ndarray, start: np.ndarray, never: int, order: np.ndarray | None = None
    ) -> None:
        if order is not None:
            groups, start = groups[order], start[order]
        self.order, self.never = order, never
        self.base = groups * (never + 1)
        self.wanted = self.base + start


class Sorted:
    """Records sorted by (group, position), searchable for the first one at or after a position
    within a group. `never` is past every position (the size of the numbering)."""

    def __init__(self, groups: np.ndarray, positions: np.ndarray, never: int) -> None:
        self.never = never
        # a key past every record ends the last group, so a search never runs off the end
        self.keys = np.append(np.sort(groups * (never + 1) + positions), _INT64_LIMIT)

    def first_from(self, queries: Queries) -> np.ndarray:
        """Per query, the smallest position ≥ its start among the records of its group, or
        `never`, in the queries' own (given) order."""
        found = self.keys[np.searchsorted(self.keys, queries.wanted, side="left")]
        in_group = found < queries.base + (self.never + 1)
        positions = np.where(in_group, found - queries.base, self.never)
        if queries.order is None:
            return positions
        result = np.empty_like(positions)
        result[queries.order] = positions
        return result


def grouped(groups: np.ndarray) -> np.ndarray:
    """The stable order of rows by group: rows already in time order come out in (group, time)
    order. Small group numbers are sorted by radix (numpy does so for 16-bit keys)."""
    if len(groups) and groups.min() >= 0 and groups.max() < 2**16:
        groups = groups.astype(np.uint16)
    return np.argsort(groups, kind="stable")


def nullable(positions: np.ndarray, never: int, name: str) -> pl.Series:
    """Positions as a Polars column, `never` as null."""
    return pl.Series(name, positions, dtype=pl.Int64).replace(never, None)
