"""One source table through a mapping: Polars expressions per field, no loop over rows.

Each record table of the mapping (one for ``[fields]``, one per ``[[records]]``) gives, for every
row, one candidate record with every field as text — the shape reading gives (``RAW_SCHEMA``) —
plus the problems the mapping itself found (a value its map does not cover, a time no format
reads, a local time that happened twice). Validation judges the candidates exactly as it judges
a deconf log; the problems found here join the model's, so each rejection says every reason.
"""

from __future__ import annotations

import polars as pl

from deconf.explain import VALUE_MAX
from deconf.frames import Col
from deconf.importing.cells import blank_cells_as_null, trimmed
from deconf.importing.mapping import (
    ANY_VALUE,
    PARTY_FIELDS,
    TIME_FIELDS,
    FieldSpec,
    Mapping,
    MappingError,
    RecordSpec,
    TimeSpec,
)
from deconf.importing.tables import ROW_PROBLEM, SourceTable
from deconf.importing.timefields import bulk_instants, read_times
from deconf.model import ALL_FIELDS
from deconf.opening import COMPRESSED_SUFFIXES
from deconf.reading import (
    CSV_TAG_SEPARATOR,
    LINE,
    LIST_FIELDS,
    PROBLEMS,
    RAW_SCHEMA,
    SUSPECT,
    TEXT,
    parsed_column,
)

ORDER_AT = "_order_at"  # the record's time in UTC, to order records for addressee inference
# how to_party is inferred when the row does not give it (SPEC §6), per record
FROM_PARENT, FROM_REPLY, FROM_THREAD, TO_DEFAULT = (
    "_from_parent",
    "_from_reply",
    "_from_thread",
    "_to_default",
)
PROBLEM = pl.Struct({"field": pl.String, "message": pl.String, "value": pl.String})
_INTEGER = r"^[+-]?\d+(?:\.0*)?$"
_SCIENTIFIC = r"^[+-]?\d+(?:\.\d*)?[eE][+-]?\d+$"


def check_columns(mapping: Mapping, table: SourceTable) -> None:
    """Every column the mapping names is in the source (or its field has a default)."""
    present = set(table.columns)
    for number, spec in enumerate(mapping.record_specs(), 1):
        prefix = f"records[{number}]." if mapping.records else "fields."
        for name, field in spec.fields.items():
            for key, column in (("column", field.column), ("date_column", field.date_column)):
                if column is not None and column not in present and field.default is None:
                    raise MappingError(
                        f"{mapping.path}: {prefix}{name}.{key}: no column {column!r} in "
                        f"{table.source} (its columns: {', '.join(table.columns)})"
                    )
        for column in spec.skip_when or {}:
            if column not in present:
                raise MappingError(
                    f"{mapping.path}: records[{number}].skip_when: no column {column!r} in "
                    f"{table.source}"
                )


def map_table(table: SourceTable, mapping: Mapping) -> pl.DataFrame:
    """Every record the rows yield, as text fields with LINE, TEXT and the problems found."""
    check_columns(mapping, table)
    stem = _stem(table.source)
    specs = mapping.record_specs()
    table = blank_cells_as_null(table, _read_columns(specs, table))
    order = any((spec.fields.get(Col.TO_PARTY) or FieldSpec()).infers for spec in specs)
    parts = [
        _records(table, mapping, spec, stem, first=number == 0, order=order)
        for number, spec in enumerate(specs)
    ]
    return pl.concat(parts).sort(LINE, maintain_order=True) if len(parts) > 1 else parts[0]


def _stem(source: str) -> str:
    """The source's file name without its extensions (a compression's too), for default ids:
    chat.txt and chat.txt.gz both give `chat:<line>`."""
    name = source.rsplit("/", 1)[-1]
    compression = next((s for s in COMPRESSED_SUFFIXES if name.lower().endswith(s)), "")
    return name[: len(name) - len(compression)].rsplit(".", 1)[0]


def _read_columns(specs: list[RecordSpec], table: SourceTable) -> list[str]:
    """Columns read as plain values: time and party cells are trimmed (and a blank one made
    empty) where they are read, so they need no look here."""
    used = {
        column
        for spec in specs
        for name, field in spec.fields.items()
        for column in (field.column, field.date_column)
        if column is not None and name not in TIME_FIELDS + PARTY_FIELDS
    } | {column for spec in specs for column in spec.skip_when or {}}
    return [c for c in table.columns if c in used]


