"""Episodes laid out over attempts, in numpy (SPEC §3 "Episode"), without a loop over attempts.

An A→B episode opens at an attempt when none is open, takes in every later A→B attempt made while
it is open, and closes at the earliest first response of any of its attempts. Records are taken
in time order, ties broken by id; an attempt's *position* is its place in that order.

Why this can be computed in bulk: let f(j) be the position of the earliest record that could
answer attempt j — its earliest explicit reply (or j itself, when that reply is logged before
it: clock skew), or its earliest inferred candidate, whether or not j's episode is still open
then. Answers never come before their attempt in this order, so for an episode starting at
attempt s the close is min f over all later attempts of the pair — a suffix minimum — and the
next episode starts at the first attempt after that close. Following those "next start" pointers
from the first attempt visits exactly the episode starts, one step per episode. An inferred
candidate then counts as a reply only if it is no later than its episode's close, which is
"while the episode is still open".

In (pair, position) order the attempts of an episode are contiguous, so per-episode figures are
`numpy.ufunc.reduceat` over that order (`Layout.per_episode`), not a group-by on episode ids.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _episode_layout(pairs: np.ndarray, orders: np.ndarray, f: np.ndarray, never: int):
    """Episode starts and closes for attempts sorted by (pair, order), all in numpy.

    `pairs` are dense pair numbers (non-decreasing), `orders` the attempts' positions, `f` the
    position of the earliest record that could answer each (or `never`). Returns the boolean
    start mask and, per attempt, the close position of the episode that would start there.
    """
    n = len(orders)
    starts = np.zeros(n, dtype=bool)
    if n == 0:
        return starts, np.zeros(0, dtype=np.int64)
    # one sortable key per attempt: pairs apart by more than any position, so that a suffix
    # minimum or a search never crosses from one pair into another
    spread = np.int64(never + 1)
    base = pairs.astype(np.int64) * spread
    suffix_min = np.minimum.accumulate((base + f)[::-1])[::-1] - base
    keys = base + orders
    following = np.searchsorted(keys, base + suffix_min, side="right")
    follow = np.maximum(following, np.arange(1, n + 1)).tolist()
    position = 0
    while position < n:  # one step per episode
        starts[position] = True
        position = follow[position]
    return starts, suffix_min


@dataclass(frozen=True)
class Layout:
    """Per attempt (aligned with the attempts' rows): its episode (a dense number), its number
    and streak within it, the row of the episode's first attempt, and the positions of the
    record that closed the episode and of the reply that did (`never` while open). `order` is
    the attempts' (pair, position) order and `starts` where each episode begins in it."""

    episode: np.ndarray
    number: np.ndarray
    streak: np.ndarray
    first_row: np.ndarray
    close: np.ndarray
    closer: np.ndarray
    order: np.ndarray
    starts: np.ndarray

    def per_episode(self, values: np.ndarray, ufunc: np.ufunc) -> np.ndarray:
        """`ufunc` reduced over each episode's attempts (`values` aligned with the attempts),
        indexed by episode number."""
        if len(self.starts) == 0:
            return values[:0]
        return ufunc.reduceat(values[self.order], self.starts)

    def spread(self, per_episode: np.ndarray) -> np.ndarray:
        """A per-episode value back on each of the episode's attempts."""
        return per_episode[self.episode]


def assign_episodes(
    pairs: np.ndarray,
    orders: np.ndarray,
    f: np.ndarray,
    answer: np.ndarray,
    never: int,
    permutation: np.ndarray,
) -> Layout:
    """Episodes of attempts given in record order: `pairs` their directed pair codes, `orders`
    their positions, `f` the position of the earliest record that could answer each and `answer`
    that record's reply (`never` for none). The work happens in (pair, order) order, given by
    `permutation` (`keys.grouped`); results go back to the rows through it."""
    starts, closes = _episode_layout(pairs[permutation], orders[permutation], f[permutation], never)
    n = len(starts)
    episode_sorted = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    close_sorted = closes[first][episode_sorted] if n else np.zeros(0, dtype=np.int64)
    # the reply that closed each episode: that of its earliest attempt whose answer came first
    # (a retry answered by a reply logged at the same second is closed by that reply)
    closing = np.flatnonzero((f[permutation] == close_sorted) & (close_sorted != never))
    closed = episode_sorted[closing]  # non-decreasing: the first of each run is the earliest
    earliest_closing = np.flatnonzero(np.diff(closed, prepend=-1) != 0)
    closer_of = np.full(len(first), never, dtype=np.int64)
    closer_of[closed[earliest_closing]] = answer[permutation[closing[earliest_closing]]]
    layout = {name: np.empty(n, dtype=np.int64) for name in Layout.__dataclass_fields__}
    layout["order"], layout["starts"] = permutation, first
    if n:
        layout["episode"][permutation] = episode_sorted
        layout["number"][permutation] = np.arange(n) - first[episode_sorted] + 1
        layout["streak"][permutation] = np.diff(np.append(first, n))[episode_sorted]
        layout["first_row"][permutation] = permutation[first[episode_sorted]]
        layout["close"][permutation] = close_sorted
        layout["closer"][permutation] = closer_of[episode_sorted]
    return Layout(**layout)
