"""`stats --engine pairs`: statistics one party pair at a time equal the whole analysis."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from deconf.cli.commands import app
from deconf.loading import validate_files
from deconf.store import Store
from deconf.synth import write_log
from tests.conftest import HUMANITARIAN, KHASHAM

runner = CliRunner()


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pairwise")
    synthetic = folder / "synth.jsonl"
    write_log(synthetic, 3_000, seed=7)
    target = Store(folder / "store")
    target.ingest(validate_files([KHASHAM, HUMANITARIAN, synthetic]))
    return target.root


def _stats(store, *arguments: str) -> str:
    result = runner.invoke(app, ["stats", "--store", str(store), "--format", "json", *arguments])
    assert result.exit_code in (0, 1), result.output
    return result.stdout


@pytest.mark.parametrize(
    "arguments",
    [
        ["--by", "to_party"],
        ["--by", "from_party"],
        ["--by", "channel"],
        ["--by", "precedence"],
        ["--by", "kind"],
        ["--by", "all"],
        ["--party", "RU"],
        ["--party", "SDF", "--by", "from_party"],
        ["--as-of", "2018-02-08T03:00:00Z"],
        ["--channel", "deconfliction_line"],
        ["--since", "2018-03-01T00:00:00Z", "--until", "2018-06-01T00:00:00Z"],
        ["--source", str(KHASHAM), "--party", "US"],
    ],
)
def test_pairwise_statistics_equal_the_whole_analysis(store, arguments):
    assert _stats(store, *arguments, "--engine", "pairs") == _stats(store, *arguments)


def test_pairwise_statistics_fail_on_a_breach_like_the_whole_analysis(store):
    whole = runner.invoke(app, ["stats", "--store", str(store), "--fail-on-breach"])
    pairs = runner.invoke(
        app, ["stats", "--store", str(store), "--fail-on-breach", "--engine", "pairs"]
    )
    assert whole.exit_code == pairs.exit_code == 1


def test_the_pairs_engine_reads_a_store_and_gives_statistics_only(store):
    logs = runner.invoke(app, ["stats", str(KHASHAM), "--engine", "pairs"])
    assert logs.exit_code == 2 and "ingest the logs first" in logs.stderr
    frames = runner.invoke(app, ["episodes", "--store", str(store), "--engine", "pairs"])
    assert frames.exit_code == 2 and "statistics of a store only" in frames.stderr


def test_a_store_too_large_to_hold_goes_one_pair_at_a_time_unless_an_engine_is_named(
    store, monkeypatch
):
    import deconf.pairwise

    whole = runner.invoke(app, ["stats", "--store", str(store), "--format", "json"])
    assert "one party pair at a time" not in whole.stderr
    monkeypatch.setattr(deconf.pairwise, "WHOLE_ANALYSIS_LIMIT", 100)
    large = runner.invoke(app, ["stats", "--store", str(store), "--format", "json"])
    assert large.exit_code == whole.exit_code
    assert "contacts in the store: statistics one party pair at a time" in large.stderr
    assert large.stdout == whole.stdout
    named = runner.invoke(app, ["stats", "--store", str(store), "--engine", "local"])
    assert "one party pair at a time" not in named.stderr
    quiet = runner.invoke(app, ["stats", "--store", str(store), "--format", "json", "--quiet"])
    assert quiet.stderr == "" and quiet.stdout == whole.stdout
