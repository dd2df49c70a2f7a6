"""What the adapter knows of each ticket's comments and status history.

Filled from the ticket events export (many tickets a request) and, for tickets
whose history is not complete here, from one ticket's audits.

Two parts: *pending* histories (events read, ticket not yet yielded in a page)
are never evicted, since each would cost one audits request when its page comes;
the reader reads events only as far as the current ticket page needs, so this
part holds the tickets in flight across that point in time. *Kept* histories
(ticket yielded) stay for the next cycles, at most ``max_tickets`` of them,
least recently used dropped first; a dropped ticket is read again from its
audits when it changes.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from csbridge.models import Status, StatusChange
from csbridge_zendesk.mapping import EventChanges


@dataclass
class History:
    """One ticket's comments (raw API objects by id) and status changes.

    ``complete`` is True when every comment since the ticket's creation is here;
    ``last`` is the unix time of the newest event merged.
    """

    complete: bool
    comments: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    statuses: dict[datetime, Status] = field(default_factory=dict)
    last: int = 0

    def status_changes(self) -> tuple[StatusChange, ...]:
        return tuple(StatusChange(at, status) for at, status in sorted(self.statuses.items()))


class HistoryStore:
    """Pending histories (never evicted) plus at most ``max_tickets`` kept ones (LRU)."""

    def __init__(self, max_tickets: int = 20_000) -> None:
        self.max_tickets = max_tickets
        self._pending: dict[str, History] = {}
        self._kept: OrderedDict[str, History] = OrderedDict()
        self.evicted = 0

    def __len__(self) -> int:
        return len(self._pending) + len(self._kept)

    @property
    def pending(self) -> int:
        """How many histories wait for their ticket to be yielded."""
        return len(self._pending)

    def get(self, ticket_id: str) -> History | None:
        """The history of ``ticket_id``, or ``None`` when it is not kept."""
        history = self._pending.get(ticket_id)
        if history is None:
            history = self._kept.get(ticket_id)
            if history is not None:
                self._kept.move_to_end(ticket_id)
        return history

    def add_event(self, changes: EventChanges) -> None:
        """Merge one ticket event; the ticket is pending until :meth:`yielded`. A ticket
        first seen at its creation is complete."""
        tid = changes.ticket_id
        history = self._pending.get(tid)
        if history is None:
            history = self._kept.pop(tid, None) or History(complete=changes.created)
            self._pending[tid] = history
        for comment in changes.comments:
            history.comments[str(comment["id"])] = _slim(comment)
        if changes.status is not None:
            history.statuses[changes.at] = changes.status
        history.last = max(history.last, int(changes.at.timestamp()))

    def replace(self, ticket_id: str, comments: Iterable[Mapping[str, Any]], statuses: Mapping[datetime, Status]) -> None:
        """Store a full history read from the ticket itself (pending until yielded)."""
        self._kept.pop(ticket_id, None)
        last = max((int(at.timestamp()) for at in statuses), default=0)
        self._pending[ticket_id] = History(
            complete=True, comments={str(c["id"]): _slim(c) for c in comments}, statuses=dict(statuses), last=last
        )

    def yielded(self, ticket_id: str) -> None:
        """The ticket went out in a page: its history becomes evictable (most recent)."""
        history = self._pending.pop(ticket_id, None)
        if history is None:
            return
        self._kept[ticket_id] = history
        self._kept.move_to_end(ticket_id)
        while len(self._kept) > self.max_tickets:
            self._kept.popitem(last=False)
            self.evicted += 1

    def settle(self, until: int) -> int:
        """Make pending histories whose newest event is at or before ``until`` evictable:
        a ticket read to its end without them (filtered out, or its page skipped it).
        Returns how many."""
        stale = [tid for tid, h in self._pending.items() if h.last <= until]
        for tid in stale:
            self.yielded(tid)
        return len(stale)

    def drop(self, ticket_id: str) -> None:
        """Forget a ticket (deleted)."""
        self._pending.pop(ticket_id, None)
        self._kept.pop(ticket_id, None)


_KEEP = ("id", "author_id", "public", "created_at", "plain_body", "html_body", "body")


def _slim(comment: Mapping[str, Any]) -> dict[str, Any]:
    """Only the fields csbridge reads; ``plain_body`` wins, so the others are dropped then."""
    slim = {k: comment[k] for k in _KEEP if k in comment}
    if isinstance(slim.get("plain_body"), str):
        slim.pop("html_body", None)
        slim.pop("body", None)
    return slim
