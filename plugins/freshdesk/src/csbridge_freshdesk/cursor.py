"""Where reading resumes: a JSON string the core stores with each page.

``since`` is the last ``updated_at`` read and ``ids`` the tickets already read at
exactly that instant, so a restart from ``updated_since=since`` (which includes
that instant) neither skips nor repeats a ticket. ``own`` maps a ticket to the
``updated_at`` that csbridge's own last write gave it: a ticket listed again with
that very ``updated_at`` changed only by csbridge's note, and costs no
conversations request. ``own`` only keeps instants at or after ``since`` (older
ones can never be listed again) and at most :data:`MAX_OWN` of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from csbridge.errors import AdapterError
from csbridge_freshdesk.mapping import format_time, parse_time

MAX_OWN = 2000


@dataclass
class Cursor:
    """The reading position; see the module docstring."""

    since: datetime | None = None
    ids: set[str] = field(default_factory=set)
    own: dict[str, datetime] = field(default_factory=dict)

    @classmethod
    def load(cls, text: str | None) -> Cursor:
        """Parse a stored cursor (``None``: the first run). Raises
        :class:`AdapterError` for a string this adapter did not write."""
        if not text:
            return cls()
        try:
            data = json.loads(text)
            since = parse_time(data["since"], "since") if data.get("since") else None
            ids = {str(i) for i in data.get("ids", [])}
            own = {str(k): parse_time(v, "own") for k, v in data.get("own", {}).items()}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise AdapterError(f"unreadable freshdesk cursor ({type(exc).__name__})", retry=False) from None
        return cls(since, ids, own)

    def dump(self) -> str:
        """The cursor as compact JSON, ``own`` pruned and bounded."""
        self.prune()
        return json.dumps(
            {
                "since": format_time(self.since) if self.since else None,
                "ids": sorted(self.ids),
                "own": {k: format_time(v) for k, v in sorted(self.own.items())},
            },
            separators=(",", ":"),
        )

    def is_new(self, ticket_id: str, updated_at: datetime) -> bool:
        """Whether a listed ticket is past the cursor (not read yet)."""
        if self.since is None or updated_at > self.since:
            return True
        return updated_at == self.since and ticket_id not in self.ids

    def advance(self, ticket_id: str, updated_at: datetime) -> None:
        """Move past ``ticket_id``; tickets arrive in ``updated_at`` order."""
        if self.since is None or updated_at > self.since:
            self.since = updated_at
            self.ids = {ticket_id}
        elif updated_at == self.since:
            self.ids.add(ticket_id)

    def only_own_change(self, ticket_id: str, updated_at: datetime, others: list[datetime]) -> bool:
        """Whether csbridge's own write is the ticket's last change: its ``updated_at``
        is the one our write gave it and none of ``others`` (the stats' reply and
        status times) is as late. Forgets the entry either way."""
        written = self.own.pop(ticket_id, None)
        return written is not None and updated_at == written and all(t < written for t in others)

    def prune(self) -> None:
        if self.since is not None:
            self.own = {k: v for k, v in self.own.items() if v >= self.since}
        if len(self.own) > MAX_OWN:
            newest = sorted(self.own.items(), key=lambda kv: kv[1])[-MAX_OWN:]
            self.own = dict(newest)
