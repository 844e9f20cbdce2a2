"""Property: a log in deconf's own schema, imported through an identity mapping, gives exactly
the records (and the rejections) that reading it directly gives.

So the importer adds nothing and loses nothing on its way to validation. The one difference is
the `source` field, which an import fills with the row's file:line when the log leaves it empty
(SPEC §6: every imported record keeps its origin); the direct reading is of the same log with
those sources written in, so that difference is stated, not ignored. (One consequence: two
identical rows of a foreign table are two records from two lines, and the later is a duplicate
id, where a deconf log would keep one and warn.)
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deconf.frames import Col
from deconf.importing import validate_import
from deconf.importing.mapping import mapping_from
from deconf.loading import validate_logs
from deconf.model import ALL_FIELDS
from deconf.vocabulary import Channel, ContactKind, EventKind, Precedence, TimePrecision
from tests.test_validation_property import optional, timestamp

party = st.sampled_from(["US", "RU", "SDF", "NGO", "Коалиция", "قوات", "x" * 64, "x" * 65])
text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)


@st.composite
def row(draw, index: int) -> dict[str, str]:
    if draw(st.integers(0, 4)) == 0:
        record = {
            "type": "event",
            "id": f"e{index}",
            "at": draw(timestamp()),
            "kind": draw(st.sampled_from([*EventKind, "gossip"])),
            "actor": draw(optional(party)),
            "location": draw(optional(text)),
        }
    else:
        record = {
            "id": draw(st.sampled_from([f"c{index}", f"c{index}", "", "c0"])),
            "sent_at": draw(st.one_of(timestamp(), st.just("yesterday"))),
            "from_party": draw(party),
            "to_party": draw(party),
            "channel": draw(st.sampled_from([*Channel, "pigeon"])),
            "kind": draw(st.sampled_from(list(ContactKind))),
            "in_reply_to": draw(optional(st.sampled_from([f"c{index - 1}", "elsewhere"]))),
            "precedence": draw(optional(st.sampled_from(list(Precedence)))),
            "expects_response": draw(optional(st.sampled_from(["true", "false", "yes"]))),
            "time_precision": draw(optional(st.sampled_from(list(TimePrecision)))),
            "tags": draw(optional(st.sampled_from(["a;b", " a ; ", "x" * 70]))),
            "source": draw(optional(st.sampled_from(["liaison log p. 3", ""]))),
            "logged_by": draw(optional(st.sampled_from(["US:c7", "US:c7;RU:r2", " ; "]))),
        }
    record["summary"] = draw(optional(text))
    return {k: str(v) for k, v in record.items() if v is not None}


@st.composite
def table(draw) -> list[dict[str, str]]:
    return [draw(row(i)) for i in range(draw(st.integers(1, 10)))]


def write_csv(rows: list[dict[str, str]], path: Path, source_of=None) -> None:
    """The rows as a deconf-schema CSV; with `source_of`, an empty `source` is filled with
    `source_of(line)`, the value an import gives it."""
    header = [f for f in ALL_FIELDS if any(f in r for r in rows) or (source_of and f == "source")]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for r in rows:
        line = buffer.getvalue().count("\n") + 1  # a quoted cell may span lines
        if source_of and not r.get(Col.SOURCE, "").strip():
            r = r | {Col.SOURCE: source_of(line)}
        writer.writerow([r.get(f, "") for f in header])
    path.write_text(buffer.getvalue(), encoding="utf-8")


def identity_mapping(path: Path):
    header = next(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    return mapping_from({"fields": {f: f for f in header}}, "identity.toml")


def comparable(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.drop(Col.ORIGIN_FILE).sort(Col.ORIGIN_LINE, Col.ID)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table())
def test_identity_import_equals_direct_reading(rows):
    with tempfile.TemporaryDirectory() as folder:
        path, expected = Path(folder) / "log.csv", Path(folder) / "expected.csv"
        write_csv(rows, path)
        # the one documented difference: an import fills an empty `source` with file:line
        write_csv(rows, expected, source_of=lambda line: f"{path}:{line}")
        direct = validate_logs([expected])
        mapped, _ = validate_import([path], identity_mapping(path))
        assert mapped.lines == direct.lines
        assert comparable(mapped.records.contacts).equals(comparable(direct.records.contacts))
        assert comparable(mapped.records.events).equals(comparable(direct.records.events))
        assert [(r.line, {p.field for p in r.problems}) for r in mapped.rejected] == [
            (r.line, {p.field for p in r.problems}) for r in direct.rejected
        ]
        # a warning may name a line of its own file (an identical duplicate's first copy)
        assert [(w.line, w.field, w.message) for w in mapped.warnings] == [
            (w.line, w.field, w.message.replace(str(expected), str(path)))
            for w in direct.warnings
        ]
        assert mapped.identical_duplicates == direct.identical_duplicates
