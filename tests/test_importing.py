"""`deconf import` with mapping files: tables in every format, times, addressees, [[records]],
and mapping mistakes caught before any row is read. Run through the real CLI where it matters."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from typer.testing import CliRunner

from deconf.analysis import analyze
from deconf.analysis.columns import S
from deconf.cli import app
from deconf.frames import Col
from deconf.importing import resolve_mapping, validate_import
from deconf.policy import load_policy
from deconf.reading import InputError

FIXTURES = Path(__file__).parent / "fixtures" / "importing"
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def imported(sources, mapping_text: str, tmp_path: Path, preset=None):
    mapping_file = write(tmp_path / "map.toml", mapping_text)
    mapping = resolve_mapping(mapping_file, preset)
    validation, _ = validate_import([str(s) for s in sources], mapping, preset)
    return validation


TWEETS = """tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id
119237,105834,True,Tue Oct 31 22:10:47 +0000 2017,"@AppleSupport my phone froze, help?",119236,
119236,AppleSupport,False,Tue Oct 31 22:14:47 +0000 2017,@105834 Which iOS version?,119235,119237.0
119235,105834,True,Tue Oct 31 22:20:02 +0000 2017,@AppleSupport 11.0.3,,119236.0
3,115712,True,Tue Oct 31 22:08:27 +0000 2017,@sprintcare no one is responding,1,
1,sprintcare,False,Tue Oct 31 22:10:47 -0100 2017,@115712 I would like to assist,2,3.0
2,115712,True,Tue Oct 31 23:11:45 +0000 2017,@sprintcare how,,1.19237e5
4,115713,True,Tue Oct 31 23:01:00 +0000 2017,@sprintcare still waiting?,,
"""

TWEETS_MAP = """[time]
formats = ["%a %b %d %H:%M:%S %z %Y"]

