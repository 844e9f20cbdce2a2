"""The report's parts on small inputs: the worst burst, the chart's legibility rules, the
Markdown escaping, truncated tables keeping the most severe rows."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import polars as pl

from deconf.analysis import analyze
from deconf.analysis.bursts import worst_burst
from deconf.loading import validate_records
from deconf.report.chart import round_ticks, timeline
from deconf.report.content import table
from deconf.report.render import markdown_cell
from tests.test_analysis_rules import msg


def _analysis(records):
    validation = validate_records(records)
    assert not validation.rejected, validation.errors
    return analyze(validation.records)


def test_a_single_call_or_a_single_instant_is_no_burst():
    alone = _analysis([msg("a1", 0), msg("x", 90, "UN", "OCHA", "note")])
    assert worst_burst(alone.attempts) is None  # one attempt is not a burst
    instant = _analysis(
        [msg("a1", 0), msg("a2", 0, "US", "SY"), msg("x", 90, "UN", "OCHA", "note")]
    )
    assert worst_burst(instant.attempts) is None  # two pairs, one call each


def test_the_worst_burst_prefers_calls_never_answered():
    result = _analysis(
        [
            # three calls to SY, all superseded by the fourth's answer
            msg("s1", 0, "US", "SY"),
            msg("s2", 5, "US", "SY"),
            msg("s3", 10, "US", "SY"),
            msg("rs", 12, "SY", "US", "response", in_reply_to="s3"),
            # two calls to RU never answered
            msg("r1", 100),
            msg("r2", 110),
            msg("end", 200, "UN", "OCHA", "note"),
        ]
    )
    burst = worst_burst(result.attempts)
    assert burst is not None and burst["attempt_id"].to_list() == ["r1", "r2"]


def test_round_ticks_fall_on_round_times():
    start = datetime(2018, 2, 7, 20, 17, 31, tzinfo=UTC)
    ticks = round_ticks(start, start + timedelta(hours=1, minutes=48))
    assert [t.strftime("%H:%M") for t in ticks] == ["20:30", "21:00", "21:30", "22:00"]
    days = round_ticks(start, start + timedelta(days=5))
    assert all(t.hour == 0 and t.minute == 0 for t in days)
    months = round_ticks(start, start + timedelta(days=300))
    assert [t.strftime("%Y-%m-%d") for t in months] == [
        "2018-03-01",
        "2018-05-01",
        "2018-07-01",
        "2018-09-01",
        "2018-11-01",
    ]
    years = round_ticks(start, start + timedelta(days=3000))
    assert all(t.month == 1 and t.day == 1 for t in years) and len(years) <= 7


def test_the_chart_is_legible_on_its_own():
    result = _analysis(
        [
            msg("a1", 0, summary="call"),
            msg("a2", 5, attempt_outcome="no_answer"),
            msg("r", 20, "RU", "US", "response", in_reply_to="a1"),
            {
                "type": "event",
                "id": "e1",
                "at": "2018-02-07T20:10:00+00:00",
                "kind": "shelling",
                "summary": "bell \x07 and \x1b[31m escape",
            },
        ]
    )
    svg = timeline(result.attempts, result.episodes, result.records.events, result.as_of, title="T")
    assert '<rect x="0" y="0" width="960"' in svg and 'fill="#ffffff"' in svg  # opaque
    for words in ("attempt answered", "unanswered", "not delivered", "reply", "event"):
        assert words in svg  # a legend entry for every colour and mark
    assert re.search(r">1\.? ?</text>|>1</text>", svg)  # the event is numbered…
    assert "1. 2018-02-07 20:10Z shelling" in svg  # …with a key
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", svg)  # no control character


def test_a_long_lane_label_is_cut_and_the_full_name_kept_in_a_tooltip():
    long_a, long_b = "A" * 30, "B" * 30
    result = _analysis([msg("a1", 0, long_a, long_b), msg("a2", 5, long_a, long_b)])
    svg = timeline(result.attempts, result.episodes, result.records.events, result.as_of)
    assert f"<title>{long_a} → {long_b}</title>" in svg
    assert "…" in svg


def test_markdown_cells_cannot_start_blocks_or_carry_controls():
    assert markdown_cell("- item") == "\\- item"
    assert markdown_cell("1. first") == "1\\. first"
    assert markdown_cell("# title") == "\\# title"
    assert markdown_cell("a|b\nc") == "a\\|b c"
    assert markdown_cell("bell\x07") == "bell\ufffd"


def test_a_truncated_table_keeps_the_most_severe_rows():
    frame = pl.DataFrame({"id": ["a", "b", "c", "d"], "t": [1, 2, 3, 4], "gap": [5, 50, 1, 20]})
    kept = table(frame, ["id"], limit=2, worst_first=["gap"], shown_by=["t"])
    assert [r["id"] for r in kept.rows] == ["b", "d"] and kept.total == 4


def test_first_difference_names_the_line_and_the_section():
    from deconf.report.compare import first_difference

    before = "# Report\n\n## Findings\n\n- RU left 1 of 4 unanswered\n"
    after = before.replace("1 of 4", "2 of 4")
    said = first_difference(after, before, "md")
    assert said.startswith("line 5, in section “Findings”")
    assert "“- RU left 2 of 4 unanswered”" in said and "“- RU left 1 of 4 unanswered”" in said
    assert first_difference(before, before, "md") is None
    keyed = first_difference('{"a": 1, "b": 2}', '{"a": 1, "b": 3}', "json")
    assert "key “b”" in keyed
