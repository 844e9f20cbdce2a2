"""Fill a 20 MB tmpfs in the middle of an ingest (and of a written output); needs root.

    sudo python -m benchmarks.diskfull                  # 200,000 records, 12 fill levels
    sudo python -m benchmarks.diskfull --records 50000

A store on a fresh 20 MB tmpfs holds one ingest (the Khasham sample). For each fill level a
filler file leaves only so much free space, and `deconf ingest` of a synthetic log (with rejected
lines, so the rejects file grows too) runs into the full disk at a different point: writing the
Parquet files, appending the rejected lines, or (the last level, sized from a completed
ingest) writing the new manifest. Each time the ingest
must either complete, or fail with one line naming the reason and exit 2; either way `deconf
verify` must pass, a failed ingest must leave the chain head as it was and no leftovers, and a
later ingest with room enough must succeed. Then `deconf gaps -o` onto the full disk must fail
in one line and leave no file. Prints one row per level and a summary; exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "logs" / "khasham-2018.jsonl"
SIZE_MB = 20
MB = 1 << 20
REJECTED = 3000


def deconf(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "deconf", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


def free_bytes(path: Path) -> int:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


def fill(mount: Path, leave: int) -> Path:
    """A filler file that leaves `leave` bytes free on the mount."""
    filler = mount / "filler"
    filler.unlink(missing_ok=True)
    size = max(0, free_bytes(mount) - leave)
    with filler.open("wb") as handle:
        block = b"\0" * MB
        while size > 0:
            step = min(size, MB)
            try:
                handle.write(block[:step])
                handle.flush()
            except OSError:
                break
            size -= step
    return filler


def _allocated(path: Path) -> int:
    return path.stat().st_blocks * 512


def _ingest_footprint(store: Path) -> int:
    """Bytes the second ingest of a store allocated for its data files and rejected lines."""
    data = sum(_allocated(p) for p in store.rglob("ingest-000002-*.parquet"))
    return data + _allocated(store / "rejects.jsonl")


def one_line(result: subprocess.CompletedProcess) -> bool:
    lines = result.stderr.strip().splitlines()
    return len(lines) == 1 and lines[0].startswith("deconf: ") and "Traceback" not in result.stderr


def level(mount: Path, store: Path, log: Path, leave: int) -> dict:
    before = json.loads(deconf("verify", "--store", store, "--format", "json").stdout)
    filler = fill(mount, leave)
    ingest = deconf("ingest", log, "--store", store)
    after = json.loads(deconf("verify", "--store", store, "--format", "json").stdout)
    failed = ingest.returncode == 2
    row = {
        "free_kb": leave // 1024,
        "ingest_exit": ingest.returncode,
        "message": ingest.stderr.strip()[:200] if failed else "",
        "verify_ok": after["ok"],
        "leftovers": len(after["leftovers"]),
        "chain_unchanged": after["chain_hash"] == before["chain_hash"],
    }
    if failed:
        row["passed"] = (
            one_line(ingest)
            and "No space left on device" in ingest.stderr
            and after["ok"]
            and row["chain_unchanged"]
            and not after["leftovers"]
        )
    else:
        row["passed"] = ingest.returncode in (0, 1) and after["ok"] and not after["leftovers"]
    filler.unlink()
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--mount", type=Path, default=None, help="default: a new dir in /mnt")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("needs root (it mounts a tmpfs)")
        return 2
    mount = args.mount or Path(tempfile.mkdtemp(prefix="deconf-full-", dir="/mnt"))
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE_MB}m", "tmpfs", mount], check=True)
    rows: list[dict] = []
    try:
        with tempfile.TemporaryDirectory() as scratch:
            clean = Path(scratch) / "clean.jsonl"
            made = deconf("synth", "--records", args.records, "--seed", "1", "-o", clean)
            assert made.returncode == 0, made.stderr
            log = Path(scratch) / "big.jsonl"
            shutil.copyfile(clean, log)
            with log.open("a", encoding="utf-8") as handle:
                for n in range(REJECTED):
                    bad = {"id": f"broken-{n}", "sent_at": "never", "summary": "x" * 400}
                    handle.write(json.dumps(bad) + "\n")
            store = mount / "store"
            assert deconf("ingest", SAMPLE, "--store", store).returncode == 0
            for leave_kb in (64, 256, 512, 1024, 1536, 2048, 2560, 3072, 3584, 4096, 5120, 8192):
                # a fresh store each level: a completed ingest would make the next a no-op
                shutil.rmtree(store)
                assert deconf("ingest", SAMPLE, "--store", store).returncode == 0
                row = level(mount, store, log, leave_kb * 1024)
                rows.append(row)
                print(json.dumps(row))
            # and one level that leaves room for the data and the rejected lines, but not for
            # the new manifest: what the last completed ingest took, less the manifest's pages
            need = _ingest_footprint(store)
            shutil.rmtree(store)
            assert deconf("ingest", SAMPLE, "--store", store).returncode == 0
            row = level(mount, store, log, need)
            rows.append(row)
            print(json.dumps(row))
            # an output file onto the full disk: one line, and no file left
            filler = fill(mount, 16 * 1024)
            target = mount / "gaps.json"
            gaps = deconf("gaps", clean, "--format", "json", "-o", target)
            leftover = [p.name for p in mount.iterdir() if p.name.startswith(".gaps.json")]
            output_ok = (
                gaps.returncode == 2 and one_line(gaps) and not target.exists() and not leftover
            )
            print(
                json.dumps(
                    {
                        "output_onto_full_disk_exit": gaps.returncode,
                        "message": gaps.stderr.strip()[:160],
                        "file_left": target.exists() or bool(leftover),
                    }
                )
            )
            filler.unlink()
            later = deconf("ingest", log, "--store", store)
            usable = (
                later.returncode in (0, 1)
                and json.loads(deconf("verify", "--store", store, "--format", "json").stdout)["ok"]
            )
    finally:
        subprocess.run(["umount", mount], check=False)
        if args.mount is None:
            mount.rmdir()
    failed = sum(r["ingest_exit"] == 2 for r in rows)
    passed = sum(r["passed"] for r in rows)
    print(
        f"{SIZE_MB} MB tmpfs, {len(rows)} fill levels: {failed} ingests ran out of space "
        f"(one line, exit 2), {len(rows) - failed} completed; verify passed every time: "
        f"{all(r['verify_ok'] for r in rows)}; passed {passed}/{len(rows)}; output onto the "
        f"full disk refused cleanly: {output_ok}; store usable afterwards: {usable}"
    )
    return 0 if passed == len(rows) and output_ok and usable else 1


if __name__ == "__main__":
    sys.exit(main())