def _records(
    table: SourceTable, mapping: Mapping, spec: RecordSpec, stem: str, *, first: bool, order: bool
) -> pl.DataFrame:
    """One record table's candidate records. Values that take work (times read, values
    mapped) are computed once into staged columns; the problems are gathered only for the rows
    that have any; then one select gives the records."""
    formats = tuple(mapping.time.formats) + table.time_formats * bool(mapping.time.formats)
    present = set(table.columns)
    keep = _keep(spec, table, first)
    frame = table.frame if keep is None else table.frame.filter(keep)
    values: dict[str, pl.Expr] = {}
    problems: list[tuple[str, pl.Expr, pl.Expr]] = []  # field, message, offending value
    parsed: dict[str, pl.Expr] = {}  # time fields read by the mapping's formats, in UTC
    staged: dict[str, pl.Expr] = {}  # columns computed once, together (in parallel)
    times: dict[str, tuple[pl.Expr, TimeSpec]] = {}  # time field → its cells and how to read
    order_at = pl.lit(None, dtype=pl.Datetime("us", "UTC"))
    for name, field in spec.fields.items():
        raw = _raw(field, present)
        if name in TIME_FIELDS:
            time = mapping.time
            if field.date_column is not None:  # the row's own date, not [time] date
                time = time.model_copy(update={"date": None})
                if field.date_column in present:  # "<date> <time>", made once
                    joined = pl.concat_str(pl.col(field.date_column), pl.lit(" "), raw)
                    frame = frame.with_columns(joined.alias(f"_time_{name}_cell"))
                    raw = pl.col(f"_time_{name}_cell")
            times[name] = (raw, time)
            bulk = bulk_instants(raw, time, formats)
            if bulk is not None:
                staged[f"_time_{name}_bulk"] = bulk
            continue
        value, problem, stage = _value(frame, name, field, raw)
        staged |= stage
        values[name] = value
        if problem is not None:
            problems.append((name, problem, raw))
    # each row's own place, "file:line" (a record's `source` unless the mapping fills it)
    staged["_row_source"] = pl.concat_str(pl.lit(f"{table.source}:"), pl.col(LINE).cast(pl.String))
    frame = frame.with_columns(expr.alias(column) for column, expr in staged.items())
    for name, (raw, time) in times.items():
        prefix = f"_time_{name}_"
        bulk = frame.get_column(prefix + "bulk") if prefix + "bulk" in staged else None
        read = read_times(_cells(frame, raw), time, formats, order=order, bulk=bulk)
        frame = frame.with_columns(
            read.text.alias(prefix + "text"),
            read.utc.alias(prefix + "utc"),
            read.problem.alias(prefix + "problem"),
        )
        default = spec.fields[name].default
        values[name] = pl.col(prefix + "text")
        if default is not None:
            values[name] = values[name].fill_null(pl.lit(default))
        if formats:
            parsed[parsed_column(name)] = pl.col(prefix + "utc")
        problems.append((name, pl.col(prefix + "problem"), raw))
        if name in (Col.SENT_AT, Col.AT):
            order_at = pl.col(prefix + "utc")
    row_id = values.get(Col.ID, pl.format("{}:{}", pl.lit(stem), pl.col(LINE)))
    values[Col.ID] = pl.concat_str(row_id, pl.lit(spec.suffix)) if spec.suffix else row_id
    if spec.reply_to_suffix is not None:
        values[Col.IN_REPLY_TO] = pl.concat_str(row_id, pl.lit(spec.reply_to_suffix))
    if Col.TIME_PRECISION not in values and mapping.time.precision is not None:
        values[Col.TIME_PRECISION] = pl.lit(mapping.time.precision.value)
    source = pl.col("_row_source")
    values[Col.SOURCE] = pl.coalesce(values[Col.SOURCE], source) if Col.SOURCE in values else source
    problems.append(("record", pl.col(ROW_PROBLEM), pl.col(TEXT)))
    for name in PARTY_FIELDS:
        if name in values:
            values[name] = _aliased(trimmed(frame, values[name]), mapping.parties)
    found, listed = _problems(frame, problems)
    to_spec = spec.fields.get(Col.TO_PARTY) or FieldSpec()
    return frame.select(
        pl.col(LINE),
        pl.col(TEXT),
        *(
            (values[f] if f in values else pl.lit(None, dtype=RAW_SCHEMA[f])).alias(f)
            for f in ALL_FIELDS
        ),
        *(utc.alias(name) for name, utc in parsed.items()),
        order_at.alias(ORDER_AT),
        pl.lit(to_spec.from_parent).alias(FROM_PARENT),
        pl.lit(to_spec.from_reply).alias(FROM_REPLY),
        pl.lit(to_spec.from_thread).alias(FROM_THREAD),
        pl.lit(to_spec.default if to_spec.infers else None, pl.String).alias(TO_DEFAULT),
        pl.lit(listed).alias(PROBLEMS),
        pl.lit(found).alias(SUSPECT),
    )


def _cells(frame: pl.DataFrame, raw: pl.Expr) -> pl.Series:
    """A field's raw cells, one per row (a constant repeated)."""
    return frame.with_columns(raw.alias("_cells")).get_column("_cells")


