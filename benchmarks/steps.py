"""One benchmark step, run in a fresh process so its peak memory is its own.

    python -m benchmarks.steps STEP LOG STORE

Prints one JSON object: {"step", "seconds", "cpu_seconds", "peak_rss_mb", "frame_mb", "rows"}
(and, for the reconcile step, "score": how well it recovered the synthetic truth). For the pair
steps LOG is the base name `deconf synth --sides 2` was given: they read LOG-a.jsonl, LOG-b.jsonl,
LOG-truth.json.
"""

from __future__ import annotations

import json
import resource
import shutil
import sys
import time
from pathlib import Path

import polars as pl

from benchmarks.importing import write_foreign
from deconf.analysis import CONTACT_COLUMNS, EVENT_COLUMNS, analyze
from deconf.frames import Col
from deconf.importing import import_sources, resolve_mapping, validate_import
from deconf.loading import validate_files, validate_logs
from deconf.reading import RAW_SCHEMA
from deconf.reconcile import reconcile
from deconf.store import Store
from deconf.synth import FIELDS
from deconf.synth_sides import read_truth, score
from deconf.writing import write_jsonl

BASELINE_SCHEMA = {name: RAW_SCHEMA[name] for name in FIELDS}  # what synth writes, as text


def baseline(log: Path, store: Path) -> tuple[int, float]:
    """A plain polars.read_ndjson with a fixed schema, then the timestamps parsed."""
    frame = pl.read_ndjson(log, schema=BASELINE_SCHEMA).with_columns(
        pl.col(name).str.to_datetime("%Y-%m-%dT%H:%M:%S%#z", time_unit="us", strict=False)
        for name in ("sent_at", "at")
    )
    return frame.height, frame.estimated_size("mb")


def validate(log: Path, store: Path) -> tuple[int, float]:
    records = validate_logs([log]).records
    return len(records), records.contacts.estimated_size("mb") + records.events.estimated_size("mb")


def ingest(log: Path, store: Path) -> tuple[int, float]:
    shutil.rmtree(store, ignore_errors=True)
    result = Store(store).ingest(validate_files([log]))
    frames = result.validation.records
    return result.new_records, frames.contacts.estimated_size("mb") + frames.events.estimated_size(
        "mb"
    )


def analysis(log: Path, store: Path) -> tuple[int, float]:
    """Scan the store (the columns the analysis reads) and compute links, attempts, episodes,
    owed silences and statistics: the whole analysis the lists and the browser read (`deconf
    stats --store` computes only what the statistics read: the stats_store_process)."""
    result = analyze(Store(store).load(CONTACT_COLUMNS, EVENT_COLUMNS))
    result.stats(Col.TO_PARTY)
    sizes = [result.attempts, result.episodes, result.silences]
    return result.attempts.height, sum(f.estimated_size("mb") for f in sizes)


def exchanges(log: Path, store: Path) -> tuple[int, float]:
    """The exchanges list (what the browser and the report's appendix show), from the store."""
    result = analyze(Store(store).load(CONTACT_COLUMNS, EVENT_COLUMNS))
    return result.exchanges.height, result.exchanges.estimated_size("mb")


