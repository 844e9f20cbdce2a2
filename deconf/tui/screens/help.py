"""The help screen; its text is `help.md` beside this module, followed by any remapped keys.
It scrolls, and fits an 80×24 terminal."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
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
    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close", id="close"),
        Binding("down,j", "scroll(1)", "Down", show=False, id="help_down"),
        Binding("up,k", "scroll(-1)", "Up", show=False, id="help_up"),
        Binding("pagedown,space", "page(1)", "Page down", show=False, id="help_page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="help_page_up"),
    ]

    def __init__(self, text: str | None = None) -> None:
        super().__init__()
        self.text = text if text is not None else help_text()

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help", id="help-scroll"):
            yield Markdown(self.text)

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_scroll(self, lines: int) -> None:
        scroll = self.query_one(VerticalScroll)
        scroll.scroll_to(y=scroll.scroll_y + lines, animate=False)

    def action_page(self, direction: int) -> None:
        scroll = self.query_one(VerticalScroll)
        scroll.scroll_to(y=scroll.scroll_y + direction * scroll.size.height, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
