"""Run a function in a fresh Python process and take back what it returns, so that this process
keeps none of the memory the function's work left behind.

Reading a large log leaves memory behind that no allocator gives back while the process lives:
Python objects of the validation scattered over the C heap, the JSON decoder's library and its
blocks, Polars' allocator's pages that a few live allocations keep. A command that exits does
not care; the browser stays open for hours with it (some 100 MB at a million records). So the
browser reads a log here: a child process reads and validates, hands back the records, and
exits, and everything it allocated goes with it.

The child is a fresh interpreter (never a fork: Polars' thread pool does not survive one). The
job goes to it pickled on its standard input; its progress steps, and then the value or the
error, come back pickled on its standard output, with every Polars frame in the value written
to an Arrow IPC file in a temporary folder of this process's, read back into memory (Polars
copies each buffer: no column is a view of the file or of another column, which would keep the
whole file's memory while any one of them is held) and removed as soon as it is read. An error
is raised here as the child raised it (a located InputError gives the same one line and exit
2); a child that died is a MemoryError when it died of running out of memory (`deconf.launch`
words it), otherwise a RuntimeError with what the child said. The child ignores Ctrl-C (this
process decides), and goes when this process does: killed at exit, and watching its standard
input, which closes when this process ends however it ends.

A child costs its interpreter's start and imports (half a second with Polars): `prestart`
starts one early, importing what the job will need while this process imports its own, and the
next `run_apart` takes it. Standard library only at import, for that reason.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from deconf.atomic import reason
from deconf.launch import looks_out_of_memory
from deconf.progress import Report, Step, silent

T = TypeVar("T")

#: The messages the child sends: a progress step, then the value or the error.
STEP, VALUE, ERROR = "step", "value", "error"
#: Where the child's own errors go, in its temporary folder (read if it dies without a word).
_STDERR = "stderr.txt"
#: How the child starts: deconf found first where this process found it, then `serve`.
_START = (
    "import sys; root = sys.argv[1]; root in sys.path or sys.path.insert(0, root); "
    "from deconf.apart import serve; serve(sys.argv[2], sys.argv[3:])"
)
#: The exit status of a child whose parent went away.
_ORPHANED = 3


class CannotStart(OSError):
    """No child could be started: no temporary folder (a read-only or full temporary
    directory) or no process (a limit on processes). The caller may run the work itself."""


class CannotHandBack(OSError):
    """The child did its work but could not hand the value back: its frames' files could not
    be written (a full temporary directory). The caller may run the work itself."""


class _Child:
    """A child process waiting for its job, with its temporary folder; `end` is called at exit
    if it is still running then."""

    def __init__(self, warm: tuple[str, ...]):
        root = str(Path(__file__).resolve().parent.parent)
        try:
            self.folder = Path(tempfile.mkdtemp(prefix="deconf-apart-"))
        except OSError as error:
            raise CannotStart(f"no temporary folder: {error}") from error
        try:
            with open(self.folder / _STDERR, "wb") as errors:
                self.process = subprocess.Popen(
                    [sys.executable, "-P", "-c", _START, root, str(self.folder), *warm],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=errors,
                )
        except OSError as error:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise CannotStart(f"no process: {error}") from error
        atexit.register(self.end)

    def end(self) -> None:
        """Kill it if it still runs, close its pipes, remove its folder."""
        atexit.unregister(self.end)
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                pipe.close()  # type: ignore[union-attr]
        shutil.rmtree(self.folder, ignore_errors=True)

    def said(self) -> str:
        """What it wrote on its standard error."""
        try:
            return (self.folder / _STDERR).read_text("utf-8", "replace")
        except OSError:
            return ""


_waiting: list[_Child] = []
_lock = threading.Lock()


def prestart(*warm: str) -> None:
    """Start the child of the next `run_apart` now, importing the modules `warm` while it waits
    for its job. One that cannot start is not an error yet: `run_apart` says so."""
    with _lock, contextlib.suppress(CannotStart):
        if not _waiting:
            _waiting.append(_Child(warm))


def run_apart(function: Callable[..., T], *args: Any, progress: Report = silent) -> T:
    """`function(*args, progress=...)` run in a fresh Python process, its value handed back
    (its frames read back from IPC files), its progress steps reported to `progress` as they
    come, its error raised here. `function` and `args` must pickle: a module-level function,
    plain values. CannotStart when no child can be started."""
    with _lock:
        child = _waiting.pop() if _waiting else _Child(())
    try:
        message = _exchange(child, (function, args), progress)
        if message is None:  # the child died without a word
            child.process.wait()
            raise _death(child.process.returncode, child.said())
        if message[0] == ERROR:
            raise message[1]
        return message[1]
    finally:
        child.end()


def _exchange(child: _Child, job: tuple, progress: Report) -> tuple | None:
    """Send the job, report the steps; the last message (value or error), None if none came."""
    stdin, stdout = child.process.stdin, child.process.stdout
    assert stdin is not None and stdout is not None
    try:
        pickle.dump(job, stdin, protocol=pickle.HIGHEST_PROTOCOL)
        stdin.flush()
    except BrokenPipeError:  # it died starting
        return None
    while True:
        try:  # an unpickler a message: each message is pickled on its own, its memo its own
            message = _Receiver(stdout, child.folder).load()
        except EOFError:
            return None
        if message[0] != STEP:
            return message
        progress(message[1])


def _death(status: int, said: str) -> BaseException:
    """What a child that ended without a word died of."""
    how = f"signal {-status}" if status < 0 else f"exit status {status}"
    killed = status in (-signal.SIGABRT, -signal.SIGKILL)  # Rust's abort; the kernel's OOM killer
    if killed or looks_out_of_memory(said):
        return MemoryError(f"the separate process ran out of memory ({how})")
    last = "\n".join(said.strip().splitlines()[-20:])
    return RuntimeError(f"the separate process ended ({how})" + (f":\n{last}" if last else ""))


class _Sender(pickle.Pickler):
    """Pickles a message with each Polars frame in it written to an IPC file in `folder`."""

    def __init__(self, file: io.BytesIO, folder: str):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.folder, self.count = folder, 0

    def persistent_id(self, obj: Any) -> str | None:
        import polars as pl

        if not isinstance(obj, pl.DataFrame):
            return None
        self.count += 1
        name = f"{self.count}.arrow"
        obj.write_ipc(os.path.join(self.folder, name))
        return name


class _Receiver(pickle.Unpickler):
    """Unpickles the child's messages, reading each frame back from its file and removing it."""

    def __init__(self, file: Any, folder: Path):
        super().__init__(file)
        self.folder = folder

    def persistent_load(self, pid: Any) -> Any:
        import polars as pl

        path = self.folder / str(pid)
        try:
            return pl.read_ipc(path)
        finally:
            path.unlink(missing_ok=True)


