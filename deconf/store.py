"""The embedded store: plain Parquet files partitioned by month, a hash-chained manifest, a lock.

Layout of a store directory::

    manifest.jsonl                      one line per ingest, each hash-chained to the one before
    contacts/month=2018-02/ingest-000001-<id>.parquet
    events/month=2018-02/ingest-000001-<id>.parquet
    rejects.jsonl                       rejected lines, verbatim, with their reasons
    .lock                               held while an ingest writes
    prepared/<key>/                     derived: the browser's first screen (`deconf.prepared`)

The manifest is the commit point: data files are written first, the rejected lines appended,
then the manifest is replaced atomically (temp file + rename). Only what the manifest lists is
part of the store: the files it names (with their size and hash) and the first `rejects_bytes`
of the rejects file. So a crash at any point of an ingest leaves the store exactly as it was,
plus *leftovers* — files of the ingest that never committed, a tail of rejected lines, a
temporary file — which every reader ignores and the next ingest (or `Store.repair`) removes.
Any Arrow engine (DuckDB, Spark, pyarrow) reads the Parquet as is, with hive partitioning.
Checking a store (cheaply, or by re-hashing it) is `deconf.integrity`.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import secrets
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
import polars as pl

from deconf.atomic import is_temporary, reason, sync_directory, write_text
from deconf.errors import InputError, OutputError, StoreError, StoreMismatch
from deconf.frames import CONTACT_SCHEMA, EVENT_SCHEMA, Col, Records, in_record_order_sorted
from deconf.idindex import HASHED_BY, INDEX, INDEX_SCHEMA, index_of
from deconf.opening import digest

if TYPE_CHECKING:
    from deconf.validation import FileResult, Validation
from deconf.version import __version__

MANIFEST = "manifest.jsonl"
REJECTS = "rejects.jsonl"
LOCK = ".lock"
TABLES = {"contacts": (Col.SENT_AT, CONTACT_SCHEMA), "events": (Col.AT, EVENT_SCHEMA)}
GENESIS = "0" * 64
STORE_ENV = "DECONF_STORE"
#: How an ingest names its data files: the ingest's sequence number and a random token.
DATA_FILE_RE = re.compile(r"ingest-(\d{6,})-[0-9a-f]+(?:-\d+)?\.parquet")
#: An ingest writes its new records out every this many (one file a month and table each time):
#: memory holds this many records at most, whatever the size of the log.
FLUSH_RECORDS = 1_000_000


def default_store() -> Path:
    """``$DECONF_STORE``, else the per-user data directory (e.g. ~/.local/share/deconf/store)."""
    configured = os.environ.get(STORE_ENV)
    if configured:
        return Path(configured)
    return Path(platformdirs.user_data_dir("deconf")) / "store"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_prefix(path: Path, size: int) -> str:
    """SHA-256 of the first `size` bytes of a file (the committed part of the rejects file)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        left = size
        while left > 0:
            block = handle.read(min(left, 1 << 20))
            if not block:
                break
            digest.update(block)
            left -= len(block)
    return digest.hexdigest()


