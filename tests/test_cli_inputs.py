"""Input conveniences through the real CLI: compressed logs, standard input, --keep-extra and
--assume-tz on the analysis commands, synth's CSV, a file named twice, machine output that is
exact (--fields, no float noise), a store's sources, and a fast --version."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import subprocess
import sys

import polars as pl
import pytest
from typer.testing import CliRunner

from deconf.cli import app
from deconf.export import to_csv, to_json
from deconf.opening import zstd
from tests.conftest import HUMANITARIAN, KHASHAM, ROOT, contact

COMPRESSORS = {
    ".gz": gzip.compress,
    ".bz2": bz2.compress,
    ".xz": lzma.compress,
    ".zst": zstd.compress,
}


def run(args: list[str], stdin: bytes | str | None = None):
    return CliRunner().invoke(app, args, input=stdin, env={"COLUMNS": "120"})


def summary(args: list[str], stdin: bytes | None = None) -> dict:
    result = run(["validate", *args, "--format", "json"], stdin)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("suffix", COMPRESSORS)
def test_compressed_logs_read_like_the_plain_one(tmp_path, suffix):
    packed = tmp_path / f"night.jsonl{suffix}"
    packed.write_bytes(COMPRESSORS[suffix](KHASHAM.read_bytes()))
    plain = summary([str(KHASHAM)])
    assert summary([str(packed)])["accepted"] == plain["accepted"] > 0
    gaps = run(["gaps", str(packed), "--format", "json"])
    assert gaps.stdout == run(["gaps", str(KHASHAM), "--format", "json"]).stdout


def test_compression_is_told_by_magic_bytes_and_the_format_under_it(tmp_path):
    unnamed = tmp_path / "night.jsonl"  # gzip inside, no .gz
    unnamed.write_bytes(gzip.compress(KHASHAM.read_bytes()))
    assert summary([str(unnamed)])["accepted"] == summary([str(KHASHAM)])["accepted"]
    table = tmp_path / "night.csv.xz"
    table.write_bytes(
        lzma.compress(
            b"id,sent_at,from_party,to_party,channel,kind\n"
            b"a,2018-02-07T20:00:00Z,US,RU,radio,query\n"
        )
    )
    assert summary([str(table)])["accepted"] == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("night.jsonl.gz", b'{"id": "a"}\n', "named .gz but is not gzip data"),
        (
            "night.jsonl.gz",
            gzip.compress(b'{"id": "a"}\n')[:-6],
            "gzip data that cannot be decompressed",
        ),
        (
            "night.jsonl.zst",
            zstd.compress(b"x" * 1000)[:-3],
            "zstd data that cannot be decompressed",
        ),
    ],
)
def test_broken_or_mislabelled_compression_is_one_clear_error(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = run(["gaps", str(path)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_standard_input_is_read_with_dash_jsonl_or_csv_or_compressed():
    plain = summary([str(KHASHAM)])["accepted"]
    assert summary(["-"], KHASHAM.read_bytes())["accepted"] == plain
    assert summary(["-"], gzip.compress(KHASHAM.read_bytes()))["accepted"] == plain
    csv = b"id,sent_at,from_party,to_party,channel,kind\na,2018-02-07T20:00:00Z,US,RU,radio,query\n"
    assert summary(["-"], csv)["accepted"] == 1
    gaps = run(
        ["gaps", "-", "--format", "csv", "--fields", "attempt_id,status"], KHASHAM.read_bytes()
    )
    assert gaps.exit_code == 0
    assert gaps.stdout.splitlines()[0] == "attempt_id,status"


def test_a_rejected_line_on_stdin_is_located_there():
    result = run(["validate", "-"], b'{"id": "a", "sent_at": "soon"}\n')
    assert result.exit_code == 1
    assert "<stdin>:1:" in result.stdout


def test_keep_extra_and_assume_tz_work_on_the_analysis_commands(write_log):
    log = write_log(
        [
            contact(id="a", sent_at="2018-02-07 22:00", extra_note="typo?"),
            contact(
                id="b",
                from_party="RU",
                to_party="US",
                kind="response",
                in_reply_to="a",
                sent_at="2018-02-07 22:09",
            ),
        ]
    )
    refused = run(["gaps", str(log), "--format", "json"])
    assert refused.exit_code == 1
    assert "2 of 2 lines were rejected" in refused.stderr
    kept = run(
        ["gaps", str(log), "--keep-extra", "--assume-tz", "Asia/Damascus", "--format", "json"]
    )
    assert kept.exit_code == 0, kept.output
    (row,) = json.loads(kept.stdout)
    assert row["sent_at"] == "2018-02-07T20:00:00.000000Z"
    assert row["ttfr_seconds"] == 540.0
    for command in ("episodes", "stats", "exchanges", "silences"):
        again = run([command, str(log), "--keep-extra", "--assume-tz", "Asia/Damascus"])
        assert again.exit_code == 0, (command, again.output)


def test_synth_writes_csv_for_csv_and_refuses_what_it_cannot_tell(tmp_path):
    target = tmp_path / "synthetic.csv"
    assert run(["synth", "--records", "300", "--seed", "2", "-o", str(target)]).exit_code == 0
    assert target.read_text().startswith("type,id,sent_at")
    assert summary([str(target)])["accepted"] == 300
    refused = run(["synth", "--records", "3", "-o", str(tmp_path / "synthetic.txt")])
    assert refused.exit_code == 2
    assert "name it .jsonl or .csv" in refused.stderr
    assert not (tmp_path / "synthetic.txt").exists()


def test_the_same_file_named_twice_is_read_once_with_a_note(write_log):
    log = write_log([contact(id="a"), contact(id="a")])  # an identical duplicate: one warning
    once = run(["validate", str(log), "--format", "json"])
    twice = run(
        [
            "validate",
            str(log),
            str(log.parent / ".." / log.parent.name / log.name),
            "--format",
            "json",
        ]
    )
    assert json.loads(twice.stdout) == json.loads(once.stdout)
    assert "is named more than once; read once" in twice.stderr
    gaps = run(["gaps", str(log), str(log), "--format", "json"])
    assert gaps.stderr.count("named more than once") == 1
    assert len(json.loads(gaps.stdout)) == 1


def test_machine_output_has_no_float_noise():
    frame = pl.DataFrame(
        {"ttfr_seconds": [29200.000000000004, 0.1 + 0.2], "share_answered_5m": [1 - 0.8, 1 / 3]}
    )
    assert to_csv(frame).splitlines()[1:] == ["29200.0,0.2", "0.3,0.333333333333"]
    assert json.loads(to_json(frame))[1] == {
        "ttfr_seconds": 0.3,
        "share_answered_5m": 0.333333333333,
    }
    for log in (KHASHAM, HUMANITARIAN):
        text = run(["stats", "--by", "all", str(log), "--format", "csv"]).stdout
        decimals = [
            len(n.split(".")[1])
            for n in text.replace("\n", ",").split(",")
            if n.count(".") == 1 and n.replace(".", "").isdigit()
        ]
        assert max(decimals) <= 12


def test_fields_select_and_order_machine_columns_and_a_wrong_one_lists_the_rest():
    result = run(["stats", str(KHASHAM), "--format", "json", "--fields", "km_median_seconds,group"])
    assert list(json.loads(result.stdout)[0]) == ["km_median_seconds", "group"]
    wrong = run(["gaps", str(KHASHAM), "--format", "csv", "--fields", "attempt_id,ttfr"])
    assert wrong.exit_code == 2
    assert "--fields: no field 'ttfr'" in wrong.stderr
    assert "ttfr_seconds" in wrong.stderr


def test_a_store_lists_its_sources_and_analysis_keeps_to_one(tmp_path):
    store = tmp_path / "store"
    assert run(["ingest", str(KHASHAM), str(HUMANITARIAN), "--store", str(store)]).exit_code == 0
    listed = json.loads(run(["sources", "--store", str(store), "--format", "json"]).stdout)
    assert [(s["source"], s["contacts"], s["events"]) for s in listed] == [
        (str(HUMANITARIAN), 32, 4),
        (str(KHASHAM), 12, 9),
    ]
    table = run(["sources", "--store", str(store)]).stdout
    assert "khasham-2018.jsonl" in table and "2018-02-03 10:00Z" in table
    one = json.loads(
        run(
            [
                "stats",
                "--by",
                "all",
                "--store",
                str(store),
                "--source",
                "khasham-2018.jsonl",
                "--format",
                "json",
            ]
        ).stdout
    )
    alone = json.loads(run(["stats", "--by", "all", str(KHASHAM), "--format", "json"]).stdout)
    assert one == alone
    unknown = run(["gaps", "--store", str(store), "--source", "nope.jsonl"])
    assert unknown.exit_code == 2
    assert "--source: no source is named 'nope.jsonl'" in unknown.stderr


def test_version_is_answered_without_loading_polars():
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "deconf.cli", "--version"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert done.stdout.startswith("deconf ")
    assert "polars" not in done.stderr and "typer" not in done.stderr


def test_shell_completion_is_offered():
    help_text = run(["--help"]).stdout
    assert "--install-completion" in help_text and "--show-completion" in help_text


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("deconf st", {"stats"}),
        ("deconf stats --b", {"--by"}),
        ("deconf stats --by to", {"to_party"}),
        ("deconf gaps --tz Asia/Dam", {"Asia/Damascus"}),
    ],
)
def test_shell_completion_completes_commands_options_and_values(words, expected):
    result = CliRunner().invoke(
        app,
        [],
        prog_name="deconf",
        env={
            "_DECONF_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split()) - 1),
        },
    )
    assert set(result.output.split()) == expected