[fields]
id = "tweet_id"
sent_at = "created_at"
from_party = "author_id"
to_party = { from_parent = true, from_reply = true, default = "unknown" }
in_reply_to = { column = "in_response_to_tweet_id", integer = true }
channel = { value = "chat" }
kind = { column = "inbound", map = { "True" = "query", "False" = "response" } }
summary = "text"
"""


def test_a_tweet_export_gives_per_company_response_figures(tmp_path):
    source = write(tmp_path / "tweets.csv", TWEETS)
    validation = imported([source], TWEETS_MAP, tmp_path)
    assert validation.rejected == []
    contacts = validation.records.contacts.sort(Col.ID)
    to = dict(zip(contacts[Col.ID], contacts[Col.TO_PARTY], strict=True))
    assert to["119237"] == "AppleSupport"  # from_reply: who answered it
    assert to["119236"] == "105834"  # from_parent: whom it answers
    assert to["3"] == "sprintcare" and to["4"] == "unknown"
    # integer ids as spreadsheets write them: 119237.0 and 1.19237e5
    replies = dict(zip(contacts[Col.ID], contacts[Col.IN_REPLY_TO], strict=True))
    assert replies["119236"] == "119237" and replies["2"] == "119237"
    # the -0100 offset is kept: 22:10:47 -01:00 is 23:10:47 UTC
    sent = contacts.filter(pl.col(Col.ID) == "1")[Col.SENT_AT].item()
    assert sent.isoformat() == "2017-10-31T23:10:47+00:00"
    stats = analyze(validation.records, load_policy(None), None).stats(Col.TO_PARTY)
    by_company = {row[S.GROUP]: row for row in stats.iter_rows(named=True)}
    # 119237 was answered; the follow-up 119235 opened a second episode, still open
    assert by_company["AppleSupport"][S.EPISODES] == 2
    assert by_company["AppleSupport"][S.ANSWERED_EPISODES] == 1
    assert by_company["sprintcare"][S.EPISODES] == 1


IRC = """folder,dialogueID,date,from,to,text
3,126125.tsv,2008-04-23T14:55:00.000Z,b0rk,,any one know how to mount an iso?
3,126125.tsv,2008-04-23T14:56:00.000Z,Kurt,b0rk,sudo mount -o loop file.iso /mnt
3,126125.tsv,2008-04-23T14:57:00.000Z,b0rk,Kurt,thanks!
3,126126.tsv,2008-04-23T15:00:00.000Z,nobody,,is grub2 stable yet?
"""

IRC_MAP = """[fields]
thread = "dialogueID"
sent_at = "date"
from_party = "from"
to_party = { column = "to", from_thread = true, default = "channel" }
channel = { value = "chat" }
kind = { column = "to", map = { "*" = "response" }, default = "query" }
summary = "text"
"""


def test_an_irc_style_csv_gives_per_responder_figures(tmp_path):
    source = write(tmp_path / "irc.csv", IRC)
    validation = imported([source], IRC_MAP, tmp_path)
    assert validation.rejected == []
    rows = validation.records.contacts.select(Col.FROM_PARTY, Col.TO_PARTY, Col.KIND).rows()
    assert rows[0] == ("b0rk", "Kurt", "query")  # addressed to whoever answered in the thread
    assert rows[1] == ("Kurt", "b0rk", "response")
    assert rows[3] == ("nobody", "channel", "query")
    stats = analyze(validation.records, load_policy(None), None).stats(Col.TO_PARTY)
    kurt = stats.filter(pl.col(S.GROUP) == "Kurt").row(0, named=True)
    assert (kurt[S.EPISODES], kurt[S.ANSWERED_EPISODES]) == (1, 1)


def test_notification_tracker_rows_yield_a_notification_and_its_replies(tmp_path):
    result = run(
        "import",
        FIXTURES / "hns-tracker.csv",
        "--map",
        FIXTURES / "hns-tracker.toml",
        "-o",
        tmp_path / "out.jsonl",
        "--format",
        "json",
    )
    assert result.exit_code == 1, result.output  # two rows must be rejected
    summary = json.loads(result.stdout)
    assert (summary["rows"], summary["lines"], summary["accepted"]) == (6, 13, 11)
    errors = {(e["line"], e["field"]): e for e in summary["errors"]}
    assert "does not exist in Europe/Paris" in errors[(6, "sent_at")]["message"]
    assert errors[(7, "kind")]["value"] == "convoy"
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    by_id = {r["id"]: r for r in records}
    assert by_id["HN-0001-ack"]["in_reply_to"] == "HN-0001"
    assert by_id["HN-0001-answer"]["kind"] == "assurance"
    assert "HN-0002-ack" not in by_id  # empty milestone cells yield no record
    assert by_id["HN-0003"]["from_party"] == "UNA"  # alias, after trimming "UN Agency "
    assert by_id["HN-0001"]["sent_at"] == "2024-02-03T07:15:00Z"
    assert by_id["HN-0001"]["source"].endswith("hns-tracker.csv:3")
    assert by_id["HN-0001"]["time_precision"] == "minute"
    # the written log is a deconf log: validate accepts every line of it
    assert run("validate", tmp_path / "out.jsonl").exit_code == 0


def test_skip_when_keeps_no_response_as_an_unanswered_attempt(tmp_path):
    source = write(
        tmp_path / "t.csv",
        "ref,org,submitted,answered,outcome\n"
        "R1,A,2024-02-03T08:00:00Z,2024-02-03T09:00:00Z,no response\n"
        "R2,A,2024-02-03T08:00:00Z,2024-02-03T09:00:00Z,denied\n"
        "R3,A,2024-02-03T08:00:00Z,  ,denied\n",  # a milestone cell of spaces is empty
    )
    mapping = """
[fields]
channel = { value = "notification_system" }
[[records]]
id = "ref"
sent_at = "submitted"
from_party = "org"
to_party = { value = "HNS" }
kind = { value = "notification" }
[[records]]
id = "ref"
suffix = "-answer"
reply_to_suffix = ""
skip_when = { outcome = ["no response"] }
sent_at = "answered"
from_party = { value = "HNS" }
to_party = "org"
kind = { column = "outcome", map = { "denied" = "denial" } }
"""
    validation = imported([source], mapping, tmp_path)
    assert sorted(validation.records.contacts[Col.ID]) == ["R1", "R2", "R2-answer", "R3"]


def test_locale_variants_semicolons_cp1252_and_day_first_dates(tmp_path):
    source = tmp_path / "journal.csv"
    source.write_bytes(
        "Réf;Émetteur;Destinataire;Date;Heure;Objet\n"
        "1;Préfecture;ONG Été;03.02.2024;08:15;Demande d'accès ?\n"
        "2;ONG Été;Préfecture;03.02.2024;8:40;Réponse\n".encode("cp1252")
    )
    mapping = """
