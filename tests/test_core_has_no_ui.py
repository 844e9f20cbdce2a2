"""The core (model, reading, validation, store, analysis) imports neither Textual nor Rich."""

from __future__ import annotations

import subprocess
import sys

CORE = [
    "deconf",
    "deconf.model",
    "deconf.reading",
    "deconf.validation",
    "deconf.loading",
    "deconf.store",
    "deconf.crosscheck",
    "deconf.schemas",
]


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
