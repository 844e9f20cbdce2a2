"""Audit reports: golden files, determinism, escaping, verification, a real browser render."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from freezegun import freeze_time
from typer.testing import CliRunner

from deconf.cli import app
from deconf.marks import add_mark, marks_path
from tests.conftest import ROOT, contact, event

runner = CliRunner()
GOLDEN = ROOT / "tests" / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
CASES = {
    "khasham": ("logs/khasham-2018.jsonl", "2018-02-08T09:00:00Z", "Asia/Damascus"),
    "humanitarian": ("logs/humanitarian-notifications.jsonl", "2019-05-21T12:00:00Z", None),
}


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def make(log: str, fmt: str, output: Path, as_of: str, tz: str | None = None):
    extra = ["--tz", tz] if tz else []
    result = run("report", log, "--format", fmt, "-o", output, "--as-of", as_of, *extra)
    assert result.exit_code == 0, result.output
    return output


@pytest.fixture
def in_repo(monkeypatch):
    """Reports name their inputs as given: run from the repository with relative paths."""
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("fmt", ["html", "md", "json"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_reports_match_their_golden_files(in_repo, tmp_path, case, fmt):
    log, as_of, tz = CASES[case]
    output = make(log, fmt, tmp_path / f"{case}.{fmt}", as_of, tz)
    produced = sorted(tmp_path.iterdir())
    for path in produced:
        golden = GOLDEN / path.name
        if UPDATE:
            shutil.copy(path, golden)
        assert golden.exists(), f"missing golden file {golden}; run with UPDATE_GOLDEN=1"
        assert path.read_bytes() == golden.read_bytes(), f"{path.name} differs from {golden}"
    assert output in produced


def test_the_same_inputs_give_the_same_bytes(in_repo, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for fmt in ("html", "md", "json"):
        first = make(
            "logs/khasham-2018.jsonl", fmt, tmp_path / "a" / f"r.{fmt}", "2018-02-08T09:00:00Z"
        )
        second = make(
            "logs/khasham-2018.jsonl", fmt, tmp_path / "b" / f"r.{fmt}", "2018-02-08T09:00:00Z"
        )
        assert first.read_bytes() and second.read_bytes()
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


def test_no_current_time_unless_asked(in_repo, tmp_path):
    plain = make("logs/khasham-2018.jsonl", "json", tmp_path / "r.json", "2018-02-08T09:00:00Z")
    assert json.loads(plain.read_text())["parameters"]["generated_at"] is None
    with freeze_time("2026-11-25T12:00:00Z"):
        result = run(
            "report",
            "logs/khasham-2018.jsonl",
            "--format",
            "json",
            "-o",
            tmp_path / "s.json",
            "--generated-at",
            "now",
        )
    assert result.exit_code == 0
    assert json.loads((tmp_path / "s.json").read_text())["parameters"]["generated_at"] == (
        "2026-11-25T12:00:00Z"
    )


def test_the_json_report_follows_its_schema(in_repo, tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    report = make("logs/khasham-2018.jsonl", "json", tmp_path / "r.json", "2018-02-08T09:00:00Z")
    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text())
    jsonschema.validate(json.loads(report.read_text()), schema)


def test_the_report_says_what_happened_that_night(in_repo, tmp_path):
    report = json.loads(
        make(
            "logs/khasham-2018.jsonl", "json", tmp_path / "r.json", "2018-02-08T09:00:00Z"
        ).read_text()
    )
    text = " ".join(f["text"] for f in report["findings"])
    assert "5 of 6 attempts from US to RU" in text and "3 were never answered" in text
    assert "RU owed US an answer for 12h 17m 00s" in text and "2 strikes" in text
    assert report["scope"]["inferred"] == 9 and report["scope"]["disputed"] == 6
    [silence] = [s for s in report["silences"] if s["ongoing"]]
    assert [e["id"] for e in silence["events"]] == ["ev-05", "ev-06", "ev-07", "ev-08", "ev-09"]
    assert silence["events"][0]["silent_for_seconds"] == 420.0
    # which breaches are certain, and that figures on inferred or disputed records are no firmer
    breaches = next(f for f in report["findings"] if "breached" in f["text"])
    assert "3 of them are certain on every reading" in breaches["text"]
    assert "(kh-024, kh-030, kh-031)" in breaches["text"]
    weak = next(f for f in report["findings"] if "no firmer than" in f["text"])
    assert {r["certainty"] for r in weak["records"]} >= {"inferred", "disputed"}
    # every finding names the records it rests on, with source, certainty and precision
    for finding in report["findings"][:-1]:
        assert finding["records"], finding["text"]
        assert all(r["source"] and r["time_precision"] for r in finding["records"])
    assert {r["id"] for r in report["findings"][1]["records"]} == {
        "kh-020",
        "kh-021",
        "kh-022",
        "kh-024",
        "kh-030",
        "kh-031",
    }
    # the chronology: every record in time order
    rows = report["chronology"]["rows"]
    assert len(rows) == report["chronology"]["total"] == 21
    assert [r["at"] for r in rows] == sorted(r["at"] for r in rows)
    assert report["coverage"] == [
        {
            "source": "logs/khasham-2018.jsonl",
            "first": "2018-02-03T10:00:00Z",
            "last": "2018-02-08T09:00:00Z",
            "contacts": 12,
            "events": 9,
        }
    ]


def test_log_text_is_escaped_everywhere(tmp_path, write_log):
    hostile = 'Ack <script>alert("x")</script> | col | <b>bold</b>\nsecond line \x07\x1b[31m'
    path = write_log(
        [
            contact(summary=hostile, thread="t|1", source="- a list? | [link](x)"),
            contact(id="c2", from_party="RU", to_party="US", kind="response", summary="ok"),
            event(summary=hostile),
        ],
        "hostile.jsonl",
    )
    with freeze_time("2026-11-25T10:00:00Z"):
        add_mark(marks_path([path], None), "c2", "# not a heading | <i>nor</i> a cell\x00")
    html = make(str(path), "html", tmp_path / "r.html", "2018-02-08T00:00:00Z").read_text()
    assert "<script>" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    markdown = make(str(path), "md", tmp_path / "r.md", "2018-02-08T00:00:00Z").read_text()
    # every table row has exactly as many cell separators as its table's header
    header = 0
    for line in markdown.splitlines():
        if not line.startswith("|"):
            header = 0
            continue
        separators = line.count("|") - line.count("\\|")
        header = header or separators
        assert separators == header, line
    assert sum("alert" in line and line.startswith("|") for line in markdown.splitlines()) >= 2
    assert "<script>" not in markdown and "<i>" not in markdown
    assert "\\# not a heading" in markdown
    control = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
    assert not control.search(markdown) and not control.search(html)
    for chart in tmp_path.glob("r.timeline-*.svg"):
        assert not control.search(chart.read_text())


def test_marks_go_into_the_report(in_repo, tmp_path):
    log = tmp_path / "night.jsonl"
    shutil.copy(ROOT / "logs" / "khasham-2018.jsonl", log)
    with freeze_time("2026-11-25T10:00:00Z"):
        add_mark(marks_path([log], None), "kh-024", "no answer: check the CAOC log")
    report = json.loads(
        make(str(log), "json", tmp_path / "r.json", "2018-02-08T09:00:00Z").read_text()
    )
    assert report["marks"] == [
        {
            "record_id": "kh-024",
            "comment": "no answer: check the CAOC log",
            "marked_at": "2026-11-25T10:00:00Z",
            "summary": report["marks"][0]["summary"],
        }
    ]


def test_verify_report_against_logs(in_repo, tmp_path):
    log = tmp_path / "night.jsonl"
    shutil.copy(ROOT / "logs" / "khasham-2018.jsonl", log)
    for fmt in ("html", "md", "json"):
        report = make(str(log), fmt, tmp_path / f"r.{fmt}", "2018-02-08T09:00:00Z", "UTC")
        assert run("verify-report", report, log).exit_code == 0
    tampered = tmp_path / "r.html"
    tampered.write_text(tampered.read_text().replace("12h 17m 00s", "2h 17m 00s"))
    result = run("verify-report", tampered, log)
    assert result.exit_code == 1 and "content differs" in result.output
    assert "section “Headline findings”" in result.output  # where, not only that
    log.write_text(log.read_text().replace("kh-024", "kh-999"))
    result = run("verify-report", tmp_path / "r.json", log)
    assert result.exit_code == 1 and "no log given has the content" in result.output


def test_verify_report_matches_inputs_by_content_not_path_spelling(in_repo, tmp_path):
    report = make("logs/khasham-2018.jsonl", "md", tmp_path / "r.md", "2018-02-08T09:00:00Z")
    elsewhere = tmp_path / "copy-of-the-log.jsonl"
    shutil.copy(ROOT / "logs" / "khasham-2018.jsonl", elsewhere)
    for spelling in ("./logs/khasham-2018.jsonl", str(elsewhere)):
        result = run("verify-report", report, spelling)
        assert result.exit_code == 0, result.output


def test_verify_report_checks_the_charts_beside_a_markdown_report(in_repo, tmp_path):
    report = make("logs/khasham-2018.jsonl", "md", tmp_path / "r.md", "2018-02-08T09:00:00Z")
    chart = tmp_path / "r.timeline-2.svg"
    chart.write_text(chart.read_text().replace("never answered", "all answered"))
    result = run("verify-report", report, "logs/khasham-2018.jsonl")
    assert result.exit_code == 1 and "the chart r.timeline-2.svg differs" in result.output
    chart.unlink()
    result = run("verify-report", report, "logs/khasham-2018.jsonl")
    assert result.exit_code == 1 and "r.timeline-2.svg the report shows is missing" in result.output


def test_verify_report_checks_the_marks_file_it_names(tmp_path):
    log = tmp_path / "night.jsonl"
    shutil.copy(ROOT / "logs" / "khasham-2018.jsonl", log)
    marks = marks_path([log], None)
    with freeze_time("2026-11-25T10:00:00Z"):
        add_mark(marks, "kh-024", "check the CAOC log")
    report = make(str(log), "html", tmp_path / "r.html", "2018-02-08T09:00:00Z")
    text = report.read_text()
    assert "night.jsonl.marks.jsonl" in text and "1 marks" in text
    assert run("verify-report", report, log).exit_code == 0
    with freeze_time("2026-11-25T11:00:00Z"):
        add_mark(marks, "kh-030", "and this one")
    result = run("verify-report", report, log)
    assert result.exit_code == 1 and "has changed since the report" in result.output
    marks.unlink()
    result = run("verify-report", report, log)
    assert result.exit_code == 1 and "which is missing" in result.output


def test_verify_report_against_a_store(tmp_path):
    store = tmp_path / "store"
    assert run("ingest", ROOT / "logs" / "khasham-2018.jsonl", "--store", store).exit_code == 0
    report = tmp_path / "r.html"
    assert run("report", "--store", store, "--format", "html", "-o", report).exit_code == 0
    assert "chain hash" in report.read_text()
    assert run("verify-report", report, "--store", store).exit_code == 0
    assert (
        run(
            "ingest", ROOT / "logs" / "humanitarian-notifications.jsonl", "--store", store
        ).exit_code
        == 0
    )
    result = run("verify-report", report, "--store", store)
    assert result.exit_code == 1 and "chain hash differs" in result.output


def test_report_needs_an_output_and_a_known_format(in_repo, tmp_path):
    assert run("report", "logs/khasham-2018.jsonl", "--format", "html").exit_code == 2
    assert (
        run(
            "report", "logs/khasham-2018.jsonl", "--format", "pdf", "-o", tmp_path / "r.pdf"
        ).exit_code
        == 2
    )
    assert (
        run(
            "report", "logs/khasham-2018.jsonl", "-o", tmp_path / "r.html", "--tz", "Mars/Base"
        ).exit_code
        == 2
    )


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium is not installed (Debian package `chromium`); .ci/run installs it",
)
def test_the_html_report_renders_in_a_real_browser(in_repo, tmp_path):
    report = make(
        "logs/khasham-2018.jsonl",
        "html",
        tmp_path / "r.html",
        "2018-02-08T09:00:00Z",
        "Asia/Damascus",
    )
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--hide-scrollbars",
    ]
    screen = tmp_path / "screen.png"
    subprocess.run(
        [CHROMIUM, *flags, "--window-size=1280,2400", f"--screenshot={screen}", report.as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
    )
    printed = tmp_path / "print.pdf"
    subprocess.run(
        [CHROMIUM, *flags, f"--print-to-pdf={printed}", "--no-pdf-header-footer", report.as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert screen.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and screen.stat().st_size > 50_000
    assert printed.read_bytes()[:5] == b"%PDF-"
    assert printed.read_bytes().count(b"/Type /Page") >= 8  # one page or more per section
