"""The timeline chart: attempts, replies, gaps and events on one time axis, one lane per party
pair, as a self-contained SVG string (no script, no font or file fetched). Deterministic: the same
frames give the same bytes. Past a few thousand attempts it draws per-lane density on one shared
scale instead of every marker, so a million-record report still opens.

Made to be read on its own (a Markdown report links the file): an opaque background for dark
viewers, a legend for every colour and mark, tick times on round steps, events numbered with a
key below the lanes, and a note when some party pairs are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape

import polars as pl

from deconf.analysis.columns import A, Status
from deconf.frames import Col
from deconf.report.text import without_controls
from deconf.times import rfc3339
from deconf.vocabulary import AttemptOutcome

WIDTH = 960
LANE = 34
RIGHT = 24
LEGEND_TOP = 26
MAX_LANES = 12
MAX_MARKERS = 2000
MAX_KEY = 30
LABEL_CHARS = 28
LEGEND_CHAR = 5.6  # average glyph width of the 11 px sans-serif legend (lower case)
BINS = 120
BAR = 14  # height of a full density bar
COLOURS = {
    Status.ANSWERED: "#2b6cb0",
    Status.SUPERSEDED: "#b7791f",
    Status.UNANSWERED: "#c53030",
    "event": "#4a5568",
    "grid": "#e2e8f0",
    "lane": "#cbd5e0",
    "muted": "#4a5568",
    "ink": "#1a202c",
    "paper": "#ffffff",
}
#: Round tick steps, the smallest that leaves at most 7 ticks is used.
STEPS = (
    [timedelta(minutes=m) for m in (1, 2, 5, 10, 15, 30)]
    + [timedelta(hours=h) for h in (1, 2, 3, 6, 12)]
    + [timedelta(days=d) for d in (1, 2, 7, 14)]
)
MONTHS = (1, 2, 3, 6, 12)  # past two weeks a step, ticks fall on the first of a month


def text(value: object) -> str:
    """Log text made safe for SVG: escaped, and without control characters (XML forbids them)."""
    return escape(without_controls(str(value)))


@dataclass(frozen=True)
class Frame:
    """Where the plot area is: time span and horizontal extent."""

    start: datetime
    end: datetime
    left: float

    def x(self, moment: datetime) -> float:
        span = (self.end - self.start).total_seconds() or 1.0
        width = WIDTH - self.left - RIGHT
        return round(self.left + width * (moment - self.start).total_seconds() / span, 1)


def _month_ticks(start: datetime, end: datetime, most: int) -> list[datetime]:
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    years = -(-months // (12 * (most - 1)))  # whole years a step, for long spans
    every = next((m for m in MONTHS if months / m <= most - 1), 12 * years)
    ticks = []
    year, month = start.year, start.month
    while True:
        moment = datetime(year, month, 1, tzinfo=UTC)
        if moment > end:
            return ticks
        if moment >= start and (year * 12 + month - 1) % every == 0:
            ticks.append(moment)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def round_ticks(start: datetime, end: datetime, most: int = 7) -> list[datetime]:
    """Tick times on a round step (5 min, 1 h, 1 day, a month…) aligned to UTC, at most
    `most`."""
    span = end - start
    if span / STEPS[-1] > most - 1:
        return _month_ticks(start, end, most)
    step = next(s for s in STEPS if span / s <= most - 1)
    epoch = datetime(2000, 1, 1, tzinfo=UTC)
    first = epoch + step * -(-(start - epoch) // step)  # ceiling to the step
    ticks = []
    moment = first
    while moment <= end and len(ticks) < most + 1:
        ticks.append(moment)
        moment += step
    return ticks


def _tick_label(moment: datetime, previous: datetime | None, daily: bool) -> str:
    stamp = rfc3339(moment)
    day, clock = stamp[:10], stamp[11:16]
    if daily:
        return day
    if previous is None or rfc3339(previous)[:10] != day:
        return f"{day} {clock}Z"
    return f"{clock}Z"


def _text_width(label: str) -> float:
    """About how wide an 11 px sans-serif label is drawn: capitals and digits are wider."""
    return sum(
        8.0 if c.isupper() or c.isdigit() else 3.5 if c in " .,:;|-'" else 6.2 for c in label
    )


def _label(sender: str, receiver: str) -> str:
    full = f"{sender} → {receiver}"
    return full if len(full) <= LABEL_CHARS else full[: LABEL_CHARS - 1] + "…"


#: The attempts' columns a timeline draws.
DRAWN = (
    A.ATTEMPT_ID,
    Col.FROM_PARTY,
    Col.TO_PARTY,
    Col.SENT_AT,
    Col.KIND,
    Col.ATTEMPT_OUTCOME,
    A.STATUS,
    A.FIRST_RESPONSE_ID,
    A.FIRST_RESPONSE_AT,
    A.EPISODE_ID,
)


def timeline(
    attempts: pl.DataFrame,
    episodes: pl.DataFrame,
    events: pl.DataFrame,
    as_of: datetime,
    start: datetime | None = None,
    end: datetime | None = None,
    title: str = "Timeline",
    pairs: list[tuple[str, str]] | None = None,
) -> str:
    """An SVG timeline of the busiest party pairs (or the named `pairs`) between `start` and
    `end` (default: all)."""
    if attempts.is_empty():
        return ""
    # the lanes filter the attempts many times: only the columns drawn, not all 42, are copied
    attempts = attempts.select(DRAWN)
    if start is None:
        firsts = [attempts[Col.SENT_AT].min()]
        if not events.is_empty():
            firsts.append(events[Col.AT].min())
        start = min(firsts)
    end = end or as_of
    if end <= start:
        end = start + timedelta(minutes=1)
    within = attempts.filter(pl.col(Col.SENT_AT).is_between(start, end))
    ranked = (
        within.group_by(Col.FROM_PARTY, Col.TO_PARTY)
        .agg(pl.len().alias("n"), pl.col(Col.SENT_AT).min().alias("first"))
        .sort(["n", "first", Col.FROM_PARTY, Col.TO_PARTY], descending=[True, False, False, False])
    )
    if pairs is not None:
        wanted = pl.DataFrame(pairs, schema=[Col.FROM_PARTY, Col.TO_PARTY], orient="row")
        ranked = ranked.join(wanted, on=[Col.FROM_PARTY, Col.TO_PARTY], how="semi")
    left_out = max(ranked.height - MAX_LANES, 0)
    lanes = ranked.head(MAX_LANES).sort("first", Col.FROM_PARTY, Col.TO_PARTY)
    chosen = list(zip(lanes[Col.FROM_PARTY], lanes[Col.TO_PARTY], strict=True))
    labels = [_label(s, r) for s, r in chosen]
    left = min(max(70.0, max(map(_text_width, labels), default=40.0) + 22), 250.0)
    frame = Frame(start, end, left)
    dense = within.height > MAX_MARKERS
    # events keep one number in every chart: their place among all events in time order
    shown_events = (
        events.sort(Col.AT, Col.ID)
        .with_row_index("_number", offset=1)
        .filter(pl.col(Col.AT).is_between(start, end))
    )
    numbered = not dense and shown_events.height <= MAX_MARKERS
    top = LEGEND_TOP + 62
    plot_bottom = top + LANE * (len(chosen) + 1)
    key_lines = (
        min(shown_events.height, MAX_KEY) + (shown_events.height > MAX_KEY) if numbered else 0
    )
    height = (
        plot_bottom
        + 34
        + (16 if left_out or dense else 0)
        + (16 * key_lines + 12 if key_lines else 0)
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-label="{text(title)}" '
        f'font-family="sans-serif" font-size="11" fill="{COLOURS["ink"]}">',
        f"<title>{text(title)}</title>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="{COLOURS["paper"]}"/>',
        f'<text x="8" y="16" font-size="13" font-weight="bold">{text(title)}</text>',
    ]
    parts += _legend(dense)
    ticks = round_ticks(start, end)
    daily = len(ticks) > 1 and ticks[1] - ticks[0] >= timedelta(days=1)
    previous = None
    for tick in ticks:
        x = frame.x(tick)
        parts.append(
            f'<line x1="{x}" y1="{top - 10}" x2="{x}" y2="{plot_bottom - 14}" '
            f'stroke="{COLOURS["grid"]}"/>'
        )
        parts.append(
            f'<text x="{x}" y="{plot_bottom}" text-anchor="middle" fill="{COLOURS["muted"]}">'
            f"{text(_tick_label(tick, previous, daily))}</text>"
        )
        previous = tick
    parts += _events_lane(shown_events, frame, top, numbered)
    densest = _densest(within, frame, chosen) if dense else 1
    for lane, ((sender, receiver), label) in enumerate(zip(chosen, labels, strict=True), start=1):
        y = top + LANE * lane
        parts.append(
            f'<text x="{left - 8}" y="{y + 4}" text-anchor="end">{text(label)}'
            f"<title>{text(f'{sender} → {receiver}')}</title></text>"
        )
        parts.append(
            f'<line x1="{left}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" stroke="{COLOURS["lane"]}"/>'
        )
        mine = (pl.col(Col.FROM_PARTY) == sender) & (pl.col(Col.TO_PARTY) == receiver)
        if dense:
            parts += _density(within.filter(mine), frame, y, densest)
        else:
            parts += _gaps(episodes.filter(mine), frame, as_of, y)
            parts += _markers(within.filter(mine), frame, y)
    y = plot_bottom + 18
    notes = []
    if dense:
        notes.append(f"Bars on one scale: a full bar is {densest:,} attempts in a time bin.")
    if left_out:
        notes.append(
            f"{left_out:,} more party {'pair' if left_out == 1 else 'pairs'} with fewer attempts "
            "not drawn."
        )
    if notes:
        parts.append(
            f'<text x="8" y="{y}" fill="{COLOURS["muted"]}">{text(" ".join(notes))}</text>'
        )
        y += 16
    if key_lines:
        parts += _event_key(shown_events, y + 6)
    parts.append("</svg>")
    return "\n".join(parts)


def _legend(dense: bool) -> list[str]:
    """One legend entry per colour and mark, drawn with the marks themselves."""
    y = LEGEND_TOP + 4
    if dense:
        entries = [
            ("bar", COLOURS[Status.ANSWERED], "attempts per time bin"),
            ("bar", COLOURS[Status.UNANSWERED], "of them still unanswered"),
            ("tri", COLOURS["event"], "events (density)"),
        ]
    else:
        entries = [
            ("dot", COLOURS[Status.ANSWERED], "attempt answered"),
            ("dot", COLOURS[Status.SUPERSEDED], "answered through a retry"),
            ("dot", COLOURS[Status.UNANSWERED], "unanswered"),
            ("ring", COLOURS["muted"], "hollow: not delivered"),
            ("diamond", COLOURS[Status.ANSWERED], "reply"),
            ("band", COLOURS[Status.ANSWERED], "waiting, later answered"),
            ("band", COLOURS[Status.UNANSWERED], "waiting, never answered"),
            ("tri", COLOURS["event"], "event (numbered, key below)"),
        ]
    parts, x = [], 8.0
    for shape, colour, label in entries:
        width = 30 + LEGEND_CHAR * len(label)
        if x + width > WIDTH - RIGHT:  # wrap onto a second row rather than run off the edge
            x, y = 8.0, y + 16
        parts.append(_glyph(shape, colour, x + 6, y - 4))
        parts.append(
            f'<text x="{round(x + 16, 1)}" y="{y}" fill="{COLOURS["muted"]}">{text(label)}</text>'
        )
        x += width
    return parts


def _glyph(shape: str, colour: str, x: float, y: float) -> str:
    x, y = round(x, 1), round(y, 1)
    if shape == "dot":
        return f'<circle cx="{x}" cy="{y}" r="4" fill="{colour}" stroke="{colour}"/>'
    if shape == "ring":
        return (
            f'<circle cx="{x}" cy="{y}" r="4" fill="white" stroke="{colour}" stroke-width="1.5"/>'
        )
    if shape == "diamond":
        return f'<path d="M{x} {y - 5} L{x + 5} {y} L{x} {y + 5} L{x - 5} {y} Z" fill="{colour}"/>'
    if shape == "band":
        return (
            f'<rect x="{x - 7}" y="{y - 3}" width="14" height="6" fill="{colour}" '
            'fill-opacity="0.3"/>'
        )
    if shape == "bar":
        return f'<rect x="{x - 4}" y="{y - 6}" width="8" height="12" fill="{colour}"/>'
    return f'<path d="M{x} {y - 6} L{x + 5} {y + 4} L{x - 5} {y + 4} Z" fill="{colour}"/>'


def _events_lane(events: pl.DataFrame, frame: Frame, y: float, numbered: bool) -> list[str]:
    parts = [
        f'<text x="{frame.left - 8}" y="{y + 4}" text-anchor="end" '
        f'fill="{COLOURS["muted"]}">events</text>'
    ]
    if events.height > MAX_MARKERS:
        return parts + _density(
            events.rename({Col.AT: Col.SENT_AT}), frame, y, _densest(events, frame, None), "event"
        )
    placed: list[tuple[float, int]] = []  # (x, level) of the numbers drawn so far
    for row in events.iter_rows(named=True):
        number = row["_number"]
        x = frame.x(row[Col.AT])
        label = f"{number}. {row[Col.KIND]} {rfc3339(row[Col.AT])}: {row[Col.SUMMARY] or ''}"
        parts.append(
            f'<path d="M{x} {y - 6} L{x + 5} {y + 4} L{x - 5} {y + 4} Z" '
            f'fill="{COLOURS["event"]}"><title>{text(label)}</title></path>'
        )
        if numbered:  # a crowded number goes one level higher, so none hides another
            level = 0
            while level < 3 and any(
                abs(x - px) < 6 + 5 * len(str(number)) and lv == level for px, lv in placed
            ):
                level += 1
            placed.append((x, level))
            parts.append(
                f'<text x="{x}" y="{y - 10 - 10 * level}" text-anchor="middle" font-size="9" '
                f'fill="{COLOURS["muted"]}">{number}</text>'
            )
    return parts


def _event_key(events: pl.DataFrame, y: float) -> list[str]:
    parts = [f'<text x="8" y="{y}" font-weight="bold">Events</text>']
    for row in events.head(MAX_KEY).iter_rows(named=True):
        number = row["_number"]
        y += 16
        summary = (row[Col.SUMMARY] or "").strip()
        if len(summary) > 110:
            summary = summary[:109] + "…"
        line = (
            f"{number}. {rfc3339(row[Col.AT])[:16].replace('T', ' ')}Z {row[Col.KIND]}: {summary}"
        )
        parts.append(f'<text x="8" y="{y}">{text(line)} ({text(row[Col.ID])})</text>')
    if events.height > MAX_KEY:
        y += 16
        parts.append(
            f'<text x="8" y="{y}" fill="{COLOURS["muted"]}">'
            f"… {events.height - MAX_KEY:,} more events (the chronology lists all)</text>"
        )
    return parts


def _gaps(episodes: pl.DataFrame, frame: Frame, as_of: datetime, y: float) -> list[str]:
    parts = []
    for row in episodes.iter_rows(named=True):
        closed = row[A.CLOSED_AT]
        until = min(closed or row[A.CENSORED_AT] or as_of, frame.end)
        opened = max(row[A.OPENED_AT], frame.start)
        if until < opened:
            continue
        colour = COLOURS[Status.ANSWERED if closed else Status.UNANSWERED]
        x1, x2 = frame.x(opened), frame.x(until)
        label = f"episode {row[A.EPISODE_ID]}: {row[A.STATUS]}"
        parts.append(
            f'<rect x="{x1}" y="{y - 3}" width="{max(round(x2 - x1, 1), 1.0)}" height="6" '
            f'fill="{colour}" fill-opacity="0.3"><title>{text(label)}</title></rect>'
        )
    return parts


def _markers(attempts: pl.DataFrame, frame: Frame, y: float) -> list[str]:
    parts = []
    for row in attempts.sort(Col.SENT_AT, A.ATTEMPT_ID).iter_rows(named=True):
        x = frame.x(row[Col.SENT_AT])
        colour = COLOURS[row[A.STATUS]]
        hollow = row[Col.ATTEMPT_OUTCOME] != AttemptOutcome.DELIVERED.value
        label = (
            f"{row[A.ATTEMPT_ID]} {rfc3339(row[Col.SENT_AT])} {row[Col.KIND]} "
            f"({row[Col.ATTEMPT_OUTCOME]}): {row[A.STATUS]}"
        )
        fill = "white" if hollow else colour
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="4" fill="{fill}" stroke="{colour}" '
            f'stroke-width="1.5"><title>{text(label)}</title></circle>'
        )
        answered_at = row[A.FIRST_RESPONSE_AT]
        if answered_at is not None and frame.start <= answered_at <= frame.end:
            rx = frame.x(answered_at)
            parts.append(
                f'<path d="M{rx} {y - 5} L{rx + 5} {y} L{rx} {y + 5} L{rx - 5} {y} Z" '
                f'fill="{COLOURS[Status.ANSWERED]}"><title>'
                f"{text(f'reply {row[A.FIRST_RESPONSE_ID]} to {row[A.ATTEMPT_ID]}')}"
                "</title></path>"
            )
    return parts


def _bins(frame_rows: pl.DataFrame, frame: Frame, time_column: str = Col.SENT_AT) -> pl.DataFrame:
    span = (frame.end - frame.start).total_seconds() or 1.0
    unanswered = (
        (pl.col(A.STATUS) == Status.UNANSWERED) if A.STATUS in frame_rows.columns else pl.lit(False)
    )
    return (
        frame_rows.select(
            ((pl.col(time_column) - frame.start).dt.total_seconds() / span * (BINS - 1))
            .floor()
            .cast(pl.Int64)
            .alias("bin"),
            unanswered.alias("open"),
        )
        .group_by("bin")
        .agg(pl.len().alias("n"), pl.col("open").sum().alias("open"))
        .sort("bin")
    )


def _densest(rows: pl.DataFrame, frame: Frame, pairs: list[tuple[str, str]] | None) -> int:
    """The fullest time bin over every lane drawn: one scale shared by all lanes."""
    if pairs is None:
        return max(int(_bins(rows, frame, Col.AT)["n"].max() or 1), 1)
    lanes = pl.DataFrame(pairs, schema=[Col.FROM_PARTY, Col.TO_PARTY], orient="row")
    drawn = rows.join(lanes, on=[Col.FROM_PARTY, Col.TO_PARTY], how="semi")
    span = (frame.end - frame.start).total_seconds() or 1.0
    counts = drawn.group_by(
        Col.FROM_PARTY,
        Col.TO_PARTY,
        ((pl.col(Col.SENT_AT) - frame.start).dt.total_seconds() / span * (BINS - 1))
        .floor()
        .alias("bin"),
    ).len()
    return max(int(counts["len"].max() or 1), 1)


def _density(
    rows: pl.DataFrame, frame: Frame, y: float, densest: int, colour_key: str = Status.ANSWERED
) -> list[str]:
    """Bars of attempts per time bin on the shared scale, the unanswered share in red, and a
    small axis at the lane's start (0 and the full-bar count)."""
    bins = _bins(rows, frame)
    width = (WIDTH - frame.left - RIGHT) / BINS
    parts = [
        f'<line x1="{frame.left - 3}" y1="{y}" x2="{frame.left - 3}" y2="{y - BAR}" '
        f'stroke="{COLOURS["muted"]}"/>',
        f'<text x="{frame.left - 5}" y="{y - BAR + 3}" text-anchor="end" font-size="8" '
        f'fill="{COLOURS["muted"]}">{densest:,}</text>',
    ]
    for row in bins.iter_rows(named=True):
        x = round(frame.left + row["bin"] * width, 1)
        h = round(BAR * row["n"] / densest, 1)
        parts.append(
            f'<rect x="{x}" y="{y - h}" width="{round(width, 1)}" height="{h}" '
            f'fill="{COLOURS[colour_key]}"><title>{row["n"]:,} '
            f"({row['open']:,} unanswered)</title></rect>"
        )
        if row["open"]:
            oh = round(BAR * row["open"] / densest, 1)
            parts.append(
                f'<rect x="{x}" y="{y - oh}" width="{round(width, 1)}" height="{oh}" '
                f'fill="{COLOURS[Status.UNANSWERED]}"/>'
            )
    return parts
