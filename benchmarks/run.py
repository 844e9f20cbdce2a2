"""deconf's benchmark: generate logs with `deconf synth`, time each step, print the figures.

    python -m benchmarks.run                      # 1M records, 3 runs a step
    python -m benchmarks.run --records 10000 100000 1000000 10000000 --runs 1
    python -m benchmarks.run --reconcile 100000 1000000   # two sides of N records each
    python -m benchmarks.run --reconcile 100000 --seeds 1 2 3 4 5 --runs 1   # several pairs
    # the analysis of 10M records and its peak memory (target ≤ 4 GB), on a store made
    # beforehand as WORKDIR/store-10000000 from WORKDIR/synth-10000000.jsonl:
    python -m benchmarks.run --records 10000000 --runs 1 --workdir WORKDIR \
        --steps analysis --processes stats_store_process report_process

Each step runs in a fresh process (its peak memory is its own); the table gives the median time,
the baseline measured in the same run (a plain polars.read_ndjson with a fixed schema and the
timestamps parsed), the ratio to it, the peak resident memory and the targets of issue 6.
Then whole `deconf` processes (issue 14): validate (of the log, and of the same records as CSV),
stats of the log, stats of the store (also
with `--engine dask` when the extra is installed), the report, `--help` and `--version`, each
against the baseline run as a process in the same run, with wall and CPU time (user + system, all
threads: the figure a machine shared with other work disturbs least) and the load average.
Then the browser (issue 13, `benchmarks/browse.py`): launch → first screen in a pseudo-terminal,
from the store as `deconf ingest` leaves it (its first screen prepared, `deconf.prepared`), from
the same store with nothing prepared, and from the log, with its resident memory then and once
it is idle.
A benchmark, not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import browse
from benchmarks.importing import write_foreign
from deconf.prepared import PREPARED, prepare
from deconf.store import Store

STEPS = (
    "baseline",
    "validate",
    "ingest",
    "ingest_more",
    "ingest_more_loading",
    "analysis",
    "exchanges",
    "csv_baseline",
    "import_map",
    "import_validate",
)


IMPORT_STEPS = ("csv_baseline", "import_map", "import_validate")


def run_step(step: str, log: Path, store: Path) -> dict:
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.steps", step, str(log), str(store)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def run_command(arguments: list[str]) -> float:
    return run_process(arguments)["seconds"]


def run_process(arguments: list[str]) -> dict:
    """Wall time, CPU time and peak memory of one process (its own rusage, from wait4)."""
    started = time.perf_counter()
    child = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    error = child.stderr.read().decode() if child.stderr else ""
    if child.returncode not in (0, 1):  # 1: data findings (breaches, rejected lines)
        raise RuntimeError(f"{' '.join(arguments)} failed ({child.returncode}): {error}")
    return {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "load": os.getloadavg()[0],
    }


def baseline_schema(log: Path) -> dict[str, str]:
    """The fields synth writes, typed as text (lists as lists), for the baseline process."""
    from deconf.reading import RAW_SCHEMA
    from deconf.synth import FIELDS

    return {f: "List" if str(RAW_SCHEMA[f]).startswith("List") else "String" for f in FIELDS}


def measure_processes(
    log: Path,
    store: Path,
    runs: int,
    only: tuple[str, ...] | None = None,
    csv_log: Path | None = None,
) -> dict:
    """Whole processes, each the median of `runs`, in one run so that ratios share a load
    (`only`: these processes and the baseline; at 10M the log's processes take 10+ GB;
    `csv_log`: the same records as CSV, for validate of a CSV log)."""
    deconf = deconf_command()
    commands = {
        "baseline_process": [
            sys.executable,
            "-m",
            "benchmarks.baseline",
            str(log),
            json.dumps(baseline_schema(log)),
        ],
        "validate_process": [*deconf, "validate", str(log), "--format", "json"],
        "stats_log_process": [*deconf, "stats", str(log), "--format", "json"],
        "stats_store_process": [*deconf, "stats", "--store", str(store), "--format", "json"],
        "report_process": [
            *deconf,
            "report",
            "--store",
            str(store),
            "-o",
            str(store) + "-report.html",
        ],
        "help_process": [*deconf, "--help"],
        "version_process": [*deconf, "--version"],
    }
    if csv_log is not None:
        commands["validate_csv_process"] = [*deconf, "validate", str(csv_log), "--format", "json"]
    if importlib.util.find_spec("distributed") is not None:
        commands["stats_dask_process"] = [
            *commands["stats_store_process"],
            "--engine",
            "dask",
        ]
    if only is not None:
        commands = {n: c for n, c in commands.items() if n in (*only, "baseline_process")}
    compile_deconf()
    results = {}
    for name, arguments in commands.items():
        samples = [run_process(arguments) for _ in range(runs)]
        results[name] = {
            key: statistics.median(s[key] for s in samples)
            for key in ("seconds", "cpu_seconds", "load")
        } | {"peak_rss_mb": max(s["peak_rss_mb"] for s in samples)}
    # issue 13: the browser's first screen in a pseudo-terminal, and what it keeps resident:
    # from the store as `deconf ingest` leaves it (its first screen prepared) and as the Python
    # API's `Store.ingest` or an older deconf left it (computed by the browser)
    for name, (logs, stores) in {
        "browse_store_process": (None, str(store)),
        "browse_store_unprepared_process": (None, str(store)),
        "browse_log_process": (str(log), None),
    }.items():
        if only is None or name in only:
            with _prepared(store, name != "browse_store_unprepared_process"):
                results[name] = browse.measure(logs, stores, runs)
    return results


@contextlib.contextmanager
def _prepared(store: Path, wanted: bool):
    """The store with its first screen prepared as `deconf ingest` does (`wanted`), or with
    none for the time being (moved aside and back)."""
    folder = store / PREPARED
    if wanted:
        prepare(Store(store))
        yield
        return
    aside = store.with_name(f"{store.name}-prepared-aside")
    shutil.rmtree(aside, ignore_errors=True)
    if folder.exists():
        folder.rename(aside)
    try:
        yield
    finally:
        if aside.exists():
            aside.rename(folder)


def compile_deconf() -> None:
    """deconf's modules compiled to bytecode, as an install leaves them: run from the source
    tree under PYTHONDONTWRITEBYTECODE, every process would compile them again (about 0.1 s of
    CPU that the baseline, importing only installed packages, never pays)."""
    import compileall

    import deconf

    compileall.compile_dir(Path(deconf.__file__).parent, quiet=1)


def deconf_command() -> list[str]:
    return [sys.executable, "-m", "deconf.cli"]


def synthesize(records: int, log: Path) -> Path:
    """`log` (JSON Lines or CSV, by its name) of `records` synthetic records, unless it exists."""
    if not log.exists():
        subprocess.run(
            [*deconf_command(), "synth", "--records", str(records), "--seed", "1", "-o", str(log)],
            check=True,
            capture_output=True,
        )
    return log


def measure(
    records: int,
    runs: int,
    workdir: Path,
    steps: tuple[str, ...] = STEPS,
    processes: tuple[str, ...] | None = None,
) -> dict:
    log = synthesize(records, workdir / f"synth-{records}.jsonl")
    store = workdir / f"store-{records}"
    if any(step in steps for step in IMPORT_STEPS):  # the foreign CSV, made before any timing
        write_foreign(log)
    results: dict[str, dict] = {}
    for step in steps:
        samples = [run_step(step, log, store) | {"load": os.getloadavg()[0]} for _ in range(runs)]
        results[step] = {
            "seconds": statistics.median(s["seconds"] for s in samples),
            "cpu_seconds": statistics.median(s["cpu_seconds"] for s in samples),
            "load": statistics.median(s["load"] for s in samples),
            "peak_rss_mb": max(s["peak_rss_mb"] for s in samples),
            "frame_mb": samples[0]["frame_mb"],
            "rows": samples[0]["rows"],
        }
    if "analysis" not in steps:
        results["log_mb"] = log.stat().st_size / 2**20
        return results
    stats_runs = [
        run_command([*deconf_command(), "stats", "--store", str(store), "--format", "json"])
        for _ in range(runs)
    ]
    results["stats_process"] = {"seconds": statistics.median(stats_runs)}
    results["log_mb"] = log.stat().st_size / 2**20
    csv_log = None
    if processes is None or "validate_csv_process" in processes:  # the same records, as CSV
        csv_log = synthesize(records, log.with_suffix(".csv"))
    results["processes"] = measure_processes(log, store, runs, processes, csv_log)
    return results


def import_report(r: dict) -> list[str]:
    """`deconf import` of the foreign CSV against polars.read_csv of it (target: within 3×), in
    wall time and in CPU time (all threads; what a machine shared with other work disturbs
    least), with the load average of each step."""
    if "csv_baseline" not in r:
        return []
    base = r["csv_baseline"]
    lines = [
        f"{'import step':38} {'s':>9} {'× base':>7} {'cpu s':>7} {'× cpu':>6} {'peak MB':>8} "
        f"{'load':>5}"
    ]
    for step, name, target in (
        ("csv_baseline", "import: polars.read_csv of the CSV", None),
        ("import_map", "import: read + map (no row loop)", 3),
        ("import_validate", "import: read + map + validate", None),
    ):
        if step not in r:
            continue
        figures = r[step]
        seconds, cpu = figures["seconds"], figures["cpu_seconds"]
        mark = (
            ""
            if target is None
            else f"≤ {target}× {'met' if seconds <= target * base['seconds'] else 'MISSED'}"
        )
        lines.append(
            f"{name:38} {seconds:9.2f} {seconds / base['seconds']:7.2f} {cpu:7.2f} "
            f"{cpu / base['cpu_seconds']:6.2f} {figures['peak_rss_mb']:8.0f} "
            f"{figures['load']:5.1f}  {mark}"
        )
    return lines


def step_lines(r: dict) -> list[str]:
    """The in-process steps measured, as they are (no baseline to compare them with)."""
    return [
        f"{step:38} {r[step]['seconds']:9.2f} s  cpu {r[step]['cpu_seconds']:.2f} s  peak "
        f"{r[step]['peak_rss_mb']:.0f} MB"
        for step in STEPS
        if step in r and step not in IMPORT_STEPS
    ]


def report(records: int, r: dict) -> str:
    if not {"baseline", "validate", "ingest", "analysis", "exchanges"} <= r.keys():
        big = records >= 10_000_000
        return "\n".join(
            [
                f"\n{records:,} records",
                *step_lines(r),
                *import_report(r),
                *process_report(r.get("processes"), big=big),
                *browse_report(r.get("processes")),
            ]
        )
    base = r["baseline"]["seconds"]
    frame = r["validate"]["frame_mb"]
    rows = [
        ("baseline: read_ndjson + parse", r["baseline"], "", ""),
        (
            "validate + load (deconf validate)",
            r["validate"],
            "≤ 2× baseline",
            r["validate"]["seconds"] <= 2 * base,
        ),
        (
            "ingest into the store",
            r["ingest"],
            "≤ 2.5× baseline",
            r["ingest"]["seconds"] <= 2.5 * base,
        ),
        ("analysis from the store", r["analysis"], "≤ 1.5 s", r["analysis"]["seconds"] <= 1.5),
        *(
            (name, r[step], "", "")
            for step, name in (
                ("ingest_more", "ingest 10 % more, through the id index"),
                ("ingest_more_loading", "ingest 10 % more, loading the store"),
            )
            if step in r
        ),
        ("exchanges from the store (browser list)", r["exchanges"], "", ""),
    ]
    lines = [
        f"\n{records:,} records ({r['log_mb']:.0f} MB of JSON Lines, frame "
        f"{frame:.0f} MB in memory)",
        f"{'step':38} {'median s':>9} {'× base':>7} {'peak MB':>8}  target",
    ]
    for name, figures, target, met in rows:
        ratio = figures["seconds"] / base
        mark = "" if met == "" else ("met" if met else "MISSED")
        lines.append(
            f"{name:38} {figures['seconds']:9.2f} {ratio:7.2f} "
            f"{figures['peak_rss_mb']:8.0f}  {target} {mark}"
        )
    ingest_memory = r["ingest"]["peak_rss_mb"] / max(frame, 1e-9)
    lines.append(
        f"{'peak memory of ingest / frame':38} {ingest_memory:9.2f} {'':>7} {'':>8}  "
        f"≤ 3× {'met' if ingest_memory <= 3 else 'MISSED'}"
    )
    stats_seconds = r["stats_process"]["seconds"]
    lines.append(
        f"{'deconf stats --store (process)':38} {stats_seconds:9.2f} {'':>7} {'':>8}  "
        f"≤ 2 s {'met' if stats_seconds <= 2 else 'MISSED'}"
    )
    processes = r.get("processes")
    big = records >= 10_000_000
    return "\n".join(
        lines + import_report(r) + process_report(processes, big=big) + browse_report(processes)
    )


#: Issue 14's targets for whole processes: (ratio to the baseline process, or None; seconds).
PROCESS_TARGETS = {
    "validate_process": ("deconf validate LOG", 2.0, None),
    "validate_csv_process": ("deconf validate LOG.csv (same records)", None, None),
    "stats_log_process": ("deconf stats LOG", 3.0, None),
    "stats_store_process": ("deconf stats --store", 1.5, None),
    "stats_dask_process": ("deconf stats --store --engine dask", None, None),
    "report_process": ("deconf report --store (html)", None, 8.0),
    "help_process": ("deconf --help", None, 0.3),
    "version_process": ("deconf --version", None, 0.3),
}


def _verdict(wall: float, cpu: float, target: float) -> str:
    if wall <= target:
        return "met"
    return f"wall MISSED, by CPU {'met' if cpu <= target else 'MISSED'}"


#: Issue 14: the analysis of a 10M-record store within 4 GB (`deconf stats --store`'s peak).
ANALYSIS_PEAK_MB_10M = 4096


def process_report(processes: dict | None, big: bool = False) -> list[str]:
    """Whole processes against the baseline process, by wall and by CPU time; for 10M records
    (`big`) also the analysis's peak memory against its target."""
    if not processes:
        return []
    base = processes["baseline_process"]
    lines = [
        f"{'whole processes':38} {'wall s':>9} {'× base':>7} {'cpu s':>7} {'× base':>7} "
        f"{'peak MB':>8} {'load':>5}  target",
        f"{'baseline process (polars only)':38} {base['seconds']:9.2f} {1:7.2f} "
        f"{base['cpu_seconds']:7.2f} {1:7.2f} {base['peak_rss_mb']:8.0f} {base['load']:5.1f}",
    ]
    for step, (name, ratio_target, seconds_target) in PROCESS_TARGETS.items():
        if step not in processes:
            continue
        f = processes[step]
        wall, cpu = f["seconds"] / base["seconds"], f["cpu_seconds"] / base["cpu_seconds"]
        if ratio_target is not None:
            target = f"≤ {ratio_target}× " + _verdict(wall, cpu, ratio_target)
        elif seconds_target is not None:
            target = f"≤ {seconds_target} s {'met' if f['seconds'] <= seconds_target else 'MISSED'}"
        else:
            target = ""
        lines.append(
            f"{name:38} {f['seconds']:9.2f} {wall:7.2f} {f['cpu_seconds']:7.2f} {cpu:7.2f} "
            f"{f['peak_rss_mb']:8.0f} {f['load']:5.1f}  {target}"
        )
    if big and "stats_store_process" in processes:
        peak = processes["stats_store_process"]["peak_rss_mb"]
        met = "met" if peak <= ANALYSIS_PEAK_MB_10M else "MISSED"
        lines.append(
            f"{'analysis peak (stats --store)':38} {peak:9.0f} MB  "
            f"≤ {ANALYSIS_PEAK_MB_10M} MB {met}"
        )
    return lines