[source]
encoding = "cp1252"
[time]
zone = "Europe/Paris"
formats = ["%d.%m.%Y %H:%M"]
[fields]
id = "Réf"
sent_at = { column = "Heure", date_column = "Date" }
from_party = "Émetteur"
to_party = "Destinataire"
channel = { value = "local_liaison" }
kind = { value = "query" }
summary = "Objet"
"""
    validation = imported([source], mapping, tmp_path)
    assert validation.rejected == []
    times = validation.records.contacts[Col.SENT_AT].dt.strftime("%H:%M").to_list()
    assert times == ["07:15", "07:40"]
    assert validation.records.contacts[Col.FROM_PARTY][0] == "Préfecture"


def test_ambiguous_local_time_is_rejected_with_the_reason(tmp_path):
    source = write(tmp_path / "a.csv", "n,t,f\n1,2024-10-27 02:30,A\n2,2024-10-27 03:30,A\n")
    mapping = """
[time]
zone = "Europe/Paris"
formats = ["%Y-%m-%d %H:%M"]
[fields]
sent_at = "t"
from_party = "f"
to_party = { value = "B" }
channel = { value = "radio" }
kind = { value = "note" }
"""
    validation = imported([source], mapping, tmp_path)
    [rejected] = validation.rejected
    assert rejected.line == 2
    assert "happened twice in Europe/Paris" in rejected.problems[0].message
    assert rejected.text == "1,2024-10-27 02:30,A"


def test_naive_times_without_a_zone_are_rejected_not_guessed(tmp_path):
    source = write(tmp_path / "a.csv", "t,f\n2024-02-03 10:00,A\n")
    mapping = """
[time]
formats = ["%Y-%m-%d %H:%M"]
[fields]
sent_at = "t"
from_party = "f"
to_party = { value = "B" }
channel = { value = "radio" }
kind = { value = "note" }
"""
    [rejected] = imported([source], mapping, tmp_path).rejected
    assert rejected.problems[0].message.startswith("time has no zone")


def test_epoch_seconds_and_milliseconds(tmp_path):
    source = write(tmp_path / "a.csv", "t,f\n1517949060,A\n1517949060500,B\n")
    mapping = """
[time]
formats = ["epoch"]
[fields]
sent_at = "t"
from_party = "f"
to_party = { value = "C" }
channel = { value = "radio" }
kind = { value = "note" }
"""
    validation = imported([source], mapping, tmp_path)
    assert validation.records.contacts[Col.SENT_AT][0].isoformat() == "2018-02-06T20:31:00+00:00"
    millis = imported([source], mapping.replace('"epoch"', '"epoch_ms"'), tmp_path)
    assert millis.records.contacts[Col.SENT_AT][1].isoformat() == "2018-02-06T20:31:00.500000+00:00"


def test_hhmm_times_roll_over_midnight_from_the_period_date(tmp_path):
    source = write(tmp_path / "log.csv", "Time,From,To\n2330,A,B\n2355,B,A\n0005,A,B\n0130,B,A\n")
    mapping = """
[time]
zone = "UTC"
date = "2024-03-02"
formats = ["%Y-%m-%d %H%M"]
precision = "minute"
[fields]
sent_at = "Time"
from_party = "From"
to_party = "To"
channel = { value = "radio" }
kind = { value = "note" }
"""
    validation = imported([source], mapping, tmp_path)
    stamps = validation.records.contacts[Col.SENT_AT].dt.strftime("%d %H:%M").to_list()
    assert stamps == ["02 23:30", "02 23:55", "03 00:05", "03 01:30"]


def test_xlsx_named_sheet_with_date_cells_and_numeric_ids(tmp_path):
    path = tmp_path / "tracker.xlsx"
    book = xlsxwriter.Workbook(path)
    book.add_worksheet("Notes")
    sheet = book.add_worksheet("Log")
    date = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    sheet.write_row(0, 0, ["Ref", "From", "Submitted"])
    from datetime import datetime

    sheet.write_row(1, 0, [101, "NGO Alpha"])
    sheet.write_datetime(1, 2, datetime(2024, 2, 3, 8, 15), date)
    sheet.write_row(3, 0, [102, "NGO Beta", "03/02/2024 09:00"])  # a blank row above: line 4
    sheet.write_row(4, 0, [103, "NGO Beta", "yesterday"])
    book.close()
    mapping = """
