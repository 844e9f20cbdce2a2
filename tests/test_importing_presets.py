"""The presets on fixtures with the quirks of real exports: mbox, Slack, WhatsApp, ICS 309."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from deconf.cli import app
from deconf.frames import Col
from deconf.importing import resolve_mapping, validate_import
from deconf.importing.mapping import MappingError

FIXTURES = Path(__file__).parent / "fixtures" / "importing"
runner = CliRunner()


def imported(source: Path, preset: str, map_file: Path | None = None):
    mapping = resolve_mapping(map_file, preset)
    return validate_import([source], mapping, preset)


def by_id(validation) -> dict[str, dict]:
    return {r[Col.ID]: r for r in validation.records.contacts.iter_rows(named=True)}


def test_mbox_threads_by_in_reply_to_with_comments_and_references():
    validation, imported_ = imported(
        FIXTURES / "liaison.mbox", "mbox", FIXTURES / "liaison.mbox.toml"
    )
    records = by_id(validation)
    first, answer, follow_up = (
        records["a1@ngo-alpha.org"],
        records["b7@cmcoord.example"],
        records["a2@ngo-alpha.org"],
    )
    assert (first[Col.FROM_PARTY], first[Col.TO_PARTY]) == ("NGO Alpha", "CMCoord")  # aliases
    assert first[Col.KIND] == "query"  # no parent, ends with "?"
    # In-Reply-To "<a1@…> (Alpha Ops's message of …)": the comment is not part of the id
    assert answer[Col.IN_REPLY_TO] == "a1@ngo-alpha.org"
    assert answer[Col.KIND] == "response"
    # no In-Reply-To: the last References entry is the parent
    assert follow_up[Col.IN_REPLY_TO] == "b7@cmcoord.example"
    # mixed offsets: +0100 and +0200 both land on UTC
    assert first[Col.SENT_AT].isoformat() == "2024-02-03T07:15:00+00:00"
    assert answer[Col.SENT_AT].isoformat() == "2024-02-03T08:02:11+00:00"
    assert answer[Col.ORIGIN_LINE] == 11  # the message's From_ line
    [rejected] = validation.rejected
    assert (rejected.line, rejected.problems[0].field) == (34, "sent_at")
    assert rejected.problems[0].value == "sometime on Saturday"
    assert imported_.rows == 4


def test_whatsapp_android_layout_multiline_messages_and_system_lines():
    validation, imported_ = imported(
        FIXTURES / "chat-android.txt", "whatsapp", FIXTURES / "whatsapp.toml"
    )
    contacts = validation.records.contacts
    assert validation.rejected == []
    assert imported_.skipped == {"system messages (no sender)": 1}
    assert contacts[Col.SUMMARY][1] == "Notified. Waiting for the\nacknowledgement from both sides."
    assert contacts[Col.ORIGIN_LINE].to_list() == [2, 3, 5, 6]
    # a chat of two: each message is addressed to the other person
    assert contacts.select(Col.FROM_PARTY, Col.TO_PARTY).row(0) == ("Alpha Ops", "Liaison Desk")
    # 23:59 on 3 February in Damascus (UTC+3) is 20:59 UTC
    assert contacts[Col.SENT_AT][2].isoformat() == "2024-02-03T20:59:00+00:00"
    assert contacts[Col.KIND].cast(pl.String).to_list() == ["query", "note", "query", "note"]


def test_whatsapp_iphone_layout_with_narrow_space_before_pm():
    validation, imported_ = imported(
        FIXTURES / "chat-iphone.txt", "whatsapp", FIXTURES / "whatsapp.toml"
    )
    contacts = validation.records.contacts
    assert imported_.skipped == {"system messages (no sender)": 1}
    # 12:40:00 PM (U+202F before PM) in Damascus is 09:40 UTC; 8:15:02 AM is 05:15:02 UTC
    assert [t.strftime("%H:%M:%S") for t in contacts[Col.SENT_AT]] == [
        "05:15:02",
        "05:15:30",
        "09:40:00",
    ]
    assert contacts[Col.SUMMARY][1] == "image omitted"  # the U+200E mark is gone


def test_whatsapp_iphone_encryption_notice_under_the_chats_name_is_skipped(tmp_path):
    """An iPhone export opens with WhatsApp's notice written as if the chat (here the other
    person) had sent it: a system line, not a message, and not a third sender."""
    chat = tmp_path / "chat.txt"
    chat.write_text(
        "[12/03/2024, 9:05:11\u202fAM] Army Liaison: \u200eMessages and calls are end-to-end "
        "encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.\n"
        "[12/03/2024, 9:05:11\u202fAM] Liaison Desk: Team B at checkpoint 7, passage?\n"
        "[12/03/2024, 9:41:02\u202fAM] Army Liaison: Confirmed until 12:00.\n",
        encoding="utf-8",
    )
    validation, imported_ = imported(chat, "whatsapp", FIXTURES / "whatsapp.toml")
    contacts = validation.records.contacts
    assert imported_.skipped == {"system messages (no sender)": 1}
    assert contacts[Col.ORIGIN_LINE].to_list() == [2, 3]
    assert contacts.select(Col.FROM_PARTY, Col.TO_PARTY).rows() == [
        ("Liaison Desk", "Army Liaison"),
        ("Army Liaison", "Liaison Desk"),
    ]


def test_whatsapp_month_first_with_dotted_am_pm(tmp_path):
    chat = tmp_path / "chat.txt"
    chat.write_text(
        "9/24/2019 11:30 p.m. - Ann: ready?\n12/24/19, 11:23 - Bob: yes\n", encoding="utf-8"
    )
    mapping = tmp_path / "m.toml"
    mapping.write_text('[source]\ndate_order = "mdy"\n[time]\nzone = "UTC"\n')
    validation, _ = imported(chat, "whatsapp", mapping)
    stamps = [t.isoformat() for t in validation.records.contacts[Col.SENT_AT]]
    assert stamps == ["2019-09-24T23:30:00+00:00", "2019-12-24T11:23:00+00:00"]


def test_whatsapp_without_a_date_order_is_a_mapping_error():
    with pytest.raises(MappingError, match=r"source\.date_order"):
        resolve_mapping(None, "whatsapp")


def test_slack_export_replies_point_at_the_root_across_day_files():
    validation, imported_ = imported(FIXTURES / "slack-export", "slack")
    records = by_id(validation)
    root = records["ops/1736478630.905399"]
    reply = records["ops/1736560000.000300"]
    assert reply[Col.IN_REPLY_TO] == "ops/1736478630.905399"
    assert reply[Col.ORIGIN_FILE].endswith("ops/2025-01-11.json")
    assert (reply[Col.FROM_PARTY], reply[Col.TO_PARTY]) == ("Liaison Desk", "Alpha Ops")
    assert root[Col.TO_PARTY] == "Liaison Desk"  # from_reply: who answered it first
    assert root[Col.KIND] == "query"
    assert root[Col.SENT_AT].isoformat() == "2025-01-10T03:10:30.905399+00:00"
    assert records["ops/1736479000.000200"][Col.TO_PARTY] == "unknown"
    assert imported_.skipped == {"Slack's own lines (joins, topics, pins)": 1}
    assert any("Slack counts 3 replies, the export holds 2" in n for n in imported_.notes)
    assert root[Col.ORIGIN_LINE] == 9  # the line where the message's object starts


def test_ics309_hhmm_times_roll_over_midnight_and_call_signs_alias():
    validation, _ = imported(FIXTURES / "ics309.csv", "ics309", FIXTURES / "ics309.toml")
    contacts = validation.records.contacts
    # the period starts 03/02/2024 (US form: 2 March); 2315 CST is 05:15 UTC on 3 March,
    # 0010 is after midnight: 3 March 00:10 CST
    stamps = [t.strftime("%m-%d %H:%M") for t in contacts[Col.SENT_AT]]
    assert stamps == ["03-03 05:15", "03-03 06:10", "03-03 07:05"]
    assert contacts[Col.FROM_PARTY].to_list() == ["Sector 4", "Sector 4", "EOC"]
    assert contacts[Col.TIME_PRECISION].cast(pl.String).unique().to_list() == ["minute"]
    problems = {r.line: r.problems[0] for r in validation.rejected}
    assert "row has 7 cells" in problems[7].message  # an unquoted comma in the subject
    assert problems[11].field == "to_party"  # no addressee written down


def test_a_mapping_overrides_the_presets_defaults(tmp_path):
    override = tmp_path / "m.toml"
    override.write_text(
        FIXTURES.joinpath("liaison.mbox.toml").read_text()
        + '\n[fields]\nkind = { value = "request" }\nchannel = { value = "diplomatic" }\n'
    )
    validation, _ = imported(FIXTURES / "liaison.mbox", "mbox", override)
    contacts = validation.records.contacts
    assert set(contacts[Col.KIND].cast(pl.String)) == {"request"}
    assert set(contacts[Col.CHANNEL].cast(pl.String)) == {"diplomatic"}


def test_unknown_preset_and_wrong_source_exit_2():
    result = runner.invoke(app, ["import", str(FIXTURES / "ics309.csv"), "--preset", "telex"])
    assert result.exit_code == 2
    assert "no preset 'telex'" in result.output
    result = runner.invoke(app, ["import", str(FIXTURES / "ics309.csv"), "--preset", "slack"])
    assert result.exit_code == 2
    assert "export folder" in result.output


def test_preset_import_writes_a_log_that_validates(tmp_path):
    out = tmp_path / "chat.jsonl"
    result = runner.invoke(
        app,
        [
            "import",
            str(FIXTURES / "slack-export"),
            "--preset",
            "slack",
            "-o",
            str(out),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["rows"], summary["accepted"]) == (4, 4)
    assert runner.invoke(app, ["validate", str(out)]).exit_code == 0
