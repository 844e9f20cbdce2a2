"""Tables for people, as a reader sees them: golden text of the main tables at 80, 100 and 160
columns on both sample logs (`UPDATE_GOLDEN=1 pytest tests/test_cli_tables.py` rewrites them
after a deliberate change; read the diff), and the layout rules those files show by example:
nothing folds ids or times, what is left out is named, a group's name cannot break the layout."""

from __future__ import annotations

import json
import os
import re

import pytest
from typer.testing import CliRunner

from deconf.cli import app
from tests.conftest import HUMANITARIAN, KHASHAM, contact

GOLDEN = os.path.join(os.path.dirname(__file__), "golden", "cli")
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
WIDTHS = (80, 100, 160)
TABLES = {
    "gaps": ["gaps"],
    "stats": ["stats", "--by", "to_party"],
    "episodes": ["episodes"],
    "exchanges": ["exchanges"],
    "silences": ["silences"],
}
LOGS = {"khasham": KHASHAM, "humanitarian": HUMANITARIAN}


def run(args: list[str], width: int = 100):
    return CliRunner().invoke(app, args, env={"COLUMNS": str(width)})


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("log", LOGS)
@pytest.mark.parametrize("table", TABLES)
def test_tables_match_their_golden_text(table, log, width):
    result = run([*TABLES[table], str(LOGS[log])], width)
    assert result.exit_code == 0, result.output
    golden = os.path.join(GOLDEN, f"{table}-{log}-{width}.txt")
    if UPDATE:
        os.makedirs(GOLDEN, exist_ok=True)
        with open(golden, "w", encoding="utf-8") as handle:
            handle.write(result.stdout)
    assert os.path.exists(golden), f"missing {golden}; run with UPDATE_GOLDEN=1"
    with open(golden, encoding="utf-8") as handle:
        assert result.stdout == handle.read()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("log", LOGS)
@pytest.mark.parametrize("table", TABLES)
def test_tables_fit_the_width_and_never_fold_ids_or_times(table, log, width):
    lines = run([*TABLES[table], str(LOGS[log])], width).stdout.splitlines()
    assert all(len(line) <= width for line in lines), max(lines, key=len)
    rows = [line for line in lines if line.startswith("│")]
    for row in rows:
        cells = [cell.strip() for cell in row.strip("│").split("│")]
        # a folded id or time would leave a fragment such as "kh-0" or "2018-02-07" alone
        for cell in cells:
            assert not re.fullmatch(r"(kh|hn|ep:kh|ep:hn)-\d?|\d{4}-\d\d-\d\d|\d\d:\d\dZ?", cell)


def test_a_narrow_terminal_names_what_it_left_out_and_columns_choose():
    narrow = run(["gaps", str(KHASHAM)], 80).stdout
    assert "left out to fit 80 columns:" in narrow
    assert "episode" in narrow.split("left out")[1]
    chosen = run(["gaps", str(KHASHAM), "--columns", "attempt_id,episode_id,ttfr_seconds"], 80)
    header = next(line for line in chosen.stdout.splitlines() if line.startswith("┃"))
    assert [h.strip() for h in header.strip("┃").split("┃")] == [
        "attempt",
        "episode",
        "first reply",
    ]
    assert "left out" not in chosen.stdout


def test_an_unknown_column_lists_the_known_ones():
    result = run(["gaps", str(KHASHAM), "--columns", "attempt_id,nonsense"])
    assert result.exit_code == 2
    assert "--columns: no column 'nonsense'" in result.output
    assert "episode_id" in result.output


def test_times_for_people_follow_tz_and_machine_output_stays_utc():
    people = run(["gaps", str(KHASHAM), "--tz", "Asia/Damascus"], 160).stdout
    assert "2018-02-07 22:43" in people  # 20:43Z on the clocks in Damascus
    assert "times in Asia/Damascus (UTC+02:00)" in people
    assert "as of 2018-02-08 11:00:00 +02:00" in people
    machine = json.loads(
        run(["gaps", str(KHASHAM), "--tz", "Asia/Damascus", "--format", "json"]).stdout
    )
    assert machine[5]["sent_at"] == "2018-02-07T20:43:00.000000Z"


def test_an_unknown_zone_is_refused_naming_the_option():
    result = run(["stats", str(KHASHAM), "--tz", "Mars/Olympus"])
    assert result.exit_code == 2
    assert "--tz: 'Mars/Olympus' is not a known IANA time zone" in result.output


def test_counts_have_thousands_separators(tmp_path):
    synthetic = tmp_path / "big.jsonl"
    assert (
        run(
            ["synth", "--records", "5000", "--seed", "3", "--parties", "2", "-o", str(synthetic)]
        ).exit_code
        == 0
    )
    table = run(["stats", "--by", "all", str(synthetic)], 100).stdout
    attempts = json.loads(run(["stats", "--by", "all", str(synthetic), "--format", "json"]).stdout)[
        0
    ]["attempts"]
    assert attempts >= 1000
    assert f"{attempts:,}" in table


def test_a_party_named_like_a_label_or_markup_cannot_break_the_statistics(write_log):
    parties = ["figure", "[bold]x[/bold]", "by to_party", ""]
    records = [
        contact(id=f"a{i}", to_party=name or "z", kind="query", sent_at=f"2018-02-07T2{i}:00:00Z")
        for i, name in enumerate(parties)
    ]
    records.append(
        contact(
            id="r0",
            from_party="figure",
            to_party="US",
            kind="response",
            in_reply_to="a0",
            sent_at="2018-02-07T20:05:00Z",
        )
    )
    table = run(["stats", str(write_log(records))], 100).stdout
    header = next(line for line in table.splitlines() if line.startswith("┃"))
    assert "figure" in header and "[bold]x[/bold]" in header
    labels = [line.split("│")[1].strip() for line in table.splitlines() if line.startswith("│")]
    assert labels[:4] == ["attempts", "episodes", "answered", "unanswered (censored)"]
    assert "median wait (KM)" in labels


def test_many_groups_continue_in_blocks_that_fit(write_log):
    records = [
        contact(
            id=f"a{i}", to_party=f"RESPONDER-NUMBER-{i:02d}", sent_at=f"2018-02-07T{10 + i}:00:00Z"
        )
        for i in range(9)
    ]
    table = run(["stats", str(write_log(records))], 80).stdout
    assert all(len(line) <= 80 for line in table.splitlines())
    assert "… continued (2 of" in table
    for i in range(9):
        assert f"RESPONDER-NUMBER-{i:02d}" in table


def test_too_narrow_for_the_columns_kept_cuts_words_never_ids_times_or_numbers():
    table = run(["gaps", str(HUMANITARIAN)], 50).stdout
    rows = [line for line in table.splitlines() if line.startswith("│")]
    cells = [[c.strip() for c in row.strip("│").split("│")] for row in rows]
    assert all(re.fullmatch(r"hn-\d{3}", row[0]) for row in cells)
    assert all(re.fullmatch(r"2019-05-\d\d \d\d:\d\dZ", row[2]) for row in cells)
    assert any(row[1].endswith("…") for row in cells)  # "NGO-RELIEF → COALITION" cut short
    assert "1d 06h 30m" in table


def test_statistics_columns_choose_the_figures_shown():
    table = run(["stats", str(KHASHAM), "--columns", "km_median_seconds,breaches"]).stdout
    labels = [line.split("│")[1].strip() for line in table.splitlines() if line.startswith("│")]
    assert labels == ["median wait (KM)", "breaches (times as written)"]