def entry_hash(entry: dict[str, Any]) -> str:
    """The hash of a manifest entry: SHA-256 of its canonical JSON, without its own hash."""
    body = {k: v for k, v in entry.items() if k != "hash"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass
class IngestResult:
    validation: Validation
    new_records: int
    entry: dict[str, Any]


class Store:
    """A deconf store directory."""

    def __init__(self, root: str | Path | None = None):
        self.root = Path(root) if root is not None else default_store()

    # ------------------------------------------------------------ reading

    def manifest(self) -> list[dict[str, Any]]:
        path = self.root / MANIFEST
        if not path.exists():
            return []
        entries = []
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise StoreMismatch(f"{path}: cannot be read ({reason(error)})") from None
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except (json.JSONDecodeError, RecursionError, ValueError):
                raise StoreMismatch(f"{path}:{number}: manifest line is not valid JSON") from None
            if not _well_formed(entry):
                raise StoreMismatch(f"{path}:{number}: not a manifest entry")
            entries.append(entry)
        return entries

    def started(self) -> bool:
        """Whether this is a store, committed to or not (an interrupted first ingest leaves a
        store with a lock and no manifest)."""
        return self.exists() or (self.root / LOCK).is_file()

    def committed_rejects(
        self, entries: list[dict[str, Any]] | None = None
    ) -> tuple[int | None, str | None]:
        """(size, SHA-256) of the rejects file as the last ingest left it; size None when the
        manifest predates recording it (the whole file is then the committed part)."""
        entries = self.manifest() if entries is None else entries
        for entry in reversed(entries):
            if entry.get("rejects_sha256"):
                return entry.get("rejects_bytes"), entry["rejects_sha256"]
        return 0, None

    def exists(self) -> bool:
        return (self.root / MANIFEST).exists()

    def data_files(self, table: str) -> list[Path]:
        """The Parquet files of a table that the manifest lists (the committed data)."""
        return [
            self.root / f["path"]
            for entry in self.manifest()
            for f in entry["files"]
            if f["table"] == table
        ]

    def rows(self, table: str) -> int:
        """How many records of a table the manifest lists (no data file is read)."""
        files = (f for entry in self.manifest() for f in entry["files"])
        return sum(f.get("rows", 0) for f in files if f["table"] == table)

    def scan(self, table: str) -> pl.LazyFrame:
        """A lazy scan of a table's committed files, so filters push down to the Parquet."""
        _, schema = TABLES[table]
        files = self.data_files(table)
        if not files:
            return pl.LazyFrame(schema=schema)
        # files written before a column was added read it as nulls
        return pl.scan_parquet(
            files, schema=schema, hive_partitioning=False, missing_columns="insert"
        )

    def load(
        self,
        contact_columns: Sequence[str] | None = None,
        event_columns: Sequence[str] | None = None,
        contacts_where: pl.Expr | None = None,
        until: datetime | None = None,
    ) -> Records:
        """Committed records in time order (ties by id). Columns, a contact filter and an upper
        time bound are pushed down to the Parquet scan, so only what is asked for is read;
        columns left out come back as nulls, so the frames keep their fixed schema."""
        frames = {}
        asked = {"contacts": (contact_columns, contacts_where), "events": (event_columns, None)}
        for table, (time_column, schema) in TABLES.items():
            columns, where = asked[table]
            scan = self.scan(table)
            if until is not None:
                scan = scan.filter(pl.col(time_column) <= pl.lit(until, dtype=schema[time_column]))
            if where is not None:
                scan = scan.filter(where)
            if columns is not None:
                scan = (
                    scan.select(columns)
                    .with_columns(
                        pl.lit(None, dtype=dtype).alias(name)
                        for name, dtype in schema.items()
                        if name not in columns
                    )
                    .select(schema.names())
                )
            frames[table] = in_record_order_sorted(scan.collect(), time_column)
        return Records(frames["contacts"], frames["events"])

    # ------------------------------------------------------------ writing

    @contextmanager
    def _locked(self) -> Iterator[None]:
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(f"{self.root}: is a file; a store is a directory")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            handle = (self.root / LOCK).open("a")
        except OSError as error:
            raise StoreError(f"{self.root}: cannot be used as a store ({reason(error)})") from None
        with handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def leftovers(self) -> list[Path]:
        """What interrupted ingests left: data files of an ingest that never committed and
        temporary files (readers ignore them). The rejects file's uncommitted tail is
        `rejects_tail`."""
        committed = len(self.manifest())
        found = [p for p in self.root.glob(".*") if is_temporary(p)]
        for table in (*TABLES, INDEX):
            for path in sorted((self.root / table).rglob("*")):
                if path.is_file() and is_temporary(path):
                    found.append(path)
                    continue
                match = DATA_FILE_RE.fullmatch(path.name)
                if match and path.is_file() and int(match.group(1)) > committed:
                    found.append(path)
        return sorted(found)

    def rejects_tail(self) -> int:
        """Bytes of the rejects file past what the last ingest committed (an interrupted
        ingest's), 0 when there are none or the committed part itself changed."""
        path = self.root / REJECTS
        size, sha = self.committed_rejects()
        if size is None or not path.is_file():
            return 0
        actual = path.stat().st_size
        if actual <= size or (sha is not None and sha256_prefix(path, size) != sha):
            return 0
        return actual - size

    def repair(self) -> list[str]:
        """Remove what interrupted ingests left (under the lock, so never an ingest's work in
        progress); what was removed, one line each. Tampering is not touched: `verify` names it."""
        with self._locked():
            return self._clean()

    def _clean(self) -> list[str]:
        removed = []
        for path in self.leftovers():
            path.unlink(missing_ok=True)
            removed.append(f"{path.relative_to(self.root).as_posix()}: removed")
            with suppress(OSError):  # the month directory, when it held nothing else
                path.parent.rmdir()
        tail = self.rejects_tail()
        if tail:
            size, _ = self.committed_rejects()
            with (self.root / REJECTS).open("r+b") as handle:
                handle.truncate(size)
                os.fsync(handle.fileno())
            removed.append(f"{REJECTS}: {tail} uncommitted bytes removed")
        return removed

    def ingest(self, validated: Iterable[FileResult]) -> IngestResult:
        """Append the new records of validated log files (or of their blocks, as they are
        validated: `deconf.loading.validate_blocks`) atomically and record the ingest.
        The cross-record checks run here, under the store's lock, against what it holds.
        What an interrupted ingest left is removed first; a store whose manifest and files do
        not match is not extended (StoreMismatch). A failure to write (a full disk) removes
        what this ingest wrote and raises StoreError: the store stays as it was."""
        from deconf.integrity import quick_check  # integrity reads the store: imported late

        with self._locked():
            self._clean()
            entries = self.manifest()
            problems = quick_check(self, entries)
            if problems:
                raise StoreMismatch(
                    f"{self.root}: manifest and files do not match ({problems[0]}); "
                    "not ingesting into it"
                )
            written: list[Path] = []  # the data files, then the rejects file and the manifest
            try:
                return self._ingest(validated, entries, written)
            except InputError:  # a later block is no log: what earlier blocks wrote goes too
                self._undo([p for p in written if p.suffix == ".parquet"])
                raise
            except (OSError, pl.exceptions.PolarsError, OutputError) as error:
                self._undo([p for p in written if p.suffix == ".parquet"])
                if isinstance(error, OutputError):
                    cause = error.message
                else:
                    where = written[-1].relative_to(self.root) if written else self.root
                    cause = f"{where}: {reason(error)}"
                raise StoreError(
                    f"{self.root}: ingest failed, nothing was added ({cause})"
                ) from None

    def _ingest(
        self, validated: Iterable[FileResult], entries: list[dict[str, Any]], written: list[Path]
    ) -> IngestResult:
        """Check and write block by block: new records are buffered and written out every
        FLUSH_RECORDS, so memory holds a buffer and the run's id index, not the log."""
        from deconf.runningcheck import RunningCheck  # validation's machinery: ingests only

        running = RunningCheck(self.id_index(entries))
        sequence = len(entries) + 1
        token, parts, files = secrets.token_hex(4), 0, []
        names: list[str] = []  # each source once, in the order read
        buffer: list[Records] = []
        for block in validated:
            if block.source not in names:
                names.append(block.source)
            buffer.append(running.add(block))
            if sum(len(b) for b in buffer) >= FLUSH_RECORDS:
                files += self._write_tables(Records.concat(buffer), sequence, written, token, parts)
                buffer, parts = [], parts + 1
        files += self._write_tables(Records.concat(buffer), sequence, written, token, parts)
        validation = running.finish()
        files += self._write_index(running.seen, running.new, sequence, written)
        sources = [_describe_source(name) for name in names]
        seen = {s["sha256"] for e in entries for s in e.get("sources", [])}
        new_rejects = [r for r in validation.rejected if _sha_of(sources, r.file) not in seen]
        rejects = self.root / REJECTS
        if new_rejects:
            written.append(rejects)
            self._append_rejects(sequence, new_rejects)
        entry = {
            "sequence": sequence,
            "ingested_at": datetime.now(UTC).isoformat(),
            "deconf_version": __version__,
            "sources": sources,
            "lines": validation.lines,
            "accepted": validation.accepted,
            "rejected": len(validation.rejected),
            "warnings": len(validation.warnings),
            "new": running.new,
            "already_stored": validation.already_stored,
            "identical_duplicates": validation.identical_duplicates,
            "files": files,
            "rejects_sha256": sha256_file(rejects) if rejects.exists() else None,
            "rejects_bytes": rejects.stat().st_size if rejects.exists() else None,
            "previous_hash": entries[-1]["hash"] if entries else GENESIS,
        }
        entry["hash"] = entry_hash(entry)
        written.append(self.root / MANIFEST)
        self._commit([*entries, entry])
        return IngestResult(validation, running.new, entry)

    def _undo(self, written: list[Path]) -> None:
        """Best effort after a failed ingest: its files go (the next ingest removes whatever
        could not be removed now, e.g. on a full disk)."""
        for path in written:
            with suppress(OSError):
                path.unlink(missing_ok=True)
        with suppress(OSError):
            self._clean()

    def _write_tables(
        self, records: Records, sequence: int, written: list[Path], token: str, part: int
    ) -> list[dict[str, Any]]:
        """One file a month and table of `records`: part `part` of ingest `sequence`."""
        files = []
        name = f"ingest-{sequence:06d}-{token}" + (f"-{part}" if part else "") + ".parquet"
        for table, frame in (("contacts", records.contacts), ("events", records.events)):
            if frame.is_empty():
                continue
            time_column, _ = TABLES[table]
            months = frame.with_columns(pl.col(time_column).dt.strftime("%Y-%m").alias("_month"))
            for (month,), part in months.group_by("_month", maintain_order=True):
                relative = Path(table) / f"month={month}" / name
                target = self.root / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                written.append(target)
                part.drop("_month").sort(time_column, Col.ID).write_parquet(target)
                with target.open("rb+") as handle:
                    os.fsync(handle.fileno())
                files.append(
                    {
                        "table": table,
                        "path": relative.as_posix(),
                        "rows": part.height,
                        "bytes": target.stat().st_size,
                        "sha256": sha256_file(target),
                    }
                )
        return files

    def id_index(self, entries: list[dict[str, Any]] | None = None) -> pl.DataFrame:
        """Id, table, origin, content hash and time of every stored record, read from the index
        files the ingests wrote (`deconf.idindex`); from the data itself when an ingest wrote
        none or another Polars version hashed it."""
        entries = self.manifest() if entries is None else entries
        indexed, complete = [], True
        for entry in entries:
            files = entry.get("files", [])
            ours = [f for f in files if f["table"] == INDEX and f.get("hashed_by") == HASHED_BY]
            complete &= bool(ours) or not any(f["table"] in TABLES for f in files)
            indexed += ours
        if not complete:
            return index_of(self.load())
        if not indexed:
            return pl.DataFrame(schema=INDEX_SCHEMA)
        return pl.read_parquet([self.root / f["path"] for f in indexed]).cast(INDEX_SCHEMA)

    def _write_index(
        self, index: pl.LazyFrame, rows: int, sequence: int, written: list[Path]
    ) -> list[dict[str, Any]]:
        if rows == 0:
            return []
        relative = Path(INDEX) / f"ingest-{sequence:06d}-{secrets.token_hex(4)}.parquet"
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        written.append(target)
        index.sink_parquet(target)  # in batches: the index of a long log is never whole
        with target.open("rb+") as handle:
            os.fsync(handle.fileno())
        digest_ = sha256_file(target)
        return [
            {
                "table": INDEX,
                "path": relative.as_posix(),
                "rows": rows,
                "bytes": target.stat().st_size,
                "sha256": digest_,
                "hashed_by": HASHED_BY,
            }
        ]

    def _append_rejects(self, sequence: int, rejected) -> None:
        """Append to the rejects file (its committed part is never rewritten; an uncommitted
        tail was cut off before this ingest began, so a retried ingest adds its lines once)."""
        lines = [
            json.dumps(
                {
                    "ingest": sequence,
                    "file": r.file,
                    "line": r.line,
                    "text": r.text,
                    "reasons": [f"{p.field}: {p.message}" for p in r.problems],
                },
                ensure_ascii=False,
            )
            for r in rejected
        ]
        with (self.root / REJECTS).open("ab") as handle:
            handle.write(("\n".join(lines) + "\n").encode("utf-8", "backslashreplace"))
            handle.flush()
            os.fsync(handle.fileno())

    def _commit(self, entries: list[dict[str, Any]]) -> None:
        text = "".join(json.dumps(e, sort_keys=True, ensure_ascii=False) + "\n" for e in entries)
        write_text(self.root / MANIFEST, text)
        sync_directory(self.root)

    # ------------------------------------------------------------ verifying

    def verify(self) -> list[str]:
        """Everything that does not match what the manifest recorded, every file re-hashed;
        empty when intact (leftovers of interrupted ingests are not problems: `leftovers`)."""
        from deconf.integrity import verify  # integrity reads the store: imported late

        return verify(self).problems

    def rejects(self) -> list[dict[str, Any]]:
        """The rejected lines kept in the store, with their reasons."""
        path = self.root / REJECTS
        if not path.exists():
            return []
        size, _ = self.committed_rejects()
        with path.open("rb") as handle:
            data = handle.read() if size is None else handle.read(size)
        found = []
        for line in data.decode("utf-8", "replace").splitlines():
            if not line.strip():
                continue
            try:
                found.append(json.loads(line))
            except (json.JSONDecodeError, RecursionError, ValueError):
                raise StoreMismatch(f"{path}: a line is not valid JSON") from None
        return found

    def chain_hash(self) -> str:
        entries = self.manifest()
        return entries[-1]["hash"] if entries else GENESIS


def _well_formed(entry: Any) -> bool:
    """An entry readers can use without tripping: hand edits that break this are refused
    before anything reads the files they name (and no listed path leaves the store)."""
    if not isinstance(entry, dict):
        return False
    files, sources = entry.get("files", []), entry.get("sources", [])
    if not isinstance(files, list) or not isinstance(sources, list):
        return False
    for item in files:
        if not isinstance(item, dict) or item.get("table") not in (*TABLES, INDEX):
            return False
        relative = item.get("path")
        if not isinstance(relative, str) or ".." in Path(relative).parts:
            return False
        if Path(relative).is_absolute():
            return False
    counts = ("lines", "accepted", "rejected")
    return all(isinstance(entry.get(k, 0), int) for k in counts) and all(
        isinstance(s, dict) and {"path", "sha256", "bytes"} <= s.keys() for s in sources
    )


def _describe_source(source: str) -> dict[str, Any]:
    sha256, size = digest(source)  # a file as stored, or standard input as it was read
    return {"path": source, "sha256": sha256, "bytes": size}


def _sha_of(sources: list[dict[str, Any]], file: str) -> str | None:
    return next((s["sha256"] for s in sources if s["path"] == file), None)
