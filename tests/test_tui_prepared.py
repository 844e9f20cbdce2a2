"""The browser on a store whose first screen an ingest prepared: shown from it, then checked
against the analysis computed behind it; a prepared screen that does not match its records
(edited by hand) is replaced at once and the banner says so."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from deconf.analysis.columns import A, Status
from deconf.cli import app as cli
from deconf.cli.browse import reader
from deconf.cli.options import DataOptions
from deconf.marks import marks_path
from deconf.prepared import EXCHANGES_FILE, PREPARED
from deconf.tui.app import DeconfBrowser
from tests.conftest import HUMANITARIAN
from tests.tui_helpers import drawn, loaded

WIDE = (160, 45)


def stored(tmp_path: Path) -> Path:
    store = tmp_path / "store"
    result = CliRunner().invoke(cli, ["ingest", str(HUMANITARIAN), "--store", str(store)])
    assert result.exit_code == 0, result.output
    return store


def browser(store: Path) -> tuple[DeconfBrowser, list]:
    read = reader(DataOptions(store=store))
    reads: list = []

    def load():
        reads.append(read())
        return reads[-1]

    return DeconfBrowser(load, marks_path(None, store), inputs=[store]), reads


def not_answered(frame: pl.DataFrame) -> int:
    return frame.filter(pl.col(A.STATUS) != Status.ANSWERED).height


async def test_a_prepared_first_screen_shows_the_same_list_as_a_computed_one(tmp_path):
    store = stored(tmp_path)
    app, reads = browser(store)
    async with app.run_test(size=WIDE) as pilot:
        await loaded(pilot)
        assert reads[0].from_prepared
        shown = drawn(app)
        assert "⚠" not in shown
        assert app.state.pending is None
        prepared_view = app.state.view
    (store / PREPARED).rename(tmp_path / "aside")  # the same store, nothing prepared
    computed, reads = browser(store)
    async with computed.run_test(size=WIDE) as pilot:
        await loaded(pilot)
        assert not reads[0].from_prepared
        assert computed.state.view.equals(prepared_view)
        assert drawn(computed) == shown


async def test_a_prepared_screen_edited_by_hand_is_replaced_and_said(tmp_path):
    store = stored(tmp_path)
    (folder,) = (store / PREPARED).iterdir()
    exchanges = pl.read_parquet(folder / EXCHANGES_FILE)
    truth = not_answered(exchanges)
    assert truth > 0
    # every exchange made to look answered
    exchanges.with_columns(pl.lit(Status.ANSWERED).alias(A.STATUS)).write_parquet(
        folder / EXCHANGES_FILE
    )
    app, reads = browser(store)
    async with app.run_test(size=WIDE) as pilot:
        await loaded(pilot)
        assert reads[0].from_prepared
        assert not_answered(app.state.view) == truth  # the records' own analysis
        assert "did not match its records" in drawn(app)
