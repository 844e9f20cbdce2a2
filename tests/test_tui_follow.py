"""--follow's watch on the files, without a terminal: growth, truncation, rotation, deletion
and half-written lines."""

from __future__ import annotations

import os

from deconf.tui.follow import FollowWatch


def test_growth_truncation_and_rotation_all_read_again(tmp_path):
    log = tmp_path / "log.jsonl"
    log.write_text("a\n")
    watch = FollowWatch([log])
    watch.settled()
    assert not watch.check().reload
    log.write_text("a\nb\n")
    assert watch.check().reload
    log.write_text("a\n")  # truncated
    assert watch.check().reload
    rotated = tmp_path / "new.jsonl"
    rotated.write_text("a\n")  # same size and content, a new file under the name
    os.replace(rotated, log)
    assert watch.check().reload
    assert not watch.check().reload


def test_a_deleted_log_is_reported_and_waited_for(tmp_path):
    log = tmp_path / "log.jsonl"
    log.write_text("a\n")
    watch = FollowWatch([log])
    watch.settled()
    log.unlink()
    change = watch.check()
    assert change.missing == [log] and not change.reload
    log.write_text("a\nb\n")
    assert watch.check().reload


def test_a_half_written_line_waits_for_its_end_or_one_quiet_check(tmp_path):
    log = tmp_path / "log.jsonl"
    log.write_text("a\n")
    watch = FollowWatch([log])
    watch.settled()
    with log.open("a") as handle:
        handle.write('{"id": "b", "sent')
    assert not watch.check().reload  # being written
    with log.open("a") as handle:
        handle.write('_at": "2018"}\n')
    assert watch.check().reload  # ended
    with log.open("a") as handle:
        handle.write("c")  # a writer that never ends its last line
    assert not watch.check().reload
    assert watch.check().reload  # unchanged for a check: read it
