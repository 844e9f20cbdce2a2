"""The Dask engine: the per-pair work mapped over a cluster's workers reading the store gives the
same analysis as a local run. Tests needing Dask are skipped, with the reason, without the extra."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from deconf.analysis import GROUPINGS, Filters, analyze
from deconf.cli.commands import app
from deconf.engines import DASK, Engine, analyze_with, dask_missing
from deconf.errors import UsageError
from deconf.loading import validate_files
from deconf.policy import Policy
from deconf.sources import load_data
from deconf.store import Store
from deconf.synth import write_log
from tests.conftest import KHASHAM

needs_dask = pytest.mark.skipif(dask_missing() is not None, reason=str(dask_missing()))
runner = CliRunner()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, Engine()),
        ("local", Engine()),
        ("dask", Engine(DASK)),
        ("dask:tcp://10.0.0.5:8786", Engine(DASK, "tcp://10.0.0.5:8786")),
    ],
)
def test_engines_are_named_local_dask_or_dask_with_an_address(text, expected):
    assert Engine.parse(text) == expected


@pytest.mark.parametrize("text", ["spark", "dask:", "local:x"])
def test_an_unknown_engine_is_a_usage_error_naming_the_choices(text):
    with pytest.raises(UsageError, match="unknown engine") as caught:
        Engine.parse(text)
    assert "dask:ADDRESS" in caught.value.message


def test_without_the_extra_the_dask_engine_says_how_to_get_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as if not installed
    assert "pip install 'deconf[dask]'" in dask_missing()


def test_the_dask_engine_reads_the_store_not_log_files():
    result = runner.invoke(app, ["stats", str(KHASHAM), "--engine", "dask"])
    assert result.exit_code == 2
    assert "ingest the logs first" in result.output or "deconf[dask]" in result.output


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("store")
    log = root / "synth.jsonl"
    write_log(log, 3000, seed=2)
    target = Store(root / "store")
    target.ingest(validate_files([log, KHASHAM]))
    return target


@pytest.fixture(scope="module")
def cluster():
    if dask_missing() is not None:
        pytest.skip(dask_missing())
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as running:
        yield running


@needs_dask
@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(party="RU", channel="deconfliction_line"),
        Filters(since=datetime(2018, 2, 7, tzinfo=UTC)),
    ],
)
def test_the_analysis_on_a_cluster_equals_the_local_one(store, cluster, filters):
    loaded = load_data(None, store.root)
    local = analyze(loaded.records, Policy(), None, filters)
    done = []
    mapped = analyze_with(
        Engine(DASK, cluster.scheduler_address),
        loaded.records,
        Policy(),
        None,
        filters,
        store=store,
        progress=lambda step: done.append((step.done, step.total)),
    )
    assert mapped.as_of == local.as_of
    assert_frame_equal(mapped.attempts, local.attempts)
    assert_frame_equal(mapped.episodes, local.episodes)
    assert_frame_equal(mapped.silences, local.silences)
    assert_frame_equal(mapped.exchanges, local.exchanges)
    for by in GROUPINGS:
        assert_frame_equal(mapped.stats(by), local.stats(by), check_exact=False, rel_tol=1e-9)
    assert done and done[-1][0] == done[-1][1] > 1  # several pairs, each reported


@needs_dask
def test_stats_with_engine_dask_prints_what_the_local_run_prints(store, cluster):
    def stats(*engine):
        args = ["stats", "--store", str(store.root), "--format", "json", "--by", "to_party"]
        result = runner.invoke(app, [*args, *engine])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    assert stats("--engine", f"dask:{cluster.scheduler_address}") == stats()
