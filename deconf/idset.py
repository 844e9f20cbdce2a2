"""A set of record ids, held as sorted 64-bit hashes: 8 bytes an id, and a lookup per block that
costs the block, not the set.

A streamed ingest asks, for every block, which of its ids were seen in earlier blocks or are in
the store. Joining each block with an index of millions of ids would build a hash table of the
whole index every time (quadratic over the blocks); a sorted array answers by binary search. It
holds sorted runs that are merged when the newest grows as large as the one before it, so adding
costs O(log n) amortised per id. A hash can collide: a hit is a *candidate*, which the caller
confirms against the real ids (a miss is certain).

A binary search of a run of millions is a cache miss at every step, so a query first asks a bit
filter (8 bits an id, one bit set per id by the top bits of its hash: about one query in eight
of an id not in the set passes): only the queries it lets through are searched for. At 10M ids
that made the lookups of a streamed ingest several times cheaper than searching every query.
"""

from __future__ import annotations

import numpy as np
import polars as pl

_SEED = 0
_MIN_FILTER_BITS = 20  # log2 of the filter's size in bits (128 KB)
_BITS_PER_ID = 8


def id_hashes(ids: pl.Series) -> np.ndarray:
    """The 64-bit hashes of ids, as the set keeps them."""
    return ids.hash(seed=_SEED).to_numpy()


class IdHashSet:
    def __init__(self) -> None:
        self._runs: list[np.ndarray] = []
        self._size = 0
        self._filter_bits = _MIN_FILTER_BITS
        self._filter = np.zeros(1 << (self._filter_bits - 6), dtype=np.uint64)

    def __len__(self) -> int:
        return self._size

    def add(self, hashes: np.ndarray) -> None:
        if len(hashes) == 0:
            return
        added = np.sort(hashes)
        self._runs.append(added)
        self._size += len(added)
        while len(self._runs) > 1 and len(self._runs[-1]) >= len(self._runs[-2]):
            newest = self._runs.pop()
            self._runs[-1] = np.sort(np.concatenate((self._runs[-1], newest)), kind="stable")
        if self._size * _BITS_PER_ID <= (1 << self._filter_bits):
            self._mark(added)
            return
        while self._size * _BITS_PER_ID * 2 > (1 << self._filter_bits):  # room to grow again
            self._filter_bits += 1
        self._filter = np.zeros(1 << (self._filter_bits - 6), dtype=np.uint64)
        for run in self._runs:
            self._mark(run)

    def may_contain(self, hashes: np.ndarray) -> np.ndarray:
        """For each hash, whether the set may hold its id (False: it certainly does not)."""
        found = np.zeros(len(hashes), dtype=bool)
        if not self._runs:
            return found
        wanted = np.flatnonzero(self._passes(hashes))
        queries = np.sort(hashes[wanted])  # sorted queries walk each run in order
        hit = np.zeros(len(queries), dtype=bool)
        for run in self._runs:
            at = np.searchsorted(run, queries)
            inside = at < len(run)
            hit[inside] |= run[at[inside]] == queries[inside]
        found[wanted] = np.isin(hashes[wanted], queries[hit])
        return found

    def _slots(self, hashes: np.ndarray) -> np.ndarray:
        return hashes >> np.uint64(64 - self._filter_bits)

    def _mark(self, ordered: np.ndarray) -> None:
        """Set the bits of these hashes (sorted, so a word's bits are set together)."""
        slots = self._slots(ordered)
        words = slots >> np.uint64(6)
        starts = np.flatnonzero(np.concatenate(([True], words[1:] != words[:-1])))
        bits = np.uint64(1) << (slots & np.uint64(63))
        self._filter[words[starts]] |= np.bitwise_or.reduceat(bits, starts)

    def _passes(self, hashes: np.ndarray) -> np.ndarray:
        slots = self._slots(hashes)
        words = self._filter[slots >> np.uint64(6)]
        return ((words >> (slots & np.uint64(63))) & np.uint64(1)).astype(bool)
