"""`deconf.apart`: a function run in a fresh process hands back what it returns (its frames
through IPC files), its progress and its errors as if it had run here, and leaves no file and
no process behind, whether it succeeded, failed or died."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time

import pytest
from polars.testing import assert_frame_equal

from deconf import apart
from deconf.errors import InputError, flag_name
from deconf.progress import Step
from tests import apart_jobs

#: every test's temporary files in a folder of its own, checked empty at its end (conftest)
pytestmark = pytest.mark.usefixtures("temporary")


def test_frames_and_values_come_back_as_the_function_returned_them():
    here = apart_jobs.frames(600, progress=lambda step: None)
    there = apart.run_apart(apart_jobs.frames, 600)
    assert_frame_equal(there["contacts"], here["contacts"])
    assert_frame_equal(there["events"], here["events"])
    assert there["contacts"].schema == here["contacts"].schema
    assert (there["rejected"], there["as_of"]) == (here["rejected"], here["as_of"])


def test_the_progress_steps_reach_the_caller_in_order():
    seen: list[Step] = []
    assert apart.run_apart(apart_jobs.steps, 4, progress=seen.append) == 4
    assert seen == [Step("counting", done, 4) for done in range(4)]


@pytest.mark.parametrize(
    ("message", "setting", "words"),
    [
        ("night.jsonl: looks like binary data", None, "night.jsonl: looks like binary data"),
        ("night.jsonl:3: `assume_tz` needed", None, "night.jsonl:3: --assume-tz needed"),
        ("night.jsonl:3: no zone", "assume_tz", "--assume-tz: night.jsonl:3: no zone"),
    ],
)
def test_an_error_is_raised_here_as_it_was_raised_there(message, setting, words):
    seen: list[Step] = []
    with pytest.raises(InputError) as raised:
        apart.run_apart(apart_jobs.fails_located, message, setting, progress=seen.append)
    assert raised.value.worded(flag_name) == words
    assert str(raised.value) == str(InputError(message, setting=setting))
    assert seen == [Step("reading", 0, 10), Step("reading", 5, 10)]


@pytest.mark.parametrize("signal_number", [signal.SIGKILL, signal.SIGABRT])
def test_a_child_killed_or_aborted_ran_out_of_memory(signal_number):
    with pytest.raises(MemoryError, match="ran out of memory"):
        apart.run_apart(apart_jobs.dies, signal_number)


def test_a_child_that_ends_without_a_word_says_what_it_wrote():
    with pytest.raises(RuntimeError, match="exit status 1") as raised:
        apart.run_apart(apart_jobs.says_and_exits, "the disk said no")
    assert "the disk said no" in str(raised.value)
    with pytest.raises(MemoryError):  # a native allocator's words for running out
        apart.run_apart(apart_jobs.says_and_exits, "memory allocation of 8589934592 bytes failed")


def test_a_child_started_early_runs_the_next_job_and_is_then_gone():
    apart.prestart("json")
    assert len(apart._waiting) == 1
    assert apart.run_apart(apart_jobs.steps, 2) == 2
    assert apart._waiting == []


_LEAVES = """
import os, sys
from deconf import apart
apart.prestart()
child = apart._waiting[0]
print(child.process.pid, child.folder, flush=True)
if sys.argv[1] == "killed":
    os._exit(0)  # as a killed process ends: no exit handlers
"""


@pytest.mark.parametrize("how", ["exits", "killed"])
def test_a_child_left_waiting_goes_with_this_process(how, temporary):
    done = subprocess.run(
        [sys.executable, "-c", _LEAVES, how],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={**os.environ, "TMPDIR": str(temporary)},
    )
    pid, folder = done.stdout.split()
    for _ in range(600):  # the child sees its standard input close and quits
        if not os.path.exists(folder) and not _running(int(pid)):
            break
        time.sleep(0.1)
    assert not os.path.exists(folder)
    assert not _running(int(pid))


def _running(pid: int) -> bool:
    """Whether the process runs (a zombie, ended but not yet reaped by init, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_an_error_that_cannot_be_rebuilt_here_comes_as_its_words():
    with pytest.raises(RuntimeError, match="Unbuildable: a parser's own error at 7"):
        apart.run_apart(apart_jobs.fails_unbuildable)


def _refused(*args, **kwargs):
    raise PermissionError(13, "Permission denied")


def test_no_temporary_folder_is_cannot_start(monkeypatch):
    monkeypatch.setattr(tempfile, "mkdtemp", _refused)
    apart.prestart()  # not an error yet
    with pytest.raises(apart.CannotStart, match="no temporary folder"):
        apart.run_apart(apart_jobs.steps, 1)


def test_no_process_is_cannot_start_and_leaves_no_folder(monkeypatch):
    monkeypatch.setattr(subprocess, "Popen", _refused)
    with pytest.raises(apart.CannotStart, match="no process"):
        apart.run_apart(apart_jobs.steps, 1)


def test_a_value_that_cannot_be_handed_back_is_cannot_hand_back():
    with pytest.raises(apart.CannotHandBack, match="cannot hand the value back"):
        apart.run_apart(apart_jobs.hands_back_into_nothing)