def serve(folder: str, warm: list[str]) -> None:
    """The child: import the modules `warm`, read the job from standard input, run it, send the
    steps and the value or the error on standard output (stray prints go to standard error, its
    frames to IPC files in `folder`), exit."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to act on
    channel = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    for module in warm:  # ahead of the job; one that fails fails again, said, with the job
        with contextlib.suppress(ImportError):
            __import__(module)
    try:
        function, args = pickle.load(sys.stdin.buffer)
    except EOFError:  # the parent went away before it had a job
        _orphaned(folder)
    threading.Thread(target=_orphaned_when_closed, args=(folder,), daemon=True).start()
    lock = threading.Lock()

    def send(message: tuple) -> None:
        buffer = io.BytesIO()  # whole, or nothing: a message that fails to pickle is not half sent
        _Sender(buffer, folder).dump(message)
        with lock:
            channel.write(buffer.getvalue())
            channel.flush()

    def report(step: Step) -> None:
        send((STEP, step))

    try:
        value = function(*args, progress=report)
        try:
            send((VALUE, value))
        except OSError as error:  # its frames' files: a full or vanished temporary folder
            send((ERROR, CannotHandBack(f"cannot hand the value back: {reason(error)}")))
    except BaseException as error:  # handed to the parent, which raises it
        error.add_note(f"in the separate process:\n{traceback.format_exc()}")
        try:
            pickle.loads(pickle.dumps(error))  # one the parent could not rebuild is not sent
            send((ERROR, error))
        except Exception:  # an error that does not pickle and unpickle: its words
            send((ERROR, RuntimeError(f"{type(error).__name__}: {error}\n{error.__notes__[-1]}")))
    channel.close()
    os._exit(0)  # what it holds goes with the process, without being freed piece by piece


def _orphaned_when_closed(folder: str) -> None:
    """Quit when the parent goes away (its end of standard input closes)."""
    while sys.stdin.buffer.read(1 << 16):
        pass
    _orphaned(folder)


def _orphaned(folder: str) -> None:
    """Quit, the parent gone: nobody else will remove the folder."""
    shutil.rmtree(folder, ignore_errors=True)
    os._exit(_ORPHANED)
