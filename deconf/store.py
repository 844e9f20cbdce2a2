"""The embedded store: plain Parquet files partitioned by month, a hash-chained manifest, a lock.

Layout of a store directory::

    manifest.jsonl                      one line per ingest, each hash-chained to the one before
    contacts/month=2018-02/ingest-000001-<id>.parquet
    events/month=2018-02/ingest-000001-<id>.parquet
    rejects.jsonl                       rejected lines, verbatim, with their reasons
    .lock                               held while an ingest writes

The manifest is the commit point: data files are written first, then the manifest is replaced
atomically (temp file + rename). Only files the manifest lists are part of the store, so a crash
mid-ingest leaves the store exactly as it was (at worst with unlisted files `verify` points out).
Any Arrow engine (DuckDB, Spark, pyarrow) reads the Parquet as is, with hive partitioning.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs
import polars as pl

from deconf.crosscheck import cross_check
from deconf.errors import StoreError
from deconf.frames import CONTACT_SCHEMA, EVENT_SCHEMA, Col, Records
from deconf.idindex import HASHED_BY, INDEX, INDEX_SCHEMA, index_of
from deconf.opening import digest
from deconf.validation import FileResult, Validation
from deconf.version import __version__

MANIFEST = "manifest.jsonl"
REJECTS = "rejects.jsonl"
LOCK = ".lock"
TABLES = {"contacts": (Col.SENT_AT, CONTACT_SCHEMA), "events": (Col.AT, EVENT_SCHEMA)}
GENESIS = "0" * 64
STORE_ENV = "DECONF_STORE"


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
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                raise StoreError(f"{path}:{number}: manifest line is not valid JSON") from None
        return entries

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
            frames[table] = scan.sort(time_column, Col.ID).collect()
        return Records(frames["contacts"], frames["events"])

    # ------------------------------------------------------------ writing

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / LOCK).open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def ingest(self, validated: Sequence[FileResult]) -> IngestResult:
        """Append the new records of validated log files atomically and record the ingest.
        The cross-record checks run here, under the store's lock, against what it holds."""
        with self._locked():
            entries = self.manifest()
            validation = cross_check(list(validated), stored=self.id_index(entries))
            sequence = len(entries) + 1
            files = self._write_tables(validation.records, sequence)
            files += self._write_index(validation.records, sequence)
            sources = [_describe_source(f.source) for f in validated]
            seen = {s["sha256"] for e in entries for s in e.get("sources", [])}
            new_rejects = [r for r in validation.rejected if _sha_of(sources, r.file) not in seen]
            if new_rejects:
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
                "new": len(validation.records),
                "already_stored": validation.already_stored,
                "identical_duplicates": validation.identical_duplicates,
                "files": files,
                "rejects_sha256": sha256_file(self.root / REJECTS)
                if (self.root / REJECTS).exists()
                else None,
                "previous_hash": entries[-1]["hash"] if entries else GENESIS,
            }
            entry["hash"] = entry_hash(entry)
            self._commit([*entries, entry])
            return IngestResult(validation, len(validation.records), entry)

    def _write_tables(self, records: Records, sequence: int) -> list[dict[str, Any]]:
        written = []
        token = secrets.token_hex(4)
        for table, frame in (("contacts", records.contacts), ("events", records.events)):
            if frame.is_empty():
                continue
            time_column, _ = TABLES[table]
            months = frame.with_columns(pl.col(time_column).dt.strftime("%Y-%m").alias("_month"))
            for (month,), part in months.group_by("_month", maintain_order=True):
                relative = Path(table) / f"month={month}" / f"ingest-{sequence:06d}-{token}.parquet"
                target = self.root / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                part.drop("_month").sort(time_column, Col.ID).write_parquet(target)
                written.append(
                    {
                        "table": table,
                        "path": relative.as_posix(),
                        "rows": part.height,
                        "sha256": sha256_file(target),
                    }
                )
        return written

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

    def _write_index(self, records: Records, sequence: int) -> list[dict[str, Any]]:
        index = index_of(records)
        if index.is_empty():
            return []
        relative = Path(INDEX) / f"ingest-{sequence:06d}-{secrets.token_hex(4)}.parquet"
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        index.write_parquet(target)
        digest_ = sha256_file(target)
        return [
            {
                "table": INDEX,
                "path": relative.as_posix(),
                "rows": index.height,
                "sha256": digest_,
                "hashed_by": HASHED_BY,
            }
        ]

    def _append_rejects(self, sequence: int, rejected) -> None:
        path = self.root / REJECTS
        old = path.read_text(encoding="utf-8") if path.exists() else ""
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
        _atomic_write(path, old + "\n".join(lines) + "\n")

    def _commit(self, entries: list[dict[str, Any]]) -> None:
        text = "".join(json.dumps(e, sort_keys=True, ensure_ascii=False) + "\n" for e in entries)
        _atomic_write(self.root / MANIFEST, text)

    # ------------------------------------------------------------ verifying

    def verify(self) -> list[str]:
        """Everything that does not match what the manifest recorded; empty when intact."""
        if not self.exists():
            raise StoreError(f"{self.root}: not a deconf store (no {MANIFEST})")
        problems = []
        previous = GENESIS
        listed = set()
        entries = self.manifest()
        for entry in entries:
            number = entry.get("sequence")
            if entry.get("previous_hash") != previous:
                problems.append(f"manifest entry {number}: chain broken (previous hash differs)")
            if entry_hash(entry) != entry.get("hash"):
                problems.append(f"manifest entry {number}: edited after it was written")
            previous = entry.get("hash")
            for f in entry.get("files", []):
                listed.add(f["path"])
                path = self.root / f["path"]
                if not path.exists():
                    problems.append(f"{f['path']}: missing (ingest {number})")
                elif sha256_file(path) != f["sha256"]:
                    problems.append(f"{f['path']}: content changed since ingest {number}")
        rejects = self.root / REJECTS
        expected = next(
            (e["rejects_sha256"] for e in reversed(entries) if e.get("rejects_sha256")), None
        )
        if expected and (not rejects.exists() or sha256_file(rejects) != expected):
            problems.append(f"{REJECTS}: changed since the last ingest")
        for table in (*TABLES, INDEX):
            for path in sorted((self.root / table).rglob("*.parquet")):
                relative = path.relative_to(self.root).as_posix()
                if relative not in listed:
                    problems.append(
                        f"{relative}: not part of any ingest "
                        "(left by an interrupted ingest, or added by hand)"
                    )
        return problems

    def rejects(self) -> list[dict[str, Any]]:
        """The rejected lines kept in the store, with their reasons."""
        path = self.root / REJECTS
        if not path.exists():
            return []
        return [
            json.loads(line)
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]

    def chain_hash(self) -> str:
        entries = self.manifest()
        return entries[-1]["hash"] if entries else GENESIS


def _describe_source(source: str) -> dict[str, Any]:
    sha256, size = digest(source)  # a file as stored, or standard input as it was read
    return {"path": source, "sha256": sha256, "bytes": size}


def _sha_of(sources: list[dict[str, Any]], file: str) -> str | None:
    return next((s["sha256"] for s in sources if s["path"] == file), None)


def _atomic_write(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