#: Issue 13's targets for the browser: (name, seconds to the first screen); resident ≤ 0.5 GB.
BROWSE_TARGETS = {
    "browse_store_process": ("deconf browse --store: first screen", 2.0),
    "browse_store_unprepared_process": ("… of a store nothing prepared", None),
    "browse_log_process": ("deconf browse LOG: first screen", 6.0),
}
BROWSE_RESIDENT_MB = 500


def browse_report(processes: dict | None) -> list[str]:
    """Launch → first screen (wall, and the process's CPU time until then), resident memory at
    the first screen and once the browser is idle, the load average."""
    if not processes or "browse_store_process" not in processes:
        return []
    lines = [
        f"{'browser':38} {'wall s':>9} {'cpu s':>7} {'MB then':>8} {'MB idle':>8} {'load':>5}"
        "  target"
    ]
    for step, (name, seconds) in BROWSE_TARGETS.items():
        if step not in processes:
            continue
        f = processes[step]
        idle = f["rss_settled_mb"]
        verdict = _verdict(f["seconds"], f["cpu_seconds"], seconds) if seconds else ""
        target = f"≤ {seconds} s {verdict}, " if seconds else ""
        resident = "met" if idle <= BROWSE_RESIDENT_MB else "MISSED"
        lines.append(
            f"{name:38} {f['seconds']:9.2f} {f['cpu_seconds']:7.2f} {f['rss_mb']:8.0f} "
            f"{idle:8.0f} {f['load']:5.1f}  {target}idle ≤ {BROWSE_RESIDENT_MB} MB {resident}"
        )
    return lines


