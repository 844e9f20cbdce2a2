"""Write output files whole or not at all.

Every file deconf writes (results, reports and their charts, schemas, the store's manifest) goes
to a temporary file beside its target, is flushed to disk, and only then renamed over the target:
a full disk, a missing directory or a kill leaves the old file (or none), never half of a new one.
A failure is an :class:`OutputError` naming the path and the reason in one line.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

from deconf.errors import OutputError

TEMPORARY_SUFFIX = ".tmp"
_OS_ERROR_RE = re.compile(r"\(os error (\d+)\)")


def temporary_name(path: Path) -> Path:
    """Where `path` is written before it is renamed into place: a hidden file beside it."""
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}{TEMPORARY_SUFFIX}")


def is_temporary(path: Path) -> bool:
    return path.name.startswith(".") and path.name.endswith(TEMPORARY_SUFFIX)


def reason(error: BaseException) -> str:
    """An OS error in plain words ("No space left on device"), without the Python around it."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    text = str(error).strip()
    code = _OS_ERROR_RE.search(text)  # Polars: "No space left on device (os error 28): path"
    if code:
        return os.strerror(int(code.group(1)))
    lines = text.splitlines()
    return lines[0] if lines else type(error).__name__


def make_directory(directory: Path | str) -> Path:
    """`directory`, created with its parents if need be; an OutputError saying why not."""
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise OutputError(f"{directory}: cannot write into it: not a directory")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"{directory}: cannot create the directory: {reason(error)}") from None
    return directory


def _check_target(path: Path) -> None:
    if path.is_dir():
        raise OutputError(f"{path}: cannot write: is a directory")
    parent = path.parent
    if not parent.exists():
        raise OutputError(f"{path}: cannot write: no directory {parent}")
    if not parent.is_dir():
        raise OutputError(f"{path}: cannot write: {parent} is not a directory")


def sync_directory(directory: Path) -> None:
    """Make a rename in `directory` durable (best effort: not every file system allows it)."""
    with suppress(OSError):
        handle = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def is_special(path: Path) -> bool:
    """A target that is no regular file (/dev/null, a named pipe, a terminal): written through,
    never replaced, or a rename would put a file where the device was."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


@contextmanager
def replacing(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path to write `path`'s new content to; on success it replaces `path`,
    on any failure it is removed and an OutputError names `path` and why. A special file
    (`is_special`) is written through from a temporary file elsewhere instead."""
    path = Path(path)
    _check_target(path)
    special = is_special(path)
    temporary = _scratch_name() if special else temporary_name(path)
    try:
        yield temporary
        if special:
            _copy_through(temporary, path)
            _remove(temporary)
            return
        _fsync_file(temporary)
        os.replace(temporary, path)
    except OutputError:
        _remove(temporary)
        raise
    except Exception as error:  # OSError, or a writer's own error for the same cause
        _remove(temporary)
        if isinstance(error, OSError) or _is_io_error(error):
            raise OutputError(f"{path}: cannot write: {reason(error)}") from None
        raise
    sync_directory(path.parent)


def _scratch_name() -> Path:
    return Path(tempfile.gettempdir()) / f".deconf-{secrets.token_hex(6)}.tmp"


def _copy_through(source: Path, target: Path) -> None:
    with source.open("rb") as reading, target.open("wb") as writing:
        shutil.copyfileobj(reading, writing, 1 << 20)


def write_text(path: Path | str, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path | str, data: bytes) -> None:
    with replacing(path) as temporary, temporary.open("xb") as handle:
        handle.write(data)


def write_with(path: Path | str, writer: Callable[[Path], object]) -> None:
    """Write `path` with a function that writes a file at the path it is given (a Parquet
    writer, say), through a temporary file like everything else."""
    with replacing(path) as temporary:
        writer(temporary)


def write_files(contents: Mapping[Path, str]) -> None:
    """Write several text files as one output (a report and its charts): every one goes to a
    temporary file first, so a failure leaves none of them half written."""
    temporaries: dict[Path, Path] = {}
    try:
        for path, text in contents.items():
            path = Path(path)
            _check_target(path)
            temporary = _scratch_name() if is_special(path) else temporary_name(path)
            temporaries[path] = temporary
            with temporary.open("xb") as handle:
                handle.write(text.encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
    except OSError as error:
        for temporary in temporaries.values():
            _remove(temporary)
        failed = next(reversed(temporaries), None)
        raise OutputError(f"{failed}: cannot write: {reason(error)}") from None
    except OutputError:
        for temporary in temporaries.values():
            _remove(temporary)
        raise
    for path, temporary in temporaries.items():
        if is_special(path):
            _copy_through(temporary, path)
            _remove(temporary)
            continue
        os.replace(temporary, path)
        sync_directory(path.parent)


def _fsync_file(path: Path) -> None:
    if not path.exists():
        raise OutputError(f"{path}: the writer wrote nothing")
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _remove(path: Path) -> None:
    with suppress(OSError):
        path.unlink()


def _is_io_error(error: Exception) -> bool:
    """A writer's own exception (Polars wraps OS errors) that stands for an OS error."""
    text = str(error).lower()
    words = (os.strerror(code).lower() for code in (errno.ENOSPC, errno.EACCES, errno.EDQUOT))
    return any(w in text for w in words) or _OS_ERROR_RE.search(text) is not None
