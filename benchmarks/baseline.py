"""The baseline as a whole process: Python, Polars, a plain read_ndjson with a fixed schema and
the timestamps parsed, nothing of deconf imported. What `deconf validate` and `deconf stats LOG`
are compared with as processes (issue 14).

    python -m benchmarks.baseline LOG SCHEMA_JSON
"""

from __future__ import annotations

import json
import sys

import polars as pl

TYPES = {"String": pl.String, "List": pl.List(pl.String)}


def main() -> None:
    log, schema = sys.argv[1], json.loads(sys.argv[2])
    frame = pl.read_ndjson(log, schema={k: TYPES[v] for k, v in schema.items()}).with_columns(
        pl.col(name).str.to_datetime("%Y-%m-%dT%H:%M:%S%#z", time_unit="us", strict=False)
        for name in ("sent_at", "at")
    )
    print(frame.height)


if __name__ == "__main__":
    main()
