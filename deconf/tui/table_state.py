"""A list on screen as plain Python and Polars: the rows shown, their order, the cursor, the
search and its matches. The exchanges, silences, events and frequency views each hold one, so
`n`/`N`, sorting and the cursor act on the list in front. No Textual here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from polars.exceptions import ComputeError

from deconf.analysis.columns import A, Status
from deconf.tui.text import compile_search

#: status sorted by how much it needs a reader's eye (ascending = worst first)
SEVERITY = {
    Status.UNANSWERED: 0,
    Status.PARTLY_ANSWERED: 1,
    Status.SUPERSEDED: 2,  # no answer of its own: answered only in another exchange
    Status.ANSWERED: 3,
    Status.NO_ATTEMPTS: 4,
}
ROW = "_i"


@dataclass
class TableState:
    """Rows of `base()` (optionally narrowed by `keep_rows()`), sorted; a cursor; a search."""

    frame: pl.DataFrame
    key: str
    sortable: tuple[str, ...] = ()
    search_columns: tuple[str, ...] = ()
    sort_column: str | None = None
    descending: bool = False
    cursor: int = 0
    query: str = ""
    matches: list[int] = field(default_factory=list)
    #: the order `base()` already has (column, descending; ties by key): sorting by it again
    #: would only copy the rows (at a million records, the exchanges list once more)
    presorted: tuple[str, bool] | None = None
    view: pl.DataFrame = field(init=False)

    def __post_init__(self) -> None:
        self.view = self.base().clear()  # nothing shown yet: the cursor starts on the first row
        self.apply()

    # ------------------------------------------------------------ what is shown

    def base(self) -> pl.DataFrame:
        return self.frame

    def source(self) -> pl.DataFrame:
        """The rows before sorting; subclasses narrow them (filters)."""
        return self.base()

    def search_text(self) -> pl.Expr:
        """What a search looks in, as one string expression over the view's columns."""
        parts = [pl.col(c).cast(pl.String).fill_null("") for c in self.search_columns]
        return pl.concat_str(parts, separator=" ") if parts else pl.lit("")

    @property
    def total(self) -> int:
        return self.base().height

    @property
    def pattern(self) -> re.Pattern[str] | None:
        return compile_search(self.query) if self.query else None

    def _sort_key(self, column: str) -> pl.Expr:
        if column == A.STATUS:
            return pl.col(column).replace_strict(SEVERITY, default=len(SEVERITY))
        if isinstance(self.view.schema.get(column), pl.List):
            return pl.col(column).list.join(", ")
        return pl.col(column)

    def apply(self, keep: Any = None) -> None:
        """Recompute the view; keep the cursor on the row keyed `keep` (default: the current)."""
        if keep is None and not self.view.is_empty() and self.cursor < self.view.height:
            keep = self.view[self.key][self.cursor]
        view = self.source()
        if self.sort_column is not None and (self.sort_column, self.descending) != self.presorted:
            view = view.sort(
                [self._sort_key(self.sort_column), pl.col(self.key)],
                descending=[self.descending, False],
                nulls_last=True,
            )
        self.view = view
        self.cursor = 0
        if keep is not None:
            self.find(keep)
        if self.query:
            self.search(self.query, move=False)

    def find(self, key: Any) -> bool:
        """Put the cursor on the row keyed `key` if it is shown."""
        found = self.view.with_row_index(ROW).filter(pl.col(self.key) == key)
        if found.is_empty():
            return False
        self.cursor = int(found[ROW][0])
        return True

    def sort_by(self, column: str, descending: bool | None = None) -> None:
        if column not in self.sortable:
            raise ValueError(f"cannot sort by {column!r}")
        if descending is None:
            descending = not self.descending if column == self.sort_column else False
        self.sort_column, self.descending = column, descending
        self.apply()

    def next_sort(self) -> None:
        position = (
            self.sortable.index(self.sort_column) if self.sort_column in self.sortable else -1
        )
        self.sort_by(self.sortable[(position + 1) % len(self.sortable)], descending=False)

    def move(self, steps: int) -> None:
        if self.view.height:
            self.cursor = max(0, min(self.view.height - 1, self.cursor + steps))

    def to_edge(self, end: bool) -> None:
        self.cursor = self.view.height - 1 if end else 0
        self.move(0)

    @property
    def current(self) -> dict[str, Any] | None:
        if not self.view.height:
            return None
        return self.view.row(self.cursor, named=True)

    # ------------------------------------------------------------ finding things

    def matching(self, pattern: str) -> pl.Series:
        """Row positions in the view whose search text matches the (regex) pattern, any case."""
        try:
            return self.view.with_row_index(ROW).filter(
                self.search_text().str.contains(f"(?i){pattern}")
            )[ROW]
        except ComputeError as error:
            raise ValueError(f"search: cannot use this pattern: {error}") from None

    def search(self, query: str, move: bool = True) -> int:
        """Rows matching `query` (a regular expression, any case); moves to the first match at
        or after the cursor. Returns how many match. A bad pattern raises ValueError and changes
        nothing."""
        query = query.strip()
        if query:
            compile_search(query)  # a bad pattern is refused before anything changes
            matches = self.matching(query).to_list()
        else:
            matches = []
        self.query, self.matches = query, matches
        if move and self.matches:
            self.cursor = next((m for m in self.matches if m >= self.cursor), self.matches[0])
        return len(self.matches)

    def next_match(self, direction: int = 1) -> bool:
        return self.jump(self.matches, direction)

    def jump(self, rows: list[int], direction: int) -> bool:
        if not rows:
            return False
        if direction > 0:
            target = next((r for r in rows if r > self.cursor), rows[0])
        else:
            target = next((r for r in reversed(rows) if r < self.cursor), rows[-1])
        self.cursor = target
        return True

    def rows_where(self, condition: pl.Expr) -> list[int]:
        return self.view.with_row_index(ROW).filter(condition)[ROW].to_list()
