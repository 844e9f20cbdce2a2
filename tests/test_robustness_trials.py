"""The robustness trials of benchmarks/, smaller, as slow tests (`pytest -m slow`): malformed
inputs through the CLI, kill -9 during ingests, and a full tmpfs (root only). The full-size runs
and their figures are in docs/robustness.md."""

from __future__ import annotations

import os
import shutil

import pytest

from benchmarks import crash, diskfull, malformed

pytestmark = pytest.mark.slow


def test_malformed_inputs_through_the_cli_are_answered_exactly(capsys):
    assert malformed.main(["--inputs", "300", "--seed", "11", "--subprocess-every", "60"]) == 0
    assert "answered wrongly: 0" in capsys.readouterr().out


def test_killed_ingests_leave_stores_that_verify_and_reingest_exactly():
    # 0: six ingests really killed mid-run, and every run verified and re-ingested exactly
    assert crash.main(["--trials", "6", "--records", "20000", "--seed", "5"]) == 0


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("mount") is None, reason="mounts a tmpfs: root only"
)
def test_a_full_disk_mid_ingest_is_one_line_and_a_verifiable_store(capsys):
    assert diskfull.main(["--records", "50000"]) == 0
