"""`deconf report` and `deconf verify-report`: audit reports and the check that one still matches
the data it names."""

from __future__ import annotations

import json
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Literal

import polars as pl
import typer
from pydantic import ValidationError

from deconf.analysis import Filters, analyze
from deconf.analysis.asof import parse_as_of
from deconf.analysis.readings import Reading
from deconf.cli.analysis import AsOfOpt, PolicyOpt, ReadingOpt
from deconf.cli.common import (
    EXIT_DATA,
    EXIT_OK,
    AssumeTzOpt,
    InputFormatOpt,
    KeepExtraOpt,
    MapOpt,
    NoVerifyOpt,
    OptionalLogsArg,
    PresetOpt,
    StoreOpt,
    handles_errors,
    say,
    stderr,
)
from deconf.cli.options import DataOptions
from deconf.cli.progress import QuietOpt, progress_shown
from deconf.errors import UsageError
from deconf.frames import Col, Records
from deconf.logpaths import distinct
from deconf.marks import load_marks, marks_path
from deconf.opening import digest
from deconf.policy import Policy, load_policy
from deconf.progress import Report, Step, silent
from deconf.report import FORMATS, render
from deconf.report.compare import first_difference
from deconf.report.content import build_report
from deconf.report.model import MappingRef, MarksFile
from deconf.report.render import PARAMETERS_MARK
from deconf.sources import Provenance, open_store
from deconf.times import check_zone

FormatArg = Annotated[str, typer.Option("--format", help="html, md or json.")]
TzOpt = Annotated[str | None, typer.Option("--tz", help="Add local times in this IANA zone.")]
GeneratedOpt = Annotated[
    str | None,
    typer.Option(
        "--generated-at",
        help="'now' or a timestamp to record; default: none, so the "
        "same data gives the same bytes.",
    ),
]


def write_report(
    data: DataOptions,
    fmt: str,
    output: Path,
    policy: Policy,
    as_of: str | None,
    tz: str | None,
    generated_at: str | None,
    reading: str | None = None,
    names: dict[str, str] | None = None,
    progress: Report = silent,
    mapping: MappingRef | Literal["as given"] | None = "as given",
) -> list[Path]:
    """Write a report. `names` respells log paths (as given → as a report named them), so a
    report checked against the same files under another path recomputes the same bytes;
    `mapping` is how the report names the mapping the logs were imported through (by default
    as `data` names it; None: not named, as a report made before mappings were named)."""
    if fmt not in FORMATS:
        raise UsageError(f"--format: choose one of {', '.join(FORMATS)}")
    check_zone(tz, "tz")
    loaded = data.load(as_of=as_of, progress=progress)
    for path in loaded.repeated:
        say(f"deconf: {path} is named more than once; read once", stderr)
    provenance = loaded.provenance()
    if names:
        loaded.records = _respelled(loaded.records, names)
        provenance = Provenance(
            [replace(i, path=names.get(i.path, i.path)) for i in provenance.inputs],
            provenance.store,
        )
    chosen = Filters(reading=str(Reading.parse(reading)))
    analysis = analyze(loaded.records, policy, loaded.as_of, chosen)
    where = marks_path(data.logs, None if data.logs else loaded.store.root)
    try:
        marks = load_marks(where)
    except ValueError as error:
        raise UsageError(str(error)) from None
    named = MarksFile(path=where.name, sha256=digest(where)[0], marks=len(marks)) if marks else None
    stamp = parse_as_of(generated_at, "generated_at") if generated_at else None
    progress(Step(f"analyzing {loaded.records.contacts.height:,} contacts and writing the report"))
    report = build_report(
        analysis,
        loaded.summary,
        provenance,
        tz=tz,
        generated_at=stamp,
        marks=marks,
        whole=loaded.records,
        marks_file=named,
    )
    if mapping == "as given":
        mapping = mapping_ref(data)
    if mapping is not None:
        parameters = report.parameters.model_copy(update={"mapping": mapping})
        report = report.model_copy(update={"parameters": parameters})
    return render(report, analysis, fmt, output)


def mapping_ref(data: DataOptions) -> MappingRef | None:
    """The preset and mapping file that log files are imported through (none for a store,
    whose records were imported when they were ingested)."""
    if not data.logs or (data.map_path is None and data.preset is None):
        return None
    if data.map_path is None:
        return MappingRef(preset=data.preset)
    return MappingRef(preset=data.preset, path=str(data.map_path), sha256=digest(data.map_path)[0])


