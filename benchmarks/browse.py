"""The browser's first screen, timed as a person sees it: `deconf browse` launched in a
pseudo-terminal, the clock stopped when the exchanges list's status line is drawn, the resident
memory read from /proc then, and again once the process is idle (what it keeps while the reader
looks, its background work done), then `q`.

    python -m benchmarks.browse --store STORE [--runs 3]
    python -m benchmarks.browse LOG [--runs 3]

Prints one JSON object per run and a summary line: launch → first screen (wall), CPU time of the
process until then, resident memory at the first screen and settled, the load average.
A benchmark, not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import pty
import select
import signal
import statistics
import struct
import sys
import termios
import time
from pathlib import Path

#: What the status line under the exchanges list says once the first screen is drawn.
DRAWN = b"exchanges shown"
SIZE = (45, 160)  # rows, columns


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cpu_seconds(pid: int) -> float:
    """user + system time of the process (all its threads) so far, from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def _read_until(fd: int, marker: bytes, deadline: float) -> bool:
    seen = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.02)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 1 << 16)
        except OSError:
            return False
        if not chunk:
            return False
        seen = seen[-len(marker) :] + chunk
        if marker in seen:
            return True
    return False


def _drain(fd: int, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                if not os.read(fd, 1 << 16):
                    return
            except OSError:
                return


def _settle(fd: int, pid: int, timeout: float = 60.0, quiet: int = 3) -> float:
    """Seconds until the process is idle (the browser's background work after the first screen
    done): `quiet` seconds in a row each with under 0.05 s of CPU (one is not enough on a loaded
    machine, where a process may wait a second for a core), the screen's output read meanwhile."""
    started = time.monotonic()
    before, still = _cpu_seconds(pid), 0
    while time.monotonic() - started < timeout and still < quiet:
        _drain(fd, 1.0)
        now = _cpu_seconds(pid)
        still = still + 1 if now - before < 0.05 else 0
        before = now
    return time.monotonic() - started


def first_screen(arguments: list[str], timeout: float = 120.0, linger: float = 0.0) -> dict:
    """Launch → status line drawn, in a 160×45 pseudo-terminal; memory then, and once the
    process is idle (its background work done)."""
    started = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:  # the child: the browser, its terminal the pty
        os.environ["TERM"] = "xterm-256color"
        os.environ.pop("TEXTUAL", None)
        os.execvp(arguments[0], arguments)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", *SIZE, 0, 0))
    try:
        drawn = _read_until(fd, DRAWN, started + timeout)
        seconds = time.monotonic() - started
        result = {
            "drawn": drawn,
            "seconds": seconds,
            "cpu_seconds": _cpu_seconds(pid),
            "rss_mb": _rss_mb(pid),
            "load": os.getloadavg()[0],
        }
        result["settled_after"] = _settle(fd, pid)
        result["rss_settled_mb"] = _rss_mb(pid)
        if linger:  # what the allocator has given back to the system by then
            _drain(fd, linger)
            result["rss_later_mb"] = _rss_mb(pid)
        os.write(fd, b"q")
        _drain(fd, 2.0)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        os.close(fd)
    return result


def browse_command(log: str | None, store: str | None) -> list[str]:
    command = [sys.executable, "-m", "deconf.cli", "browse"]
    return [*command, "--store", store] if store else [*command, log]


def measure(log: str | None, store: str | None, runs: int, echo: bool = False) -> dict:
    """The median of `runs` launches (memory: the largest); each run printed with `echo`."""
    samples = [first_screen(browse_command(log, store)) for _ in range(runs)]
    for sample in samples if echo else ():
        print(json.dumps(sample), flush=True)
    return {
        key: statistics.median(s[key] for s in samples)
        for key in ("seconds", "cpu_seconds", "load")
    } | {
        "rss_mb": max(s["rss_mb"] for s in samples),
        "rss_settled_mb": max(s["rss_settled_mb"] for s in samples),
        "drawn": all(s["drawn"] for s in samples),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("log", nargs="?")
    parser.add_argument("--store")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    if not (options.log or options.store):
        parser.error("name a log or --store")
    summary = measure(options.log, options.store, options.runs, echo=True)
    print(
        f"first screen {summary['seconds']:.2f} s (cpu {summary['cpu_seconds']:.2f} s), "
        f"resident {summary['rss_mb']:.0f} MB, settled {summary['rss_settled_mb']:.0f} MB, "
        f"load {summary['load']:.2f}, drawn: {summary['drawn']}"
    )


if __name__ == "__main__":
    main()
