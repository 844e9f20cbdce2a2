"""A user keymap remaps the browser's keys by binding id; a bad one is refused before it opens."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from deconf.cli import app as cli
from deconf.tui.app import known_binding_ids
from deconf.tui.keymap import KeymapError, keymap_path, load_keymap
from tests.conftest import KHASHAM
from tests.test_tui_app import SIZE, browser, exchange, loaded


def test_a_keymap_gives_keys_by_binding_id(tmp_path):
    path = tmp_path / "keymap.toml"
    path.write_text('next_unanswered = "x"\nsearch = ["slash", "ctrl+f"]\n')
    assert load_keymap(path, known_binding_ids()) == {
        "next_unanswered": "x",
        "search": "slash,ctrl+f",
    }


def test_no_keymap_file_means_the_default_keys(tmp_path):
    assert load_keymap(tmp_path / "absent.toml", known_binding_ids()) == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'next_unanswerd = "x"\n',
            "'next_unanswerd' is not a binding id; did you mean 'next_unanswered'?",
        ),
        ("search = \n", "not valid TOML"),
        ("search = 3\n", "search: give a key name or a list of key names"),
        ("search = []\n", "search: give a key name or a list of key names"),
        ('search = "ctrl f"\n', "search: give a key name or a list of key names"),
    ],
)
def test_a_bad_keymap_is_refused_naming_the_file_and_the_entry(tmp_path, text, message):
    path = tmp_path / "keymap.toml"
    path.write_text(text)
    with pytest.raises(KeymapError) as caught:
        load_keymap(path, known_binding_ids())
    assert str(caught.value).startswith(f"{path}: ") and message in str(caught.value)


def test_the_keymap_lives_in_the_user_config_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert keymap_path() == tmp_path / "deconf" / "keymap.toml"


def test_browse_with_a_bad_keymap_exits_2_with_the_reason(tmp_path, monkeypatch, terminal):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "deconf").mkdir()
    (tmp_path / "deconf" / "keymap.toml").write_text('quit = {key = "x"}\n')
    result = CliRunner().invoke(cli, ["browse", str(KHASHAM)])
    assert result.exit_code == 2
    assert "keymap.toml: quit: give a key name" in result.output
    assert "Traceback" not in result.output


async def test_a_remapped_key_acts_and_the_old_one_no_longer_does():
    app = browser(KHASHAM, keymap={"next_unanswered": "x", "next_breach": "ctrl+b"})
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("u")
        assert exchange(app) == "ex:kh-001"
        await pilot.press("x")
        assert exchange(app) == "ex:kh-020"
        await pilot.press("ctrl+b")
        assert exchange(app) == "ex:kh-001"
        await pilot.press("enter")  # the same id remaps the timeline's key too
        await pilot.press("down", "down", "escape")
        await pilot.press("down", "down", "enter")
        await loaded(pilot)
        await pilot.press("x")
        assert app.screen.selected.record_id == "kh-024"
        await pilot.press("escape", "question_mark")
        assert "`next_unanswered` | `x`" in app.screen.text