PAIR_DROP, PAIR_CONFLICT, PAIR_OFFSET = 0.05, 0.02, "90s"


def measure_pair(per_side: int, runs: int, workdir: Path, seed: int = 1) -> dict:
    """Two sides of about `per_side` records each (synth --sides 2, 90 s offset, 5 % dropped by
    each side, 2 % of shared contacts in conflict): validating both, reconciling, and the score."""
    base = workdir / (f"pair-{per_side}.jsonl" if seed == 1 else f"pair-{per_side}-s{seed}.jsonl")
    if not base.with_name(f"{base.stem}-truth.json").exists():
        subprocess.run(
            [
                *deconf_command(),
                "synth",
                "--sides",
                "2",
                "--seed",
                str(seed),
                "-o",
                str(base),
                "--records",
                str(round(per_side / (1 - PAIR_DROP))),
                "--clock-offset",
                PAIR_OFFSET,
                "--drop",
                str(PAIR_DROP),
                "--conflict",
                str(PAIR_CONFLICT),
            ],
            check=True,
            capture_output=True,
        )
    scratch = workdir / f"{base.stem}-out"
    results = {}
    for step in ("validate_pair", "reconcile_pair"):
        samples = [run_step(step, base, scratch) for _ in range(runs)]
        results[step] = {
            "seconds": statistics.median(s["seconds"] for s in samples),
            "peak_rss_mb": max(s["peak_rss_mb"] for s in samples),
            "rows": samples[0]["rows"],
        }
    results["score"] = samples[0]["score"]
    return results


