"""The example mappings in docs/mappings and the constructed tracker in logs/ do what
docs/importing.md says they do, and every import option has help."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from deconf.cli import app
from deconf.importing import PRESETS, resolve_mapping

ROOT = Path(__file__).resolve().parents[1]
MAPPINGS = ROOT / "docs" / "mappings"
runner = CliRunner()

# mapping → (example source, rows, records accepted)
EXAMPLES = {
    "tweets": ("examples/tweets.csv", 8, 8),
    "irc": ("examples/irc.csv", 6, 6),
    "telegram": ("examples/telegram.json", 2, 2),
    "cad-dispatch": ("examples/cad-dispatch.csv", 3, 5),
    "notification-tracker": ("../../logs/notification-tracker.csv", 10, 22),
}


def test_every_example_mapping_is_listed_here():
    assert {p.stem for p in MAPPINGS.glob("*.toml")} == set(EXAMPLES)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_mapping_imports_its_source_without_rejections(name, tmp_path):
    source, rows, accepted = EXAMPLES[name]
    result = runner.invoke(
        app,
        [
            "import",
            str(MAPPINGS / source),
            "--map",
            str(MAPPINGS / f"{name}.toml"),
            "-o",
            str(tmp_path / "out.jsonl"),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["rows"], summary["accepted"], summary["rejected"]) == (rows, accepted, 0)


def test_the_tracker_sample_keeps_no_response_as_unanswered():
    result = runner.invoke(
        app,
        [
            "stats",
            "--by",
            "to_party",
            str(ROOT / "logs" / "notification-tracker.csv"),
            "--map",
            str(MAPPINGS / "notification-tracker.toml"),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    groups = {row["group"]: row for row in json.loads(result.stdout)}
    assert groups["ARMED-GROUP-N"]["unanswered_episodes"] == 2
    assert groups["COALITION"]["answered_episodes"] == 4


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_every_preset_mapping_is_valid_and_documented(preset):
    text = (ROOT / "docs" / "importing.md").read_text(encoding="utf-8")
    assert f"### `{preset}`" in text
    if preset != "whatsapp":  # needs the user's date order: tested in test_importing_presets
        resolve_mapping(None, preset)


def test_import_help_explains_every_option():
    result = runner.invoke(app, ["import", "--help"])
    assert result.exit_code == 0
    for option in ("--map", "--preset", "--output", "--store", "--assume-tz", "--format"):
        line = next(line for line in result.output.splitlines() if option in line)
        assert len(line.split(option, 1)[1].strip()) > 10, line