[source]
sheet = "Log"
[time]
zone = "Asia/Damascus"
formats = ["%d/%m/%Y %H:%M"]
[fields]
id = { column = "Ref", integer = true }
sent_at = "Submitted"
from_party = "From"
to_party = { value = "HNS" }
channel = { value = "notification_system" }
kind = { value = "notification" }
"""
    validation = imported([path], mapping, tmp_path)
    assert validation.records.contacts[Col.ID].to_list() == ["101", "102"]
    assert validation.records.contacts[Col.ORIGIN_LINE].to_list() == [2, 4]
    [rejected] = validation.rejected
    assert (rejected.line, rejected.problems[0].field) == (5, "sent_at")
    with pytest.raises(InputError, match="has no sheet named 'Nope'"):
        imported([path], mapping.replace('"Log"', '"Nope"'), tmp_path)


def test_json_object_with_a_list_and_json_lines(tmp_path):
    body = {
        "version": 1,
        "messages": [
            {"id": 1, "date_unixtime": "1517949060", "from": {"name": "US"}, "text": "hi?"},
            {
                "id": 2,
                "date_unixtime": "1517949120",
                "from": {"name": "RU"},
                "text": "yes",
                "reply_to_message_id": 1,
            },
        ],
    }
    source = write(tmp_path / "result.json", json.dumps(body, indent=2))
    mapping = """
[time]
formats = ["epoch"]
[fields]
id = "id"
sent_at = "date_unixtime"
from_party = "from.name"
to_party = { from_parent = true, from_reply = true }
in_reply_to = "reply_to_message_id"
channel = { value = "chat" }
kind = { column = "reply_to_message_id", map = { "*" = "response" }, default = "query" }
summary = "text"
"""
    validation = imported([source], mapping, tmp_path)
    assert validation.rejected == []
    assert validation.records.contacts[Col.TO_PARTY].to_list() == ["RU", "US"]
    assert validation.records.contacts[Col.ORIGIN_LINE].to_list() == [4, 12]
    lines = write(
        tmp_path / "m.jsonl",
        "\n".join(json.dumps(m) for m in body["messages"]) + "\nnot json\n[1]\n",
    )
    validation = imported([lines], mapping, tmp_path)
    assert [(r.line, r.problems[0].field) for r in validation.rejected] == [
        (3, "record"),
        (4, "record"),
    ]


def test_tsv_with_missing_column_that_has_a_default(tmp_path):
    source = write(tmp_path / "a.tsv", "when\tfrom\tto\n2024-02-03T10:00:00Z\tA\tB\n")
    mapping = """
[fields]
sent_at = "when"
from_party = "from"
to_party = "to"
channel = { column = "medium", default = "radio" }
kind = { value = "note" }
"""
    validation = imported([source], mapping, tmp_path)
    assert validation.records.contacts[Col.CHANNEL].cast(pl.String).to_list() == ["radio"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[fields]\nkind = { colum = "x" }', "map.toml: fields.kind.colum: unknown key"),
        ('[sorce]\nformat = "csv"', "map.toml: sorce: unknown key"),
        (
            '[fields]\nkind = { column = "inbound", map = { "True" = "querry" } }',
            "map.toml: fields.kind.map.\"True\": 'querry' is not a kind value",
        ),
        ('[fields]\nchannel = { value = "fax" }', "map.toml: fields.channel.value: 'fax'"),
        ('[time]\nzone = "Mars/Olympus"', "map.toml: time.zone: 'Mars/Olympus'"),
        ('[fields]\nsendat = "x"', "map.toml: fields.sendat: not a record field"),
        ('[[records]]\nsent_at = { column = "a", bogus = 1 }', "records[1].sent_at.bogus"),
        ("[fields\n", "map.toml: not valid TOML"),
    ],
)
def test_mapping_mistakes_are_one_clear_error_naming_file_and_key(tmp_path, text, expected):
    source = write(tmp_path / "a.csv", "x\n1\n")
    write(tmp_path / "map.toml", text)
    result = run("import", source, "--map", tmp_path / "map.toml")
    assert result.exit_code == 2
    assert expected in result.output
    assert "Traceback" not in result.output


def test_a_column_not_in_the_source_is_an_error_before_any_row(tmp_path):
    source = write(tmp_path / "a.csv", "when,from\n2024-02-03T10:00:00Z,A\n")
    write(tmp_path / "map.toml", '[fields]\nsent_at = "when"\nfrom_party = "sender"\n')
    result = run("import", source, "--map", tmp_path / "map.toml")
    assert result.exit_code == 2
    assert "fields.from_party.column: no column 'sender'" in result.output
    assert "its columns: when, from" in result.output


def test_import_into_the_store_is_idempotent(tmp_path):
    args = ("import", FIXTURES / "hns-tracker.csv", "--map", FIXTURES / "hns-tracker.toml")
    first = run(*args, "--store", tmp_path / "store", "--format", "json")
    again = run(*args, "--store", tmp_path / "store", "--format", "json")
    assert json.loads(first.stdout)["new"] == 11
    second = json.loads(again.stdout)
    # several records from one row: each is matched to its stored self, none to its siblings
    assert (second["new"], second["already_stored"], second["rejected"]) == (0, 11, 2)
    rejects = (tmp_path / "store" / "rejects.jsonl").read_text().splitlines()
    assert len(rejects) == 2
    assert run("verify", "--store", tmp_path / "store").exit_code == 0


def test_map_and_preset_are_accepted_by_validate_and_the_analysis_commands(tmp_path):
    args = (FIXTURES / "hns-tracker.csv", "--map", FIXTURES / "hns-tracker.toml")
    validated = run("validate", *args, "--format", "json")
    assert validated.exit_code == 1
    assert json.loads(validated.stdout)["accepted"] == 11
    stats = run("stats", *args, "--format", "json")
    assert stats.exit_code == 1  # rejected rows still make the run exit 1, after the figures
    groups = {row["group"] for row in json.loads(stats.stdout)}
    assert groups == {"HNS"}


def test_xlsx_title_rows_above_the_header_are_skipped(tmp_path):
    path = tmp_path / "log.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Liaison log, Route 4 — constructed"])
    sheet.write_row(1, 0, ["When", "From", "To"])
    sheet.write_row(2, 0, ["2024-02-03T10:00:00Z", "A ", "B"])
    book.close()
    mapping = """
