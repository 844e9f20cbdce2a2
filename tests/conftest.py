"""Shared fixtures: small logs written to tmp files, and the bundled sample logs."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

# How hard property tests look: "dev" (the default, quick while working), "ci" (what CI runs),
# "thorough" (before a release, or after touching the analysis or validation):
#     HYPOTHESIS_PROFILE=thorough pytest
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile("ci", max_examples=300, deadline=None)
settings.register_profile("thorough", max_examples=3000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

ROOT = Path(__file__).resolve().parents[1]
LOGS = ROOT / "logs"
KHASHAM = LOGS / "khasham-2018.jsonl"
HUMANITARIAN = LOGS / "humanitarian-notifications.jsonl"


def contact(**fields: Any) -> dict[str, Any]:
    """A valid contact record, with any field overridden (None removes it)."""
    record = {
        "id": "c1",
        "sent_at": "2018-02-07T22:31:00+02:00",
        "from_party": "US",
        "to_party": "RU",
        "channel": "deconfliction_line",
        "kind": "query",
    }
    record.update(fields)
    return {k: v for k, v in record.items() if v is not None}


def event(**fields: Any) -> dict[str, Any]:
    record = {"type": "event", "id": "e1", "at": "2018-02-07T20:30:00Z", "kind": "shelling"}
    record.update(fields)
    return {k: v for k, v in record.items() if v is not None}


@pytest.fixture
def write_log(tmp_path: Path) -> Callable[..., Path]:
    """Write records (dicts, or raw strings as lines) to a .jsonl file and return its path."""

    def write(lines: list[Any], name: str = "log.jsonl") -> Path:
        path = tmp_path / name
        text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
        path.write_text(text + "\n", encoding="utf-8")
        return path

    return write


@pytest.fixture
def temporary(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """The temporary files' folder (`tempfile`'s), checked empty at the end of the test: what
    a child process's hand-off leaves (`deconf.apart`) must go, errors included."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    assert list(folder.iterdir()) == []


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """`deconf browse` run through the CLI runner as if from a terminal (it refuses to start
    without one), for the tests of what it says before its screen opens."""
    monkeypatch.setattr("deconf.cli.browse.has_terminal", lambda: True)


@pytest.fixture
def night(tmp_path: Path) -> Path:
    """The Khasham sample, copied where the browser may write its marks beside it."""
    log = tmp_path / "night.jsonl"
    shutil.copy(KHASHAM, log)
    return log


@pytest.fixture
def notifications(tmp_path: Path) -> Path:
    """The humanitarian sample, copied where the browser may write its marks beside it."""
    log = tmp_path / "notifications.jsonl"
    shutil.copy(HUMANITARIAN, log)
    return log
