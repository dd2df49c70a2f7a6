"""csbridge's marker: how its own notes are recognised on a ticket.

Every note and reminder carries one line ``[csbridge:MARKER]`` in its text (and
its HTML). Adapters use :func:`find_marker` to flag csbridge's own notes so they
are never judged, and to report which writes already happened.
"""

from __future__ import annotations

import re

_MARKER = re.compile(r"\[csbridge:([A-Za-z0-9_.:-]{4,80})\]")


def marker_line(marker: str) -> str:
    """The line to put in a note so that :func:`find_marker` finds ``marker``."""
    return f"[csbridge:{marker}]"


def find_marker(text: str) -> str | None:
    """The marker in ``text``, or ``None`` when it is not a csbridge note."""
    match = _MARKER.search(text)
    return match.group(1) if match else None


def find_markers(text: str) -> list[str]:
    """All markers in ``text``."""
    return _MARKER.findall(text)