def report_pair(per_side: int, r: dict, seed: int = 1) -> str:
    validate, merged, s = r["validate_pair"], r["reconcile_pair"], r["score"]
    ratio = merged["seconds"] / validate["seconds"]
    found = s["planted_conflicts_found"]
    by_type = ", ".join(f"{t} {c['found']}/{c['planted']}" for t, c in s["conflicts"].items())
    return "\n".join(
        [
            f"\nreconcile, two sides of ~{per_side:,} records ({validate['rows']:,} in all), "
            f"seed {seed}",
            f"{'validate both logs':38} {validate['seconds']:9.2f} s  peak "
            f"{validate['peak_rss_mb']:.0f} MB",
            f"{'reconcile (validation included)':38} {merged['seconds']:9.2f} s  peak "
            f"{merged['peak_rss_mb']:.0f} MB  {ratio:.2f}× validate  ≤ 3× "
            f"{'met' if ratio <= 3 else 'MISSED'}",
            f"{'clock offset (true 90 s)':38} {s['clock_offset_seconds']:9.1f} s  error "
            f"{s['offset_error_seconds']:.1f} s  ≤ 5 s "
            f"{'met' if s['offset_error_seconds'] <= 5 else 'MISSED'}",
            f"{'match precision / recall':38} {s['precision']:9.4f} / {s['recall']:.4f}  "
            f"≥ 0.99 {'met' if min(s['precision'], s['recall']) >= 0.99 else 'MISSED'}",
            f"{'planted conflicts found':38} {found:9d} of {s['planted_conflicts']} ({by_type}); "
            f"{s['unplanted_conflicts']} reported that were not planted",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--records", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "deconf-bench"
    )
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument(
        "--reconcile",
        type=int,
        nargs="+",
        metavar="PER_SIDE",
        help="measure reconcile on two synthetic sides of this many records each instead",
    )
    parser.add_argument(
        "--steps", nargs="+", choices=STEPS, default=list(STEPS), help="only these steps"
    )
    parser.add_argument(
        "--processes",
        nargs="+",
        choices=[*PROCESS_TARGETS, *BROWSE_TARGETS],
        help="only these whole processes (and the baseline); e.g. at 10M, with a store made "
        "beforehand in the work directory: --steps analysis --processes stats_store_process",
    )
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        default=[1],
        help="with --reconcile: the synthetic pairs' seeds (default 1)",
    )
    parser.add_argument(
        "--scale",
        type=int,
        nargs="+",
        metavar="RECORDS",
        help="also measure streamed ingest and stats --store at these sizes (benchmarks.scale)",
    )
    arguments = parser.parse_args()
    arguments.workdir.mkdir(parents=True, exist_ok=True)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {platform.platform()}"
    )
    everything = {}
    if arguments.reconcile:
        for per_side in arguments.reconcile:
            for seed in arguments.seeds:
                name = f"pair-{per_side}" + ("" if seed == 1 else f"-s{seed}")
                everything[name] = measure_pair(per_side, arguments.runs, arguments.workdir, seed)
                print(report_pair(per_side, everything[name], seed), flush=True)
        arguments.records = []
    for records in arguments.records:
        everything[records] = measure(
            records,
            arguments.runs,
            arguments.workdir,
            tuple(arguments.steps),
            tuple(arguments.processes) if arguments.processes else None,
        )
        print(report(records, everything[records]), flush=True)
    if arguments.scale:
        from benchmarks.scale import measure_size, scale_report

        scaled = []
        for records in arguments.scale:
            scaled.append(measure_size(records, arguments.workdir))
            print(scale_report(scaled), flush=True)
        everything["scale"] = scaled
    if arguments.json:
        arguments.json.write_text(json.dumps(everything, indent=2))


if __name__ == "__main__":
    main()
