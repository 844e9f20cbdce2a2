"""What the browser does so that it holds little once its first screen is drawn: it gives the C
heap's free pages back (`held.give_back_memory`), wherever the C library has no way to, quietly
nothing; a log's read leaves nothing in it (`tests/test_tui_logread.py`)."""

from __future__ import annotations

import ctypes.util

from deconf.tui import held


def test_without_glibc_it_does_nothing(monkeypatch):
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    assert held._glibc() is None
    held.give_back_memory()