def _recorded_mapping(
    made: dict, report_file: Path, map_path: Path | None, preset: str | None
) -> tuple[Path | None, str | None, MappingRef | None, list[str]]:
    """The mapping to recompute a report with: the preset and mapping file it names (the file
    found where it was named, or beside the report, unless --map gives it), with what does
    not match. A report that names none is recomputed with what the command line gives."""
    recorded = made["parameters"].get("mapping")
    if recorded is None:
        return map_path, preset, None, []
    try:
        ref = MappingRef.model_validate(recorded)
    except ValidationError:
        raise UsageError(f"{report_file}: the report's parameters name a damaged mapping") from None
    problems = []
    if preset is not None and preset != ref.preset:
        made_with = f"--preset {ref.preset}" if ref.preset else "no preset"
        problems.append(f"the report was made with {made_with}, not --preset {preset}")
    if ref.path is None:
        if map_path is not None:
            problems.append("the report was made without a mapping file (--map)")
        return None, ref.preset, ref, problems
    named = f"{ref.path} (SHA-256 {(ref.sha256 or '')[:16]}…)"
    if map_path is not None:
        if not map_path.is_file():
            raise UsageError(f"--map {map_path}: no such mapping file")
        if digest(map_path)[0] != ref.sha256:
            problems.append(f"the mapping {map_path} is not the one the report names, {named}")
        return map_path, ref.preset, ref, problems
    for candidate in (Path(ref.path), report_file.parent / Path(ref.path).name):
        if candidate.is_file() and digest(candidate)[0] == ref.sha256:
            return candidate, ref.preset, ref, problems
    problems.append(
        f"the report was made through the mapping {named}, which is not at that path "
        "(or has changed) nor beside the report; give it with --map"
    )
    return None, ref.preset, ref, problems


def _respelled(records: Records, names: dict[str, str]) -> Records:
    """Records' origin files as the report named them; so is the `source` an import gave a
    record ("path:line" of its row), where it is exactly that."""
    source = pl.col(Col.SOURCE)
    for given, named in names.items():
        made = pl.concat_str(pl.lit(f"{given}:"), pl.col(Col.ORIGIN_LINE).cast(pl.String))
        mine = (pl.col(Col.ORIGIN_FILE) == given) & (pl.col(Col.SOURCE) == made)
        respelled = pl.concat_str(pl.lit(f"{named}:"), pl.col(Col.ORIGIN_LINE).cast(pl.String))
        source = pl.when(mine).then(respelled).otherwise(source)
    columns = [pl.col(Col.ORIGIN_FILE).replace(names), source.alias(Col.SOURCE)]
    return Records(records.contacts.with_columns(columns), records.events.with_columns(columns))


@handles_errors
def report(
    logs: OptionalLogsArg = None,
    fmt: FormatArg = "html",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Report file.")] = None,
    store: StoreOpt = None,
    policy: PolicyOpt = None,
    as_of: AsOfOpt = None,
    tz: TzOpt = None,
    generated_at: GeneratedOpt = None,
    assume_tz: AssumeTzOpt = None,
    keep_extra: KeepExtraOpt = False,
    input_format: InputFormatOpt = None,
    reading: ReadingOpt = None,
    map_path: MapOpt = None,
    preset: PresetOpt = None,
    quiet: QuietOpt = False,
    no_verify: NoVerifyOpt = False,
) -> None:
    """Write an audit report (html, md or json) of log files or of the store.

    \b
    Example:
      deconf report logs/khasham-2018.jsonl --format html -o night.html --tz Asia/Damascus
    """
    if output is None:
        raise UsageError("-o FILE is required (the report is a file)")
    with progress_shown(quiet) as progress:
        written = write_report(
            DataOptions(
                logs,
                store,
                input_format=input_format,
                assume_tz=assume_tz,
                keep_extra=keep_extra,
                map_path=map_path,
                preset=preset,
                verify=not no_verify,
            ),
            fmt,
            output,
            load_policy(policy),
            as_of,
            tz,
            generated_at,
            reading,
            progress=progress,
        )
    for path in written:
        say(f"wrote {path}")


