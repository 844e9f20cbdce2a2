"""A set of record ids, held as sorted 64-bit hashes: 8 bytes an id, and a lookup per block that
costs the block, not the set.

A streamed ingest asks, for every block, which of its ids were seen in earlier blocks or are in
the store. Joining each block with an index of millions of ids would build a hash table of the
whole index every time (quadratic over the blocks); a sorted array answers by binary search. It
holds sorted runs that are merged when the newest grows as large as the one before it, so adding
costs O(log n) amortised per id. A hash can collide: a hit is a *candidate*, which the caller
confirms against the real ids (a miss is certain).
"""

from __future__ import annotations

import numpy as np
import polars as pl

_SEED = 0


def id_hashes(ids: pl.Series) -> np.ndarray:
    """The 64-bit hashes of ids, as the set keeps them."""
    return ids.hash(seed=_SEED).to_numpy()


class IdHashSet:
    def __init__(self) -> None:
        self._runs: list[np.ndarray] = []

    def __len__(self) -> int:
        return sum(len(run) for run in self._runs)

    def add(self, hashes: np.ndarray) -> None:
        if len(hashes) == 0:
            return
        self._runs.append(np.sort(hashes))
        while len(self._runs) > 1 and len(self._runs[-1]) >= len(self._runs[-2]):
            newest = self._runs.pop()
            self._runs[-1] = np.sort(np.concatenate((self._runs[-1], newest)), kind="stable")

    def may_contain(self, hashes: np.ndarray) -> np.ndarray:
        """For each hash, whether the set may hold its id (False: it certainly does not)."""
        if not self._runs:
            return np.zeros(len(hashes), dtype=bool)
        order = np.argsort(hashes)  # sorted queries walk each run in order: far fewer misses
        queries = hashes[order]
        found = np.zeros(len(hashes), dtype=bool)
        for run in self._runs:
            at = np.searchsorted(run, queries)
            inside = at < len(run)
            found[inside] |= run[at[inside]] == queries[inside]
        result = np.empty_like(found)
        result[order] = found
        return result
