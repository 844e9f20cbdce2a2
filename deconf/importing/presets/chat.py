"""What chat and mail carry no field for, decided the same way by every chat-like preset.

Messages in mail and chat exports have no `kind`. The presets' rule (documented in
docs/importing.md, and overridable in a mapping): a message that answers another is a
`response`; one that answers nothing is a `query` when its text ends with a question mark, else
a `note`. The reader writes the result in the column ``kind``, which the preset maps.
"""

from __future__ import annotations

import polars as pl

from deconf.vocabulary import ContactKind

KIND = "kind"


def chat_kind(text: pl.Expr, in_reply_to: pl.Expr) -> pl.Expr:
    return (
        pl.when(in_reply_to.is_not_null())
        .then(pl.lit(ContactKind.RESPONSE.value))
        .when(text.str.strip_chars().str.ends_with("?"))
        .then(pl.lit(ContactKind.QUERY.value))
        .otherwise(pl.lit(ContactKind.NOTE.value))
    )
