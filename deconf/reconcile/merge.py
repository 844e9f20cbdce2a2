"""The merged log: one record per contact, naming every source that logged it and its id there.

- Logged by several sources whose accounts agree: one record, the first source's version on the
  first source's clock. When every source logged it, its certainty is the firmest any of them
  gives (`reported` if one reports it: the others corroborate; two sources that each only infer a
  record do not make it reported); else as the first source says.
- Logged by one source: its record, time corrected to the first source's clock.
- Accounts in conflict: each source's version kept, side by side, as `disputed`, its `source`
  saying whose account it is and who disputes what.

Ids become "SOURCE:ID" (ids of different logs may collide), and `in_reply_to` follows: a reply
names the merged record of what it answered in its own log. Events are carried over as they are.
"""

from __future__ import annotations

import polars as pl

from deconf.frames import CONTACT_SCHEMA, EVENT_SCHEMA, Col, Records
from deconf.model import TEXT_MAX
from deconf.reconcile.columns import GROUP, ROW, SRC, R
from deconf.vocabulary import Certainty

_ACCOUNT = "_account"
_MERGED_ID = "_merged_id"
_FOUNDER_ID = "_founder_id"
_ACCOUNTS = "_accounts"
_COUNT = "_count"
_TYPES = "_types"
_REPLY = "_reply"
_REPLY_SRC = "_reply_src"
_THREAD = "_thread"
_FIRMEST = "_firmest"
_CERTAINTIES = [c.value for c in Certainty]


def _certainty_of(code: pl.Expr) -> pl.Expr:
    """A certainty from its position in the vocabulary."""
    return code.replace_strict(
        dict(enumerate(_CERTAINTIES)), return_dtype=CONTACT_SCHEMA[Col.CERTAINTY]
    )


def _gather(frame: pl.DataFrame, rows: pl.Series) -> pl.DataFrame:
    """The rows of `frame` at these row numbers, in this order."""
    return frame.select(pl.all().gather(rows))


def _name(names: list[str], column: str = SRC) -> pl.Expr:
    return pl.col(column).replace_strict(dict(enumerate(names)), return_dtype=pl.String)


