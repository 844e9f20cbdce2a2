"""Property: the bulk path and the pydantic model agree on every line, valid or broken.

For random logs of valid and deliberately broken records: every line is accepted or rejected
(nothing lost), no valid record is rejected, each line's verdict and the fields it names are the
model's, and the values accepted in bulk are exactly the model's values.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from deconf.explain import explain
from deconf.loading import validate_logs
from deconf.model import parse_record
from deconf.vocabulary import (
    AttemptOutcome,
    Certainty,
    Channel,
    ContactKind,
    EventKind,
    Precedence,
    TimePrecision,
)

party = st.sampled_from(["US", "RU", "SDF", "NGO", "Коалиция", "قوات", " padded ", "x" * 64])
text = st.text(max_size=30)
offset = st.sampled_from(["Z", "+02:00", "-05:30", "+03:00", "z", ""])
moment = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2030, 1, 1))


@st.composite
def timestamp(draw):
    when = draw(moment)
    fraction = draw(st.sampled_from(["", ".5", ".123456"]))
    separator = draw(st.sampled_from(["T", " "]))
    seconds = draw(st.sampled_from([":%S", ""]))
    return when.strftime(f"%Y-%m-%d{separator}%H:%M{seconds}") + fraction + draw(offset)


def optional(strategy):
    return st.one_of(st.none(), strategy)


@st.composite
def contact(draw, index):
    sender, receiver = draw(party), draw(party)
    record = {
        "id": f"c{index}",
        "sent_at": draw(timestamp()),
        "from_party": sender,
        "to_party": receiver,
        "channel": draw(st.sampled_from(list(Channel))).value,
        "kind": draw(st.sampled_from(list(ContactKind))).value,
        "attempt_outcome": draw(optional(st.sampled_from(list(AttemptOutcome)))),
        "precedence": draw(optional(st.sampled_from(list(Precedence)))),
        "certainty": draw(optional(st.sampled_from(list(Certainty)))),
        "time_precision": draw(optional(st.sampled_from(list(TimePrecision)))),
        "in_reply_to": draw(optional(st.sampled_from([f"c{index - 1}", "elsewhere"]))),
        "expects_response": draw(optional(st.sampled_from([True, False, "true", "yes", 1]))),
        "summary": draw(optional(text)),
        "tags": draw(optional(st.lists(st.text(min_size=1, max_size=5), max_size=3))),
        "recorded_tz": draw(optional(st.sampled_from(["Asia/Damascus", "UTC"]))),
    }
    if draw(st.booleans()):
        record["respond_by"] = draw(timestamp())
    return {k: v for k, v in record.items() if v is not None}


@st.composite
def event(draw, index):
    return {
        "type": "event",
        "id": f"e{index}",
        "at": draw(timestamp()),
        "kind": draw(st.sampled_from(list(EventKind))).value,
        "actor": draw(optional(party)),
        "summary": draw(optional(text)),
    }


BREAKERS = [
    lambda r: r.pop("id"),
    lambda r: r.update(id=7),
    lambda r: r.update(sent_at="yesterday", at="yesterday"),
    lambda r: r.update(kind="gossip"),
    lambda r: r.update(channel=["radio"]),
    lambda r: r.update(from_party="", actor=""),
    lambda r: r.update(tags=[1, 2]),
    lambda r: r.update(tags="a"),
    lambda r: r.update(summary={"nested": True}),
    lambda r: r.update(typo_field="x"),
    lambda r: r.update(type="other"),
    lambda r: r.update(expects_response="perhaps"),
    lambda r: r.update(recorded_tz="Nowhere/City"),
    lambda r: r.update(sent_at="2018-02-29T10:00:00Z"),
    lambda r: r.update(to_party=r.get("from_party", "US")),
    lambda r: r.update(id=True, expects_response="true"),
    lambda r: r.update(summary=12.5),
    lambda r: r.update(tags=["a", None]),
    lambda r: r.update(summary='he said \\"stop\\": now'),
    lambda r: r.update(nested={"id": "x"}),
]


@st.composite
def log_lines(draw):
    lines = []
    separators = draw(st.sampled_from([(",", ":"), (", ", ": ")]))
    for index in range(draw(st.integers(1, 12))):
        record = draw(st.one_of(contact(index), event(index)))
        if draw(st.integers(0, 3)) == 0:
            draw(st.sampled_from(BREAKERS))(record)
        lines.append(json.dumps(record, ensure_ascii=False, separators=separators))
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(["{oops", "[]", "1"])))
    return lines


def model_verdict(line: str):
    try:
        data = json.loads(line)
    except json.JSONDecodeError:
        return None, {"record"}
    if not isinstance(data, dict):
        return None, {"record"}
    data = {k: v for k, v in data.items() if v is not None}
    try:
        return parse_record(data), set()
    except ValidationError as error:
        return None, {p.field for p in explain(error)}


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=log_lines())
def test_bulk_path_and_model_agree_line_by_line(tmp_path_factory, lines):
    path = tmp_path_factory.mktemp("prop") / "log.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = validate_logs([path])
    assert result.accepted + len(result.rejected) == result.lines == len(lines)
    rejected = {r.line: {p.field for p in r.problems} for r in result.rejected}
    contacts = {row["origin_line"]: row for row in result.records.contacts.iter_rows(named=True)}
    events = {row["origin_line"]: row for row in result.records.events.iter_rows(named=True)}
    for number, line in enumerate(lines, 1):
        model, fields = model_verdict(line)
        if model is None:
            assert rejected.get(number) == fields, line
            continue
        assert number not in rejected, (line, rejected.get(number))
        row = contacts.get(number) or events.get(number)
        expected = model.model_dump(exclude={"type"})
        assert {k: row[k] for k in expected} == expected, line


def test_a_utc_shift_is_exact_to_the_microsecond():
    model = parse_record(
        {
            "id": "a",
            "sent_at": "2018-02-07T22:31:00.000001-05:30",
            "from_party": "A",
            "to_party": "B",
            "channel": "radio",
            "kind": "query",
        }
    )
    assert model.sent_at == datetime(2018, 2, 8, 4, 1, 0, 1, tzinfo=UTC)
    assert model.sent_at - datetime(2018, 2, 8, 4, 1, tzinfo=UTC) == timedelta(microseconds=1)


zulu_like = st.text(alphabet="0123456789-T:Z +", min_size=19, max_size=19).map(lambda s: s + "Z")


@settings(deadline=None)
@given(
    stamps=st.lists(
        st.one_of(zulu_like, timestamp().filter(lambda t: len(t) == 20)), min_size=1, max_size=20
    )
)
def test_the_common_shape_fast_path_agrees_with_the_model(stamps):
    """Files whose times all look like 2018-02-07T20:31:00Z take a faster parser; it must
    accept and convert exactly what the model does."""
    import polars as pl

    from deconf.timestamps import parse_utc

    frame = pl.DataFrame({"t": stamps})
    parsed = parse_utc(frame, "t", None).to_list()
    for text, got in zip(stamps, parsed, strict=True):
        try:
            want = parse_record(
                {
                    "id": "a",
                    "sent_at": text,
                    "from_party": "A",
                    "to_party": "B",
                    "channel": "radio",
                    "kind": "query",
                }
            ).sent_at
        except ValidationError:
            want = None
        assert got == want, text
