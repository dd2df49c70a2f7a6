"""Durations as written in the config: ``30m``, ``8h``, ``2d``, ``1h30m``.

``d`` is 24 hours. A duration is a length of time *on the standard's calendar*:
"8h" on a business calendar means eight business hours.
"""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(r"^\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*$")


def parse_duration(text: str) -> timedelta:
    """Parse ``text`` into a positive :class:`timedelta`.

    Raises :class:`ValueError` with the expected format when ``text`` is not a
    duration or is zero.
    """
    match = _DURATION.match(text) if isinstance(text, str) else None
    if not match or not any(match.groups()):
        raise ValueError(f'bad duration {text!r} (expected a number with m, h or d, e.g. "30m", "8h", "2d")')
    days, hours, minutes = (int(g or 0) for g in match.groups())
    value = timedelta(days=days, hours=hours, minutes=minutes)
    if not value:
        raise ValueError(f"bad duration {text!r} (must be longer than zero)")
    return value


def format_duration(value: timedelta) -> str:
    """Write ``value`` the way an agent reads it: ``9h 40m``, ``51h``, ``45m``.

    Hours are never folded into days: "2d" of business time would read as two
    calendar days, while it is 48 business hours.
    """
    hours, minutes = divmod(int(value.total_seconds() // 60), 60)
    parts = [f"{n}{unit}" for n, unit in ((hours, "h"), (minutes, "m")) if n]
    return " ".join(parts) or "0m"
