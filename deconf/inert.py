"""Hostile text made inert, for each kind of output a log's text can reach.

A log is written by someone else, and an evidence tool shows it to people and to their programs.
Its text must not act on the way out:

- a terminal runs control characters (ESC opens sequences that recolour, retitle or rewrite the
  screen; OSC 52 writes the clipboard; BEL rings): `visible` shows each as a visible symbol,
  while the format characters real language needs (zero-width joiners, right-to-left marks) and
  right-to-left letters pass unchanged;
- a spreadsheet runs a CSV cell that starts with ``=``, ``+``, ``-``, ``@``, tab or CR as a
  formula: `formula_safe` prefixes such a cell with an apostrophe, as OWASP recommends (machine
  consumers can ask for the raw values).

HTML, SVG and Markdown are the report's own: `deconf.report.text.without_controls`.
"""

from __future__ import annotations

import polars as pl

REPLACEMENT = "\ufffd"

# C0 controls as their Control Pictures (␛ for ESC, ␇ for BEL, ␊ for LF...), DEL as ␡, C1
# controls (which some terminals run as ESC sequences) and the line/paragraph separators as �.
_VISIBLE = {code: 0x2400 + code for code in range(0x20)}
_VISIBLE[0x7F] = 0x2421
_VISIBLE.update({code: REPLACEMENT for code in range(0x80, 0xA0)})
_VISIBLE.update({0x2028: REPLACEMENT, 0x2029: REPLACEMENT})

#: A CSV cell starting with one of these is a formula to a spreadsheet (OWASP, CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMULA_PREFIX = "'"
_FORMULA_RE = r"^[=+\-@\t\r]"


#: What `visible` replaces, as a Polars (Rust) regular expression: to find columns that need it.
CONTROL_PATTERN = r"[\x00-\x1f\x7f-\x9f\u{2028}\u{2029}]"


def visible(text: str) -> str:
    """`text` safe to print on a terminal: every control character shown as a symbol."""
    return text.translate(_VISIBLE)


def visible_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """`visible` over every text column of a frame that holds a control character."""
    return frame.with_columns(
        pl.col(name).map_elements(visible, return_dtype=pl.String)
        for name, dtype in frame.schema.items()
        if dtype == pl.String and frame[name].str.contains(CONTROL_PATTERN).any()
    )


def formula_safe(text: str) -> str:
    """A CSV cell a spreadsheet will show, not run: an apostrophe before a formula start."""
    return FORMULA_PREFIX + text if text.startswith(FORMULA_START) else text


def formula_safe_column(name: str) -> pl.Expr:
    """`formula_safe` over a string column, in bulk."""
    column = pl.col(name)
    return (
        pl.when(column.str.contains(_FORMULA_RE))
        .then(pl.lit(FORMULA_PREFIX) + column)
        .otherwise(column)
        .alias(name)
    )
