"""Owed silences (SPEC §3): while an A→B episode is open and B delivers nothing to A.

Any delivered B→A message, even one that does not answer, ends a silence; if the episode is still
open afterwards, a new silence starts there. Events inside each silence are listed with it.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from deconf.analysis.columns import A, Status, seconds_between
from deconf.analysis.linked import Linked
from deconf.frames import UTC_TIME, Col


def silence_intervals(linked: Linked) -> pl.DataFrame:
    """The silences without their events: what one party pair's records decide on their own.
    A silence still open ends where its episode stopped being followed (as-of time or end of
    coverage)."""
    episodes, messages = linked.episodes, linked.delivered
    opened = episodes[A.OPENED_AT].dt.epoch("us").to_numpy()
    ends = (
        episodes.select(pl.coalesce(A.CLOSED_AT, A.CENSORED_AT).dt.epoch("us")).to_series()
    ).to_numpy()
    # the episode (if any) of the message's pair open when it was delivered: episodes of a pair
    # never overlap, so the latest one opened before the message is the only candidate
    inside = linked.opened_before(messages.pairs, messages.first_at_time)
    cut = inside >= 0
    cut[cut] = messages.times[cut] < ends[inside[cut]]
    episode_of_cut, cut_times = inside[cut], messages.times[cut]
    by_episode = np.argsort(episode_of_cut, kind="stable")  # messages are in time order
    sorted_episode = episode_of_cut[by_episode]
    # each episode's span cut at every delivered message: open, the cuts, the end
    cuts = np.bincount(episode_of_cut, minlength=len(opened))
    first_point = np.cumsum(cuts + 2) - (cuts + 2)
    first_cut = np.cumsum(cuts) - cuts
    points = np.empty(int((cuts + 2).sum()), dtype=np.int64)
    points[first_point] = opened
    points[first_point + cuts + 1] = ends
    rank = np.arange(len(sorted_episode)) - first_cut[sorted_episode]
    points[first_point[sorted_episode] + 1 + rank] = cut_times[by_episode]
    owner = np.repeat(np.arange(len(opened)), cuts + 2)
    silent = np.flatnonzero((owner[:-1] == owner[1:]) & (points[1:] > points[:-1]))
    episode = owner[silent]
    start, end = points[silent], points[silent + 1]
    unanswered = (episodes[A.STATUS] == Status.UNANSWERED).to_numpy()
    return (
        episodes.select(
            pl.col(Col.TO_PARTY).gather(episode).alias(A.PARTY),
            pl.col(Col.FROM_PARTY).gather(episode).alias(A.OWED_TO),
            pl.Series(A.START, start).cast(UTC_TIME),
            pl.Series(A.END, end).cast(UTC_TIME),
            pl.lit(pl.Series(A.ONGOING, unanswered[episode] & (end == ends[episode]))),
            pl.col(A.EPISODE_ID).gather(episode),
            pl.col(Col.CHANNEL).gather(episode),
        )
        .with_columns(seconds_between(pl.col(A.END), pl.col(A.START)).alias(A.SECONDS))
        .select(A.PARTY, A.OWED_TO, A.START, A.END, A.SECONDS, A.ONGOING, A.EPISODE_ID, Col.CHANNEL)
        .sort(A.START, A.PARTY, A.OWED_TO, A.EPISODE_ID)
    )


def with_events(intervals: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    """Attach the ids of events whose time falls within each silence (ends included)."""
    ordered = events.select(Col.ID, Col.AT).sort(Col.AT, Col.ID)
    times = ordered[Col.AT]
    low = times.search_sorted(intervals[A.START], side="left")
    high = times.search_sorted(intervals[A.END], side="right")
    framed = intervals.with_columns(
        pl.Series("_low", low, dtype=pl.Int64), pl.Series("_high", high, dtype=pl.Int64)
    ).with_row_index("_silence")
    pairs = (
        framed.select("_silence", pl.int_ranges("_low", "_high").alias("_event"))
        .explode("_event")
        .drop_nulls("_event")
    )
    ids = ordered.with_row_index("_event").select(pl.col("_event").cast(pl.Int64), Col.ID)
    listed = (
        pairs.join(ids, on="_event", how="left")
        .sort("_silence", "_event")
        .group_by("_silence", maintain_order=True)
        .agg(pl.col(Col.ID).alias(A.EVENTS))
    )
    return (
        framed.join(listed, on="_silence", how="left")
        .with_columns(
            pl.col(A.EVENTS).fill_null(pl.lit([], dtype=pl.List(pl.String))),
            (pl.col("_high") - pl.col("_low")).alias(A.EVENT_COUNT),
        )
        .drop("_silence", "_low", "_high")
    )


def silence_events(silences: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    """One row per event inside a silence: the silence's keys (party, owed_to, start, episode),
    the event (id, at, kind, summary, certainty, time precision, source) and how long the silence
    had lasted when it happened (`silent_for_seconds`): "shelling at 22:30 while RU had owed US
    an answer for 12 min"."""
    inside = silences.select(A.PARTY, A.OWED_TO, A.START, A.EPISODE_ID, A.EVENTS).explode(A.EVENTS)
    described = events.select(
        Col.ID, Col.AT, Col.KIND, Col.SUMMARY, Col.CERTAINTY, Col.TIME_PRECISION, Col.SOURCE
    ).rename({Col.ID: A.EVENT_ID})
    return (
        inside.drop_nulls(A.EVENTS)
        .rename({A.EVENTS: A.EVENT_ID})
        .join(described, on=A.EVENT_ID, how="left", maintain_order="left")
        .with_columns(seconds_between(pl.col(Col.AT), pl.col(A.START)).alias(A.SILENT_FOR))
        .sort(A.START, A.PARTY, A.OWED_TO, Col.AT, A.EVENT_ID)
    )