def _problems(
    frame: pl.DataFrame, problems: list[tuple[str, pl.Expr, pl.Expr]]
) -> tuple[pl.Series, pl.Series]:
    """Whether each row has a problem (SUSPECT: the model's slow path looks at it), and its
    problems as a list of (field, message, value), built only for the rows that have any
    (most have none)."""
    messages = [f"_problem{i}" for i in range(len(problems))]
    flagged = frame.with_columns(
        message.alias(m) for (_, message, _), m in zip(problems, messages, strict=True)
    )
    found = flagged.select(pl.any_horizontal(pl.col(m).is_not_null() for m in messages))
    found = found.to_series().alias(SUSPECT)
    if not found.any():
        return found, pl.repeat(None, frame.height, dtype=pl.List(PROBLEM), eager=True)
    listed = (
        flagged.filter(found)
        .select(
            pl.concat_list(
                pl.when(pl.col(m).is_not_null()).then(
                    pl.struct(
                        pl.lit(field).alias("field"),
                        pl.col(m).alias("message"),
                        value.cast(pl.String).str.slice(0, VALUE_MAX - 1).alias("value"),
                    )
                )
                for (field, _, value), m in zip(problems, messages, strict=True)
            ).list.drop_nulls()
        )
        .to_series()
    )
    position = pl.when(found).then(found.cast(pl.Int64).cum_sum() - 1)  # in `listed`, or null
    return found, listed.gather(pl.select(position).to_series())


def _keep(spec: RecordSpec, table: SourceTable, first: bool) -> pl.Expr | None:
    """Whether each row yields this table's record: the first table always does (a row with no
    time is rejected, not dropped); a later one only when its time cell is filled. None: all."""
    keep = None
    if not first:
        for name in (Col.SENT_AT, Col.AT):
            field = spec.fields.get(name)
            if field is not None and field.column is not None:
                filled = pl.col(field.column).str.contains(r"\S").fill_null(False)
                filled = filled if field.column in table.columns else pl.lit(False)
                keep = filled if keep is None else keep & filled
    for column, skipped in (spec.skip_when or {}).items():
        wanted = ~pl.col(column).str.strip_chars().is_in(skipped).fill_null(False)
        keep = wanted if keep is None else keep & wanted
    return keep


def _raw(field: FieldSpec, present: set[str]) -> pl.Expr:
    if field.value is not None:
        return pl.lit(field.value)
    if field.column is not None and field.column in present:
        return pl.col(field.column)
    return pl.lit(None, dtype=pl.String)


def _value(
    frame: pl.DataFrame, name: str, field: FieldSpec, raw: pl.Expr
) -> tuple[pl.Expr, pl.Expr | None, dict[str, pl.Expr]]:
    """A non-time field's text, its problem (None when the field cannot have one), and the
    columns to stage first: a mapped value is computed once, for the value and its problem."""
    problem: pl.Expr | None = None
    stage: dict[str, pl.Expr] = {}
    value = raw
    if field.integer:
        value, problem = _integer(raw)
    if field.map is not None:
        stripped = trimmed(frame, value)
        table = {k: v for k, v in field.map.items() if k != ANY_VALUE}
        mapped = stripped.replace_strict(table, default=None, return_dtype=pl.String)
        if ANY_VALUE in field.map:
            mapped = (
                pl.when(stripped.is_in(list(table)))
                .then(mapped)
                .when(stripped.is_not_null())
                .then(pl.lit(field.map[ANY_VALUE]))
            )
        staged = f"_mapped_{name}"
        stage[staged] = mapped
        uncovered = stripped.is_not_null() & pl.col(staged).is_null()
        missing = pl.when(uncovered).then(pl.lit(f"no entry for this value in the {name} map"))
        problem = missing if problem is None else pl.coalesce(problem, missing)
        value = pl.col(staged)
    if name in LIST_FIELDS:  # tags, logged_by: a cell of `;`-separated items
        separator = field.separator or CSV_TAG_SEPARATOR
        value = (
            value.str.split(separator)
            .list.eval(pl.element().str.strip_chars())
            .list.eval(pl.element().filter(pl.element() != ""))
        )
        default = [t.strip() for t in (field.default or "").split(separator) if t.strip()]
        return value.fill_null(pl.lit(default or None, dtype=pl.List(pl.String))), problem, stage
    if field.default is not None and not field.infers:
        value = value.fill_null(pl.lit(field.default))
    return value, problem, stage


def _integer(raw: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """`119237.0` and `1.19237e5` (how spreadsheets write ids) as `119237`."""
    text = raw.str.strip_chars()
    plain = text.str.contains(_INTEGER)
    scientific = text.str.contains(_SCIENTIFIC)
    as_float = text.cast(pl.Float64, strict=False)
    whole = as_float.round(0) == as_float
    value = (
        pl.when(plain)
        .then(text.str.replace(r"\.0*$", "").str.strip_prefix("+"))
        .when(scientific & whole)
        .then(as_float.cast(pl.Int64, strict=False).cast(pl.String))
    )
    problem = pl.when(text.is_not_null() & value.is_null()).then(pl.lit("not a whole number"))
    return value, problem


def _aliased(party: pl.Expr, parties: dict[str, str]) -> pl.Expr:
    if not parties:
        return party
    return party.replace(parties)
