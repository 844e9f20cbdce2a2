"""Audit reports: scope and provenance, findings, tables, chart and methodology, in HTML,
Markdown or JSON. The same inputs, policy and as-of time give the same bytes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import polars as pl

from deconf.analysis import Analysis
from deconf.analysis.columns import A, Status
from deconf.atomic import write_files
from deconf.frames import Col
from deconf.report.chart import timeline
from deconf.report.model import Report
from deconf.report.render import render_html, render_json, render_markdown
from deconf.times import to_the_minute

FORMATS = ("html", "md", "json")
ZOOM_SHARE = 0.33  # zoom on the longest silence when it covers less than this share of the span


def charts(analysis: Analysis) -> list[str]:
    """The whole timeline, and a close-up of the worst burst of calls when it is short."""
    attempts, events = analysis.attempts, analysis.records.events
    if attempts.is_empty():
        return []
    whole = timeline(
        attempts,
        analysis.episodes,
        events,
        analysis.as_of,
        title="All attempts, replies, waits and events, by party pair",
    )
    found = [whole]
    burst = analysis.worst_burst
    if burst is not None:
        first, last = burst[Col.SENT_AT].min(), burst[Col.SENT_AT].max()
        span = (analysis.as_of - attempts[Col.SENT_AT].min()).total_seconds()
        if span and (last - first).total_seconds() < ZOOM_SHARE * span:
            pad = max((last - first) / 4, timedelta(minutes=15))
            sender, receiver = burst[Col.FROM_PARTY][0], burst[Col.TO_PARTY][0]
            never = burst.filter(pl.col(A.STATUS) == Status.UNANSWERED).height
            found.append(
                timeline(
                    attempts,
                    analysis.episodes,
                    events,
                    analysis.as_of,
                    start=first - pad,
                    end=min(last + 3 * pad, analysis.as_of),
                    title=(
                        f"Close-up: {burst.height} calls from {sender} to {receiver}, "
                        f"{to_the_minute(first)} to {to_the_minute(last)}; "
                        f"{never} never answered"
                    ),
                    pairs=[(sender, receiver)],
                )
            )
    return found


def render(report: Report, analysis: Analysis, fmt: str, output: Path) -> list[Path]:
    """Write the report in `fmt` to `output` (and, for Markdown, its SVG charts beside it)."""
    contents: dict[Path, str] = {}
    if fmt == "html":
        contents[output] = render_html(report, charts(analysis))
    elif fmt == "md":
        names = []
        for number, svg in enumerate(charts(analysis), start=1):
            chart = output.with_name(f"{output.stem}.timeline-{number}.svg")
            contents[chart] = svg + "\n"
            names.append(chart.name)
        contents = {output: render_markdown(report, names), **contents}
    elif fmt == "json":
        contents[output] = render_json(report)
    else:
        raise ValueError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
    write_files(contents)  # all or nothing: no report without its charts, nothing half written
    written = list(contents)
    return written
