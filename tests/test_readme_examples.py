"""The README's examples run: each `$ deconf ...` line in it is run by a shell, from a scratch
directory that sees the sample logs, with `deconf` being this checkout's command line. An example
that stops working (a renamed option, a changed exit code) fails here, not in a reader's hands."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

EXAMPLES = re.findall(r"^    \$ (.+)$", (ROOT / "README.md").read_text(encoding="utf-8"), re.M)


@pytest.fixture(scope="module")
def shell(tmp_path_factory):
    """A scratch directory with logs/ and a `deconf` on PATH; the store example's state is kept
    from one example to the next, as a reader running them in order would have it."""
    place = tmp_path_factory.mktemp("readme")
    (place / "logs").symlink_to(ROOT / "logs")
    bin_dir = place / "bin"
    bin_dir.mkdir()
    launcher = bin_dir / "deconf"
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m deconf.cli "$@"\n')
    launcher.chmod(0o755)
    env = os.environ | {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT),
        "COLUMNS": "100",
        "DECONF_STORE": str(place / "default-store"),
    }
    return place, env


def test_the_readme_has_examples():
    assert len(EXAMPLES) >= 8
    assert all(re.search(r"(^|\| |&& )deconf ", e) for e in EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES)
def test_each_readme_example_runs(example, shell):
    place, env = shell
    command = example.split("    #")[0]
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=place,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout.strip()
    if "says why it is empty" in example:
        assert "is before the first record" in done.stderr
