"""One record as stored (`p`): where it came from (file:line or the store), the line as read
when the file is still there (read beforehand, in a worker), and every field. `c` copies the id."""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from deconf.frames import Col
from deconf.tui.records import origin
from deconf.tui.text import plain


def record_text(record: dict[str, Any], when, line: str | None) -> Text:
    text = Text()
    text.append("id: ", style="bold")
    text.append(plain(record[Col.ID]) + "\n")
    text.append("origin: ", style="bold")
    text.append(plain(origin(record)) + "\n")
    if line is not None:
        text.append("as read: ", style="bold")
        text.append(plain(line) + "\n")
    text.append("\n")
    for name, value in {**record, **_unheld(record, line)}.items():
        if value is None or name in (Col.ORIGIN_FILE, Col.ORIGIN_LINE):
            continue
        if hasattr(value, "astimezone"):
            shown = when(value, record.get(Col.RECORDED_TZ))
        elif isinstance(value, list | dict):
            shown = json.dumps(value, ensure_ascii=False, default=str)
        else:
            shown = str(value)
        text.append(f"{plain(name)}: ", style="bold")
        text.append(plain(shown) + "\n")
    text.append("\nc copy id · esc close", style="dim")
    return text


def _unheld(record: dict[str, Any], line: str | None) -> dict[str, Any]:
    """The fields of a JSON line that the browser does not hold (thread, tags, respond_by...:
    it keeps only what its screens read), so that every field is listed."""
    if not line or not line.lstrip().startswith("{"):
        return {}
    try:
        stored = json.loads(line)
    except ValueError:
        return {}
    if not isinstance(stored, dict):
        return {}
    return {k: v for k, v in stored.items() if record.get(k) is None and v is not None}


class RecordScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,p,q", "close", "Close", id="close"),
        Binding("c", "copy_id", "Copy id", id="copy_id"),
    ]

    def __init__(self, record: dict[str, Any], when, line: str | None = None) -> None:
        super().__init__()
        self.record, self.when, self.line = record, when, line

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog record"):
            yield Static(record_text(self.record, self.when, self.line), id="record")

    def action_copy_id(self) -> None:
        self.app.copy_to_clipboard(str(self.record[Col.ID]))
        self.notify(f"copied {plain(self.record[Col.ID])}", timeout=2, markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