[source]
skip_rows = 1
[fields]
sent_at = "When"
from_party = "From"
to_party = "To"
channel = { value = "radio" }
kind = { value = "note" }
"""
    validation = imported([path], mapping, tmp_path)
    assert validation.rejected == []
    contacts = validation.records.contacts
    assert (contacts[Col.FROM_PARTY][0], contacts[Col.ORIGIN_LINE][0]) == ("A", 3)


def test_a_duplicate_id_rejects_that_record_only_not_its_row_siblings(tmp_path):
    source = write(
        tmp_path / "t.csv",
        "ref,org,submitted,acked\n"
        "R1,A,2024-02-03T08:00:00Z,\n"
        "R1,A,2024-02-03T09:00:00Z,2024-02-03T09:30:00Z\n",  # R1 again; its ack is new
    )
    mapping = """
[fields]
channel = { value = "notification_system" }
[[records]]
id = "ref"
sent_at = "submitted"
from_party = "org"
to_party = { value = "HNS" }
kind = { value = "notification" }
[[records]]
id = "ref"
suffix = "/ack"
reply_to_suffix = ""
sent_at = "acked"
from_party = { value = "HNS" }
to_party = "org"
kind = { value = "acknowledgement" }
"""
    validation = imported([source], mapping, tmp_path)
    kept = validation.records.contacts.select(Col.ID, Col.ORIGIN_LINE).sort(Col.ID).rows()
    assert kept == [("R1", 2), ("R1/ack", 3)]  # the ack of line 3 survives its row's duplicate
    [rejected] = validation.rejected
    assert (rejected.line, rejected.problems[0].field) == (3, "id")
    assert "first used at" in rejected.problems[0].message


@pytest.mark.parametrize("blank", [" ", "  \t", "\t", "\u00a0", "\u3000 ", "\u2007"])
def test_a_cell_of_blanks_only_is_empty_and_takes_the_default(tmp_path, blank):
    """Whatever the blanks (a spreadsheet's spaces, a tab, a no-break space), in an ASCII file
    or not; a cell that only starts with a blank keeps its text."""
    source = tmp_path / "a.csv"
    source.write_text(
        "when,from,to,medium,note\n"
        f"2024-02-03T10:00:00Z,A,B,{blank},x\n"
        f"2024-02-03T10:05:00Z,B,A,radio,{blank}kept\n",
        encoding="utf-8",
    )
    mapping = """
[fields]
sent_at = "when"
from_party = "from"
to_party = "to"
channel = { column = "medium", default = "email" }
kind = { value = "note" }
summary = "note"
"""
    validation = imported([source], mapping, tmp_path)
    assert validation.rejected == []
    contacts = validation.records.contacts
    assert contacts[Col.CHANNEL].cast(pl.String).to_list() == ["email", "radio"]
    assert contacts[Col.SUMMARY].to_list() == ["x", f"{blank}kept"]