def more_log(log: Path) -> Path:
    """A tenth of the log again under fresh ids (replies too): new records for a full store."""
    more = log.with_name(f"{log.stem}-more.jsonl")
    if not more.exists():
        frame = pl.read_ndjson(log, schema=BASELINE_SCHEMA)
        fresh = [pl.concat_str(pl.lit("m"), pl.col(c)).alias(c) for c in ("id", "in_reply_to")]
        frame.head(frame.height // 10).with_columns(fresh).write_ndjson(more)
    return more


def _store_copy(log: Path, store: Path) -> None:
    """Before `ingest_more`: a copy of the store that `ingest` made, to add to."""
    more_log(log)
    shutil.rmtree(store.with_name(f"{store.name}-more"), ignore_errors=True)
    shutil.copytree(store, store.with_name(f"{store.name}-more"))


def ingest_more(log: Path, store: Path) -> tuple[int, float]:
    """Ingest a tenth more into the full store: duplicate and reply checks through the store's
    id index (deconf.idindex), not a load of the store."""
    result = Store(store.with_name(f"{store.name}-more")).ingest(validate_files([more_log(log)]))
    return result.new_records, 0.0


def ingest_more_loading(log: Path, store: Path) -> tuple[int, float]:
    """The same, with the index refused, so the checks load the whole store (the old way)."""
    import deconf.store

    deconf.store.HASHED_BY = "another Polars"
    return ingest_more(log, store)


def _sides(base: Path) -> tuple[Path, Path, Path]:
    stem = base.with_suffix("")
    return tuple(
        stem.with_name(f"{stem.name}-{end}") for end in ("a.jsonl", "b.jsonl", "truth.json")
    )


def validate_pair(base: Path, store: Path) -> tuple[int, float]:
    """Validate both sides' logs, each on its own (what reconcile does first)."""
    side_a, side_b, _ = _sides(base)
    first, second = validate_logs([side_a]).records, validate_logs([side_b]).records
    return len(first) + len(second), sum(
        f.estimated_size("mb") for r in (first, second) for f in (r.contacts, r.events)
    )


def reconcile_pair(base: Path, store: Path):
    """What `deconf reconcile A B -o MERGED --format json` does: validate both, match, estimate
    the offset, find conflicts, merge, write the merged log, build the JSON. The score against
    the truth comes back as a function, so that it is not timed."""
    side_a, side_b, truth = _sides(base)
    result = reconcile(
        [("a", validate_logs([side_a]).records), ("b", validate_logs([side_b]).records)]
    )
    merged = store.with_suffix(".merged.jsonl")
    write_jsonl(result.merged, merged)
    result.to_json()
    offset, contacts = read_truth(truth)
    return (
        len(result.merged),
        result.merged.contacts.estimated_size("mb"),
        lambda: score(result, offset, contacts),
    )


def csv_baseline(log: Path, store: Path) -> tuple[int, float]:
    """polars.read_csv of the foreign CSV: what importing it is compared with."""
    frame = pl.read_csv(write_foreign(log)[0])
    return frame.height, frame.estimated_size("mb")


def import_map(log: Path, store: Path) -> tuple[int, float]:
    """`deconf import`'s reading and mapping: the CSV to candidate records (RawLog frames)."""
    csv, mapping = write_foreign(log)
    raws = import_sources([csv], resolve_mapping(mapping, None)).raws
    return sum(r.frame.height for r in raws), sum(r.frame.estimated_size("mb") for r in raws)


def import_validate(log: Path, store: Path) -> tuple[int, float]:
    """The whole import: reading, mapping and validation (what `deconf import -o` does)."""
    csv, mapping = write_foreign(log)
    records = validate_import([csv], resolve_mapping(mapping, None))[0].records
    return len(records), records.contacts.estimated_size("mb")


STEPS = {
    "baseline": baseline,
    "validate": validate,
    "ingest": ingest,
    "analysis": analysis,
    "exchanges": exchanges,
    "ingest_more": ingest_more,
    "ingest_more_loading": ingest_more_loading,
    "validate_pair": validate_pair,
    "reconcile_pair": reconcile_pair,
    "csv_baseline": csv_baseline,
    "import_map": import_map,
    "import_validate": import_validate,
}


#: Work done before a step is timed.
PREPARE = {"ingest_more": _store_copy, "ingest_more_loading": _store_copy}


def main() -> None:
    step, log, store = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    if step in PREPARE:
        PREPARE[step](log, store)
    started, used = time.perf_counter(), time.process_time()
    rows, frame_mb, *extra = STEPS[step](log, store)
    seconds, cpu = time.perf_counter() - started, time.process_time() - used
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {
        "step": step,
        "seconds": seconds,
        "cpu_seconds": cpu,  # all threads: what a loaded machine disturbs least
        "peak_rss_mb": peak,
        "frame_mb": frame_mb,
        "rows": rows,
    }
    print(json.dumps(figures | ({"score": extra[0]()} if extra else {})))


if __name__ == "__main__":
    main()
