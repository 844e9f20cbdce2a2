"""The core (model, reading, validation, store, analysis) imports neither Textual nor Rich, and
the analysis loads without the readers, validators or store. The import-linter contracts in
pyproject.toml say the same of the code; these tests check what importing actually loads."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE = [
    "deconf",
    "deconf.model",
    "deconf.reading",
    "deconf.opening",
    "deconf.validation",
    "deconf.loading",
    "deconf.store",
    "deconf.sources",
    "deconf.crosscheck",
    "deconf.schemas",
    "deconf.analysis",
    "deconf.times",
    "deconf.reconcile",
    "deconf.analysis.readings",
    "deconf.analysis.comparison",
    "deconf.synth_sides",
    "deconf.writing",
    "deconf.importing",
]
UI = ("textual", "rich", "typer", "jinja2")


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint(','.join(sorted(sys.modules)))\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.strip().split(","))


@pytest.mark.parametrize("module", CORE)
def test_each_core_module_loads_no_ui_library(module):
    loaded = _loaded_after(f"import {module}")
    assert sorted(m for m in loaded if m.split(".")[0] in UI) == []


def test_the_analysis_loads_without_reading_validation_or_the_store():
    loaded = _loaded_after("import deconf.analysis")
    assert {"deconf.reading", "deconf.validation", "deconf.store", "deconf.loading"}.isdisjoint(
        loaded
    )


def test_the_package_api_still_loads_on_first_use():
    loaded = _loaded_after("import deconf; deconf.validate_logs")
    assert "deconf.loading" in loaded


def test_core_modules_do_not_import_the_ui():
    code = (
        "import importlib, sys\n"
        f"for name in {CORE!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_cli_loads_the_browser_only_when_asked():
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from deconf.cli import app\n"
        "CliRunner().invoke(app, ['stats', 'logs/khasham-2018.jsonl'])\n"
        "print(any(m.split('.')[0] == 'textual' for m in sys.modules))\n"
    )
    from tests.conftest import ROOT

    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "False"
