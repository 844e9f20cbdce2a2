"""Exchanges (SPEC §3): records joined by reply links (explicit or inferred) and shared threads."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from deconf.analysis.columns import A, Status
from deconf.analysis.components import component_labels
from deconf.analysis.firmness import coarsest_among, weakest_among
from deconf.frames import Col


def exchange_ids(contacts: pl.DataFrame, attempts: pl.DataFrame) -> pl.DataFrame:
    """id → exchange_id ("ex:" + the exchange's earliest record id) for every contact."""
    nodes = contacts.select(Col.ID, Col.SENT_AT, Col.THREAD).sort(Col.SENT_AT, Col.ID)
    nodes = nodes.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("_node"))
    index = nodes.select(Col.ID, "_node")
    explicit = contacts.filter(pl.col(Col.IN_REPLY_TO).is_not_null()).select(
        pl.col(Col.ID).alias("_a"), pl.col(Col.IN_REPLY_TO).alias("_b")
    )
    links = [
        attempts.select(pl.col(A.ATTEMPT_ID).alias("_a"), pl.col(column).alias("_b"))
        for column in (A.FIRST_RESPONSE_ID, A.ACK_ID, A.SUBSTANTIVE_ID)
    ]
    threads = nodes.filter(pl.col(Col.THREAD).is_not_null()).select(
        pl.col(Col.ID).alias("_a"), pl.col(Col.ID).first().over(Col.THREAD).alias("_b")
    )
    edges = (
        pl.concat([explicit, *links, threads])
        .drop_nulls()
        .join(index.rename({Col.ID: "_a", "_node": "_u"}), on="_a")
        .join(index.rename({Col.ID: "_b", "_node": "_v"}), on="_b")
    )
    labels = component_labels(nodes.height, edges["_u"].to_numpy(), edges["_v"].to_numpy())
    first_id = nodes[Col.ID]
    return nodes.select(
        Col.ID,
        pl.concat_str(pl.lit("ex:"), pl.Series(first_id.gather(labels))).alias(A.EXCHANGE_ID),
    )


def exchanges_of(
    contacts: pl.DataFrame, attempts: pl.DataFrame, as_of: datetime, ids: pl.DataFrame
) -> pl.DataFrame:
    """One row per exchange: span, parties, counts, status, first-response and longest gap.
    `ids` maps every contact id to its exchange (from `exchange_ids`)."""
    members = contacts.select(
        Col.ID, Col.SENT_AT, Col.FROM_PARTY, Col.TO_PARTY, Col.CHANNEL, Col.THREAD, Col.SUMMARY
    ).join(ids, on=Col.ID, how="left", maintain_order="left")
    if not members[Col.SENT_AT].is_sorted():
        members = members.sort(Col.SENT_AT, Col.ID)
    per_attempt = attempts.join(ids.rename({Col.ID: A.ATTEMPT_ID}), on=A.ATTEMPT_ID)
    attempt_figures = per_attempt.group_by(A.EXCHANGE_ID).agg(
        pl.len().alias(A.ATTEMPTS),
        (pl.col(A.STATUS) != Status.UNANSWERED).sum().alias(A.ANSWERED_ATTEMPTS),
        (pl.col(A.STATUS) == Status.UNANSWERED).sum().alias(A.UNANSWERED_ATTEMPTS),
        pl.col(A.BREACH).sum().alias(A.BREACHES),
        weakest_among(pl.col(A.RESTS_ON_CERTAINTY)).alias(A.RESTS_ON_CERTAINTY),
        coarsest_among(pl.col(A.RESTS_ON_PRECISION)).alias(A.RESTS_ON_PRECISION),
        # a reply logged before its attempt (clock skew) answers at the attempt's time (§3.2)
        (
            pl.max_horizontal(A.FIRST_RESPONSE_AT, Col.SENT_AT)
            .filter(pl.col(A.FIRST_RESPONSE_AT).is_not_null())
            .min()
            - pl.col(Col.SENT_AT).min()
        )
        .dt.total_microseconds()
        .truediv(1_000_000)
        .alias(A.FIRST_RESPONSE_SECONDS),
        pl.col(A.WAIT_SECONDS).max().alias(A.LONGEST_GAP_SECONDS),
    )
    record_figures = members.group_by(A.EXCHANGE_ID, maintain_order=True).agg(
        pl.col(Col.SENT_AT).min().alias(A.START),
        pl.col(Col.SENT_AT).max().alias(A.END),
        pl.col(Col.CHANNEL).cast(pl.String).unique(maintain_order=True).alias(A.CHANNELS),
        pl.col(Col.THREAD).drop_nulls().first().alias(Col.THREAD),
        pl.len().alias(A.MESSAGES),
        pl.col(Col.SUMMARY).first().alias(Col.SUMMARY),
    )
    # every party of each exchange, sorted: the two party columns stacked, deduplicated
    parties = (
        pl.concat(
            [
                members.select(A.EXCHANGE_ID, pl.col(column).alias("_party"))
                for column in (Col.FROM_PARTY, Col.TO_PARTY)
            ]
        )
        .unique()
        .sort("_party")
        .group_by(A.EXCHANGE_ID)
        .agg(pl.col("_party").alias(A.PARTIES))
    )
    attempts_count = pl.col(A.ATTEMPTS).fill_null(0)
    status = (
        pl.when(attempts_count == 0)
        .then(pl.lit(Status.NO_ATTEMPTS))
        .when(pl.col(A.UNANSWERED_ATTEMPTS) == 0)
        .then(pl.lit(Status.ANSWERED))
        .when(pl.col(A.ANSWERED_ATTEMPTS) == 0)
        .then(pl.lit(Status.UNANSWERED))
        .otherwise(pl.lit(Status.PARTLY_ANSWERED))
    )
    return (
        record_figures.join(attempt_figures, on=A.EXCHANGE_ID, how="left")
        .join(parties, on=A.EXCHANGE_ID, how="left")
        .with_columns(
            attempts_count.alias(A.ATTEMPTS),
            pl.col(A.ANSWERED_ATTEMPTS).fill_null(0),
            pl.col(A.UNANSWERED_ATTEMPTS).fill_null(0),
            pl.col(A.BREACHES).fill_null(0),
        )
        .with_columns(status.alias(A.STATUS))
        .select(
            A.EXCHANGE_ID,
            A.START,
            A.END,
            A.PARTIES,
            A.CHANNELS,
            Col.THREAD,
            A.MESSAGES,
            A.ATTEMPTS,
            A.ANSWERED_ATTEMPTS,
            A.UNANSWERED_ATTEMPTS,
            A.STATUS,
            A.FIRST_RESPONSE_SECONDS,
            A.LONGEST_GAP_SECONDS,
            A.BREACHES,
            Col.SUMMARY,
            A.RESTS_ON_CERTAINTY,
            A.RESTS_ON_PRECISION,
        )
        .sort(A.START, A.EXCHANGE_ID)
    )