def read_parameters(path: Path) -> dict:
    """The parameters a report was made with: from the JSON itself, or the comment at the top of
    an HTML or Markdown report."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path}: cannot be read ({error})") from None
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
            return {
                "format": "json",
                "parameters": data["parameters"],
                "inputs": data["inputs"],
                "store": data["store"],
                "marks": data.get("marks_file"),
            }
        except (json.JSONDecodeError, KeyError):
            raise UsageError(f"{path}: not a deconf JSON report") from None
    start = text.find(PARAMETERS_MARK)
    if start < 0:
        raise UsageError(f"{path}: not a deconf report (no parameters comment)")
    end = text.find("-->", start)
    try:
        data = json.loads(text[start + len(PARAMETERS_MARK) : end])
    except json.JSONDecodeError:
        raise UsageError(f"{path}: the report's parameters comment is damaged") from None
    data["format"] = "html" if "<html" in text[:2000] else "md"
    return data


def _match_inputs(named: list[dict], logs: list[Path]) -> tuple[list[Path], dict, list[str]]:
    """The given logs in the order the report names them, matched by content (SHA-256), not by
    how their paths are spelled; with the respellings and what does not match."""
    by_hash: dict[str, list[Path]] = {}
    for path in logs:
        by_hash.setdefault(digest(path)[0], []).append(path)
    ordered, names, problems = [], {}, []
    for item in named:
        found = by_hash.get(item["sha256"])
        if not found:
            problems.append(
                f"no log given has the content the report names for {item['path']} "
                f"(SHA-256 {item['sha256'][:16]}…)"
            )
            continue
        path = found.pop(0)
        ordered.append(path)
        if str(path) != item["path"]:
            names[str(path)] = item["path"]
    extra = [str(p) for paths in by_hash.values() for p in paths]
    if extra:
        problems.append(f"the report does not name {', '.join(extra)}")
    return ordered, names, problems


def _check_marks(made: dict, logs, store) -> list[str]:
    """The marks file the report names must still hold what it held then."""
    named = made.get("marks")
    where = marks_path(logs, None if logs else open_store(store).root)
    if named is None:
        if where.exists() and load_marks(where):
            return [f"marks were added since the report was made ({where})"]
        return []
    if not where.exists():
        return [f"the report names the marks file {named['path']}, which is missing"]
    if digest(where)[0] != named["sha256"]:
        return [f"the marks file {where} has changed since the report (SHA-256 differs)"]
    return []


def _compare(report_file: Path, again: Path, fmt: str) -> list[str]:
    """Every byte, and for Markdown every SVG chart beside it; the first difference in words."""
    problems = []
    difference = first_difference(
        report_file.read_text(encoding="utf-8"), again.read_text(encoding="utf-8"), fmt
    )
    if difference:
        problems.append(f"recomputed from the data, the report's content differs at {difference}")
    if fmt == "md":
        for chart in sorted(again.parent.glob(f"{again.stem}.timeline-*.svg")):
            beside = report_file.with_name(chart.name.replace(again.stem, report_file.stem, 1))
            if not beside.exists():
                problems.append(f"the chart {beside.name} the report shows is missing")
            elif beside.read_bytes() != chart.read_bytes():
                where = first_difference(
                    beside.read_text(encoding="utf-8"), chart.read_text(encoding="utf-8"), "svg"
                )
                problems.append(f"the chart {beside.name} differs from the data at {where}")
    return problems


@handles_errors
def verify_report(
    report_file: Annotated[Path, typer.Argument(help="The report to check.")],
    logs: OptionalLogsArg = None,
    store: StoreOpt = None,
    assume_tz: AssumeTzOpt = None,
    keep_extra: KeepExtraOpt = False,
    input_format: InputFormatOpt = None,
    map_path: MapOpt = None,
    preset: PresetOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Check that a report matches the data it names: input hashes (by content, whatever the
    path's spelling), the marks file, then every byte recomputed (and, for Markdown, every chart
    beside it); a mismatch names the first differing line and its section.

    \b
    Example:
      deconf report logs/khasham-2018.jsonl --format json -o night.json
      deconf verify-report night.json logs/khasham-2018.jsonl
    """
    with progress_shown(quiet) as progress:
        problems, parameters = _verified(
            report_file,
            logs,
            store,
            input_format,
            assume_tz,
            keep_extra,
            map_path,
            preset,
            progress,
        )
    if problems:
        for problem in problems:
            say(f"MISMATCH: {problem}")
        raise typer.Exit(EXIT_DATA)
    say(
        f"{report_file}: matches the data it names (hashes and every byte "
        f"recomputed at as-of {parameters['as_of']})"
    )
    raise typer.Exit(EXIT_OK)


def _verified(
    report_file: Path,
    logs: list[Path] | None,
    store: Path | None,
    input_format: str | None,
    assume_tz: str | None,
    keep_extra: bool,
    map_path: Path | None,
    preset: str | None,
    progress: Report,
) -> tuple[list[str], dict]:
    """What does not match between the report and the data it names, and its parameters."""
    made = read_parameters(report_file)
    problems = []
    names: dict[str, str] = {}
    given = list(logs or [])
    if logs:
        logs, names, mismatched = _match_inputs(made["inputs"], distinct(given)[0])
        problems += mismatched
    else:
        target = open_store(store, verify=False)  # the full check, here, names every problem
        problems += [f"store: {p}" for p in target.verify()]
        if made["store"] is None:
            problems.append("the report was made from log files; name them instead of a store")
        elif made["store"]["chain_hash"] != target.chain_hash():
            problems.append(
                "the store's chain hash differs from the one the report names "
                "(data was ingested since, or the store is another)"
            )
    problems += _check_marks(made, given, store)
    parameters = made["parameters"]
    policy = Policy.model_validate(parameters["policy"])
    missing_input = any(p.startswith("no log given") for p in problems)
    mapping = None
    if logs:
        map_path, preset, mapping, mismatched = _recorded_mapping(
            made, report_file, map_path, preset
        )
        problems += mismatched
        missing_input = missing_input or bool(mismatched)
    if not missing_input:  # with every input at hand, recompute and say where it differs
        with tempfile.TemporaryDirectory() as scratch:
            again = Path(scratch) / report_file.name
            write_report(
                DataOptions(
                    logs,
                    store,
                    input_format=input_format,
                    assume_tz=assume_tz,
                    keep_extra=keep_extra,
                    map_path=map_path,
                    preset=preset,
                    verify=False,
                ),
                made["format"],
                again,
                policy,
                parameters["as_of"],
                parameters["tz"],
                parameters["generated_at"],
                parameters.get("reading"),
                names=names,
                progress=progress,
                mapping=mapping,
            )
            progress(Step("comparing the report with the one recomputed"))
            problems += _compare(report_file, again, made["format"])
    return problems, parameters
