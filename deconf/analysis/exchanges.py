"""Exchanges (SPEC §3): records joined by reply links (explicit or inferred) and shared threads."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from deconf.analysis.columns import A, Status
from deconf.analysis.components import component_labels
from deconf.analysis.firmness import coarsest_among, weakest_among
from deconf.analysis.linking import is_attempt
from deconf.frames import Col, in_record_order_sorted

#: Per contact: the position (in record order) of the earliest record of its exchange.
LABEL = "_exchange"
_POSITION = "_position"
#: What an exchange tells of its records.
MEMBER_COLUMNS = (
    Col.ID,
    Col.SENT_AT,
    Col.FROM_PARTY,
    Col.TO_PARTY,
    Col.CHANNEL,
    Col.THREAD,
    Col.SUMMARY,
)
_LINKS = (A.FIRST_RESPONSE_ID, A.ACK_ID, A.SUBSTANTIVE_ID)


@dataclass(frozen=True)
class Grouped:
    """The contacts in record order (`members`, with their exchange's `LABEL`) and each
    attempt's label (`attempt_labels`, aligned with the attempts' rows). An exchange is named by
    its earliest record, so labels are integers while exchanges are worked out."""

    members: pl.DataFrame
    attempt_labels: np.ndarray


def _attempt_positions(nodes: pl.DataFrame, attempts: pl.DataFrame) -> pl.Series:
    """Each attempt's position among the contacts. Attempts are the contacts that expect a
    response, in the same order, so no join is needed; otherwise their ids are looked up."""
    positions = nodes.select(pl.col(_POSITION).filter(is_attempt().fill_null(False))).to_series()
    if positions.len() == attempts.height:
        return positions
    index = nodes.select(pl.col(Col.ID).alias(A.ATTEMPT_ID), _POSITION)
    looked_up = attempts.select(A.ATTEMPT_ID).join(index, on=A.ATTEMPT_ID, how="left")
    return looked_up[_POSITION]


def group_exchanges(contacts: pl.DataFrame, attempts: pl.DataFrame) -> Grouped:
    """Contacts joined into exchanges by reply links (explicit, and every attempt's first,
    acknowledging and substantive reply) and shared threads: connected components."""
    nodes = in_record_order_sorted(
        contacts.select(*MEMBER_COLUMNS, Col.IN_REPLY_TO, Col.KIND, Col.EXPECTS_RESPONSE),
        Col.SENT_AT,
    ).with_row_index(_POSITION)
    attempt_positions = _attempt_positions(nodes, attempts)
    named = pl.concat(  # a record and the id of a record it is linked to
        [
            nodes.select(pl.col(_POSITION).alias("_u"), pl.col(Col.IN_REPLY_TO).alias("_id")),
            *(
                pl.DataFrame({"_u": attempt_positions, "_id": attempts[column]})
                for column in _LINKS
            ),
        ]
    ).drop_nulls()
    index = nodes.select(pl.col(Col.ID).alias("_id"), pl.col(_POSITION).alias("_v"))
    threads = nodes.filter(pl.col(Col.THREAD).is_not_null()).select(
        pl.col(_POSITION).alias("_u"), pl.col(_POSITION).first().over(Col.THREAD).alias("_v")
    )
    edges = pl.concat([named.join(index, on="_id").select("_u", "_v"), threads])
    labels = component_labels(
        nodes.height, edges["_u"].to_numpy().astype(np.int64), edges["_v"].to_numpy()
    )
    return Grouped(
        nodes.select(*MEMBER_COLUMNS).with_columns(pl.Series(LABEL, labels)),
        labels[attempt_positions.to_numpy()],
    )


def exchange_ids(grouped: Grouped) -> pl.DataFrame:
    """id → exchange_id ("ex:" + the exchange's earliest record id) for every contact."""
    members = grouped.members
    return members.select(
        Col.ID, pl.concat_str(pl.lit("ex:"), pl.col(Col.ID).gather(LABEL)).alias(A.EXCHANGE_ID)
    )


def _parties(members: pl.DataFrame) -> pl.DataFrame:
    """Per exchange, its parties sorted by name: each party numbered in name order (0 for a
    missing one), one integer per (exchange, party) — deduplicated and sorted as integers —
    and the names put back at the end."""
    names = pl.concat([members[Col.FROM_PARTY], members[Col.TO_PARTY]]).drop_nulls()
    names = pl.concat([pl.Series([None], dtype=pl.String), names.unique().sort()])
    numbering, count = pl.Enum(names.drop_nulls()), len(names)
    labels = members[LABEL].to_numpy()
    keys = pl.concat(
        [
            pl.Series(LABEL, labels * count)
            + members[column].cast(numbering).to_physical().cast(pl.Int64).fill_null(-1)
            + 1
            for column in (Col.FROM_PARTY, Col.TO_PARTY)
        ]
    )
    keys = keys.unique().sort().to_numpy()
    return (
        pl.DataFrame({LABEL: keys // count, "_party": names.gather(keys % count)})
        .group_by(LABEL, maintain_order=True)
        .agg(pl.col("_party").alias(A.PARTIES))
    )


def exchanges_of(grouped: Grouped, attempts: pl.DataFrame) -> pl.DataFrame:
    """One row per exchange: span, parties, counts, status, first-response and longest gap,
    in the order of their earliest records (start, then exchange id)."""
    members = grouped.members
    attempt_figures = (
        attempts.with_columns(pl.Series(LABEL, grouped.attempt_labels))
        .group_by(LABEL)
        .agg(
            pl.len().alias(A.ATTEMPTS),
            (pl.col(A.STATUS) == Status.ANSWERED).sum().alias(A.ANSWERED_ATTEMPTS),
            (pl.col(A.STATUS) == Status.SUPERSEDED).sum().alias(A.SUPERSEDED_ATTEMPTS),
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
    )
    # an exchange's earliest record comes first, so groups come in the exchanges' order
    record_figures = members.group_by(LABEL, maintain_order=True).agg(
        pl.col(Col.SENT_AT).min().alias(A.START),
        pl.col(Col.SENT_AT).max().alias(A.END),
        pl.col(Col.CHANNEL).cast(pl.String).unique(maintain_order=True).alias(A.CHANNELS),
        pl.col(Col.THREAD).drop_nulls().first().alias(Col.THREAD),
        pl.len().alias(A.MESSAGES),
        pl.col(Col.SUMMARY).first().alias(Col.SUMMARY),
    )
    earliest_ids = members[Col.ID].gather(record_figures[LABEL])
    record_figures = record_figures.with_columns(
        pl.concat_str(pl.lit("ex:"), earliest_ids).alias(A.EXCHANGE_ID)
    )
    attempts_count = pl.col(A.ATTEMPTS).fill_null(0)
    answered, unanswered = pl.col(A.ANSWERED_ATTEMPTS), pl.col(A.UNANSWERED_ATTEMPTS)
    # superseded: no attempt here has an answer of its own, yet none is owed one: their
    # episode was answered by a reply to an attempt in another exchange (its timeline says
    # which). Calling that "answered" hid a notification left 17 days without a word.
    status = (
        pl.when(attempts_count == 0)
        .then(pl.lit(Status.NO_ATTEMPTS))
        .when(unanswered == attempts_count)
        .then(pl.lit(Status.UNANSWERED))
        .when(unanswered > 0)
        .then(pl.lit(Status.PARTLY_ANSWERED))
        .when(answered == 0)
        .then(pl.lit(Status.SUPERSEDED))
        .otherwise(pl.lit(Status.ANSWERED))
    )
    return (
        record_figures.join(attempt_figures, on=LABEL, how="left", maintain_order="left")
        .join(_parties(members), on=LABEL, how="left", maintain_order="left")
        .with_columns(
            attempts_count.alias(A.ATTEMPTS),
            pl.col(A.ANSWERED_ATTEMPTS).fill_null(0),
            pl.col(A.SUPERSEDED_ATTEMPTS).fill_null(0),
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
            A.SUPERSEDED_ATTEMPTS,
            A.UNANSWERED_ATTEMPTS,
            A.STATUS,
            A.FIRST_RESPONSE_SECONDS,
            A.LONGEST_GAP_SECONDS,
            A.BREACHES,
            Col.SUMMARY,
            A.RESTS_ON_CERTAINTY,
            A.RESTS_ON_PRECISION,
        )
    )
