"""Under a memory limit (ulimit -v) that cannot hold the run, `deconf` says so in one line and
exits 2, instead of aborting in native code; with room enough it runs as usual."""

from __future__ import annotations

import json
import resource
import subprocess
import sys

import pytest

from deconf.launch import need, out_of_memory_message
from tests.conftest import KHASHAM, ROOT

MB = 1 << 20


def _deconf_limited(limit: int, *args: str) -> subprocess.CompletedProcess:
    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.RLIM_INFINITY))

    return subprocess.run(
        [sys.executable, "-m", "deconf", *args],
        preexec_fn=limited,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=120,
    )


def test_a_limit_too_small_is_one_clear_line():
    limit = 120 * MB  # not even Python's libraries fit
    done = _deconf_limited(limit, "gaps", str(KHASHAM), "--format", "json")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [out_of_memory_message(limit, KHASHAM.stat().st_size)]


@pytest.mark.slow
@pytest.mark.parametrize("limit_mb", [200, 300, 450, 700, 1000])
def test_any_limit_gives_the_result_or_one_clear_line(limit_mb):
    # where the threshold lies depends on the machine; either outcome, and nothing else
    done = _deconf_limited(limit_mb * MB, "gaps", str(KHASHAM), "--format", "json")
    if done.returncode == 0:
        assert json.loads(done.stdout)
    else:
        assert done.returncode == 2
        assert done.stderr.splitlines() == [
            out_of_memory_message(limit_mb * MB, KHASHAM.stat().st_size)
        ]


def test_with_room_enough_the_limited_run_is_the_usual_one():
    done = _deconf_limited(need(KHASHAM.stat().st_size) + 512 * MB, "validate", str(KHASHAM))
    assert done.returncode == 0, done.stderr
    assert "21 lines: 21 accepted" in done.stdout
