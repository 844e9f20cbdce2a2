"""What the browser does so that a log's read leaves little behind: threads started after
`one_c_heap_arena` allocate from the C heap's main arena (which `malloc_trim` gives back whole)
instead of arenas of their own, and `browse LOG` sets it before its read starts."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from deconf.cli import app as cli
from deconf.tui import held

_THREADS_ALLOCATE = """
import ctypes, threading
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
{before}
libc.malloc_stats()  # per arena, on stderr: the arenas before the threads start
print("---", file=__import__("sys").stderr, flush=True)
def allocate():
    blocks = [libc.malloc(4096) for _ in range(1000)]
    for block in blocks:
        libc.free(block)
threads = [threading.Thread(target=allocate) for _ in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
libc.malloc_stats()  # and after
"""


def _new_arenas(before: str) -> int:
    """How many arenas four threads add to the C heap, started after `before` ran."""
    script = "import ctypes.util\n" + _THREADS_ALLOCATE.format(before=before)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    earlier, later = done.stderr.split("---")
    return later.count("Arena ") - earlier.count("Arena ")


@pytest.mark.skipif(held._glibc() is None, reason="the C library is not glibc")
def test_threads_started_after_it_allocate_from_one_arena():
    assert _new_arenas("import deconf.tui.held") > 0  # threads get arenas of their own
    assert _new_arenas("from deconf.tui.held import one_c_heap_arena; one_c_heap_arena()") == 0


def test_without_glibc_it_does_nothing(monkeypatch):
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    held.one_c_heap_arena()
    held.give_back_memory()


def test_browse_of_a_log_sets_it_before_reading(monkeypatch, tmp_path, terminal):
    order: list[str] = []
    monkeypatch.setattr("deconf.cli.browse.one_c_heap_arena", lambda: order.append("one arena"))
    monkeypatch.setattr(
        "deconf.cli.browse.head_start",
        lambda *args, **kwargs: order.append("read") or _Failed(),
    )
    log = tmp_path / "night.jsonl"
    log.write_text("{}\n")
    result = CliRunner().invoke(cli, ["browse", str(log)])
    assert order == ["one arena", "read"]
    assert result.exit_code == 2


class _Failed:
    """A read that failed: what the command waits for raises, as a bad log would."""

    def take(self):
        from deconf.errors import InputError

        raise InputError("night.jsonl:1: stands for no record")
