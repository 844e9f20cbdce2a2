"""Kill an ingest with SIGKILL at random points; the store must verify and a re-ingest complete.

    python -m benchmarks.crash                         # 30 trials, 100,000 records, seed 1
    python -m benchmarks.crash --trials 10 --records 20000 --seed 3

A store holding one ingest (the Khasham sample) is copied for each trial; `deconf ingest` of a
synthetic log (with rejected lines, so the rejects file is appended to) is started on the copy
and killed with SIGKILL after a random delay: half the trials anywhere in the process's life,
half once its first data file appears, anywhere up to just past its commit (timed on a watched
uninterrupted run). A run that ends before its kill comes is recorded but does not count:
trials go on until `--trials` ingests were really killed. Then `deconf verify` must pass
(leftovers allowed, problems not), a second ingest of the same log must complete, after which
verify must pass with no leftovers and the store must hold exactly what an uninterrupted ingest
gives: the same records and the same rejected lines, each once. Prints one row per run and a
summary; exits 1 on any failure, or when fewer than `--trials` runs were killed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import polars as pl

from deconf.store import MANIFEST, Store

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "logs" / "khasham-2018.jsonl"
BAD_LINES = 40


def deconf(*args: str, check: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "deconf", *args],
        capture_output=True,
        text=True,
        check=check,
        cwd=ROOT,
    )


def make_log(workdir: Path, records: int, seed: int) -> Path:
    log = workdir / "big.jsonl"
    deconf("synth", "--records", str(records), "--seed", str(seed), "-o", str(log), check=True)
    with log.open("a", encoding="utf-8") as handle:
        for n in range(BAD_LINES):
            handle.write(json.dumps({"id": f"broken-{n}", "sent_at": "not a time"}) + "\n")
    return log


def state(store: Path) -> dict:
    """What a store holds, as comparable facts (not how many ingests: a re-ingest after a
    commit records one more, adding nothing)."""
    target = Store(store)
    records = target.load()
    rejects = Counter((r["file"], r["line"], r["text"]) for r in target.rejects())
    ids = sorted(records.contacts["id"].to_list() + records.events["id"].to_list())
    return {"records": len(records), "ids": hash(tuple(ids)), "rejects": rejects}


def timed_reference(base: Path, log: Path, workdir: Path) -> tuple[dict, float, float, float]:
    """An uninterrupted ingest: the state it gives, its duration, and when its writing began
    and its commit happened (seconds after start), by watching the store."""
    store = workdir / "reference"
    shutil.copytree(base, store)
    manifest = (store / MANIFEST).stat().st_mtime_ns
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "deconf", "ingest", str(log), "--store", str(store)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    writing = commit = None
    before = set(store.rglob("*.parquet"))
    while process.poll() is None:
        now = time.perf_counter() - started
        if writing is None and set(store.rglob("*.parquet")) - before:
            writing = now
        if commit is None and (store / MANIFEST).stat().st_mtime_ns != manifest:
            commit = now
        time.sleep(0.002)
    duration = time.perf_counter() - started
    return state(store), duration, writing or duration * 0.8, commit or duration


def plain_duration(base: Path, log: Path, workdir: Path) -> float:
    """How long an ingest takes when nobody watches the store."""
    store = workdir / "timing"
    shutil.copytree(base, store)
    started = time.perf_counter()
    deconf("ingest", str(log), "--store", str(store))
    shutil.rmtree(store)
    return time.perf_counter() - started


def _wait_for_writing(store: Path, process: subprocess.Popen) -> None:
    before = set(store.rglob("*.parquet"))
    while process.poll() is None and not set(store.rglob("*.parquet")) - before:
        time.sleep(0.002)


def trial(
    base: Path,
    log: Path,
    workdir: Path,
    number: int,
    delay: float,
    reference: dict,
    after_writing_began: bool = False,
):
    store = workdir / f"trial-{number}"
    shutil.copytree(base, store)
    process = subprocess.Popen(
        [sys.executable, "-m", "deconf", "ingest", str(log), "--store", str(store)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    if after_writing_began:
        _wait_for_writing(store, process)
    time.sleep(delay)
    killed = process.poll() is None
    if killed:
        os.kill(process.pid, signal.SIGKILL)
    process.wait()
    first = json.loads(deconf("verify", "--store", str(store), "--format", "json").stdout)
    committed = first["ingests"] == 2
    again = deconf("ingest", str(log), "--store", str(store))
    second = json.loads(deconf("verify", "--store", str(store), "--format", "json").stdout)
    final = state(store)
    row = {
        "trial": number,
        "delay_s": round(delay, 3),
        "killed": killed,
        "committed_before_kill": committed,
        "leftovers_after_kill": len(first["leftovers"]),
        "verify_after_kill": first["ok"],
        "reingest_exit": again.returncode,
        "verify_after_reingest": second["ok"] and not second["leftovers"],
        "exact": final == reference,
    }
    row["passed"] = (
        row["verify_after_kill"]
        and again.returncode in (0, 1)
        and "Traceback" not in again.stderr
        and row["verify_after_reingest"]
        and row["exact"]
    )
    shutil.rmtree(store)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        base = workdir / "base"
        deconf("ingest", str(SAMPLE), "--store", str(base), check=True)
        log = make_log(workdir, args.records, args.seed)
        reference, _, writing, commit = timed_reference(base, log, workdir)
        duration = plain_duration(base, log, workdir)
        print(
            f"uninterrupted ingest of {args.records} records + {BAD_LINES} rejected lines: "
            f"{duration:.2f} s; watched, its writing took {commit - writing:.2f} s to the commit"
        )
        rows = []
        number = 0
        # a run that ends before its kill is recorded but does not count: trials go on until
        # `--trials` ingests were really killed mid-run (at most three times as many runs)
        while sum(r["killed"] for r in rows) < args.trials and number < 3 * args.trials:
            number += 1
            # odd trials: anywhere in the process's life; even ones: once its first data file
            # appears, anywhere up to just past its commit
            writing_phase = number % 2 == 0
            if writing_phase:
                delay = rng.uniform(0.0, commit - writing + 0.02)
            else:
                delay = rng.uniform(0.0, duration * 0.95)
            row = trial(base, log, workdir, number, delay, reference, writing_phase)
            row["phase"] = "writing" if writing_phase else "anywhere"
            rows.append(row)
            print(json.dumps(row))
    passed = sum(r["passed"] for r in rows)
    killed = sum(r["killed"] for r in rows)
    finished = len(rows) - killed
    with_leftovers = sum(r["leftovers_after_kill"] > 0 for r in rows)
    committed = sum(r["committed_before_kill"] for r in rows)
    print(
        f"{len(rows)} runs: {killed} killed mid-run ({finished} ended before the kill came), "
        f"{with_leftovers} left leftovers, "
        f"{committed} had committed before the kill; verify passed after every kill: "
        f"{all(r['verify_after_kill'] for r in rows)}; re-ingest exact: "
        f"{sum(r['exact'] for r in rows)}/{len(rows)}; passed {passed}/{len(rows)}"
    )
    return 0 if passed == len(rows) and killed >= args.trials else 1


if __name__ == "__main__":
    pl.Config.set_tbl_rows(5)
    sys.exit(main())
