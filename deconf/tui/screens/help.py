"""The help screen; its text is `help.md` beside this module, followed by any remapped keys."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP_FILE = Path(__file__).with_name("help.md")


def help_text(remapped: dict[str, str] | None = None, keymap_file: Path | None = None) -> str:
    """The help page; keys the user's keymap changed are listed after it, by binding id."""
    text = HELP_FILE.read_text(encoding="utf-8")
    if remapped:
        rows = "\n".join(f"| `{binding_id}` | `{keys}` |" for binding_id, keys in remapped.items())
        text += (
            f"\n## Remapped in {keymap_file or 'your keymap'}\n\n"
            f"| binding | keys |\n|---|---|\n{rows}\n"
        )
    return text


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="close")]

    def __init__(self, text: str | None = None) -> None:
        super().__init__()
        self.text = text if text is not None else help_text()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Markdown(self.text)

    def action_close(self) -> None:
        self.dismiss(None)