def merged_records(
    contacts: pl.DataFrame,
    members: pl.DataFrame,
    conflicts: pl.DataFrame,
    events: list[pl.DataFrame],
    names: list[str],
) -> Records:
    """`contacts`: every source's contacts (record columns, SRC; row i has ROW i), times already
    corrected; `members`: GROUP of every ROW; `conflicts`: (GROUP, type) rows. Decisions are
    made on narrow frames; the wide record rows are gathered by row number at the end."""
    types = conflicts.group_by(GROUP).agg(pl.col(R.TYPE).str.join(", ").alias(_TYPES))
    accounts = (
        members.select(GROUP, ROW, SRC)
        .join(contacts.select(ROW, Col.ID, Col.IN_REPLY_TO, Col.THREAD, Col.CERTAINTY), on=ROW)
        .with_columns(pl.format("{}:{}", _name(names), Col.ID).alias(_ACCOUNT))
        .join(types, on=GROUP, how="left")
        .sort(GROUP, SRC)
    )
    replied = pl.col(Col.IN_REPLY_TO).is_not_null()
    groups = accounts.group_by(GROUP, maintain_order=True).agg(
        pl.col(ROW).first(),
        pl.col(_ACCOUNT).first().alias(_FOUNDER_ID),
        pl.col(_ACCOUNT).alias(_ACCOUNTS),
        pl.len().alias(_COUNT),
        pl.col(_TYPES).first(),
        # reported, inferred, disputed: the vocabulary's order is firmest first
        pl.col(Col.CERTAINTY).to_physical().min().alias(_FIRMEST),
        # the reply link and thread of the first source that gives one
        pl.col(Col.IN_REPLY_TO).filter(replied).first().alias(_REPLY),
        pl.col(SRC).filter(replied).first().alias(_REPLY_SRC),
        pl.col(Col.THREAD).drop_nulls().first().alias(_THREAD),
    )
    disputed = pl.col(_TYPES).is_not_null()
    accounts = accounts.join(groups.select(GROUP, _FOUNDER_ID, _ACCOUNTS), on=GROUP).with_columns(
        pl.when(disputed).then(pl.col(_ACCOUNT)).otherwise(pl.col(_FOUNDER_ID)).alias(_MERGED_ID)
    )
    lookup = accounts.select(
        pl.col(SRC).alias(_REPLY_SRC), pl.col(Col.ID).alias(_REPLY), pl.col(_MERGED_ID).alias("_to")
    )
    agreed_groups = groups.filter(~disputed)
    agreed = (
        _gather(contacts, agreed_groups[ROW])
        .drop(Col.THREAD)
        .with_columns(
            agreed_groups.select(
                pl.col(_FOUNDER_ID).alias(_MERGED_ID),
                pl.when(pl.col(_COUNT) == len(names))
                .then(_certainty_of(pl.col(_FIRMEST)))
                .alias("_certainty"),
                pl.col(_ACCOUNTS).alias(Col.LOGGED_BY),
                pl.col(_THREAD).alias(Col.THREAD),
                _REPLY,
                _REPLY_SRC,
            )
        )
        .with_columns(pl.coalesce("_certainty", Col.CERTAINTY).alias(Col.CERTAINTY))
    )
    contested_accounts = accounts.filter(disputed)
    others = pl.col(_ACCOUNTS).list.set_difference(pl.concat_list(_ACCOUNT)).list.sort()
    said = pl.format("{}'s account; {} disputed by {}", _ACCOUNT, _TYPES, others.list.join(", "))
    contested = (
        _gather(contacts, contested_accounts[ROW])
        .with_columns(contested_accounts.select(_MERGED_ID, _ACCOUNT, _TYPES, _ACCOUNTS))
        .with_columns(
            pl.lit(Certainty.DISPUTED.value, dtype=CONTACT_SCHEMA[Col.CERTAINTY]).alias(
                Col.CERTAINTY
            ),
            pl.concat_list(_ACCOUNT).alias(Col.LOGGED_BY),
            pl.col(Col.IN_REPLY_TO).alias(_REPLY),
            pl.when(pl.col(Col.IN_REPLY_TO).is_not_null()).then(pl.col(SRC)).alias(_REPLY_SRC),
            pl.when(pl.col(Col.SOURCE).is_not_null())
            .then(pl.format("{} ({})", said, Col.SOURCE))
            .otherwise(said)
            .str.slice(0, TEXT_MAX)
            .alias(Col.SOURCE),
        )
    )
    columns = [c for c in agreed.columns if c in contested.columns]
    merged = pl.concat([agreed.select(columns), contested.select(columns)])
    merged = merged.join(lookup, on=[_REPLY_SRC, _REPLY], how="left").with_columns(
        pl.col(_MERGED_ID).alias(Col.ID),
        pl.coalesce("_to", pl.format("{}:{}", _name(names, _REPLY_SRC), _REPLY)).alias(
            Col.IN_REPLY_TO
        ),
    )
    contacts_out = merged.select(
        pl.col(name).cast(dtype) for name, dtype in CONTACT_SCHEMA.items()
    ).sort(Col.SENT_AT, Col.ID)
    events_out = pl.concat(
        [
            frame.with_columns(
                pl.format("{}:{}", pl.lit(names[i]), Col.ID).alias(Col.ID),
            ).with_columns(pl.concat_list(Col.ID).alias(Col.LOGGED_BY))
            for i, frame in enumerate(events)
        ]
    ).select(pl.col(name).cast(dtype) for name, dtype in EVENT_SCHEMA.items())
    return Records(contacts_out, events_out.sort(Col.AT, Col.ID))
