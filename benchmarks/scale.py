"""Scale (issue 14): streamed ingest and the store's statistics as whole processes, at sizes from
1M to 100M records, with their peak memory and how time grows with size.

    python -m benchmarks.scale --records 1000000 10000000
    python -m benchmarks.run --scale 1000000 10000000 100000000   # the same, from the main script

Each size gets a synthetic log (`deconf synth`, written in parts: a 100M log is ~25 GB) and a
fresh store; `deconf ingest` streams the log into it, then `deconf stats --store` analyses it.
Targets: ingest of 10M within 11× the time of 1M and within 2 GB; the analysis of a 10M store
within 4 GB. A benchmark, not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.run import deconf_command, run_process
from deconf.pairwise import WHOLE_ANALYSIS_LIMIT

INGEST_PEAK_MB = 2048  # at 10M
STATS_PEAK_MB = 4096  # at 10M
GROWTH = 11  # 10M ingest time over the 1M one
LOCAL_MAX = 10_000_000  # the largest store `stats` analyses whole here


def make_log(records: int, workdir: Path) -> tuple[Path, float]:
    log = workdir / f"synth-{records}.jsonl"
    started = time.perf_counter()
    if not log.exists():
        subprocess.run(
            [*deconf_command(), "synth", "--records", str(records), "--seed", "1", "-o", str(log)],
            check=True,
            capture_output=True,
        )
    return log, time.perf_counter() - started


def measure_size(records: int, workdir: Path) -> dict:
    log, synth_seconds = make_log(records, workdir)
    store = workdir / f"scale-store-{records}"
    shutil.rmtree(store, ignore_errors=True)
    ingest = run_process([*deconf_command(), "ingest", str(log), "--store", str(store), "-q"])
    command = [*deconf_command(), "stats", "--store", str(store), "--format", "json", "-q"]
    # what a user gets (above WHOLE_ANALYSIS_LIMIT contacts: one pair at a time), the whole
    # analysis in memory up to 10M (about 0.6 GB a million), and one pair at a time where that
    # is not already the default
    stats = run_process(command)
    whole = run_process([*command, "--engine", "local"]) if records <= LOCAL_MAX else None
    pairs = None
    if records <= WHOLE_ANALYSIS_LIMIT:
        pairs = run_process([*command, "--engine", "pairs"])
    return {
        "records": records,
        "log_gb": log.stat().st_size / 2**30,
        "store_gb": sum(p.stat().st_size for p in store.rglob("*") if p.is_file()) / 2**30,
        "synth_seconds": synth_seconds,
        "ingest": ingest,
        "stats": stats,
        "whole": whole,
        "pairs": pairs,
    }


def scale_report(results: list[dict]) -> str:
    by_size = {r["records"]: r for r in results}
    one = by_size.get(1_000_000)
    lines = [
        f"{'records':>12} {'log GB':>7} {'store GB':>8} {'ingest s':>9} {'cpu s':>8} "
        f"{'peak MB':>8} {'× 1M':>6} {'stats s':>8} {'peak MB':>8} {'whole s':>8} "
        f"{'peak MB':>8} {'pairs s':>8} {'peak MB':>8} {'load':>5}"
    ]
    for r in results:
        ingest = r["ingest"]
        growth = ingest["seconds"] / one["ingest"]["seconds"] if one else float("nan")
        lines.append(
            f"{r['records']:>12,} {r['log_gb']:7.2f} {r['store_gb']:8.2f} "
            f"{ingest['seconds']:9.1f} {ingest['cpu_seconds']:8.1f} {ingest['peak_rss_mb']:8.0f} "
            f"{growth:6.1f} {_run(r['stats'])} {_run(r.get('whole'))} {_run(r['pairs'])} "
            f"{ingest['load']:5.1f}"
        )
    lines.append(
        "stats: what `deconf stats --store` does by default (one pair at a time above "
        f"{WHOLE_ANALYSIS_LIMIT:,} contacts); whole: --engine local; pairs: --engine pairs"
    )
    ten = by_size.get(10_000_000)
    if ten:
        peak = ten["ingest"]["peak_rss_mb"]
        lines.append(
            f"10M ingest peak {peak:.0f} MB (≤ {INGEST_PEAK_MB}): "
            f"{'met' if peak <= INGEST_PEAK_MB else 'MISSED'}"
        )
        if one:
            growth = ten["ingest"]["seconds"] / one["ingest"]["seconds"]
            lines.append(
                f"10M ingest time {growth:.1f}× the 1M (≤ {GROWTH}×): "
                f"{'met' if growth <= GROWTH else 'MISSED'}"
            )
        for name, key in (
            ("stats --store", "stats"),
            ("stats --store --engine local", "whole"),
            ("stats --store --engine pairs", "pairs"),
        ):
            if ten.get(key):
                peak = ten[key]["peak_rss_mb"]
                lines.append(
                    f"10M {name} peak {peak:.0f} MB (≤ {STATS_PEAK_MB}): "
                    f"{'met' if peak <= STATS_PEAK_MB else 'MISSED'}"
                )
    return "\n".join(lines)


def _run(figures: dict | None) -> str:
    if not figures:
        return f"{'-':>8} {'-':>8}"
    return f"{figures['seconds']:8.1f} {figures['peak_rss_mb']:8.0f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--records", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "deconf-bench"
    )
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    arguments = parser.parse_args(argv)
    arguments.workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for records in arguments.records:
        results.append(measure_size(records, arguments.workdir))
        print(scale_report(results), flush=True, file=sys.stdout)
    if arguments.json:
        arguments.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
