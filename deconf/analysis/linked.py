"""Linking a set of party pairs' contacts (SPEC §3): attempts, their replies and episodes, and
what the owed silences are cut from, put together from `linking`, `layout`, `waits` and
`episodes`.

Records are taken in time order, ties broken by id; a contact's *position* (`ORDER`) is its place
in that order, and replies, closes and episodes are named by positions and dense numbers while
they are worked out. Ids and times are gathered by position once, at the end; per-episode
figures are reduced over the layout, never grouped by id strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import polars as pl

from deconf.analysis.columns import A, Link
from deconf.analysis.coverage import covers_until
from deconf.analysis.episodes import COLUMNS, episodes_of
from deconf.analysis.episodes import FOR_STATISTICS as EPISODE_FIGURES
from deconf.analysis.keys import Queries, grouped, nullable, pair_codes
from deconf.analysis.layout import Layout, assign_episodes
from deconf.analysis.linking import ORDER, PAIR, REVERSE, Candidates, first_replies, is_attempt
from deconf.analysis.waits import EPISODE, RANKS, finish_attempts
from deconf.analysis.waits import FOR_STATISTICS as ATTEMPT_FIGURES
from deconf.frames import Col, in_record_order_sorted
from deconf.policy import Policy
from deconf.vocabulary import AttemptOutcome

LEVELS = ("any", "ack", "substantive")
#: What linking and episodes read of a contact; the rest (summary, source…) stays behind.
LINKING_COLUMNS = (
    Col.ID,
    Col.SENT_AT,
    Col.FROM_PARTY,
    Col.TO_PARTY,
    Col.CHANNEL,
    Col.KIND,
    Col.ATTEMPT_OUTCOME,
    Col.IN_REPLY_TO,
    Col.THREAD,
    Col.PRECEDENCE,
    Col.EXPECTS_RESPONSE,
    Col.RESPOND_BY,
    Col.TIME_PRECISION,
    Col.ORIGIN_FILE,
    Col.CERTAINTY,
)
_NO_TIME = np.iinfo(np.int64).min


@dataclass(frozen=True)
class Delivered:
    """The delivered messages, in record order: the pair code of the episodes each would
    interrupt (its reverse pair), its time (µs) and the first position at its time."""

    pairs: np.ndarray
    times: np.ndarray
    first_at_time: np.ndarray


@dataclass(frozen=True)
class Linked:
    """What linking the contacts of some party pairs gives: attempts and episodes, and what the
    owed silences are cut from (`deconf.analysis.silences`): the delivered messages, and per
    episode its pair code and the position of its first attempt."""

    attempts: pl.DataFrame
    episodes: pl.DataFrame
    delivered: Delivered
    episode_pairs: np.ndarray
    episode_positions: np.ndarray
    never: int

    def opened_before(self, pairs: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Per query (given in record order), the row of the latest episode of its pair opened
        at a position before the given one, or -1."""
        span = self.never + 1
        by_pair = grouped(self.episode_pairs)  # episodes come in record order
        keys = (self.episode_pairs * span + self.episode_positions)[by_pair]
        if len(keys) == 0:
            return np.full(len(pairs), -1, dtype=np.int64)
        queries = Queries(pairs, positions, self.never, grouped(pairs))
        index = np.searchsorted(keys, queries.wanted, side="left") - 1
        latest = np.maximum(index, 0)
        found = np.where((index >= 0) & (keys[latest] >= queries.base), by_pair[latest], -1)
        rows = np.empty_like(found)
        rows[queries.order] = found
        return rows


def positioned(contacts: pl.DataFrame) -> pl.DataFrame:
    """The linking columns in record order, with each contact's position and party pair codes."""
    contacts = in_record_order_sorted(contacts.select(LINKING_COLUMNS), Col.SENT_AT)
    forward, reverse = pair_codes(contacts)
    return contacts.with_row_index(ORDER).with_columns(
        pl.Series(PAIR, forward, dtype=pl.Int64), pl.Series(REVERSE, reverse, dtype=pl.Int64)
    )


def _own_replies(candidates: Candidates, close: np.ndarray) -> dict[str, np.ndarray]:
    """Per level, an attempt's own earliest reply: explicit, or inferred while its episode is
    still open (no later than its close), as positions; and per level whether it was explicit."""
    never = candidates.never
    replies = {}
    for level in candidates.explicit:
        explicit = candidates.explicit[level]
        inferred = candidates.inferred[level]
        inferred = np.where(inferred <= close, inferred, never)
        replies[level] = np.minimum(explicit, inferred)
        replies[f"{level}_explicit"] = (explicit < never) & (explicit < inferred)
    return replies


