"""Names of the reconcile results' columns and values, defined once for the core and the CLI."""

from __future__ import annotations

from enum import StrEnum


class R:
    """Reconcile result columns; record fields keep their `deconf.frames.Col` names."""

    NAME = "name"
    SOURCE = "source"
    RECORDS = "records"
    COVERAGE_START = "coverage_start"
    COVERAGE_END = "coverage_end"
    OFFSET = "clock_offset_seconds"
    SPREAD = "offset_spread_seconds"
    MATCHES = "matches"
    MATCH = "match"
    STATUS = "status"
    CONFLICTS = "conflicts"
    CORRECTED_AT = "corrected_at"
    TIME_DIFFERENCE = "time_difference_seconds"
    MATCHED_WITH = "matched_with"
    OTHER_BEFORE = "other_before"
    OTHER_AFTER = "other_after"
    OTHER_SILENCE = "other_silence_seconds"
    TYPE = "type"
    IDS = "ids"


class Disposition(StrEnum):
    """What reconcile made of one source's record."""

    MATCHED = "matched"  # another source logged the same contact
    ONLY = "only"  # no other source logged it


class ConflictType(StrEnum):
    """How two sources' accounts of one contact disagree (SPEC §7)."""

    OUTCOME = "outcome"  # attempt_outcome differs (delivered vs no_answer)
    KIND = "kind"  # kind differs within its class (acknowledgement vs denial)
    TIME = "time"  # further apart than the tolerance after correcting the clocks


#: Internal columns of the matching frames (never in a result).
SRC = "_src"  # index of the source, in the order given
ROW = "_row"  # a contact's row in the frame of all sources' contacts
KEY = "_key"  # pair, direction and kind class, as one integer
SAME = "_same"  # pair, direction, kind, outcome and channel: an identical account, as one integer
PAIR = "_pair"  # the unordered pair of parties, as one integer
US = "_us"  # time on the first source's clock, integer microseconds
GROUP = "_group"  # one contact as all sources saw it: the row of the first record of it
TARGET = "_target"  # the contact (GROUP) that a reply answers, as matched without this evidence
STAGE = "_stage"  # 1: matched within the tolerance; 2: only within the time-conflict window
