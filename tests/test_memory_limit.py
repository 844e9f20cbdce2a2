"""Under a memory limit (ulimit -v) that cannot hold the run, `deconf` says so in one line and
exits 2, instead of aborting in native code; with room enough it runs as usual."""

from __future__ import annotations

import json
import resource
import subprocess
import sys

import pytest

from deconf import launch
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


class _Child:
    """A supervised run that ended with `returncode`, having written `errors` on stderr."""

    def __init__(self, returncode: int, errors: str) -> None:
        self.returncode, self._errors = returncode, errors.encode()

    def communicate(self):
        return None, self._errors


@pytest.mark.parametrize(
    "errors",
    [
        # Python's own threads (a reader's decoding pool) refused a stack
        "Traceback (most recent call last):\n  ...\nRuntimeError: can't start new thread\n",
        # deconf's own words for a MemoryError caught in a command
        "deconf: out of memory: the data does not fit in what this process may use\n",
    ],
)
def test_a_supervised_run_out_of_memory_becomes_the_one_line_with_the_figures(
    monkeypatch, capsys, errors
):
    monkeypatch.setattr("deconf.launch.subprocess.Popen", lambda *a, **k: _Child(1, errors))
    monkeypatch.setattr("sys.argv", ["deconf", "gaps", str(KHASHAM)])
    with pytest.raises(SystemExit) as ended:
        launch._supervise(700 * MB)
    assert ended.value.code == 2
    message = out_of_memory_message(700 * MB, KHASHAM.stat().st_size)
    assert capsys.readouterr().err.splitlines() == [message]
    assert "over 12 KB of input" in message  # (12,310 bytes; not "0.0 MB")


def test_a_supervised_run_that_failed_otherwise_keeps_its_own_words(monkeypatch, capsys):
    said = "deconf: night.jsonl: no such file\n"
    monkeypatch.setattr("deconf.launch.subprocess.Popen", lambda *a, **k: _Child(2, said))
    monkeypatch.setattr("sys.argv", ["deconf", "gaps", "night.jsonl"])
    with pytest.raises(SystemExit) as ended:
        launch._supervise(700 * MB)
    assert ended.value.code == 2
    assert capsys.readouterr().err == said
