"""Load and validate whole logs: the entry point the CLI, the store and the Python API share.

Each source is validated on its own (`validate_files`), then the cross-record checks run over all
of them together (`cross_check`), against what a store holds when records are ingested.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import polars as pl

from deconf.crosscheck import cross_check
from deconf.errors import InputError
from deconf.logpaths import PathLike, as_paths, distinct
from deconf.opening import COMPRESSED_SUFFIXES
from deconf.progress import BYTES, Report, Step, silent, size_of
from deconf.reading import RawLog, read_log, read_log_blocks, read_mappings
from deconf.times import check_zone
from deconf.validation import FileResult, Validation, validate_raw


def validate_files(
    paths: PathLike | Sequence[PathLike],
    *,
    input_format: str | None = None,
    assume_tz: str | None = None,
    keep_extra: bool = False,
    progress: Report = silent,
) -> list[FileResult]:
    """Read and validate each log file on its own (no cross-record checks yet), reporting the
    bytes done file by file. Raises InputError for input that is no log."""
    check_zone(assume_tz)
    files, _ = distinct(as_paths(paths))
    if not files:
        raise InputError("no log file given")
    sizes = [size_of(p) for p in files]
    total = None if None in sizes else sum(sizes)
    results, done = [], 0
    for path, size in zip(files, sizes, strict=True):
        progress(Step(f"validating {path.name}", done, total, BYTES))
        results.append(
            validate_raw(read_log(path, input_format), assume_tz=assume_tz, keep_extra=keep_extra)
        )
        done += size or 0
    progress(Step("validated", done, total, BYTES))
    return results


def validate_blocks(
    paths: PathLike | Sequence[PathLike],
    *,
    input_format: str | None = None,
    assume_tz: str | None = None,
    keep_extra: bool = False,
    progress: Report = silent,
) -> Iterator[FileResult]:
    """Read and validate log files block by block, lazily, in order (no cross-record checks:
    `deconf.runningcheck` does them as the blocks come): memory holds a block, not a log.
    Raises InputError for input that is no log."""
    check_zone(assume_tz)
    files, _ = distinct(as_paths(paths))
    if not files:
        raise InputError("no log file given")
    # bytes read are counted decompressed: a total is known only when nothing is compressed
    sizes = [None if p.suffix.lower() in COMPRESSED_SUFFIXES else size_of(p) for p in files]
    total = None if None in sizes else sum(sizes)  # type: ignore[arg-type]
    done = 0

    def validated(raw: RawLog) -> FileResult:
        return validate_raw(raw, assume_tz=assume_tz, keep_extra=keep_extra)

    # a block is validated in a thread while the caller checks the one before (Polars releases
    # the interpreter, so the two overlap)
    with ThreadPoolExecutor(max_workers=1) as validator:
        for path in files:
            progress(Step(f"validating {path.name}", done, total, BYTES))
            pending: tuple[Future[FileResult], int] | None = None
            for raw in read_log_blocks(path, input_format):
                job = (validator.submit(validated, raw), raw.size)
                if pending is not None:
                    yield pending[0].result()
                    done += pending[1]
                    progress(Step(f"validating {path.name}", done, total, BYTES))
                pending = job
            if pending is not None:
                yield pending[0].result()
                done += pending[1]
                progress(Step(f"validating {path.name}", done, total, BYTES))
    progress(Step("validated", done, total, BYTES))


def validate_logs(
    paths: PathLike | Sequence[PathLike],
    *,
    input_format: str | None = None,
    assume_tz: str | None = None,
    keep_extra: bool = False,
) -> Validation:
    """Read and validate log files as one log. Raises InputError for input that is no log."""
    files = validate_files(
        paths, input_format=input_format, assume_tz=assume_tz, keep_extra=keep_extra
    )
    return cross_check(files)


def validate_records(
    records: Iterable[Mapping[str, Any]] | pl.DataFrame,
    *,
    assume_tz: str | None = None,
    keep_extra: bool = False,
    source: str = "<records>",
) -> Validation:
    """Validate records given as Python mappings or as a DataFrame with one record per row (the
    Python API's way in). A datetime without a zone is read like a timestamp string without
    one: in `assume_tz`, and refused without it."""
    check_zone(assume_tz)
    rows = records.to_dicts() if isinstance(records, pl.DataFrame) else records
    raw = read_mappings(rows, source)
    return cross_check([validate_raw(raw, assume_tz=assume_tz, keep_extra=keep_extra)])
