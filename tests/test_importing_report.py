"""A report of foreign logs names the mapping they were imported through, so `verify-report`
imports them the same way without being told again (or says exactly what it needs)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from deconf.cli import app
from deconf.opening import digest

EXAMPLES = Path(__file__).parent.parent / "docs" / "mappings"
FIXTURES = Path(__file__).parent / "fixtures" / "importing"
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def tweets(where: Path) -> tuple[Path, Path]:
    where.mkdir(parents=True, exist_ok=True)
    source = Path(shutil.copy(EXAMPLES / "examples" / "tweets.csv", where / "tweets.csv"))
    mapping = Path(shutil.copy(EXAMPLES / "tweets.toml", where / "tweets.toml"))
    return source, mapping


def test_the_report_names_the_mapping_and_verify_report_needs_no_map(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tweets(tmp_path)
    made = run("report", "tweets.csv", "--map", "tweets.toml", "--format", "json", "-o", "r.json")
    assert made.exit_code == 0, made.output
    named = json.loads((tmp_path / "r.json").read_text())["parameters"]["mapping"]
    assert named == {
        "preset": None,
        "path": "tweets.toml",
        "sha256": digest(tmp_path / "tweets.toml")[0],
    }
    checked = run("verify-report", "r.json", "tweets.csv")
    assert checked.exit_code == 0, checked.output
    assert "matches the data it names" in checked.output


def test_markdown_shows_the_mapping_and_verifies_from_another_folder(tmp_path, monkeypatch):
    """Run elsewhere with the source under another spelling: the mapping is found beside the
    report, and the records' `source` (its row's path:line) is spelled as the report named it."""
    monkeypatch.chdir(tmp_path)
    tweets(tmp_path)
    made = run("report", "tweets.csv", "--map", "tweets.toml", "--format", "md", "-o", "r.md")
    assert made.exit_code == 0, made.output
    text = (tmp_path / "r.md").read_text()
    assert "- **Imported**: through the mapping tweets.toml, SHA-256 `" in text
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    checked = run("verify-report", "../r.md", "../tweets.csv")
    assert checked.exit_code == 0, checked.output


def test_a_missing_or_changed_mapping_is_named_with_what_to_give(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _, mapping = tweets(tmp_path / "made")
    made = run(
        "report", "made/tweets.csv", "--map", "made/tweets.toml", "--format", "json",
        "-o", "r.json",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    mapping.rename(tmp_path / "moved.toml")
    missing = run("verify-report", "r.json", "made/tweets.csv")
    assert missing.exit_code == 1
    assert "made through the mapping made/tweets.toml (SHA-256 " in missing.output
    assert "give it with --map" in missing.output
    assert "differs at" not in missing.output  # nothing recomputed without the mapping
    given = run("verify-report", "r.json", "made/tweets.csv", "--map", "moved.toml")
    assert given.exit_code == 0, given.output
    with (tmp_path / "moved.toml").open("a") as handle:
        handle.write('\n[parties]\n"sprintcare" = "Sprint"\n')
    changed = run("verify-report", "r.json", "made/tweets.csv", "--map", "moved.toml")
    assert changed.exit_code == 1
    assert "the mapping moved.toml is not the one the report names, made/tweets.toml" in (
        changed.output
    )


def test_a_preset_is_named_and_used_again(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(FIXTURES / "slack-export", tmp_path / "export")
    made = run("report", "export", "--preset", "slack", "--format", "json", "-o", "r.json")
    assert made.exit_code == 0, made.output
    named = json.loads((tmp_path / "r.json").read_text())["parameters"]["mapping"]
    assert named == {"preset": "slack", "path": None, "sha256": None}
    checked = run("verify-report", "r.json", "export")
    assert checked.exit_code == 0, checked.output
    other = run("verify-report", "r.json", "export", "--preset", "mbox")
    assert other.exit_code == 1
    assert "the report was made with --preset slack, not --preset mbox" in other.output


def test_a_report_of_deconf_logs_names_no_mapping(tmp_path):
    log = Path(__file__).parent.parent / "logs" / "khasham-2018.jsonl"
    made = run("report", log, "--format", "json", "-o", tmp_path / "r.json")
    assert made.exit_code == 0, made.output
    assert "mapping" not in json.loads((tmp_path / "r.json").read_text())["parameters"]


def test_a_damaged_mapping_entry_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tweets(tmp_path)
    made = run("report", "tweets.csv", "--map", "tweets.toml", "--format", "json", "-o", "r.json")
    assert made.exit_code == 0, made.output
    report = json.loads((tmp_path / "r.json").read_text())
    report["parameters"]["mapping"]["preset"] = 7
    (tmp_path / "r.json").write_text(json.dumps(report))
    checked = run("verify-report", "r.json", "tweets.csv")
    assert checked.exit_code == 2
    assert "r.json: the report's parameters name a damaged mapping" in checked.output


def test_a_map_that_is_no_file_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tweets(tmp_path)
    made = run("report", "tweets.csv", "--map", "tweets.toml", "--format", "json", "-o", "r.json")
    assert made.exit_code == 0, made.output
    checked = run("verify-report", "r.json", "tweets.csv", "--map", "nope.toml")
    assert checked.exit_code == 2
    assert "--map nope.toml: no such mapping file" in checked.output