def _episode_coverage(
    attempts: pl.DataFrame, coverage: pl.DataFrame | None, layout: Layout
) -> pl.Series | None:
    """Per attempt, the latest end of coverage among the sources that recorded its episode."""
    if coverage is None:
        return None
    until = covers_until(attempts[Col.ORIGIN_FILE], coverage)
    micros = until.dt.epoch("us").fill_null(_NO_TIME).to_numpy()
    latest_end = layout.spread(layout.per_episode(micros, np.maximum))
    return (
        pl.Series(A.COVERS_UNTIL, latest_end, dtype=pl.Int64)
        .replace(_NO_TIME, None)
        .cast(until.dtype)
    )


def link(
    contacts: pl.DataFrame,
    policy: Policy,
    as_of: datetime,
    coverage: pl.DataFrame | None = None,
    *,
    for_statistics: bool = False,
) -> Linked:
    """One row per attempt with its first response, status, episode and breach (SPEC §3), and
    how firm each figure is (§3.2); and one row per episode. `coverage` (from `coverage_of`) says
    until when each source observed: an open episode is followed no further than that.

    `for_statistics`: only what the statistics and the owed silences read (the columns
    `waits.FOR_STATISTICS` and `episodes.FOR_STATISTICS`): no acknowledgements or substantive
    answers, no reply ids, no bounds of the waits; the same figures, with about half the work."""
    levels = ("any",) if for_statistics else LEVELS
    contacts = positioned(contacts)
    never = contacts.height
    attempts = (
        contacts.lazy()
        .filter(is_attempt())
        .drop(Col.IN_REPLY_TO, Col.EXPECTS_RESPONSE, REVERSE)
        .collect(engine="streaming")
    )
    pairs = attempts[PAIR].to_numpy()
    by_pair = grouped(pairs)
    candidates = first_replies(attempts, contacts, policy, by_pair, levels)
    orders = attempts[ORDER].to_numpy().astype(np.int64)
    # the earliest record that could answer each attempt (an explicit reply logged before its
    # attempt counts from the attempt itself: clock skew), and the reply behind it
    explicit_any, inferred_any = candidates.explicit["any"], candidates.inferred["any"]
    explicit = np.where(explicit_any < never, np.maximum(explicit_any, orders), never)
    f = np.minimum(explicit, inferred_any)
    answer = np.where((explicit < never) & (explicit <= inferred_any), explicit_any, inferred_any)
    layout = assign_episodes(pairs, orders, f, answer, never, by_pair)
    replies = _own_replies(candidates, layout.close)
    del candidates, explicit_any, inferred_any, explicit, f, answer  # 10M attempts: 0.5 GB

    def at(column: str, positions: np.ndarray, name: str) -> pl.Series:
        return contacts[column].gather(nullable(positions, never, name)).alias(name)

    replied = ()  # what names the replies: only lists show it
    if not for_statistics:
        replied = (
            at(Col.ID, layout.closer, A.CLOSING_RESPONSE_ID),
            *(at(Col.ID, replies[level], f"_{level}_id") for level in levels),
            pl.when(pl.Series(replies["any_explicit"]))
            .then(pl.lit(Link.EXPLICIT))
            .when(pl.Series(replies["any"] < never))
            .then(pl.lit(Link.INFERRED))
            .alias("_any_link"),
        )
    attempts = attempts.with_columns(
        pl.concat_str(pl.lit("ep:"), attempts[Col.ID].gather(layout.first_row)).alias(A.EPISODE_ID),
        pl.Series(EPISODE, layout.episode),
        pl.Series(A.ATTEMPT_NUMBER, layout.number, dtype=pl.UInt32),
        pl.Series(A.RETRY_STREAK, layout.streak, dtype=pl.UInt32),
        at(Col.SENT_AT, layout.close, A.CLOSED_AT),
        *(at(Col.SENT_AT, replies[level], f"_{level}_at") for level in levels),
        *replied,
    )
    closers = nullable(layout.closer, never, "_closer")
    attempts = finish_attempts(
        attempts,
        contacts.select(Col.SENT_AT, Col.TIME_PRECISION, Col.CERTAINTY),
        (nullable(replies["any"], never, "_any"), closers),
        policy,
        as_of,
        _episode_coverage(attempts, coverage, layout),
        ATTEMPT_FIGURES if for_statistics else None,
    )
    episodes = episodes_of(
        attempts, contacts, closers, layout, policy, EPISODE_FIGURES if for_statistics else COLUMNS
    )
    first_rows = np.flatnonzero(layout.number == 1)
    return Linked(
        attempts.drop(EPISODE, *RANKS, strict=False),
        episodes,
        _delivered(contacts),
        pairs[first_rows],
        orders[first_rows],
        never,
    )


def _delivered(contacts: pl.DataFrame) -> Delivered:
    delivered = (
        (contacts[Col.ATTEMPT_OUTCOME] == AttemptOutcome.DELIVERED.value)
        .fill_null(False)
        .to_numpy()
    )
    times = contacts[Col.SENT_AT].dt.epoch("us").to_numpy()
    positions = np.flatnonzero(delivered)
    return Delivered(
        contacts[REVERSE].to_numpy()[positions],
        times[positions],
        np.searchsorted(times, times[positions], side="left"),
    )
