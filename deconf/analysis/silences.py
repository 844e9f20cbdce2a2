"""Owed silences (SPEC §3): while an A→B episode is open and B delivers nothing to A.

Any delivered B→A message, even one that does not answer, ends a silence; if the episode is still
open afterwards, a new silence starts there. Events inside each silence are listed with it.
"""

from __future__ import annotations

import polars as pl

from deconf.analysis.columns import A, Status, seconds_between
from deconf.frames import Col, Records
from deconf.vocabulary import AttemptOutcome

_T = "_t"


def silences_of(records: Records, episodes: pl.DataFrame) -> pl.DataFrame:
    """One row per owed silence: party (who owes), owed_to, start, end, seconds, events. A silence
    still open ends where its episode stopped being followed (as-of time or end of coverage)."""
    return with_events(silence_intervals(records.contacts, episodes), records.events)


def silence_intervals(contacts: pl.DataFrame, episodes: pl.DataFrame) -> pl.DataFrame:
    """The silences without their events: what one party pair's records decide on their own."""
    spans = (
        episodes.select(
            pl.col(Col.TO_PARTY).alias(A.PARTY),
            pl.col(Col.FROM_PARTY).alias(A.OWED_TO),
            pl.col(A.OPENED_AT).alias("_open"),
            pl.coalesce(A.CLOSED_AT, A.CENSORED_AT).alias("_end"),
        )
        .with_row_index("_episode")
        .sort("_open")
    )
    delivered = contacts.filter(
        pl.col(Col.ATTEMPT_OUTCOME) == AttemptOutcome.DELIVERED.value
    ).select(
        pl.col(Col.FROM_PARTY).alias(A.PARTY),
        pl.col(Col.TO_PARTY).alias(A.OWED_TO),
        pl.col(Col.SENT_AT).alias(_T),
    )
    if not delivered[_T].is_sorted():
        delivered = delivered.sort(_T)
    # the episode (if any) of the same pair open when each message was delivered: episodes of a
    # pair never overlap, so the latest one opened before the message is the only candidate
    inside = delivered.join_asof(
        spans,
        left_on=_T,
        right_on="_open",
        by=[A.PARTY, A.OWED_TO],
        strategy="backward",
        allow_exact_matches=False,
        check_sortedness=False,
    ).filter(pl.col("_episode").is_not_null() & (pl.col(_T) < pl.col("_end")))
    # each episode's span cut at every delivered message: consecutive points make the silences
    points = pl.concat(
        [
            spans.select("_episode", pl.col("_open").alias(_T)),
            inside.select("_episode", _T),
            spans.select("_episode", pl.col("_end").alias(_T)),
        ]
    ).sort("_episode", _T)
    starts = points.with_columns(pl.col(_T).shift(-1).alias("_next")).filter(
        (pl.col("_episode") == pl.col("_episode").shift(-1)) & (pl.col("_next") > pl.col(_T))
    )
    described = episodes.select(
        A.EPISODE_ID,
        Col.CHANNEL,
        (pl.col(A.STATUS) == Status.UNANSWERED).alias("_unanswered"),
    ).with_row_index("_episode")
    return (
        starts.join(spans.select("_episode", A.PARTY, A.OWED_TO, "_end"), on="_episode")
        .join(described, on="_episode")
        .select(
            A.PARTY,
            A.OWED_TO,
            pl.col(_T).alias(A.START),
            pl.col("_next").alias(A.END),
            seconds_between(pl.col("_next"), pl.col(_T)).alias(A.SECONDS),
            (pl.col("_unanswered") & (pl.col("_next") == pl.col("_end"))).alias(A.ONGOING),
            A.EPISODE_ID,
            Col.CHANNEL,
        )
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
