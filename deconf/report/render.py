"""Render a Report as HTML (one self-contained file), Markdown (plus an SVG beside it) or JSON.

Templates are Jinja2 (autoescaped for HTML); everything from the log is escaped — a summary that
says <script> shows as text, and a pipe or a newline cannot break a Markdown table. A comment at
the top of the HTML and Markdown carries the report's parameters, which `verify-report` reads.
"""

from __future__ import annotations

import json
from datetime import timedelta
from importlib import resources

import jinja2
from markdown_it import MarkdownIt

from deconf.report.model import Report
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
    )
    environment.filters.update(
        duration=lambda seconds: "" if seconds is None else humanize(seconds),
        share=lambda value: "" if value is None else f"{value * 100:.1f}%",
        md=markdown_cell,
        when=lambda text: "" if not text else text.replace("T", " "),
        target=lambda text: humanize(float(text.removesuffix("s"))) if text else "",
    )
    return environment


def markdown_cell(value) -> str:
    """A value safe inside a Markdown table cell: no pipe, newline or markup survives."""
    if value is None:
        return ""
    text = str(value)
    for character in "\\`*_[]<>|~":
        text = text.replace(character, "\\" + character)
    return " ".join(text.split())


def parameters_comment(report: Report) -> str:
    data = {
        "format_version": 1,
        "parameters": report.parameters.model_dump(mode="json"),
        "inputs": [i.model_dump() for i in report.inputs],
        "store": report.store.model_dump() if report.store else None,
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
