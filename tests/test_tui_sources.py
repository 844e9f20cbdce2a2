"""Where the browser's data comes from, as `deconf browse` reads it (`deconf.cli.browse.reader`):
a reading of a merged log as of the same time `deconf stats --reading` takes, and a store
followed by its manifest that keeps the last good read when it stops matching."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from deconf.cli.analysis import run_analysis
from deconf.cli.browse import reader
from deconf.cli.options import AnalysisOptions, DataOptions
from deconf.loading import validate_files
from deconf.marks import marks_path
from deconf.store import MANIFEST, Store
from deconf.tui.app import DeconfBrowser
from deconf.tui.screens.record import RecordScreen
from tests.conftest import KHASHAM, contact
from tests.tui_helpers import drawn, loaded

WIDE = (160, 45)


@pytest.fixture
def merged(write_log) -> Path:
    """A merged log: side B logged only the morning's answer; side A also the evening call."""
    return write_log(
        [
            contact(id="a1", sent_at="2018-02-07T10:00:00Z", logged_by=["A:a1"]),
            contact(
                id="a2",
                sent_at="2018-02-07T10:05:00Z",
                from_party="RU",
                to_party="US",
                kind="response",
                in_reply_to="a1",
                logged_by=["A:a2", "B:b2"],
            ),
            contact(id="a3", sent_at="2018-02-07T18:00:00Z", logged_by=["A:a3"]),
        ],
        "merged.jsonl",
    )


def app_on(read, logs: list[Path] | None, root: Path | None, **options) -> DeconfBrowser:
    first = [read()]
    return DeconfBrowser(
        lambda: first.pop() if first else read(),
        marks_path(logs, root),
        inputs=logs or [root],
        **options,
    )


def test_a_reading_is_as_of_the_latest_time_of_all_the_data_as_stats_takes_it(merged):
    evening = datetime(2018, 2, 7, 18, 0, tzinfo=UTC)
    read = reader(DataOptions([merged]), "side:B")
    loaded_data = read()
    assert loaded_data.records.contacts["id"].to_list() == ["a2"]  # the reading's records
    assert loaded_data.as_of == evening  # not 10:05, the reading's own latest
    stats = run_analysis(AnalysisOptions(DataOptions([merged]), reading="side:B"))
    assert stats.analysis.as_of == evening


async def test_the_browser_shows_a_reading_as_of_that_time(merged):
    app = app_on(reader(DataOptions([merged]), "side:B"), [merged], None)
    async with app.run_test(size=WIDE) as pilot:
        await loaded(pilot)
        assert app.state.analysis.as_of == datetime(2018, 2, 7, 18, 0, tzinfo=UTC)
        assert "as of 2018-02-07 18:00:00Z" in drawn(app)
    explicit = app_on(
        reader(DataOptions([merged]), "side:B"), [merged], None, as_of="2018-02-07T12:00:00Z"
    )
    async with explicit.run_test(size=WIDE) as pilot:
        await loaded(pilot)
        assert "as of 2018-02-07 12:00:00Z" in drawn(explicit)


@pytest.fixture
def store(tmp_path) -> Path:
    root = tmp_path / "store"
    Store(root).ingest(validate_files([KHASHAM]))
    return root


async def test_a_followed_store_that_stops_matching_keeps_the_last_good_read(store, tmp_path):
    manifest = store / MANIFEST
    app = app_on(
        reader(DataOptions(store=store)), None, store, follow=[manifest], follow_seconds=60
    )
    async with app.run_test(size=WIDE) as pilot:
        await loaded(pilot)
        assert app.state.total == 4
        good = manifest.read_text()
        manifest.write_text(good.replace('"bytes": ', '"bytes": 1', 1))  # sizes do not match
        app._check_follow()
        await loaded(pilot)
        banner = app.query_one("#banner")
        assert banner.display and f"cannot re-read the store {store}" in str(banner.render())
        assert "do not match" in str(banner.render())
        assert app.state.total == 4  # the last good read stays on screen
        manifest.write_text("not json\n")  # unreadable
        app._check_follow()
        await loaded(pilot)
        assert banner.display and app.state.total == 4
        manifest.write_text(good)  # sizes match again, but a data file is garbage
        data = next(store.glob("contacts/*/*.parquet"))
        data.write_bytes(b"\0" * data.stat().st_size)
        app._check_follow()
        await loaded(pilot)
        assert banner.display and "cannot re-read the store" in str(banner.render())
        assert app.state.total == 4
        shutil.rmtree(store)  # the store replaced: gone, then back with more in it
        app._check_follow()
        await loaded(pilot)
        assert "is gone" in str(banner.render()) and app.state.total == 4
        Store(store).ingest(validate_files([KHASHAM]))
        app._check_follow()
        await loaded(pilot)
        assert not banner.display and app.state.total == 4


async def test_p_shows_every_stored_field_from_the_store(store):
    app = app_on(reader(DataOptions(store=store)), None, store)
    async with app.run_test(size=WIDE) as pilot:
        await loaded(pilot)
        await pilot.press("p")
        await loaded(pilot)
        assert isinstance(app.screen, RecordScreen)
        text = drawn(app)
        # tags and operator are not held by the browser: read back from the store
        assert "tags" in text and "operator" in text and "kh-001" in text
