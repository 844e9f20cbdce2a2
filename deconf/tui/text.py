"""Text from the log made safe and laid out for a terminal.

Log fields are written by other people and other programs: an id may carry an escape sequence that
clears the screen, a summary a `[/]` that Rich would read as markup. Everything from data goes
through `plain` and is drawn as `rich.text.Text`, never parsed. Widths are terminal cells (a CJK
character or an emoji takes two), so columns line up whatever the script.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text

CONTROL = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
# format characters that build what people write and cannot move the cursor: zero-width
# (non-)joiner in emoji sequences and Indic scripts, and the tag characters of flag emoji
KEPT_FORMAT = {"\u200c", "\u200d"} | {chr(c) for c in range(0xE0020, 0xE0080)}
REPLACEMENT = "\ufffd"
HIT = Style(bgcolor="yellow", color="black")


def plain(text: Any) -> str:
    """Log text made safe to draw: control characters, escape sequences and bidi overrides
    become visible placeholders instead of reaching the terminal; letters of every script,
    emoji and their joiners are kept."""
    if text is None:
        return ""
    out = []
    for character in str(text):
        if character in "\n\r\t":
            out.append(" ")
        elif character in KEPT_FORMAT:
            out.append(character)
        elif unicodedata.category(character) in CONTROL:
            out.append(REPLACEMENT)
        else:
            out.append(character)
    return "".join(out)


def fit(text: str, width: int) -> str:
    """`text` cut or padded to exactly `width` terminal cells (wide characters count two)."""
    if cell_len(text) > width and width > 1:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


def highlighted(text: str, pattern: re.Pattern[str] | None, style: Style | str = "") -> Text:
    """`text` as Rich Text (never markup) with every match of `pattern` highlighted."""
    result = Text(text, style=style)
    if pattern is not None and pattern.pattern:
        for match in pattern.finditer(text):
            if match.end() > match.start():
                result.stylize(HIT, match.start(), match.end())
    return result


def compile_search(query: str) -> re.Pattern[str]:
    """A search as a case-insensitive regular expression; ValueError names what is wrong."""
    try:
        return re.compile(query, re.IGNORECASE)
    except re.error as error:
        raise ValueError(f"search: not a valid regular expression: {error}") from None
