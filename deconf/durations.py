"""Durations for people: "2h 14m 00s", shared by the CLI tables, the browser and the reports."""

from __future__ import annotations


def humanize(seconds: float | None) -> str:
    """Exact to the second for people (machine output keeps microseconds); '' for none."""
    if seconds is None:
        return ""
    sign = "-" if seconds < 0 else ""
    whole = round(abs(seconds))
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours:02d}h {minutes:02d}m"
    if hours:
        return f"{sign}{hours}h {minutes:02d}m {secs:02d}s"
    if minutes:
        return f"{sign}{minutes}m {secs:02d}s"
    return f"{sign}{secs}s"
