"""The browser's first screen, prepared by the ingest.

At a million records the browser's first screen (the exchanges list) waited some 2.5 s on the
linking and the grouping into exchanges, after the store was read. That work depends only on
the stored records, the policy and the code that does it, so an ingest does it once — for the
default policy and as-of time (the records' latest) — and keeps the exchanges and every record's
exchange beside the data, in `prepared/<key>/`. The key hashes the stored data (the data files'
SHA-256 as the manifest lists them), the policy, and deconf's and Polars' code: other data, rules
or code give another key, so a prepared screen is never shown for anything else. The browser
shows it at once, computes the analysis behind it while the reader looks (its other screens need
that anyway), and checks the two agree (`tui/app.py`).

Derived data, not evidence: the manifest does not list these files and `deconf verify` does not
read them; removing the directory only makes the next browse compute its first screen. A store
above `PREPARED_UP_TO` contacts is not prepared: the whole analysis in memory would break the
ingest's bounded memory.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

from deconf.analysis import CONTACT_COLUMNS, analyze
from deconf.analysis.asof import latest_timestamp
from deconf.atomic import TEMPORARY_SUFFIX, is_temporary, reason, sync_directory
from deconf.errors import OutputError
from deconf.policy import Policy
from deconf.progress import Report, Step, silent
from deconf.store import TABLES, Store

#: The directory in a store that holds prepared first screens.
PREPARED = "prepared"
EXCHANGES_FILE = "exchanges.parquet"
MEMBERSHIP_FILE = "membership.parquet"
#: Bump when what is kept here changes shape.
FORMAT = 1
#: The largest store (in contacts) an ingest prepares: its analysis takes some 0.6 GB a million
#: contacts, against the ingest's 2 GB bound at 10M.
PREPARED_UP_TO = 2_000_000
#: A temporary directory older than this was left by an interrupted ingest.
_ABANDONED_AFTER = 3600.0


@dataclass(frozen=True)
class Prepared:
    """A first screen as the analysis gives it: `Analysis.exchanges` and `.membership`."""

    exchanges: pl.DataFrame
    membership: pl.DataFrame


@cache
def code_fingerprint() -> str:
    """A hash of the code that computes a first screen: every module of deconf, and Polars'
    version. Any edit (an upgrade, a local change) gives another key."""
    package = Path(__file__).parent
    digest = hashlib.sha256(pl.__version__.encode())
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def key(store: Store, policy: Policy) -> str:
    """What a prepared first screen is for: the stored data, the policy, the code."""
    files = sorted(
        f["sha256"] for entry in store.manifest() for f in entry["files"] if f["table"] in TABLES
    )
    described = {
        "format": FORMAT,
        "code": code_fingerprint(),
        "data": files,
        "policy": policy.model_dump(mode="json"),
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()


def load_prepared(store: Store, policy: Policy) -> Prepared | None:
    """The first screen prepared for the store as it is and this policy, if an ingest
    prepared it and it can be read; None otherwise (the browser then computes it)."""
    folder = store.root / PREPARED / key(store, policy)
    try:
        return Prepared(
            pl.read_parquet(folder / EXCHANGES_FILE), pl.read_parquet(folder / MEMBERSHIP_FILE)
        )
    except (OSError, pl.exceptions.PolarsError):
        return None


def compute(store: Store, policy: Policy) -> Prepared | None:
    """The first screen the browser would compute from the store: the analysis of every
    stored record as of the latest of them, under `policy`. None for a store without contacts."""
    records = store.load(contact_columns=CONTACT_COLUMNS)
    if records.contacts.is_empty():
        return None
    analysis = analyze(records, policy, latest_timestamp(records))
    return Prepared(analysis.exchanges, analysis.membership)


def wanted(store: Store) -> bool:
    """Whether an ingest prepares this store's first screen: it has contacts, and no more than
    `PREPARED_UP_TO`."""
    return 0 < store.rows("contacts") <= PREPARED_UP_TO


def is_prepared(store: Store, policy: Policy | None = None) -> bool:
    return (store.root / PREPARED / key(store, policy or Policy())).is_dir()


def prepare(store: Store, policy: Policy | None = None, progress: Report = silent) -> bool:
    """Prepare the browser's first screen of the store as it is now (after an ingest), unless
    it is prepared already, or not `wanted`; True when a prepared screen is there afterwards.
    Older ones are removed first; the new one is written whole or not at all (a temporary
    directory renamed into place). OutputError when it cannot be written (a full disk): the
    store itself is untouched by that."""
    policy = policy or Policy()
    if not wanted(store):
        return False
    name = key(store, policy)
    folder = store.root / PREPARED
    target = folder / name
    _remove_others(folder, keep=name)  # first: stale ones free their room for the new one
    if not target.is_dir():
        progress(Step("preparing the browser's first screen"))
        prepared = compute(store, policy)
        if prepared is None:
            return False
        _write(folder, target, prepared)
    return True


def _write(folder: Path, target: Path, prepared: Prepared) -> None:
    scratch = folder / f".{target.name}.{time.time_ns()}{TEMPORARY_SUFFIX}"
    try:
        scratch.mkdir(parents=True)
        for frame, file in (
            (prepared.exchanges, EXCHANGES_FILE),
            (prepared.membership, MEMBERSHIP_FILE),
        ):
            frame.write_parquet(scratch / file)
            with (scratch / file).open("rb+") as handle:
                os.fsync(handle.fileno())
        try:
            scratch.rename(target)
        except OSError:
            if not target.is_dir():  # not another ingest's prepared screen of the same key
                raise
        sync_directory(folder)
    except (OSError, pl.exceptions.PolarsError) as error:
        problem = f"{folder}: cannot write the prepared first screen ({reason(error)})"
        raise OutputError(problem) from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _remove_others(folder: Path, keep: str) -> None:
    """Prepared screens of other data, and temporary directories an interrupted ingest left."""
    if not folder.is_dir():
        return
    now = time.time()
    for path in folder.iterdir():
        if path.name == keep:
            continue
        if is_temporary(path):
            try:
                if now - path.stat().st_mtime < _ABANDONED_AFTER:
                    continue  # another ingest may be writing it
            except OSError:
                continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)

