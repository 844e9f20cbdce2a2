"""What reconcile found, as frames for people and scripts, and the stable JSON shape.

JSON (`as_dict`): {"sources": [{name, records, coverage_start, coverage_end,
clock_offset_seconds, offset_spread_seconds, matches}], "matched": [{ids: {SOURCE: id},
time_difference_seconds}], "only": [{source, id}], "conflicts": [{type, ids: {SOURCE: id}}]}.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property

import polars as pl

from deconf.analysis.columns import seconds_between
from deconf.frames import Col, Records
from deconf.reconcile.clock import ClockOffset
from deconf.reconcile.columns import GROUP, PAIR, ROW, SRC, STAGE, Disposition, R
from deconf.times import rfc3339

_LOGGED_AT = "_logged_at"
# an id the encoder wrote as null (the source did not log the contact); a quote inside a name is
# escaped, so a name never ends early
_NAME = r'"(?:[^"\\]|\\.)*"'
_ABSENT = "," + _NAME + ":null"
_ABSENT_FIRST = r"\{" + _NAME + ":null,"


@dataclass
class Reconciliation:
    names: list[str]
    offsets: list[ClockOffset]
    contacts: pl.DataFrame  # every source's contacts, times corrected, with SRC, ROW, PAIR
    members: pl.DataFrame  # GROUP, ROW, SRC, STAGE
    conflict_rows: pl.DataFrame  # GROUP, type
    events: list[pl.DataFrame]  # each source's events, times corrected
    merged: Records

    def _name(self, column: str = SRC) -> pl.Expr:
        return pl.col(column).replace_strict(dict(enumerate(self.names)), return_dtype=pl.String)

    @cached_property
    def sources(self) -> pl.DataFrame:
        """One row per source: records, coverage (on the first source's clock), clock offset."""
        rows = []
        for k, name in enumerate(self.names):
            times = pl.concat(
                [
                    self.contacts.filter(pl.col(SRC) == k)[Col.SENT_AT],
                    self.events[k][Col.AT],
                ]
            )
            offset = self.offsets[k]
            rows.append(
                {
                    R.NAME: name,
                    R.RECORDS: times.len(),
                    R.COVERAGE_START: times.min(),
                    R.COVERAGE_END: times.max(),
                    R.OFFSET: offset.seconds,
                    R.SPREAD: offset.spread,
                    R.MATCHES: offset.matches,
                }
            )
        return pl.DataFrame(
            rows,
            schema={
                R.NAME: pl.String,
                R.RECORDS: pl.Int64,
                R.COVERAGE_START: self.contacts.schema[Col.SENT_AT],
                R.COVERAGE_END: self.contacts.schema[Col.SENT_AT],
                R.OFFSET: pl.Float64,
                R.SPREAD: pl.Float64,
                R.MATCHES: pl.Int64,
            },
            orient="row",
        )

    @cached_property
    def records(self) -> pl.DataFrame:
        """One row per source contact: what became of it (matched or only, conflicts), its time
        as logged and corrected, and the other sources' accounts it was matched with; the
        accounts of one contact next to each other, in time order."""
        accounts = self.members.join(
            self.contacts.select(ROW, Col.ID, Col.SENT_AT), on=ROW
        ).with_columns(pl.format("{}:{}", self._name(), Col.ID).alias("_account"))
        founders = (
            accounts.sort(GROUP, SRC)
            .group_by(GROUP)
            .agg(
                pl.col("_account").first().alias(R.MATCH),
                pl.col(Col.SENT_AT).first().alias("_founder_at"),
                pl.col("_account").alias("_accounts"),
                pl.len().alias("_count"),
            )
        )
        types = self.conflict_rows.group_by(GROUP).agg(
            pl.col(R.TYPE).str.join(", ").alias(R.CONFLICTS)
        )
        matched = pl.col("_count") > 1
        return (
            accounts.join(founders, on=GROUP)
            .join(types, on=GROUP, how="left")
            .join(
                self.contacts.select(ROW, Col.FROM_PARTY, Col.TO_PARTY, Col.KIND, _LOGGED_AT),
                on=ROW,
            )
            .select(
                self._name().alias(R.SOURCE),
                Col.ID,
                Col.FROM_PARTY,
                Col.TO_PARTY,
                Col.KIND,
                pl.col(_LOGGED_AT).alias(Col.SENT_AT),
                pl.col(Col.SENT_AT).alias(R.CORRECTED_AT),
                pl.when(matched)
                .then(pl.lit(Disposition.MATCHED.value))
                .otherwise(pl.lit(Disposition.ONLY.value))
                .alias(R.STATUS),
                pl.when(matched).then(pl.col(R.MATCH)).alias(R.MATCH),
                pl.col(R.CONFLICTS),
                pl.when(matched)
                .then(seconds_between(pl.col(Col.SENT_AT), pl.col("_founder_at")))
                .alias(R.TIME_DIFFERENCE),
                pl.when(matched)
                .then(
                    pl.col("_accounts")
                    .list.set_difference(pl.concat_list("_account"))
                    .list.sort()
                    .list.join(", ")
                )
                .alias(R.MATCHED_WITH),
                pl.col(SRC).alias("_src"),
                pl.col("_founder_at"),
                pl.col(GROUP),
            )
            .sort("_founder_at", GROUP, "_src")
            .drop("_src", "_founder_at", GROUP)
        )

    @cached_property
    def matched(self) -> pl.DataFrame:
        """One row per contact logged by several sources: a column of ids per source and the
        time difference (the last source's corrected time minus the first's)."""
        shared = self.members.filter(pl.len().over(GROUP) > 1).join(
            self.contacts.select(ROW, Col.ID, Col.SENT_AT), on=ROW
        )
        spans = (
            shared.sort(GROUP, SRC)
            .group_by(GROUP)
            .agg(
                seconds_between(pl.col(Col.SENT_AT).last(), pl.col(Col.SENT_AT).first()).alias(
                    R.TIME_DIFFERENCE
                ),
                pl.col(Col.SENT_AT).first().alias("_at"),
            )
        )
        return self._wide(shared).join(spans, on=GROUP).sort("_at", GROUP).drop("_at")

    def _wide(self, rows: pl.DataFrame) -> pl.DataFrame:
        """GROUP and one id column per source name (null where that source did not log it)."""
        wide = rows.select(GROUP, SRC, Col.ID).pivot(on=SRC, index=GROUP, values=Col.ID)
        for k in range(len(self.names)):
            if str(k) not in wide.columns:
                wide = wide.with_columns(pl.lit(None, pl.String).alias(str(k)))
        return wide.select(
            GROUP, *(pl.col(str(k)).alias(name) for k, name in enumerate(self.names))
        )

    @cached_property
    def conflicts(self) -> pl.DataFrame:
        """One row per conflict: its type, the ids in each source and the earliest corrected
        time among them."""
        shared = self.members.join(self.conflict_rows.select(GROUP).unique(), on=GROUP).join(
            self.contacts.select(ROW, Col.ID, Col.SENT_AT), on=ROW
        )
        at = shared.group_by(GROUP).agg(pl.col(Col.SENT_AT).min().alias("_at"))
        return (
            self.conflict_rows.join(self._wide(shared), on=GROUP)
            .join(at, on=GROUP)
            .sort("_at", GROUP, maintain_order=True)
            .rename({"_at": R.CORRECTED_AT})
        )

    @cached_property
    def only(self) -> pl.DataFrame:
        """Contacts one source alone logged, with the other sources' silence around each: their
        last and next record between the same two parties (on the first source's clock)."""
        alone = self.members.filter(pl.len().over(GROUP) == 1).join(
            self.contacts.select(
                ROW, Col.ID, Col.SENT_AT, Col.FROM_PARTY, Col.TO_PARTY, Col.KIND, PAIR
            ),
            on=ROW,
        )
        parts = []
        for k in range(len(self.names)):
            mine = alone.filter(pl.col(SRC) == k).sort(Col.SENT_AT)
            theirs = (
                self.contacts.filter(pl.col(SRC) != k)
                .select(PAIR, pl.col(Col.SENT_AT).alias("_theirs"))
                .sort("_theirs")
            )
            for strategy, column in (("backward", R.OTHER_BEFORE), ("forward", R.OTHER_AFTER)):
                mine = mine.join_asof(
                    theirs,
                    left_on=Col.SENT_AT,
                    right_on="_theirs",
                    by=PAIR,
                    strategy=strategy,
                    check_sortedness=False,
                ).rename({"_theirs": column})
            parts.append(mine)
        frame = pl.concat(parts)
        return (
            frame.select(
                self._name().alias(R.SOURCE),
                Col.ID,
                Col.FROM_PARTY,
                Col.TO_PARTY,
                Col.KIND,
                pl.col(Col.SENT_AT).alias(R.CORRECTED_AT),
                R.OTHER_BEFORE,
                R.OTHER_AFTER,
                seconds_between(pl.col(R.OTHER_AFTER), pl.col(R.OTHER_BEFORE)).alias(
                    R.OTHER_SILENCE
                ),
                pl.col(SRC).alias("_src"),
            )
            .sort(R.CORRECTED_AT, "_src", Col.ID)
            .drop("_src")
        )

    def counts(self) -> dict[str, int]:
        """How many contacts were matched, logged by one source only, and in conflict."""
        return {
            "matched": self.matched.height,
            "only": self.only.height,
            "conflicts": self.conflict_rows.height,
            "time_conflicts": int(self.members[STAGE].eq(2).sum()),
        }

    def to_json(self) -> str:
        """The stable JSON shape `deconf reconcile --format json` prints: the sources indented,
        then one matched contact, record or conflict a line (encoded by Polars, not Python, as
        there may be millions)."""
        sources = [
            row
            | {
                R.COVERAGE_START: rfc3339(row[R.COVERAGE_START]),
                R.COVERAGE_END: rfc3339(row[R.COVERAGE_END]),
            }
            for row in self.sources.iter_rows(named=True)
        ]
        ids = pl.struct(self.names).alias(R.IDS)
        parts = {
            "matched": self.matched.select(ids, R.TIME_DIFFERENCE),
            "only": self.only.select(R.SOURCE, Col.ID),
            "conflicts": self.conflicts.select(R.TYPE, ids),
        }
        text = ['{\n  "sources": ' + json.dumps(sources, indent=2).replace("\n", "\n  ")]
        for key, frame in parts.items():
            lines = frame.select(pl.struct(pl.all()).struct.json_encode().alias("_line"))["_line"]
            if len(self.names) > 2:  # a source that did not log a contact has no id for it
                lines = lines.str.replace_all(_ABSENT_FIRST, "{").str.replace_all(_ABSENT, "")
            body = ",\n    ".join(lines.to_list())
            text.append(f'  "{key}": [\n    {body}\n  ]' if body else f'  "{key}": []')
        return ",\n".join(text) + "\n}\n"

    def as_dict(self) -> dict:
        """The same as `to_json`, as Python objects."""
        return json.loads(self.to_json())
