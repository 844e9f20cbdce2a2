"""The id set a streamed ingest asks, block by block, which ids it met before."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from deconf.idset import IdHashSet, id_hashes


@given(
    st.lists(st.lists(st.text(max_size=6), max_size=30), max_size=12), st.lists(st.text(max_size=6))
)
def test_the_set_holds_every_id_added_and_misses_are_certain(blocks, probes):
    ids = IdHashSet()
    added: set[str] = set()
    for block in blocks:
        ids.add(id_hashes(pl.Series(block, dtype=pl.String)))
        added |= set(block)
    asked = list(added) + probes
    found = ids.may_contain(id_hashes(pl.Series(asked, dtype=pl.String)))
    assert found[: len(added)].all()  # every id added is found
    # a probe it says may be there was added, or collides by hash with one that was
    hashes = set(id_hashes(pl.Series(list(added), dtype=pl.String)).tolist())
    probe_hashes = id_hashes(pl.Series(probes, dtype=pl.String))
    hits = zip(probe_hashes.tolist(), found[len(added) :], strict=True)
    assert all(h in hashes for h, hit in hits if hit)
    assert len(ids) == sum(len(b) for b in blocks)


def test_runs_are_merged_so_that_lookups_stay_few():
    ids = IdHashSet()
    for start in range(0, 1024, 8):
        ids.add(np.arange(start, start + 8, dtype=np.uint64))
    assert len(ids._runs) <= 11  # log2 of the blocks added, not one run a block
    assert ids.may_contain(np.array([0, 1023, 5000], dtype=np.uint64)).tolist() == [
        True,
        True,
        False,
    ]


def test_the_filter_grows_with_the_set_and_loses_no_id():
    rng = np.random.default_rng(7)
    ids = IdHashSet()
    added = [rng.integers(0, 2**63, 15_000, dtype=np.int64).astype(np.uint64) for _ in range(12)]
    first_bits = ids._filter_bits
    for block in added:
        ids.add(block)
    assert ids._filter_bits > first_bits  # 180,000 ids: a filter larger than the first
    assert ids.may_contain(np.concatenate(added)).all()
    strangers = rng.integers(0, 2**63, 20_000, dtype=np.int64).astype(np.uint64) | np.uint64(1)
    known = set(np.concatenate(added).tolist())
    passed = ids.may_contain(strangers)
    assert all(h in known for h in strangers[passed].tolist())  # a hit is a real member
    assert ids._passes(strangers).mean() < 0.25  # most strangers stop at the filter
