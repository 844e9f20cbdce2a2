"""Render a Report as HTML (one self-contained file), Markdown (plus an SVG beside it) or JSON.

Templates are Jinja2 (autoescaped for HTML); everything from the log is escaped — a summary that
says <script> shows as text, and a pipe or a newline cannot break a Markdown table. A comment at
the top of the HTML and Markdown carries the report's parameters, which `verify-report` reads.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta
from importlib import resources

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup

from deconf.analysis.columns import NOT_ESTIMABLE, NOT_REACHED
from deconf.report.model import Report
from deconf.report.text import without_controls
from deconf.times import humanize, local, parse_rfc3339

PARAMETERS_MARK = "deconf-report-parameters:"


def _environment(autoescape: bool) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("deconf.report", "templates"),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_clean,
    )
    environment.filters.update(
        duration=lambda seconds: "" if seconds is None else humanize(seconds),
        share=lambda value: NOT_ESTIMABLE if value is None else f"{value * 100:.1f}%",
        md=markdown_cell,
        when=lambda text: "" if not text else text.replace("T", " "),
        target=lambda text: humanize(float(text.removesuffix("s"))) if text else "",
        num=lambda value: "" if value is None else f"{value:,}",
        marks=firmness_marks,
        precision=precision_words,
        bounds=bounds,
        by_source=by_source,
        words=lambda value: "" if not value else str(value).replace("_", " "),
    )
    environment.globals.update(
        NOT_REACHED=NOT_REACHED,
        NOT_ESTIMABLE=NOT_ESTIMABLE,
        MARK_KEY=MARK_KEY,
    )
    return environment


#: Marks on a row whose figure rests on an inferred or disputed record or an imprecise time.
MARK_INFERRED, MARK_DISPUTED, MARK_IMPRECISE = "†", "‡", "≈"
MARK_KEY = (
    f"{MARK_INFERRED} rests on an inferred record; {MARK_DISPUTED} on a disputed record; "
    f"{MARK_IMPRECISE} on a time recorded only to the minute, approximately or to the day "
    "(the range beside the figure is what the recorded times allow)"
)
_PRECISION_WORDS = {
    "second": "",
    "minute": "to the minute",
    "approximate": "approximate",
    "day": "day only",
}


def firmness_marks(certainty: str | None, precision: str | None = None) -> str:
    """† inferred, ‡ disputed, ≈ imprecise time: what a row's figure rests on, at a glance."""
    marks = {"inferred": MARK_INFERRED, "disputed": MARK_DISPUTED}.get(certainty or "", "")
    if precision and precision != "second":
        marks += MARK_IMPRECISE
    return marks


def precision_words(precision: str | None) -> str:
    return _PRECISION_WORDS.get(precision or "second", precision or "")


def bounds(low: float | None, high: float | None) -> str:
    """'4m 00s – 6m 00s' when the recorded times allow a range, '' when the figure is exact."""
    if low is None or high is None or low == high:
        return ""
    return f"{humanize(low)} – {humanize(high)}"


def by_source(records) -> list[tuple[str, list[str]]]:
    """A finding's records grouped by their source, in the order first met."""
    groups: dict[str, list[str]] = {}
    for record in records:
        groups.setdefault(record.source or "no source given", []).append(record.id)
    return list(groups.items())


def digest(report: Report) -> str:
    """SHA-256 of the report's content (its JSON form): printed on every page, so a page can be
    matched to the report it came from."""
    canonical = json.dumps(report.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _clean(value):
    """Every value a template prints, without control characters (charts included)."""
    if isinstance(value, Markup):
        return Markup(without_controls(str(value)))
    return without_controls(value) if isinstance(value, str) else value


def markdown_cell(value) -> str:
    """A value safe anywhere in Markdown (a table cell, a list item, a heading): no pipe,
    newline, control character or markup survives, and a line cannot start a block."""
    if value is None:
        return ""
    text = without_controls(str(value))
    for character in "\\`*_[]<>|~#!&":
        text = text.replace(character, "\\" + character)
    text = " ".join(text.split())
    if text and text[0] in "+-=":  # would start a list or a heading underline
        text = "\\" + text
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", text)  # would start a numbered list


def parameters_comment(report: Report) -> str:
    data = {
        "format_version": 1,
        "parameters": report.parameters.model_dump(mode="json"),
        "inputs": [i.model_dump() for i in report.inputs],
        "store": report.store.model_dump() if report.store else None,
        "marks": report.marks_file.model_dump() if report.marks_file else None,
    }
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    text = text.replace("--", "-\\u002d")  # "--" may not appear inside an HTML comment
    return f"<!-- {PARAMETERS_MARK} {text} -->"


def _methodology_md() -> str:
    """docs' methodology text, its headings moved under the report's "Methodology" section."""
    text = resources.files("deconf.report").joinpath("methodology.md").read_text("utf-8")
    lines = text.splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return "\n".join("#" + line if line.startswith("## ") else line for line in lines).strip()


def _methodology_html() -> str:
    return MarkdownIt("commonmark", {"html": False}).render(_methodology_md())


def _context(report: Report, charts: list[str]) -> dict:
    zone = report.parameters.tz
    return {
        "r": report,
        "report_sha256": digest(report),
        "charts": charts,
        "tz": zone,
        "local": (lambda text: local(text, zone)),
        "parameters_comment": parameters_comment(report),
        "until_as_of": lambda start: humanize(
            (parse_rfc3339(report.parameters.as_of) - parse_rfc3339(start)) / timedelta(seconds=1)
        ),
    }


def render_html(report: Report, charts: list[str]) -> str:
    template = _environment(autoescape=True).get_template("report.html.j2")
    return template.render(**_context(report, charts), methodology=_methodology_html())


def render_markdown(report: Report, chart_files: list[str]) -> str:
    template = _environment(autoescape=False).get_template("report.md.j2")
    return template.render(**_context(report, chart_files), methodology=_methodology_md())


def render_json(report: Report) -> str:
    return (
        json.dumps(report.model_dump(mode="json"), indent=2, sort_keys=True, ensure_ascii=False)
        + "\n"
    )
