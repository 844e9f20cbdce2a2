"""The timeline chart: attempts, replies, gaps and events on one time axis, one lane per party
pair, as a self-contained SVG string (no script, no font or file fetched). Deterministic: the same
frames give the same bytes. Past a few thousand attempts it draws per-lane density instead of
every marker, so a million-record report still opens.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape

import polars as pl

from deconf.analysis.columns import A, Status
from deconf.frames import Col
from deconf.times import rfc3339

WIDTH = 960
LANE = 34
LEFT = 150
RIGHT = 20
TOP = 44
MAX_LANES = 12
MAX_MARKERS = 2000
BINS = 120
COLOURS = {
    Status.ANSWERED: "#2b6cb0",
    Status.SUPERSEDED: "#b7791f",
    Status.UNANSWERED: "#c53030",
    "event": "#4a5568",
}


def _x(moment: datetime, start: datetime, end: datetime) -> float:
    span = (end - start).total_seconds() or 1.0
    return round(LEFT + (WIDTH - LEFT - RIGHT) * (moment - start).total_seconds() / span, 1)


def _ticks(start: datetime, end: datetime, count: int = 6) -> list[datetime]:
    span = end - start
    return [start + span * i / (count - 1) for i in range(count)]


def timeline(
    attempts: pl.DataFrame,
    episodes: pl.DataFrame,
    events: pl.DataFrame,
    as_of: datetime,
    start: datetime | None = None,
    end: datetime | None = None,
    title: str = "Timeline",
) -> str:
    """An SVG timeline of the busiest party pairs between `start` and `end` (default: all)."""
    if attempts.is_empty():
        return ""
    if start is None:
        firsts = [attempts[Col.SENT_AT].min()]
        if not events.is_empty():
            firsts.append(events[Col.AT].min())
        start = min(firsts)
    end = end or as_of
    if end <= start:
        end = start + timedelta(minutes=1)
    within = attempts.filter(pl.col(Col.SENT_AT).is_between(start, end))
    lanes = (
        within.group_by(Col.FROM_PARTY, Col.TO_PARTY)
        .agg(pl.len().alias("n"), pl.col(Col.SENT_AT).min().alias("first"))
        .sort(["n", "first", Col.FROM_PARTY, Col.TO_PARTY], descending=[True, False, False, False])
        .head(MAX_LANES)
        .sort("first", Col.FROM_PARTY, Col.TO_PARTY)
    )
    pairs = list(zip(lanes[Col.FROM_PARTY], lanes[Col.TO_PARTY], strict=True))
    height = TOP + LANE * (len(pairs) + 1) + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-label="{escape(title)}" '
        'font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<text x="{LEFT}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    ticks = _ticks(start, end)
    for number, tick in enumerate(ticks):
        x = _x(tick, start, end)
        anchor = "start" if number == 0 else "end" if number == len(ticks) - 1 else "middle"
        parts.append(
            f'<line x1="{x}" y1="{TOP - 8}" x2="{x}" y2="{height - 26}" stroke="#e2e8f0"/>'
        )
        parts.append(
            f'<text x="{x}" y="{height - 12}" text-anchor="{anchor}" fill="#4a5568">'
            f"{escape(rfc3339(tick)[:16].replace('T', ' '))}Z</text>"
        )
    parts += _events_lane(events, start, end)
    dense = within.height > MAX_MARKERS
    for lane, (sender, receiver) in enumerate(pairs, start=1):
        y = TOP + LANE * lane
        parts.append(
            f'<text x="{LEFT - 8}" y="{y + 4}" text-anchor="end">'
            f"{escape(sender)} → {escape(receiver)}</text>"
        )
        parts.append(f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" stroke="#cbd5e0"/>')
        mine = (pl.col(Col.FROM_PARTY) == sender) & (pl.col(Col.TO_PARTY) == receiver)
        if dense:
            parts += _density(within.filter(mine), start, end, y)
        else:
            parts += _gaps(episodes.filter(mine), start, end, as_of, y)
            parts += _markers(within.filter(mine), start, end, y)
    parts.append(_legend(height, dense))
    parts.append("</svg>")
    return "\n".join(parts)


def _events_lane(events: pl.DataFrame, start: datetime, end: datetime) -> list[str]:
    y = TOP
    shown = events.filter(pl.col(Col.AT).is_between(start, end)).sort(Col.AT, Col.ID)
    parts = [f'<text x="{LEFT - 8}" y="{y + 4}" text-anchor="end" fill="#4a5568">events</text>']
    if shown.height > MAX_MARKERS:
        return parts + _density(shown.rename({Col.AT: Col.SENT_AT}), start, end, y, "event")
    for row in shown.iter_rows(named=True):
        x = _x(row[Col.AT], start, end)
        label = f"{row[Col.KIND]} {rfc3339(row[Col.AT])}: {row[Col.SUMMARY] or ''}"
        parts.append(
            f'<path d="M{x} {y - 6} L{x + 5} {y + 4} L{x - 5} {y + 4} Z" '
            f'fill="{COLOURS["event"]}"><title>{escape(label)}</title></path>'
        )
    return parts


def _gaps(episodes: pl.DataFrame, start: datetime, end: datetime, as_of: datetime, y: float):
    parts = []
    for row in episodes.iter_rows(named=True):
        closed = row[A.CLOSED_AT]
        until = min(closed or as_of, end)
        opened = max(row[A.OPENED_AT], start)
        if until < opened:
            continue
        colour = COLOURS[Status.ANSWERED if closed else Status.UNANSWERED]
        x1, x2 = _x(opened, start, end), _x(until, start, end)
        label = f"episode {row[A.EPISODE_ID]}: {row[A.STATUS]}"
        parts.append(
            f'<rect x="{x1}" y="{y - 3}" width="{max(x2 - x1, 1.0)}" height="6" '
            f'fill="{colour}" fill-opacity="0.25"><title>{escape(label)}</title></rect>'
        )
    return parts


def _markers(attempts: pl.DataFrame, start: datetime, end: datetime, y: float) -> list[str]:
    parts = []
    for row in attempts.sort(Col.SENT_AT, A.ATTEMPT_ID).iter_rows(named=True):
        x = _x(row[Col.SENT_AT], start, end)
        colour = COLOURS[row[A.STATUS]]
        hollow = row[Col.ATTEMPT_OUTCOME] != "delivered"
        label = (
            f"{row[A.ATTEMPT_ID]} {rfc3339(row[Col.SENT_AT])} {row[Col.KIND]} "
            f"({row[Col.ATTEMPT_OUTCOME]}): {row[A.STATUS]}"
        )
        fill = "white" if hollow else colour
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="4" fill="{fill}" stroke="{colour}" '
            f'stroke-width="1.5"><title>{escape(label)}</title></circle>'
        )
        answered_at = row[A.FIRST_RESPONSE_AT]
        if answered_at is not None and start <= answered_at <= end:
            rx = _x(answered_at, start, end)
            parts.append(
                f'<path d="M{rx} {y - 5} L{rx + 5} {y} L{rx} {y + 5} L{rx - 5} {y} Z" '
                f'fill="{COLOURS[Status.ANSWERED]}"><title>'
                f"{escape(f'reply {row[A.FIRST_RESPONSE_ID]} to {row[A.ATTEMPT_ID]}')}"
                "</title></path>"
            )
    return parts


def _density(
    frame: pl.DataFrame, start: datetime, end: datetime, y: float, colour_key: str = Status.ANSWERED
) -> list[str]:
    """Bars of attempts per time bin, the unanswered share in red."""
    span = (end - start).total_seconds() or 1.0
    unanswered = (
        (pl.col(A.STATUS) == Status.UNANSWERED) if A.STATUS in frame.columns else pl.lit(False)
    )
    bins = (
        frame.select(
            ((pl.col(Col.SENT_AT) - start).dt.total_seconds() / span * (BINS - 1))
            .floor()
            .cast(pl.Int64)
            .alias("bin"),
            unanswered.alias("open"),
        )
        .group_by("bin")
        .agg(pl.len().alias("n"), pl.col("open").sum().alias("open"))
        .sort("bin")
    )
    most = max(bins["n"].max() or 1, 1)
    width = (WIDTH - LEFT - RIGHT) / BINS
    parts = []
    for row in bins.iter_rows(named=True):
        x = round(LEFT + row["bin"] * width, 1)
        h = round(12 * row["n"] / most, 1)
        parts.append(
            f'<rect x="{x}" y="{y - h}" width="{round(width, 1)}" height="{h}" '
            f'fill="{COLOURS[colour_key]}"><title>{row["n"]} '
            f"({row['open']} unanswered)</title></rect>"
        )
        if row["open"]:
            oh = round(12 * row["open"] / most, 1)
            parts.append(
                f'<rect x="{x}" y="{y - oh}" width="{round(width, 1)}" height="{oh}" '
                f'fill="{COLOURS[Status.UNANSWERED]}"/>'
            )
    return parts


def _legend(height: float, dense: bool) -> str:
    y = 30
    if dense:
        text = "bars: attempts per time bin; red: still unanswered"
    else:
        text = (
            "● attempt (hollow: not delivered)  ◆ its reply  ▬ episode open until answered "
            "(red: still open)  ▲ event"
        )
    return f'<text x="{WIDTH - RIGHT}" y="{y}" text-anchor="end" fill="#4a5568">{text}</text>'
