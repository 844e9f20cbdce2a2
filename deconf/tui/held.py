"""What the browser keeps of the analysis, and when it is computed.

At a million records the analysis's frames are most of the browser's memory: the attempts alone
carry some forty columns (bounds, links, targets) that only the CLI's tables show. So the browser
works in two steps. First the exchanges (what the first screen lists), as soon as the records are
read. Then, in the same worker while the reader looks at that screen, the episodes and owed
silences (for the silences list, statistics and timelines), after which it keeps only the columns
its screens read — the attempts' status, breach, retries and first response; the records' fields
a timeline, a filter or a search shows — with the repeated texts (parties, statuses, origin files,
sources, zones, episode ids, the records' exchange ids) as categoricals. Nothing is recomputed:
every figure still comes from `deconf.analysis`, the lean analysis only holds less of it
(`tests/test_tui_held.py` checks that timelines, statistics, lists, filters and searches come
out the same).

No Textual here.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from datetime import datetime

import polars as pl

from deconf.analysis import CONTACT_COLUMNS as ANALYSED_COLUMNS
from deconf.analysis import Analysis, analyze
from deconf.analysis.columns import A
from deconf.analysis.filters import Filters
from deconf.frames import Col, Records
from deconf.policy import Policy
from deconf.prepared import Prepared

#: Contact columns the browser reads: the analysis's, each record's own zone (`z`) and its line
#: in its file (`p`). The others (tags, operator, language, extra) a `p` view reads back.
CONTACT_COLUMNS = tuple(dict.fromkeys((*ANALYSED_COLUMNS, Col.RECORDED_TZ, Col.ORIGIN_LINE)))
#: Contact columns kept once the analysis is done: what timelines, filters and searches show.
KEPT_CONTACT_COLUMNS = (
    Col.ID,
    Col.SENT_AT,
    Col.FROM_PARTY,
    Col.TO_PARTY,
    Col.CHANNEL,
    Col.KIND,
    Col.ATTEMPT_OUTCOME,
    Col.PRECEDENCE,
    Col.SUMMARY,
    Col.CERTAINTY,
    Col.SOURCE,
    Col.LOGGED_BY,
    Col.RECORDED_TZ,
    Col.ORIGIN_FILE,
    Col.ORIGIN_LINE,
)
#: Attempt columns a timeline and the statistics of a filtered view read.
KEPT_ATTEMPT_COLUMNS = (
    A.ATTEMPT_ID,
    A.EPISODE_ID,
    A.STATUS,
    A.OPEN_SECONDS,
    A.BREACH,
    A.BREACH_CERTAINTY,
    A.RETRY_STREAK,
    A.ATTEMPT_NUMBER,
    A.FIRST_RESPONSE_ID,
    A.TTFR,
    A.LINK,
)
#: Episode columns the statistics (per responder, initiator, channel, precedence, kind; of a
#: filtered view too), the gap histogram, "the exchange of this silence" and "the answer that
#: ended this silence" read.
KEPT_EPISODE_COLUMNS = (
    A.EPISODE_ID,
    A.FIRST_ATTEMPT_ID,
    A.CLOSED_AT,
    A.CLOSING_RESPONSE_ID,
    Col.FROM_PARTY,
    Col.TO_PARTY,
    Col.CHANNEL,
    Col.PRECEDENCE,
    Col.KIND,
    A.STATUS,
    A.RETRY_STREAK,
    A.BREACHES,
    A.BREACHES_CERTAIN,
    A.BREACHES_POSSIBLE,
    A.GAP_SECONDS,
    A.OPEN_SECONDS,
)
#: Texts repeated on many rows: held once each, as categoricals.
REPEATED = (
    Col.FROM_PARTY,
    Col.TO_PARTY,
    Col.SOURCE,
    Col.RECORDED_TZ,
    Col.ORIGIN_FILE,
    A.PARTY,
    A.OWED_TO,
    A.STATUS,
    A.BREACH_CERTAINTY,
    A.LINK,
    A.EPISODE_ID,  # one episode's id on each of its attempts and silences
    A.RESTS_ON_CERTAINTY,
    A.RESTS_ON_PRECISION,
    Col.THREAD,
)


def _kept(frame: pl.DataFrame, columns: tuple[str, ...] | None = None) -> pl.DataFrame:
    """The columns asked for (those the frame has), repeated texts as categoricals, and a list
    column that is null on every row (`logged_by` outside merged logs) left out."""
    if columns is not None:
        frame = frame.select([c for c in columns if c in frame.columns])
    empty = [
        name
        for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.List) and frame[name].null_count() == frame.height
    ]
    repeated = [c for c in REPEATED if frame.schema.get(c) == pl.String]
    return frame.drop(empty).with_columns(pl.col(repeated).cast(pl.Categorical))


def narrowed(records: Records) -> Records:
    """The records with only the columns the browser reads (a log's validation keeps them all)."""
    contacts = records.contacts
    if set(contacts.columns) > set(CONTACT_COLUMNS):
        contacts = contacts.select(CONTACT_COLUMNS)
    return Records(contacts, records.events)


def first_screen(
    records: Records, policy: Policy, as_of: datetime | None, filters: Filters | None = None
) -> Analysis:
    """The analysis with what the first screen lists computed: the exchanges."""
    analysis = analyze(narrowed(records), policy, as_of, filters)
    _ = analysis.exchanges  # computes the attempts and membership on the way
    return analysis


def shown_from(
    prepared: Prepared, records: Records, policy: Policy, as_of: datetime | None
) -> Analysis:
    """The first screen's analysis with its exchanges (and every record's exchange) as an
    ingest prepared them (`deconf.prepared`): the rest is computed when asked for."""
    analysis = analyze(narrowed(records), policy, as_of)
    analysis.__dict__.update(exchanges=prepared.exchanges, membership=prepared.membership)
    return analysis


def agrees_with_prepared(analysis: Analysis) -> bool:
    """For a first screen shown from a prepared one (`shown_from`): compute the exchanges and
    memberships from the analysis itself and compare. True when they are the same; otherwise
    the computed ones replace the prepared in `analysis` (whatever the cause: a prepared file
    edited by hand), and False. A worker's work: the whole linking, at a million records
    seconds of it, which the screens after the first need anyway."""
    computed = Analysis(
        analysis.records, analysis.policy, analysis.as_of, analysis.filters, analysis.coverage
    )
    computed.__dict__["_linked"] = analysis._linked  # linked once, for both
    exchanges, membership = computed.exchanges, computed.membership
    if exchanges.equals(analysis.exchanges) and membership.equals(analysis.membership):
        return True
    analysis.__dict__.update(exchanges=exchanges, membership=membership)
    return False


def lean(analysis: Analysis) -> Analysis:
    """The same analysis holding only what the browser's screens read (see the module's
    docstring); episodes and silences computed here, once, for the screens that list them."""
    episodes = _kept(analysis.episodes, KEPT_EPISODE_COLUMNS)
    silences = _kept(analysis.silences)
    attempts = _kept(analysis.attempts, KEPT_ATTEMPT_COLUMNS)
    contacts = _kept(analysis.records.contacts, KEPT_CONTACT_COLUMNS)
    membership = analysis.membership.with_columns(pl.col(A.EXCHANGE_ID).cast(pl.Categorical))
    if membership[Col.ID].equals(contacts[Col.ID]):  # in the same order: hold the ids once
        membership = pl.DataFrame([contacts[Col.ID], membership[A.EXCHANGE_ID]])
    kept = Analysis(
        Records(contacts, analysis.records.events),
        analysis.policy,
        analysis.as_of,
        analysis.filters,
        analysis.coverage,
    )
    # the computed frames carry over (cached properties are plain attributes once computed)
    kept.__dict__.update(
        _all_attempts=attempts,
        attempts=attempts,
        _all_episodes=episodes,
        episodes=episodes,
        _all_silences=silences,
        silences=silences,
        membership=membership,
        exchanges=_kept(analysis.exchanges),
    )
    return kept


def _glibc() -> ctypes.CDLL | None:
    """The C library when it is glibc (it has `malloc_trim`), else None."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    if libc is None or not hasattr(libc, "malloc_trim"):
        return None
    return libc


def give_back_memory() -> None:
    """Return the free pages of the C heap to the system (glibc's malloc_trim): what the
    analysis's Python objects left there. Polars' own allocator gives back its freed pages in
    the background within seconds, and a log's read leaves nothing here: it runs in a process
    of its own (`tui/logread.py`). Elsewhere than glibc, nothing."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)
