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
}


def test_every_example_mapping_is_listed_here():
    assert {p.stem for p in MAPPINGS.glob("*.toml")} == set(EXAMPLES)


SAMPLE = (ROOT / "logs" / "notification-tracker.csv", ROOT / "logs" / "notification-tracker.toml")
CASES = {
    name: (MAPPINGS / source, MAPPINGS / f"{name}.toml", rows, accepted)
    for name, (source, rows, accepted) in EXAMPLES.items()
} | {"notification-tracker (logs/)": (*SAMPLE, 10, 22)}


@pytest.mark.parametrize("name", sorted(CASES))
def test_example_mapping_imports_its_source_without_rejections(name, tmp_path):
    source, mapping, rows, accepted = CASES[name]
    result = runner.invoke(
        app,
        [
            "import",
            str(source),
            "--map",
            str(mapping),
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
            str(SAMPLE[0]),
            "--map",
            str(SAMPLE[1]),
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
