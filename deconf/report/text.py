"""Text from a log made safe for the formats a report is written in: no control character
reaches HTML, SVG or Markdown (XML 1.0 forbids most of them; in Markdown they hide text)."""

from __future__ import annotations

import re

# C0 controls except tab, newline and carriage return; DEL and the C1 block; the two XML
# non-characters; unpaired surrogates cannot come from valid UTF-8 but are covered too
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def without_controls(text: str) -> str:
    """The text with every control character replaced by U+FFFD, so it shows that something
    was there without breaking the document."""
    return _CONTROLS.sub("\ufffd", text)
