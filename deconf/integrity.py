"""Does a store still hold what its manifest says? Two answers at two prices.

- `quick_check`: the chain of manifest entries (each entry's hash and its link to the one
  before) and the size of every file the manifest lists. Cheap enough to run before every
  analysis, so the front ends refuse a store whose files were removed, truncated, swapped for
  others of another size, or whose manifest was edited.
- `verify`: all of that, and every file re-hashed (`deconf verify`). It tells *leftovers* of an
  interrupted ingest (files named for the ingest that never committed, temporary files, a tail
  of rejected lines past the committed end: ignored by every reader, removed by the next ingest
  or `Store.repair`) from *tampering* (a listed file changed or missing, a file added under a
  committed ingest's name, an edited manifest or rejects file). Given the chain head hash
  recorded elsewhere (`expect`), it also tells whether the chain was rewritten since.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from deconf.errors import StoreError
from deconf.idindex import INDEX
from deconf.store import (
    DATA_FILE_RE,
    GENESIS,
    MANIFEST,
    REJECTS,
    TABLES,
    Store,
    entry_hash,
    sha256_file,
    sha256_prefix,
)


@dataclass
class Verification:
    """What `verify` found: problems (tampering: exit 1), leftovers (harmless), the chain."""

    chain_hash: str
    ingests: int
    problems: list[str] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)
    expected_at: int | None = None  # the ingest whose hash is the expected head, if any

    @property
    def ok(self) -> bool:
        return not self.problems


def _chain_problems(entries: list[dict[str, Any]]) -> list[str]:
    problems = []
    previous = GENESIS
    for position, entry in enumerate(entries, 1):
        number = entry.get("sequence", position)
        if entry.get("previous_hash") != previous:
            problems.append(f"manifest entry {number}: chain broken (previous hash differs)")
        if entry_hash(entry) != entry.get("hash"):
            problems.append(f"manifest entry {number}: edited after it was written")
        if number != position:
            problems.append(f"manifest entry {position}: numbered {number}")
        previous = entry.get("hash")
    return problems


def _listed(entries: list[dict[str, Any]]):
    for entry in entries:
        for listed in entry.get("files", []):
            yield entry.get("sequence"), listed


def quick_check(store: Store, entries: list[dict[str, Any]] | None = None) -> list[str]:
    """Chain and sizes: what the manifest says against what is there, without reading data."""
    entries = store.manifest() if entries is None else entries
    problems = _chain_problems(entries)
    for number, listed in _listed(entries):
        path = store.root / str(listed.get("path"))
        if not path.is_file():
            problems.append(f"{listed.get('path')}: missing (ingest {number})")
        elif "bytes" in listed and path.stat().st_size != listed["bytes"]:
            problems.append(f"{listed.get('path')}: size changed since ingest {number}")
    size, sha = store.committed_rejects(entries)
    rejects = store.root / REJECTS
    if sha is not None and not rejects.is_file():
        problems.append(f"{REJECTS}: missing")
    elif size is not None and sha is not None and rejects.stat().st_size < size:
        problems.append(f"{REJECTS}: shorter than the last ingest left it")
    return problems


def verify(store: Store, expect: str | None = None) -> Verification:
    """Re-hash everything the manifest lists; sort what else is there into leftovers and
    problems; compare the chain head with `expect` when given."""
    if not store.started():
        raise StoreError(f"{store.root}: not a deconf store (no {MANIFEST})")
    entries = store.manifest()
    found = Verification(entries[-1]["hash"] if entries else GENESIS, len(entries))
    found.problems = _chain_problems(entries)
    listed = set()
    for number, item in _listed(entries):
        listed.add(item.get("path"))
        path = store.root / str(item.get("path"))
        if not path.is_file():
            found.problems.append(f"{item.get('path')}: missing (ingest {number})")
        elif sha256_file(path) != item.get("sha256"):
            found.problems.append(f"{item.get('path')}: content changed since ingest {number}")
    found.problems += _rejects_problems(store, entries)
    leftovers = set(store.leftovers())
    found.leftovers = [
        f"{p.relative_to(store.root).as_posix()}: left by an interrupted ingest" for p in leftovers
    ]
    tail = store.rejects_tail()
    if tail:
        found.leftovers.append(
            f"{REJECTS}: {tail} bytes past the committed end (an interrupted ingest)"
        )
    for table in (*TABLES, INDEX):
        for path in sorted((store.root / table).rglob("*.parquet")):
            relative = path.relative_to(store.root).as_posix()
            if relative not in listed and path not in leftovers:
                found.problems.append(f"{relative}: {_unlisted(path.name, len(entries))}")
    if expect is not None:
        found.expected_at, problem = _against_expected(entries, expect.strip().lower())
        if problem:
            found.problems.append(problem)
    return found


def _unlisted(name: str, committed: int) -> str:
    match = DATA_FILE_RE.fullmatch(name)
    if match and int(match.group(1)) <= committed:
        return f"not listed by ingest {int(match.group(1))}, whose name it bears (added by hand)"
    return "not part of any ingest (added by hand)"


def _rejects_problems(store: Store, entries: list[dict[str, Any]]) -> list[str]:
    size, sha = store.committed_rejects(entries)
    if sha is None:
        return []
    rejects = store.root / REJECTS
    if not rejects.is_file():
        return [f"{REJECTS}: missing"]
    if size is None:  # recorded before sizes were: the whole file is the committed part
        return [] if sha256_file(rejects) == sha else [f"{REJECTS}: changed since the last ingest"]
    if rejects.stat().st_size < size or sha256_prefix(rejects, size) != sha:
        return [f"{REJECTS}: changed since the last ingest"]
    return []


def _against_expected(entries: list[dict[str, Any]], expect: str) -> tuple[int | None, str | None]:
    """Where the expected head sits in the chain. Not in it at all: the chain was rewritten
    (or this is another store). Earlier than the head: ingests were added since, which is no
    problem; `Verification.expected_at` says which."""
    hashes = [e.get("hash") for e in entries]
    if expect in hashes:
        return hashes.index(expect) + 1, None
    if expect == GENESIS and not entries:
        return 0, None
    return None, (
        f"chain: the expected head {expect} is not in this store's chain; its manifest was "
        "rewritten, or this is another store"
    )
